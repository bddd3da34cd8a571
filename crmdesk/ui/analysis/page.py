"""The Analysis page: the owner's dashboard and one panel per report.

Left, a list of "Dashboard" and every report grouped by area; right, the
panel. Panels are built when first opened and recompute when shown after the
data changed (an import, a new order …).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QStackedWidget, QTreeWidget, QTreeWidgetItem, QWidget

from crmdesk.i18n import N_, _
from crmdesk.reports.access import may_run
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.registry import REPORTS
from crmdesk.reports.spec import ReportSpec
from crmdesk.ui.analysis.dashboard_view import DashboardView
from crmdesk.ui.analysis.filter_choices import FilterChoices, load_choices
from crmdesk.ui.analysis.report_panel import ReportPanel
from crmdesk.ui.context import AppContext

log = logging.getLogger(__name__)

DASHBOARD_KEY = "dashboard"
KEY_ROLE = Qt.ItemDataRole.UserRole + 1

GROUPS: tuple[tuple[str, str], ...] = (
    ("customers", N_("Customers")),
    ("products", N_("Products")),
    ("finance", N_("Finance")),
    ("salesforce", N_("Sales force")),
    ("service", N_("Service")),
)
KNOWN_GROUPS = {
    "key-customers": "customers", "rfm": "customers", "preferences": "customers", "purchases": "customers",
    "lifetime": "customers", "promotion-targets": "customers",
    "margin": "products", "restock": "products", "overstock": "products",
    "trends": "finance", "receivables": "finance", "statement": "finance",
    "pipeline": "salesforce", "win-rate": "salesforce", "contact-activity": "salesforce",
    "service": "service", "fulfilment": "service",
}
_KEYWORDS = (
    ("service", ("service", "case", "satisf", "complaint")),
    ("salesforce", ("sales", "pipeline", "forecast", "activity", "visit", "funnel", "quota", "territor")),
    ("products", ("stock", "product", "brand", "categor", "margin", "price")),
    ("finance", ("receiv", "trend", "statement", "cash", "payment", "ageing", "aging", "finance")),
)
# Entities whose change makes the numbers stale.
DATA_ENTITIES = {"customers", "sales_lines", "sales_orders", "receipts", "products", "stock_snapshots",
                 "import_batches", "service_cases", "opportunities", "interactions", "tasks", "users",
                 "territories", "branches"}


def group_of(spec: ReportSpec) -> str:
    if spec.name in KNOWN_GROUPS:
        return KNOWN_GROUPS[spec.name]
    name = spec.name.lower()
    for group, words in _KEYWORDS:
        if any(word in name for word in words):
            return group
    return "customers"


class AnalysisPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices: FilterChoices | None = None
        self.panels: dict[str, QWidget] = {}
        self.shared_filters: ReportFilters | None = None

        self.nav = QTreeWidget()
        self.nav.setHeaderHidden(True)
        self.nav.setMinimumWidth(180)
        self.nav.setMaximumWidth(280)
        self.stack = QStackedWidget()
        self._fill_nav()
        self.nav.currentItemChanged.connect(self._on_nav)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([210, 1000])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        ctx.bus.changed.connect(self._on_data_changed)

    def _fill_nav(self) -> None:
        dashboard = QTreeWidgetItem([_("Dashboard")])
        dashboard.setData(0, KEY_ROLE, DASHBOARD_KEY)
        font = dashboard.font(0)
        font.setBold(True)
        dashboard.setFont(0, font)
        self.nav.addTopLevelItem(dashboard)
        by_group: dict[str, list[ReportSpec]] = {}
        for spec in REPORTS.values():
            if may_run(self.ctx.actor, spec):  # e.g. no margin report for counter staff
                by_group.setdefault(group_of(spec), []).append(spec)
        for group, label in GROUPS:
            specs = by_group.get(group)
            if not specs:
                continue
            parent = QTreeWidgetItem([_(label)])
            parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.nav.addTopLevelItem(parent)
            for spec in specs:
                item = QTreeWidgetItem([_(spec.title)])
                item.setData(0, KEY_ROLE, spec.name)
                item.setToolTip(0, _(spec.description) if spec.description else _(spec.title))
                parent.addChild(item)
            parent.setExpanded(True)

    # -- navigation -------------------------------------------------------------------------
    def activate(self) -> None:
        """Called by the main window each time the page is shown."""
        if self.choices is None:
            self.reload_choices()
        if self.nav.currentItem() is None:
            self.show_view(DASHBOARD_KEY)
        else:
            self._activate_current()

    def show_view(self, key: str) -> QWidget:
        """Show the dashboard or the report named ``key`` (its CLI name); returns its panel."""
        item = self._find_item(key)
        if item is not None and self.nav.currentItem() is not item:
            self.nav.setCurrentItem(item)  # → _on_nav
        else:
            self._switch_to(key)
        return self.panels[key]

    def panel(self, key: str) -> QWidget:
        if key not in self.panels:
            if self.choices is None:
                self.reload_choices()
            if key == DASHBOARD_KEY:
                widget: QWidget = DashboardView(self.ctx, self.choices)
            else:
                widget = ReportPanel(self.ctx, REPORTS[key], self.choices)
            if self.shared_filters is not None:  # start where the owner left the last panel
                widget.filter_bar.set_filters(self.shared_filters)
            widget.filter_bar.filters_changed.connect(self._remember_filters)
            self.panels[key] = widget
            self.stack.addWidget(widget)
        return self.panels[key]

    def _find_item(self, key: str) -> QTreeWidgetItem | None:
        for i in range(self.nav.topLevelItemCount()):
            top = self.nav.topLevelItem(i)
            if top.data(0, KEY_ROLE) == key:
                return top
            for j in range(top.childCount()):
                if top.child(j).data(0, KEY_ROLE) == key:
                    return top.child(j)
        return None

    def _on_nav(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        key = current.data(0, KEY_ROLE) if current is not None else None
        if key:
            self._switch_to(key)

    def _switch_to(self, key: str) -> None:
        widget = self.panel(key)
        self.stack.setCurrentWidget(widget)
        self._activate_current()

    def _activate_current(self) -> None:
        widget = self.stack.currentWidget()
        if widget is not None and hasattr(widget, "activate"):
            widget.activate()

    def _remember_filters(self, filters: ReportFilters) -> None:
        self.shared_filters = filters

    # -- data -------------------------------------------------------------------------------
    def reload_choices(self) -> None:
        """Brands, categories … for the filter bars (a few small DISTINCT queries)."""
        with self.ctx.read() as session:
            self.choices = load_choices(session)
        for widget in self.panels.values():
            widget.set_choices(self.choices)

    def _on_data_changed(self, entities: object) -> None:
        changed = set(entities) if isinstance(entities, (set, frozenset, list, tuple)) else set()
        if changed and not changed & DATA_ENTITIES:
            return
        for widget in self.panels.values():
            widget.stale = True
        if changed & {"products", "customers", "users", "territories", "import_batches", "branches"}:
            self.choices = None
        if self.isVisible():
            if self.choices is None:
                self.reload_choices()
            self._activate_current()


def create_analysis_page(ctx: AppContext) -> AnalysisPage:
    """The factory named in ``crmdesk.ui.pages``."""
    return AnalysisPage(ctx)
