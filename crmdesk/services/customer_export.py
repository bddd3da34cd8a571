"""Export the customer list as shown to XLSX or CSV, safe from formula injection: a cell
that starts with ``= + - @`` (or tab / carriage return) is written so that spreadsheet
programs show it as text instead of running it (``core.table_out``, shared by every export)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from crmdesk.core.table_out import FORMULA_STARTS, csv_safe, put, write_csv_rows  # noqa: F401 (csv_safe, FORMULA_STARTS: re-exported)
from crmdesk.i18n import N_, _
from crmdesk.money import to_yuan_2
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customer_query import CustomerQuery, CustomerRow, fetch_customer_rows, search_customer_ids
from crmdesk.services.customer_scope import visible_ids
from crmdesk.services.permissions import require

# (header, how to get the value from a CustomerRow); headers translated when written.
COLUMNS = (
    (N_("Code"), lambda r: r.code),
    (N_("Name"), lambda r: r.name),
    (N_("Type"), lambda r: r.type_name),
    (N_("Grade"), lambda r: r.grade),
    (N_("Status"), lambda r: _(r.status)),
    (N_("City"), lambda r: r.city),
    (N_("Phone"), lambda r: r.phone),
    (N_("Mobile"), lambda r: r.mobile),
    (N_("Owner"), lambda r: r.owner_name),
    (N_("Territory"), lambda r: r.territory_name),
    (N_("Tags"), lambda r: ", ".join(r.tags)),
    (N_("Incomplete"), lambda r: _("yes") if r.is_incomplete else ""),
    (N_("Balance"), lambda r: to_yuan_2(r.balance)),
    (N_("Overdue"), lambda r: to_yuan_2(r.overdue)),
)
BATCH = 1000


def _rows(session: Session, actor: Actor, ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield from fetch_customer_rows(session, actor, ids[start:start + BATCH])


def _write_csv(target: Path, rows, headers: list[str]) -> None:
    # UTF-8 with BOM: Excel on Chinese Windows opens it without mangling the names.
    write_csv_rows(target, headers, ([get(row) for _h, get in COLUMNS] for row in rows))


def _write_xlsx(target: Path, rows, headers: list[str]) -> None:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = _("Customers")
    for c, header in enumerate(headers, start=1):
        put(ws.cell(row=1, column=c), header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, (_h, get) in enumerate(COLUMNS, start=1):
            value = get(row)
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                put(cell, value)  # text, never a formula; quote-prefixed when it looks like one
            else:
                cell.value = float(value) if value is not None else None
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "A2"
    wb.save(target)


def export_customers(session: Session, actor: Actor, target: Path | str, query: CustomerQuery | None = None,
                     ids: list[int] | None = None) -> int:
    """Write the actor's customers among ``ids`` (default: the query's); returns how many.
    Audited: who exported how many customers to which file."""
    require(actor, "customers.export")
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CustomerError(_("Export to .xlsx or .csv, not {suffix}").format(suffix=suffix or target.name))
    if ids is None:
        ids = search_customer_ids(session, actor, query or CustomerQuery())
    else:
        ids = visible_ids(session, actor, ids)
    headers = [_(h) for h, _get in COLUMNS]
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(target, _rows(session, actor, ids), headers)
    else:
        _write_xlsx(target, _rows(session, actor, ids), headers)
    audit.record(session, actor, "customers", 0, "export", suffix.lstrip("."), None,
                 f"{len(ids)} → {target.name}")
    return len(ids)
