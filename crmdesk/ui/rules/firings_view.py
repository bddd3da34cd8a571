"""The firings log tab: every time a rule fired for a customer, newest first, filtered by
rule; a double-click opens the customer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.rules.firings import list_firings
from crmdesk.rules.model import MeasureSpec, RuleInfo
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import show_error
from crmdesk.ui.rules.firings_model import FiringsModel
from crmdesk.ui.settings.rows_model import fit_columns, table_view

LIMIT = 500


class FiringsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = FiringsModel()
        self.table = table_view(self.model)
        self.rule_combo = QComboBox()
        self.rule_combo.addItem(_("All rules"), None)
        self.count_label = QLabel()
        self.refresh_button = QPushButton(_("Refresh"))
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Rule")))
        top.addWidget(self.rule_combo, 1)
        top.addWidget(self.count_label, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.rule_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.table.doubleClicked.connect(lambda index: self.ctx.bus.open_customer_requested.emit(
            self.model.customer_id_at(index.row())))

    def set_rules(self, rules: Sequence[RuleInfo], specs: dict[str, MeasureSpec]) -> None:
        self.model.specs = dict(specs)
        keep = self.rule_combo.currentData()
        self.rule_combo.blockSignals(True)
        self.rule_combo.clear()
        self.rule_combo.addItem(_("All rules"), None)
        for rule in rules:
            self.rule_combo.addItem(rule.name, rule.id)
        self.rule_combo.setCurrentIndex(max(0, self.rule_combo.findData(keep)))
        self.rule_combo.blockSignals(False)

    def show_rule(self, rule_id: int | None) -> None:
        self.rule_combo.setCurrentIndex(max(0, self.rule_combo.findData(rule_id)))
        self.refresh()

    def refresh(self) -> None:
        try:
            with self.ctx.read() as session:
                rows = list_firings(session, self.ctx.actor, rule_id=self.rule_combo.currentData(), limit=LIMIT)
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc, _("Rules"))
            return
        first = self.model.rowCount() == 0
        self.model.set_rows(rows)
        if first and rows:
            fit_columns(self.table, 300)
        text = _("{n} firings").format(n=len(rows))
        if len(rows) >= LIMIT:
            text = _("the newest {n} firings").format(n=LIMIT)
        self.count_label.setText(text)
