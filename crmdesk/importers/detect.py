"""Finding the header row, the kind and the column mapping of an export; the wizard's preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crmdesk.i18n import _
from crmdesk.importers.fields import (
    KINDS,
    all_synonyms,
    field_map,
    header_key,
    missing_required,
    shown,
    propose_mapping,
    strong_hits,
)
from crmdesk.importers.evidence import Evidence, weigh
from crmdesk.importers.findings import FileWarning, mapping_warnings
from crmdesk.importers.mapping import SAMPLE_ROWS, ColumnMatch, check_values, map_columns, mapping_of
from crmdesk.importers.profiles import Profile, load_profile, profile_for_headers
from crmdesk.importers.reading import ReadError, Source, open_source

_PRODUCT = {"product_code", "product_name"}
_CUSTOMER = {"customer_code", "customer_name"}


def find_header_row(rows: list[list[str]]) -> int:
    """1-based row of the column headers: the row naming the most known fields (title/period
    lines and key/value preambles name one at most); else the first row as wide as the data."""
    known = all_synonyms()
    best, best_hits = 0, 1
    for i, row in enumerate(rows):
        hits = sum(1 for cell in row if cell and header_key(cell) in known)
        if hits > best_hits:
            best, best_hits = i + 1, hits
    if best:
        return best
    widths = [sum(1 for c in row if c) for row in rows]
    widest = max(widths, default=0)
    for i, w in enumerate(widths):
        if widest and w >= max(2, 0.6 * widest):
            return i + 1
    return 1


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose required fields the headers supply, checked from the most specific."""
    expenses = propose_mapping("expenses", headers)
    item = [h for h, f in expenses.items() if f == "item"]
    if item and strong_hits("expenses", item) and not missing_required("expenses", set(expenses.values())):
        return "expenses"  # a 费用项目 column: nothing else crmdesk imports has one
    sales = set(propose_mapping("sales", headers).values())
    has_product = bool(sales & _PRODUCT)
    has_customer = bool(sales & _CUSTOMER)
    # A category alone stands for the product only with quantities too (a till's 品类 lines), so a
    # receipts file with a 类别 column stays receipts.
    if not missing_required("sales", sales) and "order_number" in sales and (has_product or "quantity" in sales):
        return "sales"
    receipts = set(propose_mapping("receipts", headers).values())
    if not has_product and not missing_required("receipts", receipts):
        return "receipts"
    if not has_customer and "order_number" not in sales:
        stock_map = propose_mapping("stock", headers)
        qty_header = next((h for h, f in stock_map.items() if f == "quantity"), None)
        if qty_header and not missing_required("stock", set(stock_map.values())) and \
                strong_hits("stock", [qty_header]) and "product_code" in stock_map.values():
            return "stock"
        if not missing_required("products", set(propose_mapping("products", headers).values())) and \
                strong_hits("products", headers) >= 2:
            return "products"
    if not has_product and strong_hits("customers", headers) >= 1 and \
            not missing_required("customers", set(propose_mapping("customers", headers).values())):
        return "customers"
    return None


def build_mapping(kind: str, headers: list[str], profile: Profile) -> dict[int, str]:
    """Column position → field: the profile's columns first, then the built-in synonyms."""
    return mapping_of(map_columns(kind, headers, profile))


@dataclass
class Layout:
    """How one file is to be read: the result of detection plus the profile's overrides."""

    source: Source
    profile: Profile
    kind: str
    header_row: int
    headers: list[str]
    mapping: dict[int, str]
    kind_detected: bool
    preamble: list[list[str]] = field(default_factory=list)
    columns: list[ColumnMatch] = field(default_factory=list)  # every column: field, confidence, reason
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def ignored(self) -> list[ColumnMatch]:
        return [c for c in self.columns if not c.field]

    @property
    def unsure(self) -> list[ColumnMatch]:
        return [c for c in self.columns if not c.sure]

    @property
    def warnings(self) -> list[FileWarning]:
        """What the headers and the sample already say (the rows add theirs after the import)."""
        return self.evidence.warnings + mapping_warnings(self.columns)

    @property
    def missing(self) -> list[str]:
        return missing_required(self.kind, set(self.mapping.values()) | set(self.profile.constants))


def resolve_layout(path: str | Path, kind: str | None = None, profile: Profile | str | None = None,
                   encoding: str | None = None, sheet: str | int | None = None,
                   header_row: int | None = None) -> Layout:
    """Open ``path`` and settle kind, header row and mapping. Raises ReadError when it can't."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    source = open_source(path, encoding=encoding or prof.encoding_for(path) or None,
                         sheet=sheet if sheet not in (None, "") else (prof.sheet or None),
                         delimiter=prof.delimiter or None)
    head = source.head()
    if not any(any(c for c in row) for row in head):
        raise ReadError(_("{file}: the file is empty").format(file=source.path.name))
    row = header_row or prof.header_row or find_header_row(head)
    rows = source._excel_rows() if source.format == "excel" else source.head(max(row, len(head)))
    headers = [str(h).strip() for h in rows[row - 1]] if row <= len(rows) else []
    given = kind or prof.kind
    if prof.name == "auto" and not prof.columns:
        prof = profile_for_headers(headers) or prof
    chosen = kind or prof.kind or detect_kind(headers)
    if chosen is None:
        raise ReadError(_("{file}: cannot tell what the file holds from its headers ({headers}); "
                          "give the kind or a profile").format(file=source.path.name,
                                                                headers=shown(", ".join(h for h in headers if h)[:300])))
    if chosen not in KINDS:
        raise ReadError(_("unknown kind {kind}; use one of {kinds}").format(kind=chosen, kinds=", ".join(KINDS)))
    # The values that check the mapping: rows already read for the header (a text file is not
    # decoded further here; its body is read once, later, by the fast path).
    sample = rows[row: row + SAMPLE_ROWS]
    columns = check_values(chosen, map_columns(chosen, headers, prof), sample, prof)
    detected = not (kind or prof.kind)  # a kind someone chose is imported (with warnings), never held
    layout = Layout(source=source, profile=prof, kind=chosen, header_row=row, headers=headers,
                    mapping=mapping_of(columns), kind_detected=not given, preamble=head[: row - 1],
                    columns=columns, evidence=weigh(source.path.name, chosen, detected, headers, sample))
    return layout


def require_columns(layout: Layout) -> None:
    missing = layout.missing
    if missing:
        raise ReadError(_("{file}: required column missing for {kind}: {columns}").format(
            file=layout.source.path.name, kind=layout.kind, columns=", ".join(missing)))


@dataclass
class Preview:
    """What the import wizard shows before importing (plain data, no database involved)."""

    path: Path
    format: str  # csv or excel
    encoding: str
    delimiter: str
    sheet: str
    sheets: list[str]
    header_row: int
    columns: list[str]
    kind: str
    kind_detected: bool
    profile: str
    mapping: dict[str, str]  # column header → field ("" when not imported)
    missing: list[str]  # required fields no column supplies
    title_lines: list[list[str]]
    rows: list[list[str]]  # the first rows below the header, as text
    matches: list[ColumnMatch] = field(default_factory=list)  # per column: field, confidence, reason
    warnings: list[FileWarning] = field(default_factory=list)  # what the headers and first rows say
    refusal: str = ""  # why the file would be held (it does not look like the kind detected)


def preview(path: str | Path, kind: str | None = None, profile: Profile | str | None = None,
            encoding: str | None = None, sheet: str | int | None = None, header_row: int | None = None,
            rows: int = 20) -> Preview:
    """Detect how ``path`` would import, without touching a database. Raises ReadError."""
    layout = resolve_layout(path, kind, profile, encoding, sheet, header_row)
    src = layout.source
    first = src.head(layout.header_row + rows)[layout.header_row:] if src.format == "csv" else \
        src._excel_rows()[layout.header_row: layout.header_row + rows]
    return Preview(
        path=src.path, format=src.format, encoding=src.encoding, delimiter=src.delimiter, sheet=src.sheet,
        sheets=src.sheets, header_row=layout.header_row, columns=layout.headers, kind=layout.kind,
        kind_detected=layout.kind_detected, profile=layout.profile.name,
        mapping={h: layout.mapping.get(i, "") for i, h in enumerate(layout.headers)},
        missing=layout.missing, title_lines=layout.preamble, rows=first, matches=list(layout.columns),
        warnings=layout.warnings, refusal=layout.evidence.refusal,
    )


def profile_from_preview(p: Preview, name: str, mapping: dict[str, str] | None = None, **settings) -> Profile:
    """The wizard's "save as profile": what was detected (or corrected in ``mapping`` and
    ``settings``, e.g. ``date_format``) written down so the next file of this layout needs no questions."""
    return Profile(name=name, kind=p.kind, encoding=p.encoding if p.format == "csv" else "",
                   delimiter=p.delimiter if p.format == "csv" else "", sheet=p.sheet, header_row=p.header_row,
                   columns=dict(mapping if mapping is not None else p.mapping), only_listed_columns=True,
                   **settings).validate()
