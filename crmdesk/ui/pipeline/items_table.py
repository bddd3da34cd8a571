"""The opportunity form's products of interest: product (picked) or free text, quantity,
unit price, and the line amount (quantity × price); the total becomes the opportunity's amount."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.money import to_units, to_yuan
from crmdesk.services.opportunities import ItemInput, item_amount
from crmdesk.services.opportunity_choices import ProductHit, search_products
from crmdesk.ui.context import AppContext

HEADERS = (N_("Product / description"), N_("Quantity"), N_("Unit price"), N_("Amount"))
PRODUCT_ROLE = Qt.ItemDataRole.UserRole + 1


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().replace(",", "").replace("¥", "") or "0")
    except InvalidOperation:
        return None


def money_text(units: int) -> str:
    return f"{to_yuan(units):,.2f}"


class ProductSearchDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Add product"))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("Type a product name or code"))
        self.list = QListWidget()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.edit.textChanged.connect(self.search)
        self.list.itemActivated.connect(lambda _i: self.accept())

    def search(self, text: str) -> None:
        with self.ctx.read() as session:
            hits = search_products(session, self.ctx.actor, text)
        self.list.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.code}  {hit.name}  ¥{money_text(hit.list_price)}")
            item.setData(PRODUCT_ROLE, hit)
            self.list.addItem(item)
        if hits:
            self.list.setCurrentRow(0)

    def selected(self) -> ProductHit | None:
        item = self.list.currentItem()
        return item.data(PRODUCT_ROLE) if item is not None else None


class ItemsTable(QWidget):
    """``total_changed(units or None)``: None when there are no items (the amount is typed)."""

    total_changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 240)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.product_button = QPushButton(_("Add product…"))
        self.line_button = QPushButton(_("Add line"))
        self.remove_button = QPushButton(_("Remove line"))
        buttons = QHBoxLayout()
        for b in (self.product_button, self.line_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.product_button.clicked.connect(self.pick_product)
        self.line_button.clicked.connect(lambda: self.add_item(ItemInput(description="")))
        self.remove_button.clicked.connect(self.remove_current)
        self.table.itemChanged.connect(self._recalculate)

    def set_items(self, items: list[ItemInput], names: dict[int, str] | None = None) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        for item in items:
            self.add_item(item, (names or {}).get(item.product_id or 0, ""))
        self._recalculate()

    def add_item(self, item: ItemInput, product_name: str = "") -> None:
        self.table.blockSignals(True)
        r = self.table.rowCount()
        self.table.insertRow(r)
        first = QTableWidgetItem(item.description or product_name)
        first.setData(PRODUCT_ROLE, item.product_id)
        self.table.setItem(r, 0, first)
        qty = item.quantity
        self.table.setItem(r, 1, QTableWidgetItem(f"{qty:g}"))
        self.table.setItem(r, 2, QTableWidgetItem(money_text(item.unit_price)))
        amount = QTableWidgetItem()
        amount.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.table.setItem(r, 3, amount)
        self.table.blockSignals(False)
        self._recalculate()

    def pick_product(self) -> None:
        dialog = ProductSearchDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.selected() is None:
            return
        hit = dialog.selected()
        self.add_item(ItemInput(description="", product_id=hit.id, quantity=1, unit_price=hit.list_price), hit.name)

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._recalculate()

    def items(self) -> list[ItemInput]:
        """The lines as typed (bad numbers count as 0; the service refuses a zero quantity)."""
        out = []
        for r in range(self.table.rowCount()):
            first = self.table.item(r, 0)
            product_id = first.data(PRODUCT_ROLE) if first else None
            text = first.text().strip() if first else ""
            qty = _number(self.table.item(r, 1).text()) or Decimal(0)
            price = _number(self.table.item(r, 2).text()) or Decimal(0)
            # A picked product keeps its own name; the text is a description only when typed.
            out.append(ItemInput(description="" if product_id else text, product_id=product_id,
                                 quantity=float(qty), unit_price=to_units(price)))
        return out

    def total(self) -> int | None:
        items = [i for i in self.items() if i.description or i.product_id]
        return sum(item_amount(i.quantity, i.unit_price) for i in items) if items else None

    def _recalculate(self, *_args) -> None:
        self.table.blockSignals(True)
        for r, item in enumerate(self.items()):
            self.table.item(r, 3).setText(money_text(item_amount(item.quantity, item.unit_price)))
            self.table.item(r, 3).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.blockSignals(False)
        self.total_changed.emit(self.total())

