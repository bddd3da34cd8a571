"""Every report, by CLI name. Each report module exposes ``SPECS``; add the
module to ``_MODULES`` to publish it."""

from __future__ import annotations

import importlib

from crmdesk.reports.spec import ReportSpec

_MODULES: list[str] = [
    "crmdesk.reports.margin",
    "crmdesk.reports.profit",
    "crmdesk.reports.profit_curve",
    "crmdesk.reports.cost_to_serve",
    "crmdesk.reports.key_customers",
    "crmdesk.reports.rfm",
    "crmdesk.reports.preferences",
    "crmdesk.reports.purchases",
    "crmdesk.reports.stock",
    "crmdesk.reports.promotion",
    "crmdesk.reports.trends",
    "crmdesk.reports.receivables",
    "crmdesk.reports.statement",
    "crmdesk.reports.pipeline",
    "crmdesk.reports.fulfilment",
    "crmdesk.reports.service",
    "crmdesk.reports.activity",
    "crmdesk.reports.lifetime",
]


def _collect() -> dict[str, ReportSpec]:
    found: dict[str, ReportSpec] = {}
    for name in _MODULES:
        module = importlib.import_module(name)
        for spec in module.SPECS:
            if spec.name in found:
                raise RuntimeError(f"report {spec.name!r} defined twice")
            found[spec.name] = spec
    return found


REPORTS: dict[str, ReportSpec] = _collect()


def get(name: str) -> ReportSpec:
    try:
        return REPORTS[name]
    except KeyError:
        raise KeyError(f"unknown report {name!r}; reports: {', '.join(sorted(REPORTS))}") from None
