"""The main window's navigation: one entry per page, in order.

``factory`` is "module:function" taking the AppContext and returning the page
widget; it is imported only when the page is first shown. None shows a
"coming" placeholder until that page's issue lands. A page widget may define
``activate()`` (called each time it is shown) and ``open_customer(id)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crmdesk.i18n import N_


@dataclass(frozen=True)
class PageEntry:
    key: str
    title: str  # English; translated when shown
    shortcut: str
    factory: str | None


PAGES: list[PageEntry] = [
    PageEntry("customers", N_("Customers"), "Ctrl+1", "crmdesk.ui.customers.page:create_customers_page"),
    PageEntry("followups", N_("Follow-ups"), "Ctrl+2", "crmdesk.ui.followups.page:create_followups_page"),
    PageEntry("pipeline", N_("Pipeline"), "Ctrl+3", None),
    PageEntry("service", N_("Service"), "Ctrl+4", None),
    PageEntry("analysis", N_("Analysis"), "Ctrl+5", "crmdesk.ui.analysis.page:create_analysis_page"),
    PageEntry("import", N_("Import"), "Ctrl+6", "crmdesk.ui.importing.page:create_import_page"),
    PageEntry("settings", N_("Settings"), "Ctrl+7", "crmdesk.ui.settings.page:create_settings_page"),
]


def page(key: str) -> PageEntry:
    return next(p for p in PAGES if p.key == key)


def load_factory(spec: str) -> Callable[..., Any]:
    """"package.module:function" → the function (pages and settings sections use this form)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not attr:
        raise ValueError(f"factory {spec!r} is not 'module:function'")
    return getattr(importlib.import_module(module_name), attr)
