"""The Expenses page (费用): the expenses of a period — imported and typed, direct and shared —
with their total; Add… types one, for a customer (picked by name, code or pinyin) or shared
(rent, utilities, wages: owner and manager only); Delete removes typed ones. Items and their
allocation rules are in Settings → Expense items; what the expenses do to profit is in the
Analysis page's profit reports. The services decide who may (counter staff see none)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget)
from sqlalchemy import select

from crmdesk.db.models import Customer
from crmdesk.i18n import _
from crmdesk.money import format_yuan
from crmdesk.services import expenses as expense_service
from crmdesk.services.permissions import sees_all_customers
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.dialogs.customer_picker import CustomerPicker
from crmdesk.ui.customers.form.expenses_tab import ExpenseDialog
from crmdesk.ui.customers.prompts import confirm, show_error
from crmdesk.ui.settings.rows_model import Col, RowsModel, table_view

ENTITIES = {"expenses", "import_batches"}


class ExpensesModel(RowsModel):
    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        super().__init__([
            Col("Date", lambda e: f"{e.expense_date:%Y-%m-%d}"),
            Col("Expense item", lambda e: e.item_name),
            Col("Customer", lambda e: self.names.get(e.customer_id, "") if e.customer_id else _("(shared)")),
            Col("Amount", lambda e: format_yuan(e.amount), right=True),
            Col("Order", lambda e: e.order_number),
            Col("Document", lambda e: e.doc_number),
            Col("Notes", lambda e: e.notes),
        ])


class ExpenseForPickDialog(ExpenseDialog):
    """The expense dialog with a customer picker; "shared" leaves the customer out."""

    def __init__(self, ctx: AppContext, items, parent: QWidget | None = None) -> None:
        super().__init__(items, parent)
        self.shared_check = QCheckBox(_("Shared (rent, utilities, wages …: no customer)"))
        self.shared_check.setVisible(sees_all_customers(ctx.actor))
        self.picker = CustomerPicker(ctx)
        form = self.layout()
        form.insertRow(0, _("Customer"), self.picker)
        form.insertRow(1, "", self.shared_check)
        self.shared_check.toggled.connect(lambda on: self.picker.setEnabled(not on))

    def customer_id(self) -> int | None:
        return None if self.shared_check.isChecked() else self.picker.selected_id


class ExpensesPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ExpensesModel()
        self.table = table_view(self.model)
        today = QDate.currentDate()
        self.from_edit = QDateEdit(QDate(today.year(), today.month(), 1))
        self.to_edit = QDateEdit(today)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.add_button = QPushButton(_("Add expense…"))
        self.delete_button = QPushButton(_("Delete"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.total_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Period")))
        top.addWidget(self.from_edit)
        top.addWidget(QLabel("–"))
        top.addWidget(self.to_edit)
        top.addWidget(self.add_button)
        top.addWidget(self.delete_button)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total_label)
        self.add_button.clicked.connect(lambda: self.add())
        self.delete_button.clicked.connect(lambda: self.delete())
        self.refresh_button.clicked.connect(self.refresh)
        ctx.bus.changed.connect(lambda entities: self.refresh() if set(entities) & ENTITIES and self.isVisible()
                                else None)
        self.refresh()

    def activate(self) -> None:
        self.refresh()

    def period(self) -> tuple[dt.date, dt.date]:
        return self.from_edit.date().toPython(), self.to_edit.date().toPython()

    def refresh(self) -> None:
        start, end = self.period()
        try:
            with self.ctx.read() as session:
                rows = expense_service.list_expenses(session, self.ctx.actor, start, end)
                ids = {e.customer_id for e in rows if e.customer_id}
                names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all()) \
                    if ids else {}
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc)
            return
        self.model.names = names
        self.model.set_rows(rows)
        shared = sum(e.amount for e in rows if e.customer_id is None)
        self.total_label.setText(_("{n} expenses, total {total} (shared {shared})").format(
            n=len(rows), total=format_yuan(sum(e.amount for e in rows)), shared=format_yuan(shared)))

    def add(self, dialog: ExpenseForPickDialog | None = None) -> bool:
        """Type an expense (``dialog`` already filled in: tests)."""
        if dialog is None:
            with self.ctx.read() as session:
                items = expense_service.list_items(session, self.ctx.actor)
            dialog = ExpenseForPickDialog(self.ctx, items, self)
            if dialog.exec() != ExpenseForPickDialog.DialogCode.Accepted:
                return False
        try:
            with self.ctx.write("expenses") as session:
                expense_service.add_expense(session, self.ctx.actor, dialog.value(dialog.customer_id()))
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return False
        return True

    def delete(self, ask: bool = True) -> bool:
        index = self.table.currentIndex()
        if not index.isValid():
            return False
        expense = self.model.row_at(index.row())
        if ask and not confirm(self, _("Delete this expense of {amount}?").format(amount=format_yuan(expense.amount))):
            return False
        try:
            with self.ctx.write("expenses") as session:
                expense_service.delete_expense(session, self.ctx.actor, expense.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return False
        return True


def create_expenses_page(ctx: AppContext) -> ExpensesPage:
    return ExpensesPage(ctx)
