"""The one way to run a report for someone: the CLI, the analysis page and its drill-down
all call ``run_report`` instead of ``spec.fn``.

- ``reports.view`` is required (the scheduler identity may read no report);
- who may not see cost (counter staff, ``permissions.sees_cost``) is refused the reports
  that are about nothing else (``ReportSpec.needs_cost``: margin, key customers) and gets
  the others without their cost columns — dropped, not blanked, so no zero can be read as
  a figure. The rows themselves are already the actor's (``common``: scoped lines,
  customers and products).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import _
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied, require, sees_cost

# Columns that carry cost or come from it, whatever the report: dropped for those who may not
# see cost even when a report forgot to list them in ``cost_columns``.
COST_COLUMNS = frozenset({
    "cost", "cost_u", "unit_cost", "gross_profit", "gp_u", "margin_pct", "gp_share_pct", "cumulative_share_pct",
    "stock_value", "stock_value_u",
})


def spec_for(spec_or_name: ReportSpec | str) -> ReportSpec:
    if isinstance(spec_or_name, ReportSpec):
        return spec_or_name
    from crmdesk.reports import registry

    return registry.get(spec_or_name)


def may_run(actor: Actor, spec_or_name: ReportSpec | str) -> bool:
    """Whether ``run_report`` would run this report for ``actor`` (menus list only those)."""
    try:
        check(actor, spec_for(spec_or_name))
    except PermissionDenied:
        return False
    return True


def check(actor: Actor, spec: ReportSpec) -> None:
    require(actor, "reports.view")
    if spec.needs_cost and not sees_cost(actor):
        raise PermissionDenied("reports.cost", _("{report} shows cost and gross profit").format(report=spec.name))


def cost_columns(spec: ReportSpec | None = None) -> frozenset[str]:
    return COST_COLUMNS | frozenset(spec.cost_columns if spec is not None else ())


def drop_cost(df: pd.DataFrame, actor: Actor, spec: ReportSpec | None = None) -> pd.DataFrame:
    """``df`` without its cost columns when ``actor`` may not see cost (unchanged otherwise)."""
    if sees_cost(actor):
        return df
    hidden = [c for c in df.columns if c in cost_columns(spec)]
    if not hidden:
        return df
    out = df.drop(columns=hidden)
    out.attrs = {k: v for k, v in df.attrs.items() if k not in cost_columns(spec)}
    return out


def run_report(session: Session, actor: Actor, spec_or_name: ReportSpec | str, filters: ReportFilters | None = None,
               options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The report's DataFrame as ``actor`` may see it; PermissionDenied when they may not run it.
    ``options`` are the report's own (missing ones take the spec's defaults)."""
    spec = spec_for(spec_or_name)
    check(actor, spec)
    values = {o.name: o.default for o in spec.options} | dict(options or {})
    df = spec.fn(session, actor, filters if filters is not None else ReportFilters(), values)
    return drop_cost(df, actor, spec)


def record_export(session: Session, actor: Actor, spec_or_name: ReportSpec | str, path: Any) -> None:
    """A report leaving the app as a file: needs ``reports.export`` (counter staff read reports in
    the app only) and is audited with who, which report and where."""
    from crmdesk.services import audit

    require(actor, "reports.export")
    audit.record(session, actor, "reports", 0, "export", spec_for(spec_or_name).name, None, str(path))
