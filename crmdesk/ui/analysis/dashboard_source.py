"""The dashboard's numbers in the shape the view draws (Qt-free).

``crmdesk.reports.dashboard.dashboard_data`` is the source when present; its
result is adapted here. Until it exists the same figures are assembled from
the published reports (margin, key customers, receivables, restock,
overstock), so the page works either way.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.i18n import N_, _
from crmdesk.reports.access import run_report
from crmdesk.reports.common import L, line_conditions, sums_select
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.registry import REPORTS
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied, sees_cost
from crmdesk.ui.analysis.kpi_tile import KpiValue

# Tiles where a rise is bad news (red ▲); None: neither (stock value may rise before a season).
LOWER_IS_BETTER = {"receivables", "overdue", "restock", "overstock"}
NEUTRAL_KPIS = {"stock_value"}
BUCKET_LABELS = {"age_0_30": N_("0–30 days"), "age_31_60": N_("31–60 days"), "age_61_90": N_("61–90 days"),
                 "age_over_90": N_("Over 90 days")}


@dataclass
class DashboardData:
    kpis: list[KpiValue] = field(default_factory=list)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, revenue, gross_profit
    pareto: pd.DataFrame = field(default_factory=pd.DataFrame)  # customer_code, customer_name, gross_profit, …
    brands: pd.DataFrame = field(default_factory=pd.DataFrame)  # brand, revenue, gross_profit, margin_pct
    ageing: pd.DataFrame = field(default_factory=pd.DataFrame)  # bucket, label, amount
    customer_types: pd.DataFrame = field(default_factory=pd.DataFrame)  # customer_type, revenue, …
    whale: pd.DataFrame = field(default_factory=pd.DataFrame)  # rank, customer, …, cum_profit_pct (issue 15)
    restock_count: int | None = None
    overstock_count: int | None = None
    source: str = ""


def previous_period(f: ReportFilters) -> ReportFilters | None:
    """The window of the same length just before ``f``'s, or None without a bounded range."""
    if f.date_from is None or f.date_to is None:
        return None
    length = (f.date_to - f.date_from).days + 1
    prev_to = f.date_from - dt.timedelta(days=1)
    return f.with_(date_from=prev_to - dt.timedelta(days=length - 1), date_to=prev_to, as_of=None)


def load_dashboard(session: Session, actor: Actor, f: ReportFilters) -> DashboardData:
    try:
        module = importlib.import_module("crmdesk.reports.dashboard")
    except ModuleNotFoundError:
        return assemble_dashboard(session, actor, f)
    board = adapt(module.dashboard_data(session, actor, f))
    if board.customer_types.empty:  # the pie is the page's own addition
        types = _run("margin", session, actor, f, by="customer_type")
        board.customer_types = types if types is not None else pd.DataFrame()
    return board


# -- from the reports package's Dashboard -------------------------------------------------------

def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def adapt(board: Any) -> DashboardData:
    """Map the reports package's Dashboard onto DashboardData, tolerating its field names."""
    kpis = []
    for tile in _get(board, "kpis", "tiles", default=[]) or []:
        kind = str(_get(tile, "kind", "unit", "format", default="number"))
        kpis.append(KpiValue(
            key=str(_get(tile, "key", "name", default="")),
            label=_(str(_get(tile, "label", "title", "name", default=""))),
            value=_float(_get(tile, "value", "current")),
            previous=_float(_get(tile, "previous", "previous_value", "prior")),
            kind={"yuan": "money", "percent": "pct", "int": "count"}.get(kind, kind),
            higher_is_better=_direction(tile),
        ))
    return DashboardData(
        kpis=kpis,
        monthly=_frame(_get(board, "monthly", "monthly_revenue", "revenue_by_month", "trend")),
        pareto=_frame(_get(board, "pareto", "key_customers", "customers_pareto")),
        brands=_frame(_get(board, "brands", "margin_by_brand", "brand_margin")),
        ageing=_ageing_frame(_get(board, "ageing", "receivables_ageing", "aging")),
        customer_types=_frame(_get(board, "customer_types", "by_customer_type")),
        whale=_frame(_get(board, "whale")),
        restock_count=_int(_get(board, "restock_count", "restock")),
        overstock_count=_int(_get(board, "overstock_count", "overstock")),
        source="crmdesk.reports.dashboard",
    )


def _direction(tile: Any) -> bool | None:
    stated = _get(tile, "higher_is_better", "up_is_good")
    if stated is not None:
        return bool(stated)
    key = str(_get(tile, "key", "name", default=""))
    return None if key in NEUTRAL_KPIS else key not in LOWER_IS_BETTER


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN → None


def _int(value: Any) -> int | None:
    if isinstance(value, pd.DataFrame):
        return len(value)
    number = _float(value)
    return None if number is None else int(number)


def _frame(value: Any) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame(value or [])


def _ageing_frame(value: Any) -> pd.DataFrame:
    """Buckets as rows (bucket, label, amount) from a frame, a Series or a {bucket: amount} mapping."""
    if isinstance(value, pd.DataFrame) and {"bucket", "amount"} <= set(value.columns):
        out = value.copy()
        if "label" not in out:
            out["label"] = [_(BUCKET_LABELS.get(str(b), str(b))) for b in out["bucket"]]
        return out
    if isinstance(value, pd.DataFrame) and set(BUCKET_LABELS) & set(value.columns):
        value = {b: float(value[b].sum()) for b in BUCKET_LABELS if b in value.columns}
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, dict):
        return pd.DataFrame({"bucket": list(value), "label": [_(BUCKET_LABELS.get(str(b), str(b))) for b in value],
                             "amount": [float(v) for v in value.values()]})
    return pd.DataFrame(columns=["bucket", "label", "amount"])


# -- assembled from the published reports --------------------------------------------------------

def _totals(session: Session, actor: Actor, f: ReportFilters) -> tuple[float, float, int]:
    """(revenue, gross profit) in yuan and the number of buying customers."""
    row = session.execute(sums_select(f, actor, [], session=session)).one()
    revenue_u, cost_u = int(row.revenue_u or 0), int(row.cost_u or 0)
    buyers = session.scalar(select(func.count(func.distinct(L.customer_id)))
                            .where(*line_conditions(f, actor, session=session)))
    return revenue_u / 10_000, (revenue_u - cost_u) / 10_000, int(buyers or 0)


def _run(name: str, session: Session, actor: Actor, f: ReportFilters, **options: Any) -> pd.DataFrame | None:
    spec = REPORTS.get(name)
    if spec is None:
        return None
    try:
        return run_report(session, actor, spec, f, options)
    except PermissionDenied:  # a report of cost for counter staff: its chart is left out
        return None


def _receivable_total(session: Session, actor: Actor, f: ReportFilters) -> float | None:
    df = _run("receivables", session, actor, f)
    return None if df is None else float(df["balance"].sum()) if len(df) else 0.0


def assemble_dashboard(session: Session, actor: Actor, f: ReportFilters) -> DashboardData:
    board = DashboardData(source="reports")
    prev = previous_period(f)
    revenue, profit, buyers = _totals(session, actor, f)
    p_revenue = p_profit = p_buyers = p_margin = None
    if prev is not None:
        p_revenue, p_profit, p_buyers = _totals(session, actor, prev)
        p_margin = p_profit / p_revenue * 100 if p_revenue else None
    receivable = _receivable_total(session, actor, f)
    p_receivable = _receivable_total(session, actor, prev) if prev is not None else None
    board.kpis = [
        KpiValue("revenue", _("Revenue"), revenue, p_revenue, "money"),
        KpiValue("gross_profit", _("Gross profit"), profit, p_profit, "money"),
        KpiValue("margin_pct", _("Gross margin"), profit / revenue * 100 if revenue else None, p_margin, "pct"),
        KpiValue("customers", _("Buying customers"), buyers, p_buyers, "count"),
        KpiValue("receivables", _("Receivables"), receivable, p_receivable, "money", higher_is_better=False),
    ]
    if not sees_cost(actor):  # counter staff: no gross profit or margin tiles
        board.kpis = [k for k in board.kpis if k.key not in ("gross_profit", "margin_pct")]
    monthly = _run("margin", session, actor, f, by="month")
    board.monthly = monthly if monthly is not None else pd.DataFrame()
    pareto = _run("key-customers", session, actor, f)
    board.pareto = pareto if pareto is not None else pd.DataFrame()
    brands = _run("margin", session, actor, f, by="brand")
    board.brands = brands if brands is not None else pd.DataFrame()
    types = _run("margin", session, actor, f, by="customer_type")
    board.customer_types = types if types is not None else pd.DataFrame()
    ageing = _run("receivables", session, actor, f)
    if ageing is not None:
        board.ageing = _ageing_frame({b: float(ageing[b].sum()) if len(ageing) else 0.0 for b in BUCKET_LABELS})
    restock = _run("restock", session, actor, f)
    overstock = _run("overstock", session, actor, f)
    board.restock_count = None if restock is None else len(restock)
    board.overstock_count = None if overstock is None else len(overstock)
    board.kpis.append(KpiValue("restock", _("Products to restock"), board.restock_count, None, "count",
                               higher_is_better=False))
    return board
