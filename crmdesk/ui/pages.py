"""The main window's navigation: one entry per page, in order.

``factory`` is "module:function" taking the AppContext and returning the page
widget; it is imported only when the page is first shown. None shows a
"coming" placeholder until that page's issue lands. A page widget may define
``activate()`` (called each time it is shown) and ``open_customer(id)``.
``action`` (a ``permissions.ACTIONS`` key) hides the page from roles without it: a
convenience only, the services refuse those roles anyway.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from crmdesk.i18n import N_
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import can


@dataclass(frozen=True)
class PageEntry:
    key: str
    title: str  # English; translated when shown
    shortcut: str
    factory: str | None
    action: str | None = None  # the permission the page needs (None: every role)


PAGES: list[PageEntry] = [
    PageEntry("customers", N_("Customers"), "Ctrl+1", "crmdesk.ui.customers.page:create_customers_page"),
    PageEntry("followups", N_("Follow-ups"), "Ctrl+2", "crmdesk.ui.followups.page:create_followups_page"),
    PageEntry("pipeline", N_("Pipeline"), "Ctrl+3", "crmdesk.ui.pipeline.page:create_pipeline_page",
              "pipeline.view"),
    PageEntry("service", N_("Service"), "Ctrl+4", "crmdesk.ui.service.page:create_service_page",
              "service.view"),
    PageEntry("rules", N_("Rules"), "Ctrl+5", "crmdesk.ui.rules.page:create_rules_page", "rules.view"),
    PageEntry("analysis", N_("Analysis"), "Ctrl+6", "crmdesk.ui.analysis.page:create_analysis_page",
              "reports.view"),
    PageEntry("expenses", N_("Expenses"), "Ctrl+7", "crmdesk.ui.expenses.page:create_expenses_page",
              "expenses.view"),
    PageEntry("import", N_("Import"), "Ctrl+8", "crmdesk.ui.importing.page:create_import_page",
              "import.run"),
    PageEntry("settings", N_("Settings"), "Ctrl+9", "crmdesk.ui.settings.page:create_settings_page",
              "settings.edit"),
]


def pages_for(actor: Actor, pages: Sequence[PageEntry] | None = None) -> list[PageEntry]:
    """The pages ``actor``'s role may use, in order."""
    return [p for p in (PAGES if pages is None else pages) if p.action is None or can(actor, p.action)]


def page(key: str) -> PageEntry:
    return next(p for p in PAGES if p.key == key)


def load_factory(spec: str) -> Callable[..., Any]:
    """"package.module:function" → the function (pages and settings sections use this form)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not attr:
        raise ValueError(f"factory {spec!r} is not 'module:function'")
    return getattr(importlib.import_module(module_name), attr)
