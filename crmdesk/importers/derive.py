"""Per-kind rules on the typed rows: fallbacks, derived values, required values, duplicate keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers.asof import stock_as_of
from crmdesk.importers.detect import Layout
from crmdesk.importers.documents import split_mixed_orders, warn_mixed_customer_types
from crmdesk.importers.fields import field_map
from crmdesk.importers.findings import FileWarning
from crmdesk.importers.prepare import Prepared, RowChecks, finish, read_typed
from crmdesk.importers.raw_csv import STRING

_EMPTY = {"text": "", "code": "", "money": 0, "number": 0.0, "int": 0, "date": None}


def prepare(layout: Layout) -> Prepared:
    """Read, type and check every row of the file behind ``layout``."""
    frame, raw, numbers, checks, header_of, blank, footer = read_typed(layout)
    present = set(frame.columns)
    for f in field_map(layout.kind).values():
        if f.name not in frame.columns:
            frame[f.name] = _blank_column(f.type, len(frame))
    notes: list[str] = []
    warnings: list[FileWarning] = []
    rule = {"sales": _sales, "customers": _customers, "products": _products, "receipts": _receipts,
            "stock": _stock, "expenses": _expenses}[layout.kind]
    rule(layout, frame, checks, header_of, present, notes, warnings)
    prep = finish(layout, frame, raw, numbers, checks, blank, footer, present, notes)
    prep.warnings = warnings
    return prep


def _blank_column(type_: str, n: int):
    """An absent field: empty text (one shared "" in every row), or the type's empty value."""
    if type_ in ("text", "code"):
        return pd.array(np.full(n, "", dtype=object), dtype=STRING, copy=False)
    return np.full(n, _EMPTY[type_], dtype=object if type_ == "date" else None)


def _h(header_of: dict[str, str], *fields: str) -> str:
    return next((header_of[f] for f in fields if f in header_of), fields[0])


def _empty(values) -> np.ndarray:
    if isinstance(values, pd.Series):
        return (values.isna() | values.eq("")).to_numpy(dtype=bool)
    return np.asarray(values == "", dtype=bool) | pd.isna(values)


def _fallback(frame: pd.DataFrame, target: str, source: str) -> None:
    """Empty ``target`` cells take ``source``'s value (code from name and the like)."""
    empty = _empty(frame[target])
    if empty.any():
        frame.loc[empty, target] = frame.loc[empty, source]


def _require(frame, checks: RowChecks, header_of, name: str, label: str | None = None) -> None:
    checks.add(_empty(frame[name]), _("required value missing"), label or _h(header_of, name))


def _duplicates(frame, checks: RowChecks, keys: list[str], numbers_hint: str, prefer: list[str] | None = None,
                column: np.ndarray | None = None) -> None:
    """Rows with the same key as another row are rejected: one key, one record. The first row is
    kept; with ``prefer`` the row with the most of those fields filled (the one with the price,
    not an empty repeat of it), the first of those on a tie. The rejected row shows its key value.
    ``column``: the header that supplied each row's key, when it differs per row."""
    idx = np.flatnonzero(~checks.rejected)
    if not len(idx):
        return
    if prefer:
        score = sum((~_empty(frame[f].iloc[idx]) & _nonzero(frame[f].iloc[idx])).astype(np.int64) for f in prefer)
        idx = idx[np.lexsort((idx, -np.asarray(score)))]
    part = frame[keys] if len(idx) == len(frame) and not prefer else frame[keys].iloc[idx]  # 1M rows: no copy
    dup = np.zeros(len(frame), dtype=bool)
    dup[idx[part.duplicated(keep="first").to_numpy()]] = True
    if not dup.any():
        return
    shown = np.full(len(frame), "", dtype=object)  # the key as the rejected row shows it
    shown[dup] = frame[keys].loc[dup].astype(str).agg(" / ".join, axis=1).to_numpy(dtype=object)
    reason = _("same {key} as another row of this file; the row with the most values was kept") if prefer else \
        _("same {key} as an earlier row of this file")
    labels = [numbers_hint] if column is None else pd.unique(column[dup]).tolist()
    for label in labels:
        mask = dup if column is None else dup & (column == label)
        checks.add(mask, reason.format(key=label), label, shown)


def _nonzero(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        return values.fillna(0).to_numpy() != 0
    return np.ones(len(values), dtype=bool)


def _first_word(names: pd.Series) -> np.ndarray:
    return names.astype(str).str.split().str[0].fillna("").to_numpy(dtype=object)


def _walk_in(layout: Layout, frame: pd.DataFrame) -> np.ndarray:
    """Rows without a customer go to the walk-in customer; returns them (for ``_walk_in_note``)."""
    nobody = _empty(frame["customer_code"]) & _empty(frame["customer_name"])
    if nobody.any():
        who = layout.profile.walk_in_customer or "散客"
        frame.loc[nobody, "customer_code"] = who
        frame.loc[nobody, "customer_name"] = who
    _fallback(frame, "customer_code", "customer_name")
    _fallback(frame, "customer_name", "customer_code")
    return nobody


def _walk_in_note(layout: Layout, nobody: np.ndarray, checks: RowChecks, notes: list[str]) -> None:
    """Said after every check: a rejected row was not booked to anyone."""
    booked = int((nobody & ~checks.rejected).sum())
    if booked:
        notes.append(_("{n} rows without a customer booked to the walk-in customer {name}").format(
            n=booked, name=layout.profile.walk_in_customer or "散客"))


def _sales(layout, frame, checks, header_of, present, notes, warnings) -> None:
    prof = layout.profile
    _require(frame, checks, header_of, "order_number")
    dates = frame["order_date"].to_numpy()
    checks.add(pd.isna(dates), _("required value missing"), _h(header_of, "order_date"))
    if not present & {"product_code", "product_name"}:  # only a category (a till's 品类, "Product line")
        frame["product_name"] = frame["category"]  # one product per category; findings warns (no_product)
    _fallback(frame, "product_code", "product_name")
    _fallback(frame, "product_name", "product_code")
    _require(frame, checks, header_of, "product_code", _h(header_of, "product_code", "product_name"))
    nobody = _walk_in(layout, frame)
    if prof.non_product_codes:
        codes = {c.upper() for c in prof.non_product_codes}
        hit = frame["product_code"].astype(str).str.upper().isin(codes).to_numpy()
        checks.add(hit, _("not a product sale (postage, fee or adjustment code)"), _h(header_of, "product_code"),
                   frame["product_code"].to_numpy())
        if hit.any():
            notes.append(_("{n} rows with non-product codes ({codes}) not imported as sales; see rejected rows")
                         .format(n=int(hit.sum()), codes=", ".join(sorted(set(frame.loc[hit, "product_code"])))))
    qty = frame["quantity"].to_numpy(dtype=np.float64)
    price = frame["unit_price"].to_numpy(dtype=np.int64)
    amount = frame["amount"].to_numpy(dtype=np.int64)
    computed = np.rint(qty * price).astype(np.int64)
    amount = np.where((amount == 0) & (computed != 0), computed, amount)
    if "unit_price" not in present:
        with np.errstate(divide="ignore", invalid="ignore"):
            price = np.where(qty != 0, np.rint(amount / np.where(qty == 0, 1, qty)), 0).astype(np.int64)
    codes, docs = pd.factorize(frame["doc_type"].astype(str), use_na_sentinel=False)  # a few document types
    doc = pd.Series(docs)
    is_return = pd.Series((doc.str.contains("退", regex=False) |
                           doc.str.lower().str.contains("return", regex=False)).fillna(False).to_numpy(dtype=bool)[codes])
    if prof.return_prefix:
        is_return |= frame["order_number"].astype(str).str.startswith(prof.return_prefix)
    is_return = is_return.to_numpy()
    # A return document lists positive quantities; stored, a return is negative.
    flip = is_return & (qty > 0)
    sign = np.where(flip, -1, 1)
    cost = frame["cost_amount"].to_numpy(dtype=np.int64)
    if "cost_amount" not in present:
        if "unit_cost" in present:
            cost = np.rint(qty * frame["unit_cost"].to_numpy(dtype=np.int64)).astype(np.int64)
        elif "profit" in present:
            cost = amount - frame["profit"].to_numpy(dtype=np.int64)
    frame["quantity"] = qty * sign
    frame["amount"] = amount * sign
    frame["cost_amount"] = cost * sign
    frame["unit_price"] = price
    frame["is_return"] = is_return
    if prof.brand_from_name:
        empty = _empty(frame["brand"])
        frame.loc[empty, "brand"] = _first_word(frame.loc[empty, "product_name"])
    if "line_no" in present:
        _duplicates(frame, checks, ["order_number", "line_no"], _h(header_of, "line_no"))
    _walk_in_note(layout, nobody, checks, notes)
    split_mixed_orders(frame, ~checks.rejected, warnings)
    if "customer_type" in present:
        warn_mixed_customer_types(frame, ~checks.rejected, _h(header_of, "customer_type"), warnings)


def _customers(layout, frame, checks, header_of, present, notes, warnings) -> None:
    _fallback(frame, "code", "name")
    _fallback(frame, "name", "code")
    _require(frame, checks, header_of, "code", _h(header_of, "code", "name"))
    _duplicates(frame, checks, ["code"], _h(header_of, "code", "name"),
                prefer=sorted(present - {"code", "name"}))


def _products(layout, frame, checks, header_of, present, notes, warnings) -> None:
    source = _product_key(frame, header_of, present, notes)
    _fallback(frame, "name", "code")
    checks.add(_empty(frame["code"]), _("required value missing"), _h(header_of, "code", "barcode", "name"))
    # The row with a price or cost wins over a bare repeat of the same product.
    _duplicates(frame, checks, ["code"], _h(header_of, "code"), column=source,
                prefer=[f for f in ("list_price", "cost", "barcode", "spec", "unit", "category", "brand")
                        if f in present])
    if layout.profile.brand_from_name:
        empty = _empty(frame["brand"])
        frame.loc[empty, "brand"] = _first_word(frame.loc[empty, "name"])


def _product_key(frame: pd.DataFrame, header_of: dict[str, str], present: set[str], notes: list[str]) -> np.ndarray:
    """Products are keyed by code, else barcode, else name, row by row: a program whose 货号
    column is empty in every row still has a unique 条码. Returns the header that supplied each
    row's key; says how many rows were keyed by something other than their code."""
    source = np.full(len(frame), _h(header_of, "code", "barcode", "name"), dtype=object)
    missing = _empty(frame["code"])
    for fallback in ("barcode", "name"):
        if fallback not in present or not missing.any():
            continue
        use = missing & ~_empty(frame[fallback])
        if not use.any():
            continue
        frame.loc[use, "code"] = frame.loc[use, fallback]
        source[use] = header_of[fallback]
        missing &= ~use
        if fallback == "barcode":
            notes.append(_("{n} products without a code are keyed by their barcode ({column})").format(
                n=int(use.sum()), column=header_of[fallback]))
        elif "code" in present or "barcode" in present:
            notes.append(_("{n} products without a code or barcode are keyed by their name ({column})").format(
                n=int(use.sum()), column=header_of[fallback]))
    return source


def _receipts(layout, frame, checks, header_of, present, notes, warnings) -> None:
    _require(frame, checks, header_of, "number")
    checks.add(pd.isna(frame["receipt_date"].to_numpy()), _("required value missing"),
               _h(header_of, "receipt_date"))
    nobody = _walk_in(layout, frame)
    _duplicates(frame, checks, ["number"], _h(header_of, "number"))
    _walk_in_note(layout, nobody, checks, notes)


def _stock(layout, frame, checks, header_of, present, notes, warnings) -> None:
    _fallback(frame, "product_code", "product_name")
    _fallback(frame, "product_name", "product_code")
    _require(frame, checks, header_of, "product_code")
    if "snapshot_date" not in present:
        stated = stock_as_of(layout.preamble, layout.source.path.name)
        if stated is not None:
            day = stated.date
            notes.append(_("stock dated {date}, as the file says ({source})").format(
                date=day.isoformat(), source=stated.source[:80]))
        else:
            day = dt.date.fromtimestamp(layout.source.path.stat().st_mtime)
            warnings.append(FileWarning("stock_date_guessed", _(
                "no stock date in the file: the snapshot is dated {date} (the file's date)").format(
                date=day.isoformat()), len(frame)))
        frame["snapshot_date"] = np.full(len(frame), day, dtype=object)
    checks.add(pd.isna(frame["snapshot_date"].to_numpy()), _("required value missing"),
               _h(header_of, "snapshot_date"))
    if "cost_value" not in present and "unit_cost" in present:
        qty = frame["quantity"].to_numpy(dtype=np.float64)
        frame["cost_value"] = np.rint(qty * frame["unit_cost"].to_numpy(dtype=np.int64)).astype(np.int64)
    _duplicates(frame, checks, ["product_code", "warehouse", "snapshot_date"], _h(header_of, "product_code"))


def _expenses(layout, frame, checks, header_of, present, notes, warnings) -> None:
    """An expense line is keyed by (document, line): the file's 行号, else its place among the
    document's lines in the file — counted over every row, rejected ones too, so that a row fixed
    and imported again keeps its number and updates instead of doubling."""
    _require(frame, checks, header_of, "doc_number")
    checks.add(pd.isna(frame["expense_date"].to_numpy()), _("required value missing"), _h(header_of, "expense_date"))
    _require(frame, checks, header_of, "item")
    if "line_no" in present:
        _duplicates(frame, checks, ["doc_number", "line_no"], _h(header_of, "line_no"))
    else:
        frame["line_no"] = frame.groupby("doc_number", sort=False).cumcount().to_numpy(dtype=np.int64) + 1
