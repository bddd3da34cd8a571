"""The queries behind drill-down (Qt-free): a brand's or category's products,
the customers who buy a brand/category/product, and a customer code's id.

They reuse the margin report and the shared report filters, so a drilled-down
row adds up to the bar that was clicked. They are the actor's rows (scoped like
every report) and, for who may not see cost, revenue and quantity only, by revenue.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, Product
from crmdesk.reports.access import drop_cost
from crmdesk.reports.common import L, add_money, customers_frame, empty, frame, sums_select
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.margin import margin
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require, sees_cost

PRODUCT_COLUMNS = ["product_code", "product_name", "revenue", "cost", "gross_profit", "margin_pct", "quantity"]
CUSTOMER_COLUMNS = ["customer_code", "customer_name", "revenue", "cost", "gross_profit", "margin_pct", "quantity"]
MONEY_COLUMNS = ("revenue", "cost", "gross_profit")
PCT_COLUMNS = ("margin_pct",)


def _narrow(f: ReportFilters, brand: str | None, category: str | None, customer_type: str | None) -> ReportFilters:
    changes: dict[str, object] = {}
    if brand is not None:
        changes["brands"] = (brand,)
    if category is not None:
        changes["categories"] = (category,)
    if customer_type is not None:
        changes["customer_types"] = (customer_type,)
    return f.with_(**changes) if changes else f


def products_of(session: Session, actor: Actor, f: ReportFilters, *, brand: str | None = None,
                category: str | None = None, customer_type: str | None = None) -> pd.DataFrame:
    """Products (of ``brand``/``category``) by gross profit, within the filters."""
    require(actor, "reports.view")
    df = margin(session, actor, _narrow(f, brand, category, customer_type), {"by": "product"})
    return _visible(df.rename(columns={"product": "product_code"})[PRODUCT_COLUMNS], actor)


def _visible(df: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """Without cost columns, ranked by revenue, for who may not see cost."""
    if sees_cost(actor):
        return df
    df = drop_cost(df, actor)
    return df.sort_values("revenue", ascending=False, kind="stable").reset_index(drop=True)


def customers_of(session: Session, actor: Actor, f: ReportFilters, *, brand: str | None = None,
                 category: str | None = None, customer_type: str | None = None,
                 product_code: str | None = None) -> pd.DataFrame:
    """Customers who bought (``brand``/``category``/``product_code``) by gross profit, within the filters."""
    require(actor, "reports.view")
    narrowed = _narrow(f, brand, category, customer_type)
    if product_code is None:
        df = margin(session, actor, narrowed, {"by": "customer"})
        return _visible(df.rename(columns={"customer": "customer_code"})[CUSTOMER_COLUMNS], actor)
    product_id = session.scalar(select(Product.id).where(Product.code == product_code))
    if product_id is None:
        return _visible(empty(CUSTOMER_COLUMNS), actor)
    df = frame(session, sums_select(narrowed, actor, [L.customer_id], session=session)
               .where(L.product_id == product_id))
    if df.empty:
        return _visible(empty(CUSTOMER_COLUMNS), actor)
    customers = customers_frame(session)
    df["customer_code"] = df["customer_id"].map(customers["code"])
    df["customer_name"] = df["customer_id"].map(customers["name"])
    df = add_money(df)
    df["quantity"] = df["quantity"].astype("float64").round(2)
    df = df.sort_values(["gp_u", "customer_code"], ascending=[False, True], kind="stable")
    return _visible(df[CUSTOMER_COLUMNS].reset_index(drop=True), actor)


def customer_id_for(session: Session, code_or_name: str) -> int | None:
    """The customer with this code, else the one with exactly this name."""
    found = session.scalar(select(Customer.id).where(Customer.code == code_or_name))
    if found is None:
        found = session.scalar(select(Customer.id).where(Customer.name == code_or_name).order_by(Customer.id).limit(1))
    return found
