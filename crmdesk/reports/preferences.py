"""Customer preferences: spend level, 12-month trend, favourite categories and
brands, preferred price band.

Over the ``months`` (default 12) ending at ``as_of``:

* revenue_12m, previous_12m: net amount in that window and the one before;
* spend_level: high = customers making the top 80 % of revenue in the window
  (ranked by revenue), medium = the next 15 %, low = the rest;
* trend_pct = (revenue_12m − previous_12m) ÷ previous_12m × 100; trend is
  growing above +10 %, declining below −10 %, else stable; new when there was
  no previous revenue;
* top_categories / top_brands: the three largest by revenue, "name share%";
* preferred_price_band: the list-price band (``--price-bands`` edges in yuan)
  holding most of the customer's revenue, with its share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.money import MONEY_SCALE
from crmdesk.reports.common import empty, pct, resolve_as_of, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import (customers as cached_customers, day_number, line_arrays,
                                       products as cached_products)
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

COLUMNS = ["customer_code", "customer_name", "spend_level", "revenue_12m", "previous_12m", "trend", "trend_pct",
           "top_categories", "top_brands", "preferred_price_band", "price_band_share_pct"]
GROWTH = 10.0
# Data values of spend_level and trend (the GUI translates them with _()).
VALUE_WORDS = (N_("high"), N_("medium"), N_("low"), N_("growing"), N_("stable"), N_("declining"), N_("new"))


def band_labels(edges: list[float]) -> list[str]:
    labels = [f"{_num(a)}-{_num(b)}" for a, b in zip(edges, edges[1:], strict=False)]
    return [*labels, f"{_num(edges[-1])}+"]


def _num(x: float) -> str:
    return f"{x:g}"


def parse_bands(text: str | None) -> list[float]:
    edges = sorted({float(x) for x in (text or "0,10,50,200").split(",") if x.strip()})
    return edges if edges and edges[0] == 0 else [0.0, *edges]


def _shares(cust: np.ndarray, code: np.ndarray, amount: np.ndarray, names: np.ndarray, n: int) -> pd.DataFrame:
    """Per customer and code (codes sorted like their names): revenue > 0, share % of the customer's,
    rank; the ``n`` best per customer. Bincount over one int key: no string grouping."""
    k = len(names)
    totals = np.bincount(cust * k + code, weights=amount)
    keys = np.nonzero(totals > 0)[0]
    g = pd.DataFrame({"customer_id": keys // k, "code": keys % k, "cur": totals[keys]})
    g["share"] = g["cur"] * 100.0 / g.groupby("customer_id")["cur"].transform("sum")
    g = g.sort_values(["customer_id", "cur", "code"], ascending=[True, False, True], kind="stable")
    g = g.groupby("customer_id").head(n)
    g["name"] = names[g["code"].to_numpy()]
    return g


def _top_text(g: pd.DataFrame) -> pd.Series:
    """"name share%; …" per customer, joined column-wise (a per-customer Python join is slow)."""
    text = pd.Series(g["name"].to_numpy(), dtype=object).where(g["name"].to_numpy() != "", "-") + " " \
        + pd.Series(g["share"].round(1).to_numpy()).astype(str) + "%"
    wide = pd.DataFrame({"customer_id": g["customer_id"].to_numpy(), "pos": g.groupby("customer_id").cumcount()
                         .to_numpy(), "text": text.to_numpy()}).pivot(index="customer_id", columns="pos", values="text")
    out = wide[0]
    for pos in wide.columns[1:]:
        out = out + ("; " + wide[pos]).fillna("")
    return out


def _codes(prods: pd.DataFrame, values: pd.Series, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Array product id → code of ``values`` (sorted names), and the names."""
    codes, names = pd.factorize(values.fillna("").astype(str), sort=True)
    names = np.asarray(names, dtype=object)
    if "" not in set(names):
        names = np.append(names, "")
    out = np.full(size, len(names) - 1 if names[-1] == "" else list(names).index(""), dtype="int64")
    out[prods.index.to_numpy()] = codes
    return out, names


def preferences(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    months = int(options.get("months") or 12)
    edges = parse_bands(options.get("price_bands"))
    as_of = resolve_as_of(session, f)
    start = as_of - relativedelta(months=months) + dt.timedelta(days=1)
    prev_start = start - relativedelta(months=months)
    lines = line_arrays(session, actor, f, ("day", "customer_id", "product_id", "revenue_u"), date_from=prev_start,
                        date_to=as_of)
    if not len(lines["day"]):
        return empty(COLUMNS)
    cust, prod = lines["customer_id"].astype("int64"), lines["product_id"].astype("int64")
    is_cur = lines["day"] >= day_number(start)
    cur_amt = np.where(is_cur, lines["revenue_u"], 0).astype("float64")
    size = int(cust.max()) + 1
    cur = np.round(np.bincount(cust, weights=cur_amt, minlength=size)).astype("int64")
    prev = np.round(np.bincount(cust, weights=np.where(is_cur, 0, lines["revenue_u"]), minlength=size)).astype("int64")
    ids = np.nonzero(cur > 0)[0]
    if not len(ids):
        return empty(COLUMNS)
    per = pd.DataFrame({"cur": cur[ids], "prev": prev[ids]}, index=ids).sort_values("cur", ascending=False,
                                                                                    kind="stable")
    before = (per["cur"].cumsum() - per["cur"]) * 100.0 / per["cur"].sum()
    per["spend_level"] = np.where(before < 80, "high", np.where(before < 95, "medium", "low"))
    per["trend_pct"] = pct(per["cur"] - per["prev"], per["prev"].where(per["prev"] > 0))
    per["trend"] = np.select([per["prev"] <= 0, per["trend_pct"] > GROWTH, per["trend_pct"] < -GROWTH],
                             ["new", "growing", "declining"], default="stable")
    prods = cached_products(session)
    psize = int(max(prods.index.max() if len(prods) else 0, prod.max())) + 1
    cur_lines = is_cur  # returns included: shares of net revenue
    for column, key in (("top_categories", "category"), ("top_brands", "brand")):
        code_of, names = _codes(prods, prods[key], psize)
        per[column] = _top_text(_shares(cust[cur_lines], code_of[prod[cur_lines]], cur_amt[cur_lines], names, 3))
    labels = np.array(band_labels(edges), dtype=object)
    band_of = np.zeros(psize, dtype="int64")
    price = prods["list_price"].to_numpy() / MONEY_SCALE
    band_of[prods.index.to_numpy()] = np.clip(np.searchsorted(edges, price, side="right") - 1, 0, None)
    best = _shares(cust[cur_lines], band_of[prod[cur_lines]], cur_amt[cur_lines], labels, 1).set_index("customer_id")
    per["preferred_price_band"] = best["name"]
    per["price_band_share_pct"] = best["share"].round(2)
    custs = cached_customers(session)
    per["customer_code"] = custs["code"].reindex(per.index).to_numpy()
    per["customer_name"] = custs["name"].reindex(per.index).to_numpy()
    per["revenue_12m"] = yuan(per["cur"].astype("int64"))
    per["previous_12m"] = yuan(per["prev"].astype("int64"))
    return per[COLUMNS].fillna({"top_categories": "", "top_brands": ""}).reset_index(drop=True)


SPECS = [
    ReportSpec(
        name="preferences",
        title=N_("Customer preferences"),
        fn=preferences,
        description=N_("Spend level, 12-month trend, top categories and brands and preferred price band per "
                       "customer."),
        options=(
            ReportOption("months", N_("length of the window in months"), default=12, type=int),
            ReportOption("price_bands", N_("list-price band edges in yuan, comma-separated"), default="0,10,50,200"),
        ),
        money_columns=("revenue_12m", "previous_12m"),
        pct_columns=("trend_pct", "price_band_share_pct"),
    ),
]
