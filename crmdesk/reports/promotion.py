"""Promotion targets: the customers most likely to buy an overstocked item —
the owner's call list.

Target lines: with ``--product CODE``, lines in the product's category or of
its brand; otherwise the filter's ``--category``/``--brand`` select them. Only
the ``days`` ending at ``as_of`` count. Customers are ranked by a score (0–100)
= 40 % amount percentile + 35 % recency percentile + 25 % order-count
percentile, with buyers of the product itself first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Product
from crmdesk.i18n import N_, _
from crmdesk.reports.common import ReportError, empty, has_product_filter, primary_contacts, resolve_as_of, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import customers as cached_customers, line_frame, to_dates
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

COLUMNS = ["rank", "customer_code", "customer_name", "contact_name", "phone", "last_purchase_date",
           "days_since_purchase", "orders", "amount", "bought_product", "score"]


def promotion_targets(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    code = options.get("product")
    days = int(options.get("days") or 180)
    limit = int(options.get("limit") or 50)
    as_of = resolve_as_of(session, f)
    window = f.with_(date_from=as_of - dt.timedelta(days=days - 1), date_to=as_of)
    product_id = None
    lines = line_frame(session, actor, window)
    if code:
        prod = session.scalar(select(Product).where(Product.code == code))
        if prod is None:
            raise ReportError(_("no product with code {code}").format(code=code))
        product_id = prod.id
        same = [Product.category == prod.category]
        if prod.brand:
            same.append(Product.brand == prod.brand)
        target = session.scalars(select(Product.id).where(or_(*same))).all()
        lines = lines[lines["product_id"].isin(target)]
    elif not has_product_filter(f):
        raise ReportError(_("promotion-targets needs --product CODE, --category or --brand"))
    if lines.empty:
        return empty(COLUMNS)
    sales = lines[lines["revenue_u"] > 0]
    df = pd.DataFrame({"amount_u": lines.groupby("customer_id")["revenue_u"].sum()})
    df["last"] = sales.groupby("customer_id")["day"].max()
    df["orders"] = sales.drop_duplicates("order_id").groupby("customer_id").size()
    df["bought"] = (sales["product_id"] == product_id).groupby(sales["customer_id"]).any() if product_id else False
    df = df[(df["amount_u"] > 0) & df["last"].notna()].reset_index()
    if df.empty:
        return empty(COLUMNS)
    df["last"] = pd.to_datetime(to_dates(df["last"].astype("int64")).to_numpy())
    df["orders"] = df["orders"].fillna(0)
    df["bought"] = df["bought"].fillna(False)
    df["last"] = pd.to_datetime(df["last"])
    df["days_since_purchase"] = (pd.Timestamp(as_of) - df["last"]).dt.days.astype("int64")
    score = (0.40 * df["amount_u"].rank(pct=True) + 0.35 * (-df["days_since_purchase"]).rank(pct=True)
             + 0.25 * df["orders"].rank(pct=True)) * 100
    df["score"] = score.round(2)
    df["bought_product"] = df["bought"].astype(bool)
    custs = cached_customers(session)
    df["customer_code"] = df["customer_id"].map(custs["code"])
    df["customer_name"] = df["customer_id"].map(custs["name"])
    df = df.sort_values(["bought_product", "score", "customer_code"], ascending=[False, False, True],
                        kind="stable").head(limit)
    contacts = primary_contacts(session, df["customer_id"].tolist())
    # a lookup that finds nothing (no contacts at all) maps to float NaN: text, then "" for missing
    def text(values: pd.Series) -> pd.Series:
        return df["customer_id"].map(values).astype(object).fillna("")

    df["contact_name"] = text(contacts["contact_name"])
    own_phone = text(custs["mobile"])
    own_phone = own_phone.where(own_phone != "", text(custs["phone"]))
    phone = text(contacts["contact_phone"])
    df["phone"] = phone.where(phone != "", own_phone)
    df["last_purchase_date"] = df["last"].dt.date
    df["amount"] = yuan(df["amount_u"].astype("int64"))
    df["orders"] = df["orders"].astype("int64")
    df["rank"] = range(1, len(df) + 1)
    return df[COLUMNS].reset_index(drop=True)


SPECS = [
    ReportSpec(
        name="promotion-targets",
        title=N_("Promotion targets (call list)"),
        fn=promotion_targets,
        description=N_("Customers who recently bought the product's category or brand, ranked, with phone."),
        options=(
            ReportOption("product", N_("product code whose category and brand are promoted")),
            ReportOption("days", N_("how many days back a purchase counts"), default=180, type=int),
            ReportOption("limit", N_("how many customers to list"), default=50, type=int),
        ),
        money_columns=("amount",),
    ),
]
