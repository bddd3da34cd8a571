"""The form's Financial tab: credit limit, payment terms and settlement (edited), receivable
balance, overdue amount and credit use (from the ledger)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QLabel, QLineEdit, QProgressBar, QSpinBox, QVBoxLayout, QWidget,
)

from crmdesk.i18n import _
from crmdesk.money import format_yuan, to_units, to_yuan_2
from crmdesk.services import settlement
from crmdesk.services.customer_errors import ValidationError


def _date(value) -> str:
    return value.isoformat() if value else "—"


class FinancialTab(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.credit_limit_edit = QLineEdit()
        self.credit_limit_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.credit_limit_edit.setPlaceholderText(_("yuan, empty for none"))
        self.terms_spin = QSpinBox()
        self.terms_spin.setRange(0, 365)
        self.terms_spin.setSuffix(_(" days"))
        self.settlement_combo = QComboBox()
        for code in settlement.CHOICES:
            self.settlement_combo.addItem(_(settlement.LABELS[code]), code)
        self.settlement_combo.setToolTip(_("Pays at sale: the sales are paid on the spot and never become "
                                           "receivable. By the rules: Settings → Settlement decides."))
        self.settles_label = QLabel()
        self.settles_label.setWordWrap(True)
        self.settled_label = QLabel()
        self.credit_limit_edit.setMaximumWidth(220)
        self.terms_spin.setMaximumWidth(220)
        self.settlement_combo.setMaximumWidth(220)
        self.balance_label = QLabel()
        self.overdue_label = QLabel()
        self.credit_use_bar = QProgressBar()
        self.credit_use_bar.setRange(0, 100)
        self.credit_use_bar.setMaximumWidth(420)
        self.credit_use_label = QLabel()
        self.total_sales_label = QLabel()
        self.total_receipts_label = QLabel()
        self.first_order_label = QLabel()
        self.last_order_label = QLabel()

        form = QFormLayout()
        form.addRow(_("Credit limit"), self.credit_limit_edit)
        form.addRow(_("Payment terms"), self.terms_spin)
        form.addRow(_("Settlement"), self.settlement_combo)
        form.addRow("", self.settles_label)
        form.addRow(_("Receivable balance"), self.balance_label)
        form.addRow(_("Overdue amount"), self.overdue_label)
        form.addRow(_("Credit use"), self.credit_use_bar)
        form.addRow("", self.credit_use_label)
        form.addRow(_("Total sales"), self.total_sales_label)
        form.addRow(_("Total receipts"), self.total_receipts_label)
        form.addRow(_("Paid at sale"), self.settled_label)
        form.addRow(_("First order"), self.first_order_label)
        form.addRow(_("Last order"), self.last_order_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self.credit_limit_edit.textEdited.connect(self.edited)
        self.terms_spin.valueChanged.connect(lambda _v: self.edited.emit())
        self.settlement_combo.activated.connect(lambda _i: self.edited.emit())

    def load_terms(self, credit_limit: int, payment_terms_days: int) -> None:
        self.credit_limit_edit.setText(str(to_yuan_2(credit_limit)) if credit_limit else "")
        self.terms_spin.blockSignals(True)
        self.terms_spin.setValue(payment_terms_days)
        self.terms_spin.blockSignals(False)

    def load_settlement(self, own: str, settles: str = "", why: str = "") -> None:
        self.settlement_combo.setCurrentIndex(max(0, self.settlement_combo.findData(own)))
        self.settles_label.setText(_("New sales: {how} ({why})").format(how=_(settlement.LABELS[settles]), why=why)
                                   if settles else "")

    def load(self, financial) -> None:
        self.load_terms(financial.credit_limit, financial.payment_terms_days)
        self.load_settlement(financial.settlement, financial.settles, financial.settles_why)
        self.settled_label.setText(format_yuan(financial.settled_sales))
        self.balance_label.setText(format_yuan(financial.balance))
        self.overdue_label.setText(format_yuan(financial.overdue))
        self.overdue_label.setStyleSheet("color: #c0392b; font-weight: bold;" if financial.overdue > 0 else "")
        pct = financial.credit_use_pct
        if pct is None:
            self.credit_use_bar.setValue(0)
            self.credit_use_label.setText(_("no credit limit"))
        else:
            self.credit_use_bar.setValue(max(0, min(100, round(pct))))
            self.credit_use_label.setText(_("{pct:.0f}% of the limit used").format(pct=pct))
        self.total_sales_label.setText(format_yuan(financial.total_sales))
        self.total_receipts_label.setText(format_yuan(financial.total_receipts))
        self.first_order_label.setText(_date(financial.first_order_date))
        self.last_order_label.setText(_date(financial.last_order_date))

    def credit_limit_units(self) -> int:
        text = self.credit_limit_edit.text().strip().replace(",", "").replace("¥", "")
        try:
            units = to_units(text)
        except ValueError:
            units = -1
        if units < 0:
            raise ValidationError(_("Credit limit: {value!r} is not an amount in yuan").format(value=text))
        return units

    def payment_terms_days(self) -> int:
        return self.terms_spin.value()

    def settlement(self) -> str:
        return self.settlement_combo.currentData() or ""
