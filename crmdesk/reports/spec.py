"""How a report describes itself to the CLI and the GUI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

# (session, actor, filters, options) → DataFrame. ``options`` holds the report's own
# options (e.g. {"by": "brand"}), keyed by ReportOption.name.
ReportFn = Callable[[Session, Actor, ReportFilters, dict[str, Any]], pd.DataFrame]


@dataclass(frozen=True)
class ReportOption:
    """A report-specific option; becomes ``--<name with dashes>`` on the CLI."""

    name: str
    help: str
    default: Any = None
    choices: tuple[str, ...] | None = None
    type: Callable[[str], Any] = str
    required: bool = False


@dataclass(frozen=True)
class ReportSpec:
    name: str  # CLI name, e.g. "key-customers"
    title: str  # English, marked N_ for translation
    fn: ReportFn
    description: str = ""
    options: tuple[ReportOption, ...] = ()
    # Optional chart: (DataFrame, options) → matplotlib Figure (no pyplot).
    chart: Callable[[pd.DataFrame, dict[str, Any]], Any] | None = None
    money_columns: tuple[str, ...] = field(default=())
    pct_columns: tuple[str, ...] = field(default=())
    # Special output formats by file suffix (".pdf", ".xlsx"): (DataFrame, options, path) → None.
    # ``crmdesk report --out`` uses these before its generic CSV/XLSX/PNG writers.
    exporters: dict[str, Callable[[pd.DataFrame, dict[str, Any], Path], None]] = field(default_factory=dict)
    # Cost, gross profit and margin are hidden from counter staff (``reports.access``): a report
    # that is about nothing else is refused to them; the others lose ``cost_columns``.
    needs_cost: bool = False
    cost_columns: tuple[str, ...] = ()
