"""The column mapping with its reasons: which source column feeds which field, how sure that is,
which columns are ignored and why. A guess from the header is checked against a sample of the
column's values (a date column must parse as dates, money as numbers, a master key must be
mostly unique), so only the first rows below the header are read here: the body is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers import cleaning
from crmdesk.importers.fields import EXACT, field_map, header_key, match_header, shown
from crmdesk.importers.profiles import Profile

SURE = 0.75  # below this a mapping is a guess: shown as such, and an unattended sync holds the file
SAMPLE_ROWS = 200  # rows below the header whose values check the guesses
_UNIQUE_KEYS = {("customers", "code"), ("products", "code"), ("receipts", "number")}


@dataclass(frozen=True)
class ColumnMatch:
    """One source column: the field it feeds ("" = ignored), how sure (0–1) and why."""

    position: int
    header: str
    field: str
    confidence: float
    how: str  # profile, synonym, alternative, the synonym a part matched; "values" when they ruled it out
    note: str = ""  # what the values said, or why the column is ignored

    @property
    def sure(self) -> bool:
        return not self.field or self.confidence >= SURE

    def describe(self) -> str:
        """``Order Qty → quantity (70%, by "qty")`` for the mapping report."""
        if not self.field:
            return shown(self.header) + (f" ({self.note})" if self.note else "")
        text = f"{shown(self.header)} → {self.field}"
        if self.confidence < EXACT:
            why = self.note or _('by "{word}"').format(word=self.how)
            text += f" ({self.confidence:.0%}, {why})"
        return text


def map_columns(kind: str, headers: list[str], profile: Profile) -> list[ColumnMatch]:
    """Every column with its field: the profile's [columns] first, then the synonyms (each field
    taken by its best-ranked column). Columns left over are listed with the reason."""
    fields = field_map(kind)
    taken: dict[str, int] = {name: -1 for name in profile.constants}
    chosen: dict[int, ColumnMatch] = {}
    listed = {header_key(h): f for h, f in profile.columns.items()}
    for pos, header in enumerate(headers):
        fname = listed.get(header_key(header))
        if fname and fname in fields and fname not in taken:
            chosen[pos] = ColumnMatch(pos, header, fname, EXACT, "profile")
            taken[fname] = pos
    if not profile.only_listed_columns:
        best: dict[str, tuple[int, int, float, str]] = {}
        for pos, header in enumerate(headers):
            if pos in chosen or header_key(header) in listed:
                continue
            name, rank, conf, how = match_header(kind, header)
            if name and name not in taken and (name not in best or rank < best[name][0]):
                best[name] = (rank, pos, conf, how)
        for name, (_rank, pos, conf, how) in best.items():
            chosen[pos] = ColumnMatch(pos, headers[pos], name, conf, how)
            taken[name] = pos
    out = []
    for pos, header in enumerate(headers):
        if pos in chosen:
            out.append(chosen[pos])
        elif header.strip():
            out.append(ColumnMatch(pos, header, "", 0.0, "", _ignored_reason(kind, header, profile, headers, taken)))
    return out


def _ignored_reason(kind: str, header: str, profile: Profile, headers: list[str], taken: dict[str, int]) -> str:
    key = header_key(header)
    if key in {header_key(h) for h, f in profile.columns.items() if not f}:
        return _("ignored by the profile")
    name = match_header(kind, header)[0]
    if name and name in taken:
        other = taken[name]
        return _("{field} taken from {column}").format(
            field=name, column=headers[other] if other >= 0 else _("the profile's constant"))
    if profile.only_listed_columns:
        return _("not listed in the profile")
    return _("no field of {kind} fits").format(kind=kind)


def check_values(kind: str, matches: list[ColumnMatch], sample: list[list[str]], profile: Profile) -> list[ColumnMatch]:
    """The matches with their confidence checked against ``sample`` (rows below the header). A
    guess by parts whose values do not fit is dropped; an exact synonym is kept but marked unsure;
    a profile's column is the user's word and only gets the note."""
    fields = field_map(kind)
    out = []
    for m in matches:
        if not m.field:
            out.append(m)
            continue
        values = [row[m.position] for row in sample if m.position < len(row) and row[m.position].strip()]
        problem = _value_problem(kind, fields[m.field].type, m.field, values, profile)
        if problem is None:
            out.append(m)
        elif m.how == "profile":
            out.append(ColumnMatch(m.position, m.header, m.field, m.confidence, m.how, problem))
        elif m.confidence < EXACT:
            out.append(ColumnMatch(m.position, m.header, "", 0.0, "values",
                                   _("looked like {field}, but {problem}").format(field=m.field, problem=problem)))
        else:
            out.append(ColumnMatch(m.position, m.header, m.field, min(m.confidence, 0.5), m.how, problem))
    return out


def _value_problem(kind: str, type_: str, fname: str, values: list[str], profile: Profile) -> str | None:
    if len(values) < 3:  # too few to judge
        return None
    series = pd.Series(values, dtype=object)
    if type_ == "date":
        _v, bad = cleaning.parse_date(series, profile.date_format or None, profile.dayfirst)
        what = _("dates")
    elif type_ in ("money", "number", "int"):
        parse = {"money": cleaning.parse_money, "number": cleaning.parse_number, "int": cleaning.parse_int}[type_]
        try:
            _v, bad = parse(series)
        except (ValueError, OverflowError, ArithmeticError):
            return None  # the row checks will say which rows are bad
        what = _("numbers")
    elif (kind, fname) in _UNIQUE_KEYS:
        distinct = len(set(values))
        if len(values) >= 10 and distinct < 0.5 * len(values):
            return _("only {n} of {total} sampled values differ (a key should be unique)").format(
                n=distinct, total=len(values))
        return None
    else:
        return None
    good = len(values) - int(pd.Series(bad).sum())
    if good < 0.5 * len(values):
        return _("only {n} of {total} sampled values are {what}").format(n=good, total=len(values), what=what)
    return None


def ignored_text(columns: list[ColumnMatch]) -> str:
    """The ignored columns grouped by reason: ``Discount, Ship Mode (no field of sales fits); …``."""
    groups: dict[str, list[str]] = {}
    for c in columns:
        if not c.field:
            groups.setdefault(c.note, []).append(shown(c.header))
    return "; ".join(", ".join(headers) + (f" ({note})" if note else "") for note, headers in groups.items())


def mapping_of(matches: list[ColumnMatch]) -> dict[int, str]:
    """Column position → field, as the rest of the pipeline wants it."""
    return {m.position: m.field for m in matches if m.field}
