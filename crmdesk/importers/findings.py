"""Warnings as results: what landed but may be wrong (a column no field took, a field empty in
every row, a sales file without quantities, an unsure mapping). Each carries a count and a few
examples; the CLI prints them, the wizard lists them, the import history keeps them (JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers.mapping import ColumnMatch

_SAMPLE = 2_000  # a field with a value in its first rows is not empty: the whole column is rarely read
_PRODUCT_ATTRIBUTES = ("category", "brand", "spec")


@dataclass
class FileWarning:
    code: str  # empty_field, no_quantity, no_product_attribute, unsure_column, doc_type, foreign_column …
    message: str  # one sentence, naming the column and the count
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.examples:
            return _("{message} (e.g. {examples})").format(message=self.message, examples=", ".join(self.examples[:3]))
        return self.message


def to_json(warnings: list[FileWarning]) -> str:
    return json.dumps([asdict(w) for w in warnings], ensure_ascii=False) if warnings else ""


def from_json(text: str | None) -> list[FileWarning]:
    if not text:
        return []
    try:
        return [FileWarning(**item) for item in json.loads(text)]
    except (ValueError, TypeError):
        return []


def mapping_warnings(matches: list[ColumnMatch]) -> list[FileWarning]:
    """A mapped column whose header or values leave doubt."""
    out = []
    for m in matches:
        if m.field and (not m.sure or m.note):
            out.append(FileWarning("unsure_column", _("column {column} taken as {field} ({confidence:.0%} sure{why})")
                                   .format(column=m.header, field=m.field, confidence=m.confidence,
                                           why=": " + m.note if m.note else ""), 1))
        elif not m.field and m.how == "values":
            out.append(FileWarning("dropped_column", _("column {column} ignored: {why}").format(
                column=m.header, why=m.note), 1))
    return out


def after_import(kind: str, frame: pd.DataFrame, matches: list[ColumnMatch], present: set[str]) -> list[FileWarning]:
    """Checks on the accepted rows (already typed, so no value is parsed again)."""
    n = len(frame)
    out: list[FileWarning] = []
    if not n:
        return out
    for m in matches:
        if m.field and m.field in frame.columns and not _has_value(frame[m.field]):
            out.append(FileWarning("empty_field", _("column {column} ({field}) is empty or zero in all {n} rows")
                                   .format(column=m.header, field=m.field, n=n), n))
    if kind == "sales":
        if not present & {"product_code", "product_name"}:
            column = next((m.header for m in matches if m.field == "category"), "category")
            out.append(FileWarning("no_product", _(
                "no product column: the {n} lines are booked to one product per category ({column})").format(
                n=n, column=column), n))
        if "quantity" not in present:
            out.append(FileWarning("no_quantity", _("no quantity column: {n} sales lines stored with quantity 0")
                                   .format(n=n), n))
        if not any(a in present for a in _PRODUCT_ATTRIBUTES):
            out.append(FileWarning("no_product_attribute", _(
                "no category, brand or specification column: the {n} lines say nothing about their products "
                "beyond code and name").format(n=n), n))
    return out


def _has_value(column) -> bool:
    """Any non-empty, non-zero value: the first rows decide almost always."""
    head = column.iloc[:_SAMPLE]
    if _any_value(head):
        return True
    return len(column) > _SAMPLE and _any_value(column.iloc[_SAMPLE:])


def _any_value(part: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(part.dtype):
        values = part.to_numpy()
        return bool(np.any((values != 0) & ~np.isnan(values.astype(np.float64))))
    if pd.api.types.is_string_dtype(part.dtype) and not pd.api.types.is_object_dtype(part.dtype):
        return bool((part.fillna("") != "").any())
    values = part.to_numpy(dtype=object)
    return any(v is not None and v == v and v != "" and v != 0 for v in values)
