"""What the dashboard and every report panel do the same way: recompute when shown
after a change, when the filters really changed, and keep a drill-down beside the
results in a two-page stack."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget

from crmdesk.ui.analysis.drilldown import DrillDownView
from crmdesk.ui.analysis.filter_choices import FilterChoices
from crmdesk.ui.context import AppContext


def drill_stack(ctx: AppContext, results: QWidget) -> tuple[QStackedWidget, DrillDownView]:
    """Page 0 the results, page 1 a drill-down whose Back returns to the results."""
    drill = DrillDownView(ctx)
    stack = QStackedWidget()
    stack.addWidget(results)
    stack.addWidget(drill)
    drill.back_requested.connect(lambda: stack.setCurrentIndex(0))
    return stack, drill


class RefreshOnFilters:
    """Mixin for a view with ``stale``, ``last_filters``, ``filter_bar`` and ``refresh()``."""

    def activate(self) -> None:
        if self.stale:
            self.refresh()

    def set_choices(self, choices: FilterChoices) -> None:
        self.filter_bar.set_choices(choices)

    def _on_filters_changed(self, filters: object) -> None:
        # Filling the drop-downs re-announces unchanged filters: no need to compute twice.
        if not (self.stale or filters != self.last_filters):
            return
        if not self.isVisible():  # a hidden view computes when it is shown again (activate)
            self.stale = True
            return
        self.refresh()
