"""Expense items (费用项目): per item, the rule its shared expenses (those without a customer) are
spread over customers by in the profit reports — by revenue, gross profit, number of orders or
order lines, or left as overhead. New items may be added; an item no expense uses may go."""

from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.services import expenses as expense_service
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import write_then_reload

ENTITIES = ("expense_items",)
RULE_COLUMN = 1


class ExpenseItemsSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._items: list[expense_service.ItemInfo] = []
        note = QLabel(_("An expense with a customer (or an order) is that customer's own cost. One without — "
                        "rent, utilities, wages — is shared: the profit reports spread it over the customers by "
                        "the rule of its item. New items from an import are allocated by revenue."))
        note.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Expense item"), _("Shared part allocated"), _("Expenses")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton(_("Add item…"))
        self.delete_button = QPushButton(_("Delete item"))
        self.save_button = QPushButton(_("Save"))
        self.add_button.clicked.connect(lambda: self.add_item())
        self.delete_button.clicked.connect(lambda: self.delete_item())
        self.save_button.clicked.connect(lambda: self.save())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.reload()

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        with self.ctx.read() as session:
            self._items = expense_service.list_items(session, self.ctx.actor)
        self.table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            self.table.setItem(row, 0, QTableWidgetItem(item.name))
            rules = QComboBox()
            for value, label in expense_service.ALLOCATION_LABELS.items():
                rules.addItem(_(label), value)
            rules.setCurrentIndex(max(rules.findData(item.allocation), 0))
            self.table.setCellWidget(row, RULE_COLUMN, rules)
            self.table.setItem(row, 2, QTableWidgetItem(f"{item.used:,}"))

    def rules(self) -> dict[int, str]:
        """Item id → the rule chosen in the table."""
        return {item.id: self.table.cellWidget(row, RULE_COLUMN).currentData()
                for row, item in enumerate(self._items)}

    def set_rule(self, name: str, allocation: str) -> None:
        row = next(r for r, item in enumerate(self._items) if item.name == name)
        box = self.table.cellWidget(row, RULE_COLUMN)
        box.setCurrentIndex(box.findData(allocation))

    def save(self) -> bool:
        changed = {i: rule for i, rule in self.rules().items()
                   if rule != next(item.allocation for item in self._items if item.id == i)}

        def work(session) -> None:
            for item_id, rule in changed.items():
                expense_service.update_item(session, self.ctx.actor, item_id, allocation=rule)

        return write_then_reload(self, _("Expense items"), ENTITIES, work)

    def add_item(self, name: str | None = None) -> bool:
        if name is None:
            name, ok = QInputDialog.getText(self, _("Expense items"), _("Name of the new expense item"))
            if not ok:
                return False
        return write_then_reload(self, _("Expense items"), ENTITIES,
                                 lambda session: expense_service.add_item(session, self.ctx.actor, name))

    def delete_item(self) -> bool:
        row = self.table.currentRow()
        if not 0 <= row < len(self._items):
            return False
        item_id = self._items[row].id  # refused with e.g. "used by 12 expenses"
        return write_then_reload(self, _("Expense items"), ENTITIES,
                                 lambda session: expense_service.delete_item(session, self.ctx.actor, item_id))


def create(ctx: AppContext) -> QWidget:
    return ExpenseItemsSection(ctx)
