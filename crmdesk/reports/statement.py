"""Statement of account (对账单) for one customer over a period.

Rows, in this order:
* ``opening``: the balance before ``date_from`` (orders − receipts before it; 0 without
  ``date_from``);
* every sale order (``sale``), sales return (``return``, a negative amount) and receipt
  (``receipt``) dated within the period, by date; on one day orders come before receipts,
  then by document number;
* ``closing``: ``order_amount`` / ``receipt_amount`` hold the period's totals and
  ``balance`` the closing balance.

An order's amount is the sum of its lines (its ``total_amount`` when it has none);
cancelled orders are left out. ``balance`` = what the customer owes after the row.
Money columns are yuan (2 decimals), summed as integer units.

The period ends at ``date_to`` (else ``as_of``, else today). The header facts (customer,
period, shop) are in ``DataFrame.attrs``; the shop comes from the settings ``shop.name``,
``shop.address``, ``shop.phone`` unless ``--shop-name`` is given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, DocType, OrderStatus, Receipt, SalesLine, SalesOrder, Setting
from crmdesk.i18n import N_, _
from crmdesk.reports.common import ReportError, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require, scope_customers

COLUMNS = ["date", "kind", "number", "description", "order_amount", "receipt_amount", "balance"]
SHOP_KEYS = ("shop.name", "shop.address", "shop.phone")
_KIND_ORDER = {"opening": 0, DocType.SALE.value: 1, DocType.RETURN.value: 1, "receipt": 2, "closing": 3}


def _orders_select(customer_id: int):
    o = SalesOrder.__table__.c
    lines = (select(func.sum(SalesLine.amount)).where(SalesLine.order_id == o.id)
             .correlate(SalesOrder.__table__).scalar_subquery())
    return (select(o.order_date.label("date"), o.doc_type.label("kind"), o.number,
                   func.coalesce(lines, o.total_amount).label("amount_u"), o.notes)
            .where(o.customer_id == customer_id, o.status != OrderStatus.CANCELLED.value))


def _receipts_select(customer_id: int):
    r = Receipt.__table__.c
    return (select(r.receipt_date.label("date"), r.number, r.amount.label("amount_u"), r.method, r.notes)
            .where(r.customer_id == customer_id))


def _opening_units(session: Session, customer_id: int, before: dt.date | None) -> int:
    if before is None:
        return 0
    orders = _orders_select(customer_id).where(SalesOrder.order_date < before).subquery()
    owed = session.scalar(select(func.coalesce(func.sum(orders.c.amount_u), 0))) or 0
    paid = session.scalar(select(func.coalesce(func.sum(Receipt.amount), 0))
                          .where(Receipt.customer_id == customer_id, Receipt.receipt_date < before)) or 0
    return int(owed) - int(paid)


def find_customer(session: Session, actor: Actor, code: str | None) -> Customer:
    if not code:
        raise ReportError(_("statement needs --customer CODE"))
    customer = session.scalar(scope_customers(select(Customer).where(Customer.code == code), actor))
    if customer is None:
        raise ReportError(_("no customer with code {code}").format(code=code))
    return customer


def shop_header(session: Session, name_override: str | None = None) -> dict[str, str]:
    stored = dict(session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(SHOP_KEYS))).all())
    header = {key.split(".", 1)[1]: stored.get(key, "") or "" for key in SHOP_KEYS}
    if name_override:
        header["name"] = name_override
    return header


def _describe(kind: str, method: str, notes: str) -> str:
    text = {DocType.SALE.value: _("Sales order"), DocType.RETURN.value: _("Sales return"),
            "receipt": _("Receipt")}.get(kind, kind)
    if method:
        text = f"{text} ({method})"
    return f"{text} {notes}".strip() if notes else text


def statement(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    customer = find_customer(session, actor, options.get("customer"))
    start, end = f.date_from, f.date_to or f.as_of or dt.date.today()
    if start is not None and start > end:
        raise ReportError(_("the period starts after it ends"))

    orders_stmt = _orders_select(customer.id).where(SalesOrder.order_date <= end)
    receipts_stmt = _receipts_select(customer.id).where(Receipt.receipt_date <= end)
    if start is not None:
        orders_stmt = orders_stmt.where(SalesOrder.order_date >= start)
        receipts_stmt = receipts_stmt.where(Receipt.receipt_date >= start)
    entries = [
        {"date": row.date, "kind": row.kind, "number": row.number, "method": "", "notes": row.notes or "",
         "order_u": int(row.amount_u or 0), "receipt_u": 0}
        for row in session.execute(orders_stmt)
    ] + [
        {"date": row.date, "kind": "receipt", "number": row.number, "method": row.method or "",
         "notes": row.notes or "", "order_u": 0, "receipt_u": int(row.amount_u or 0)}
        for row in session.execute(receipts_stmt)
    ]
    entries.sort(key=lambda e: (e["date"], _KIND_ORDER.get(e["kind"], 1), e["number"]))

    opening_u = _opening_units(session, customer.id, start)
    balance_u = opening_u
    rows = [{"date": start, "kind": "opening", "number": "", "description": _("Opening balance"),
             "order_u": None, "receipt_u": None, "balance_u": opening_u}]
    for e in entries:
        balance_u += e["order_u"] - e["receipt_u"]
        rows.append({"date": e["date"], "kind": e["kind"], "number": e["number"],
                     "description": _describe(e["kind"], e["method"], e["notes"]),
                     "order_u": e["order_u"] if e["kind"] != "receipt" else None,
                     "receipt_u": e["receipt_u"] if e["kind"] == "receipt" else None,
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
    from crmdesk.reports.statement_xlsx import write_statement_xlsx

    write_statement_xlsx(df, path)


def _export_pdf(df: pd.DataFrame, options: dict[str, Any], path) -> None:
    from crmdesk.reports.statement_pdf import write_statement_pdf

    write_statement_pdf(df, path)


SPECS = [
    ReportSpec(
        name="statement",
        title=N_("Statement of account"),
        fn=statement,
        description=N_("A customer's orders and receipts in a period with the running balance, "
                       "ready to send as PDF or Excel."),
        options=(
            ReportOption("customer", N_("customer code"), required=True),
            ReportOption("shop_name", N_("shop name printed on the statement (default: the shop.name setting)")),
        ),
        money_columns=("order_amount", "receipt_amount", "balance"),
        exporters={".xlsx": _export_xlsx, ".pdf": _export_pdf},
    ),
]
