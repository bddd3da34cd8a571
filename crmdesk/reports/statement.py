"""Statement of account (对账单) for one customer over a period.

Rows, in this order:
* ``opening``: the balance before ``date_from`` (orders − receipts before it; 0 without
  ``date_from``);
* every sale order (``sale``), sales return (``return``, a negative amount) and receipt
  (``receipt``) dated within the period, by date; on one day orders come before receipts,
  then by document number; a sale settled at sale (``services.settlement``: paid on the spot)
  is followed by its payment (``settled``, in ``receipt_amount``), so it owes nothing;
* ``closing``: ``order_amount`` / ``receipt_amount`` hold the period's totals and
  ``balance`` the closing balance.

An order's amount is the sum of its lines (its ``total_amount`` when it has none);
cancelled orders are left out. ``balance`` = what the customer owes after the row.
Money columns are yuan (2 decimals), summed as integer units.

The period ends at ``date_to`` (else ``as_of``, else today). The header facts (customer,
period, shop) are in ``DataFrame.attrs``; the shop comes from Settings → Shop and statements
(``services.shop_settings``: name, address, phone, bank account, footer) unless
``--shop-name`` is given. ``kind`` holds English codes (CSV is for programs); the screen, the
xlsx and the PDF show them translated (``KIND_LABELS``).

``--customer`` takes a code, an exact name, or what the customer search takes (pinyin,
initials, part of the name) when that finds one customer. ``--all-with-balance`` makes the
statements of every customer whose closing balance is not zero (``statement_batch``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, DocType, OrderStatus, Receipt, SalesLine, SalesOrder
from crmdesk.i18n import N_, _
from crmdesk.reports.common import ReportError, effective_branches, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.customer_query import CustomerQuery, search_customer_ids
from crmdesk.services.permissions import PermissionDenied, require, scope_customers
from crmdesk.services.settlement import CREDIT
from crmdesk.services.shop_settings import ShopDetails, load_shop

COLUMNS = ["date", "kind", "number", "description", "order_amount", "receipt_amount", "balance"]
SHOP_KEYS = ShopDetails.keys()
KIND_LABELS = {"opening": N_("opening"), DocType.SALE.value: N_("sale"), DocType.RETURN.value: N_("return"),
               "receipt": N_("receipt"), "closing": N_("closing"), "settled": N_("paid at sale")}
CANDIDATES_SHOWN = 5
_PAYMENTS = ("receipt", "settled")
_KIND_ORDER = {"opening": 0, DocType.SALE.value: 1, DocType.RETURN.value: 1, "receipt": 2, "closing": 3}


def _orders_select(customer_id: int, branches: tuple[int, ...] | None = None):
    o = SalesOrder.__table__.c
    lines = (select(func.sum(SalesLine.amount)).where(SalesLine.order_id == o.id)
             .correlate(SalesOrder.__table__).scalar_subquery())
    stmt = (select(o.order_date.label("date"), o.doc_type.label("kind"), o.number,
                   func.coalesce(lines, o.total_amount).label("amount_u"), o.notes, o.settlement)
            .where(o.customer_id == customer_id, o.status != OrderStatus.CANCELLED.value))
    return stmt if branches is None else stmt.where(o.branch_id.in_(branches))


def _order_entries(row) -> list[dict]:
    """The order, and for one settled at sale (``services.settlement``) its payment on the spot
    right after it: the statement shows what was bought and that it was paid."""
    amount = int(row.amount_u or 0)
    out = [{"date": row.date, "kind": row.kind, "number": row.number, "method": "", "notes": row.notes or "",
            "order_u": amount, "receipt_u": 0}]
    if row.settlement != CREDIT:
        out.append({"date": row.date, "kind": "settled", "number": row.number, "method": "", "notes": "",
                    "order_u": 0, "receipt_u": amount})
    return out


def _receipts_select(customer_id: int, branches: tuple[int, ...] | None = None):
    r = Receipt.__table__.c
    stmt = (select(r.receipt_date.label("date"), r.number, r.amount.label("amount_u"), r.method, r.notes)
            .where(r.customer_id == customer_id))
    return stmt if branches is None else stmt.where(r.branch_id.in_(branches))


def _opening_units(session: Session, customer_id: int, before: dt.date | None,
                   branches: tuple[int, ...] | None = None) -> int:
    if before is None:
        return 0
    orders = _orders_select(customer_id, branches).where(SalesOrder.order_date < before,
                                                         SalesOrder.settlement == CREDIT).subquery()
    owed = session.scalar(select(func.coalesce(func.sum(orders.c.amount_u), 0))) or 0
    paid_rows = _receipts_select(customer_id, branches).where(Receipt.receipt_date < before).subquery()
    paid = session.scalar(select(func.coalesce(func.sum(paid_rows.c.amount_u), 0))) or 0
    return int(owed) - int(paid)


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def find_customer(session: Session, actor: Actor, code: str | None) -> Customer:
    """The customer ``code`` names: its code, its exact name, or the one customer the search finds."""
    text = (code or "").strip()
    if not text:
        raise ReportError(_("statement needs --customer CODE"))
    customer = session.scalar(scope_customers(select(Customer).where(Customer.code == text), actor))
    if customer is not None:
        return customer
    named = session.scalars(scope_customers(select(Customer).where(Customer.name == text), actor).limit(2)).all()
    if len(named) == 1:
        return named[0]
    try:  # the customer list's search: pinyin, initials, part of the name, phone
        ids = search_customer_ids(session, actor, CustomerQuery(text=text, include_archived=True),
                                  limit=CANDIDATES_SHOWN + 1)
    except PermissionDenied:
        ids = []
    if len(ids) == 1:
        return session.get(Customer, ids[0])
    if not ids:
        raise ReportError(_("no customer with code {code}").format(code=text))
    found = session.execute(select(Customer.code, Customer.name).where(Customer.id.in_(ids[:CANDIDATES_SHOWN]))).all()
    names = "、".join(f"{name} ({c})" for c, name in sorted(found))
    more = "…" if len(ids) > CANDIDATES_SHOWN else ""
    raise ReportError(_("{text} matches several customers: {names}{more}; give the code").format(
        text=text, names=names, more=more))


def shop_header(session: Session, name_override: str | None = None) -> dict[str, str]:
    header = dict(load_shop(session).__dict__)
    if name_override:
        header["name"] = name_override
    return header


def _describe(kind: str, method: str, notes: str) -> str:
    text = {DocType.SALE.value: _("Sales order"), DocType.RETURN.value: _("Sales return"),
            "receipt": _("Receipt"), "settled": _("Paid at sale")}.get(kind, kind)
    if method:
        text = f"{text} ({method})"
    return f"{text} {notes}".strip() if notes else text


def statement(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    if options.get("all_with_balance"):
        from crmdesk.reports.statement_batch import batch_statements

        return batch_statements(session, actor, f, options, statement)
    customer = find_customer(session, actor, options.get("customer"))
    start, end = f.date_from, f.date_to or f.as_of or dt.date.today()
    if start is not None and start > end:
        raise ReportError(_("the period starts after it ends"))

    branches = effective_branches(session, actor, f)  # a branch's statement: its own sales and receipts
    orders_stmt = _orders_select(customer.id, branches).where(SalesOrder.order_date <= end)
    receipts_stmt = _receipts_select(customer.id, branches).where(Receipt.receipt_date <= end)
    if start is not None:
        orders_stmt = orders_stmt.where(SalesOrder.order_date >= start)
        receipts_stmt = receipts_stmt.where(Receipt.receipt_date >= start)
    entries = [
        entry for row in session.execute(orders_stmt) for entry in _order_entries(row)
    ] + [
        {"date": row.date, "kind": "receipt", "number": row.number, "method": row.method or "",
         "notes": row.notes or "", "order_u": 0, "receipt_u": int(row.amount_u or 0)}
        for row in session.execute(receipts_stmt)
    ]
    entries.sort(key=lambda e: (e["date"], _KIND_ORDER.get(e["kind"], 1), e["number"]))

    opening_u = _opening_units(session, customer.id, start, branches)
    balance_u = opening_u
    rows = [{"date": start, "kind": "opening", "number": "", "description": _("Opening balance"),
             "order_u": None, "receipt_u": None, "balance_u": opening_u}]
    for e in entries:
        balance_u += e["order_u"] - e["receipt_u"]
        rows.append({"date": e["date"], "kind": e["kind"], "number": e["number"],
                     "description": _describe(e["kind"], e["method"], e["notes"]),
                     "order_u": e["order_u"] if e["kind"] not in _PAYMENTS else None,
                     "receipt_u": e["receipt_u"] if e["kind"] in _PAYMENTS else None,
                     "balance_u": balance_u})
    total_orders_u = sum(e["order_u"] for e in entries)
    total_receipts_u = sum(e["receipt_u"] for e in entries)
    rows.append({"date": end, "kind": "closing", "number": "", "description": _("Closing balance"),
                 "order_u": total_orders_u, "receipt_u": total_receipts_u, "balance_u": balance_u})

    df = pd.DataFrame(rows)
    for units, col in (("order_u", "order_amount"), ("receipt_u", "receipt_amount"), ("balance_u", "balance")):
        present = df[units].notna()
        df[col] = float("nan")
        df.loc[present, col] = yuan(df.loc[present, units].astype("int64")).to_numpy()
    df = df[COLUMNS]
    df.attrs.update({
        "customer_code": customer.code, "customer_name": customer.name,
        "customer_address": customer.address, "customer_phone": customer.phone or customer.mobile,
        "period_from": start.isoformat() if start else "", "period_to": end.isoformat(),
        "opening_balance": yuan(opening_u), "closing_balance": yuan(balance_u),
        "total_orders": yuan(total_orders_u), "total_receipts": yuan(total_receipts_u),
        "shop": shop_header(session, options.get("shop_name")),
    })
    return df


def _export_xlsx(df: pd.DataFrame, options: dict[str, Any], path) -> None:
    from crmdesk.reports.statement_batch import split_statements
    from crmdesk.reports.statement_xlsx import write_statement_xlsx, write_statements_xlsx

    if "statements" in df.attrs:  # --all-with-balance: one sheet per customer
        write_statements_xlsx(split_statements(df), path)
    else:
        write_statement_xlsx(df, path)


def _export_pdf(df: pd.DataFrame, options: dict[str, Any], path) -> None:
    from crmdesk.reports.statement_batch import split_statements
    from crmdesk.reports.statement_pdf import write_statement_pdf, write_statements_pdf

    if "statements" in df.attrs:  # --all-with-balance: one statement after the other
        write_statements_pdf(split_statements(df), path)
    else:
        write_statement_pdf(df, path)


def _export_folder(df: pd.DataFrame, options: dict[str, Any], folder) -> list:
    from crmdesk.reports.statement_batch import write_statement_files

    return write_statement_files(df, folder, options.get("batch_format") or "pdf")


SPECS = [
    ReportSpec(
        name="statement",
        title=N_("Statement of account"),
        fn=statement,
        description=N_("A customer's orders and receipts in a period with the running balance, "
                       "ready to send as PDF or Excel."),
        options=(
            ReportOption("customer", N_("customer code, name or pinyin"), required=True,
                         required_unless="all_with_balance", lookup="customer"),
            ReportOption("shop_name", N_("shop name printed on the statement (default: the shop.name setting)")),
            ReportOption("all_with_balance", N_("statements of every customer with a balance (the customer filters "
                                                "choose among them); --out FILE.pdf, FILE.xlsx or a FOLDER"),
                         flag=True, gui=False),
            ReportOption("batch_format", N_("file type of the statements written into a folder"), default="pdf",
                         choices=("pdf", "xlsx"), gui=False),
        ),
        money_columns=("order_amount", "receipt_amount", "balance"),
        exporters={".xlsx": _export_xlsx, ".pdf": _export_pdf},
        folder_exporter=_export_folder,
    ),
]
