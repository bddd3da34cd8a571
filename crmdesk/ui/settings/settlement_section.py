"""Settings → Settlement: which customers pay at sale (counter sales, never receivable) and which
buy on credit — the rules in the order they decide, the shop's switches, each customer type's
setting, and applying the rules again to sales already imported (``services.settlement``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.money import format_yuan
from crmdesk.services import settlement as service
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import confirm, show_error, show_info

TITLE = N_("Settlement")
TYPE_HEADERS = (N_("Customer type"), N_("Settlement"), N_("Customers"))
ID_ROLE = Qt.ItemDataRole.UserRole


def _combo(choices: tuple[str, ...], current: str) -> QComboBox:
    box = QComboBox()
    for code in choices:
        box.addItem(_(service.LABELS[code]), code)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class SettlementSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rules_label = QLabel()
        self.rules_label.setWordWrap(True)
        self.terms_check = QCheckBox(_("Payment terms or a credit limit mean the customer buys on credit"))
        self.default_combo = _combo((service.AT_SALE, service.CREDIT), service.AT_SALE)
        self.types = QTableWidget(0, len(TYPE_HEADERS))
        self.types.setHorizontalHeaderLabels([_(h) for h in TYPE_HEADERS])
        self.types.verticalHeader().setVisible(False)
        self.types.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.types.horizontalHeader().setStretchLastSection(True)
        self.types.setColumnWidth(0, 180)
        self.types.setColumnWidth(1, 160)
        self.save_button = QPushButton(_("Save settlement rules"))
        self.reapply_button = QPushButton(_("Apply the rules to sales already imported…"))
        self.reapply_button.setToolTip(_("Sales a file marked as paid at sale keep that."))

        rules_box = QGroupBox(_("How a sale is settled: the first rule that applies decides"))
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(self.rules_label)
        form = QFormLayout()
        form.addRow(self.terms_check)
        form.addRow(_("Otherwise (no rule applies)"), self.default_combo)
        rules_layout.addLayout(form)
        types_box = QGroupBox(_("Customer types"))
        types_layout = QVBoxLayout(types_box)
        types_layout.addWidget(self.types)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reapply_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(rules_box)
        layout.addWidget(types_box, 1)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.save)
        self.reapply_button.clicked.connect(self.reapply)
        self.load()

    def activate(self) -> None:
        self.load()

    def load(self) -> None:
        with self.ctx.read() as session:
            rules = service.load_rules(session)
            types = service.type_settings(session)
        self.rules_label.setText("\n".join(service.rule_lines(rules)))
        self.terms_check.setChecked(rules.terms_mean_credit)
        self.default_combo.setCurrentIndex(max(0, self.default_combo.findData(rules.default)))
        self.types.setRowCount(len(types))
        for r, t in enumerate(types):
            name = QTableWidgetItem(t.name)
            name.setData(ID_ROLE, t.id)
            self.types.setItem(r, 0, name)
            self.types.setCellWidget(r, 1, _combo(service.CHOICES, t.settlement))
            self.types.setItem(r, 2, QTableWidgetItem(str(t.customers)))

    def type_choices(self) -> dict[int, str]:
        return {int(self.types.item(r, 0).data(ID_ROLE)): self.types.cellWidget(r, 1).currentData() or ""
                for r in range(self.types.rowCount())}

    def save(self) -> bool:
        try:
            with self.ctx.write("settings", "customer_types") as session:
                service.save_rules(session, self.ctx.actor, self.terms_check.isChecked(),
                                   self.default_combo.currentData(), self.type_choices())
        except Exception as exc:  # noqa: BLE001 - shown, nothing typed is lost
            show_error(self, exc, _("Settlement"))
            return False
        self.load()
        return True

    def reapply(self) -> None:
        if not self.save():
            return
        try:
            with self.ctx.read() as session:
                preview = service.reapply(session, self.ctx.actor, dry_run=True)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _("Settlement"))
            return
        if not preview.orders:
            show_info(self, _("Every sale already follows these rules."), _("Settlement"))
            return
        text = _("{n} sales change: {at_sale} stop being receivable (paid at sale), {credit} become receivable "
                 "(on credit). Apply?").format(n=preview.orders, at_sale=format_yuan(preview.to_at_sale),
                                               credit=format_yuan(preview.to_credit))
        if not confirm(self, text, _("Settlement")):
            return
        try:
            with self.ctx.write("sales_orders", "sales_lines", "receipts") as session:
                done = service.reapply(session, self.ctx.actor)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _("Settlement"))
            return
        show_info(self, _("{n} sales changed their settlement.").format(n=done.orders), _("Settlement"))


def create(ctx: AppContext) -> QWidget:
    return SettlementSection(ctx)
