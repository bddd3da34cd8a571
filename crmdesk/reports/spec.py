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
    flag: bool = False  # a switch (``--name``, no value): True when given
    required_unless: str = ""  # a flag that makes a required option optional (the report checks it)
    gui: bool = True  # False: the CLI's only (the GUI has its own control for it)
    lookup: str = ""  # "customer": the GUI's box suggests customers as one types (code, name, pinyin)


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
    # One line about the result shown above the GUI's table (lifetime: the fitted parameters).
    summary: Callable[[pd.DataFrame], str] | None = None
    # What stdout shows instead of the rows for some options (lifetime --params: the parameters);
    # None from the callable means "the rows as usual".
    alternate_output: Callable[[pd.DataFrame, dict[str, Any]], pd.DataFrame | None] | None = None
    # Writes one file per entity into a folder (``--out DIR``: the statements of many customers);
    # returns the files written.
    folder_exporter: Callable[[pd.DataFrame, dict[str, Any], Path], list[Path]] | None = None
    # False: about customers' opportunities, cases or contacts, which belong to no branch: the
    # branch filter (``ReportFilters.branch_ids``) does not apply and the CLI says so.
    branches: bool = True
