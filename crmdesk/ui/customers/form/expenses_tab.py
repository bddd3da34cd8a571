"""The customer form's Expenses tab: the customer's direct expenses (a delivery, a gift, a
visit's cost, and what an expenses import booked to it), Add… and Delete. The services decide
who may (``services.expenses``: counter staff see none, a salesperson only their customers')."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from crmdesk.i18n import N_, _
from crmdesk.money import format_yuan, to_units
from crmdesk.services import expenses as expense_service
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import confirm, show_error

HEADERS = [N_("Date"), N_("Expense item"), N_("Amount"), N_("Order"), N_("Document"), N_("Notes")]
ENTITIES = ("expenses",)


class ExpenseDialog(QDialog):
    """Date, item, amount (yuan) and notes of one typed expense."""

    def __init__(self, items: list[expense_service.ItemInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Add expense"))
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.item = QComboBox()
        for item in items:
            self.item.addItem(item.name, item.id)
        self.amount = QDoubleSpinBox()
        self.amount.setRange(-10_000_000, 10_000_000)
        self.amount.setDecimals(2)
        self.notes = QLineEdit()
        form = QFormLayout(self)
        form.addRow(_("Date"), self.date)
        form.addRow(_("Expense item"), self.item)
        form.addRow(_("Amount (yuan)"), self.amount)
        form.addRow(_("Notes"), self.notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self, customer_id: int) -> expense_service.ExpenseInput:
        return expense_service.ExpenseInput(self.date.date().toPython(), self.item.currentData(),
                                            to_units(f"{self.amount.value():.2f}"), customer_id,
                                            notes=self.notes.text())


class ExpensesTab(QWidget):
    """``host`` has ``.ctx`` and ``.customer_id`` (the customer form), and may have ``own_write``."""

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._rows: list[expense_service.ExpenseInfo] = []
        self.table = SimpleTable(HEADERS, right_aligned=(2,), stretch=5)
        self.add_button = QPushButton(_("Add expense…"))
        self.delete_button = QPushButton(_("Delete"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.add_button.clicked.connect(lambda: self.add())
        self.delete_button.clicked.connect(lambda: self.delete())

    def _write(self):
        own = getattr(self.host, "own_write", None)
        return own(*ENTITIES) if callable(own) else self.host.ctx.write(*ENTITIES)

    def load(self, rows: list[expense_service.ExpenseInfo] | None = None) -> None:
        """Show ``rows``, or read the customer's expenses (nothing when the actor may not see them)."""
        if rows is None:
            try:
                with self.host.ctx.read() as session:
                    rows = expense_service.list_customer_expenses(session, self.host.ctx.actor, self.host.customer_id)
            except PermissionError:
                rows = []
        self._rows = list(rows)
        self.table.set_rows([[f"{e.expense_date:%Y-%m-%d}", e.item_name, format_yuan(e.amount), e.order_number,
                              e.doc_number, e.notes] for e in self._rows], ids=[e.id for e in self._rows])

    def add(self, data: expense_service.ExpenseInput | None = None) -> bool:
        if data is None:
            with self.host.ctx.read() as session:
                items = expense_service.list_items(session, self.host.ctx.actor)
            dialog = ExpenseDialog(items, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            data = dialog.value(self.host.customer_id)
        try:
            with self._write() as session:
                expense_service.add_expense(session, self.host.ctx.actor, data)
        except Exception as exc:  # noqa: BLE001 - e.g. "amount must not be zero" from the service
            show_error(self, exc, _("Expenses"))
            return False
        self.load()
        return True

    def delete(self, ask: bool = True) -> bool:
        expense_id = self.table.current_id()
        row = next((e for e in self._rows if e.id == expense_id), None)
        if row is None:
            return False
        if ask and not confirm(self, _("Delete the expense {item} {amount} of {date}?").format(
                item=row.item_name, amount=format_yuan(row.amount), date=f"{row.expense_date:%Y-%m-%d}"),
                _("Expenses")):
            return False
        try:
            with self._write() as session:
                expense_service.delete_expense(session, self.host.ctx.actor, row.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _("Expenses"))
            return False
        self.load()
        return True
