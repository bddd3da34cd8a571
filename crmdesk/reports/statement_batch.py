"""Statements for every customer with a balance (对账单批量): month-end post for the
credit customers.

"With a balance" = the statement's own closing balance at the period's end is not zero
(orders − receipts, cancelled orders left out): a customer who paid in advance gets one
too. The customer filters (type, grade, territory, salesperson = owner) choose among them,
within what the user may see. The result is one frame: ``customer_code`` and
``customer_name`` in front of the statement's columns, each statement's header facts in
``attrs["statements"]`` by code, so that CSV stays one table and the PDF/xlsx writers can
cut it back into statements.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, OrderStatus, Receipt, SalesLine, SalesOrder
from crmdesk.i18n import _
from crmdesk.reports.common import ReportError, customer_ids_select, effective_branches
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

KEY_COLUMNS = ["customer_code", "customer_name"]


def customers_with_balance(session: Session, actor: Actor, f: ReportFilters, end: dt.date) -> list[tuple[str, str]]:
    """(code, name) of the customers whose balance at ``end`` is not zero, by code."""
    o = SalesOrder.__table__.c
    lines = (select(func.sum(SalesLine.amount)).where(SalesLine.order_id == o.id)
             .correlate(SalesOrder.__table__).scalar_subquery())
    owed = (select(o.customer_id.label("cid"), func.coalesce(lines, o.total_amount).label("amount"))
            .where(o.status != OrderStatus.CANCELLED.value, o.order_date <= end, o.customer_id.is_not(None),
                   o.settlement == "credit"))  # sales settled at sale owe nothing (services.settlement)
    paid = (select(Receipt.customer_id.label("cid"), (-Receipt.amount).label("amount"))
            .where(Receipt.receipt_date <= end, Receipt.customer_id.is_not(None)))
    branches = effective_branches(session, actor, f)
    if branches is not None:
        owed = owed.where(o.branch_id.in_(branches))
        paid = paid.where(Receipt.branch_id.in_(branches))
    ledger = union_all(owed, paid).subquery()
    balances = (select(ledger.c.cid).group_by(ledger.c.cid).having(func.sum(ledger.c.amount) != 0)
                .where(ledger.c.cid.in_(customer_ids_select(f, actor, owner_for_salesperson=True))))
    rows = session.execute(select(Customer.code, Customer.name).where(Customer.id.in_(balances))
                           .order_by(Customer.code)).all()
    return [(code, name) for code, name in rows]


def batch_statements(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any],
                     one: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    from crmdesk.reports.statement import COLUMNS

    end = f.date_to or f.as_of or dt.date.today()
    frames, headers = [], {}
    for code, name in customers_with_balance(session, actor, f, end):
        df = one(session, actor, f, {**options, "all_with_balance": False, "customer": code})
        headers[code] = dict(df.attrs)
        frames.append(df.assign(customer_code=code, customer_name=name))
    if frames:
        out = pd.concat(frames, ignore_index=True)[KEY_COLUMNS + COLUMNS]
    else:
        out = pd.DataFrame(columns=KEY_COLUMNS + COLUMNS)
    out.attrs = {"statements": headers, "period_to": end.isoformat(),
                 "period_from": f.date_from.isoformat() if f.date_from else ""}
    return out


def split_statements(df: pd.DataFrame) -> list[pd.DataFrame]:
    """The batch frame back as one statement frame per customer (with its header attrs)."""
    headers = df.attrs.get("statements") or {}
    if not headers:
        raise ReportError(_("no customer has a balance at {date}").format(date=df.attrs.get("period_to", "")))
    extra = {k: v for k, v in df.attrs.items() if k.startswith("export_")}
    out = []
    for code, part in df.groupby("customer_code", sort=False):
        one = part.drop(columns=KEY_COLUMNS).reset_index(drop=True)
        one.attrs = {**headers.get(code, {}), **extra}
        out.append(one)
    return out


def file_stem(attrs: dict) -> str:
    """``KH000123_华联文具店``: the code first, so a folder lists in code order."""
    text = f"{attrs.get('customer_code', '')}_{attrs.get('customer_name', '')}".strip("_")
    return re.sub(r'[<>:"/\\|?*\s]+', "_", text)[:80] or "statement"


def write_statement_files(df: pd.DataFrame, folder: Path, kind: str = "pdf") -> list[Path]:
    """One file per customer in ``folder`` (.pdf or .xlsx); returns them."""
    from crmdesk.reports.statement_pdf import write_statement_pdf
    from crmdesk.reports.statement_xlsx import write_statement_xlsx

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for one in split_statements(df):
        path = folder / f"{file_stem(one.attrs)}.{kind}"
        (write_statement_xlsx if kind == "xlsx" else write_statement_pdf)(one, path)
        written.append(path)
    return written


def export_batch(session: Session, actor: Actor, filters: ReportFilters, target: Path, *, to_folder: bool,
                 kind: str = "pdf", options: dict[str, Any] | None = None) -> tuple[int, list[Path]]:
    """The GUI's batch: every statement into one file (``target`` .pdf/.xlsx) or one file per
    customer into the folder ``target``; checked and audited like any export. Returns how many
    statements, and the files."""
    from crmdesk.reports.access import record_export, run_report
    from crmdesk.reports.output import with_info
    from crmdesk.reports.provenance import export_info
    from crmdesk.reports.registry import get
    from crmdesk.reports.statement import _export_pdf, _export_xlsx

    spec = get("statement")
    values = {**(options or {}), "all_with_balance": True, "batch_format": kind}
    df = run_report(session, actor, spec, filters, values)
    record_export(session, actor, spec, target)
    df = with_info(df, export_info(session, actor, spec, filters, values))
    count = len(df.attrs.get("statements") or {})
    if to_folder:
        return count, write_statement_files(df, target, kind)
    (_export_xlsx if target.suffix.lower() == ".xlsx" else _export_pdf)(df, values, target)
    return count, [target]
