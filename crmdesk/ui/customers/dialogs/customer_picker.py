"""Pick one customer by typing: a search box and a short list of matches."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.services.customer_query import CustomerQuery, fetch_customer_rows, search_customer_ids
from crmdesk.ui.context import AppContext

MAX_MATCHES = 30
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class CustomerPicker(QWidget):
    """``selected_id`` is the chosen customer (None until one is chosen); ``changed`` fires on choice."""

    changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, exclude: set[int] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.exclude = exclude or set()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(_("Type a name, code, phone or pinyin"))
        self.list = QListWidget()
        self.list.setMinimumHeight(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.search)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self.list.currentItemChanged.connect(lambda *_a: self.changed.emit(self.selected_id))

    @property
    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def search(self) -> None:
        self._timer.stop()
        text = self.search_edit.text().strip()
        self.list.clear()
        if not text:
            return
        with self.ctx.read() as session:
            ids = [i for i in search_customer_ids(session, self.ctx.actor, CustomerQuery(text=text),
                                                  limit=MAX_MATCHES + len(self.exclude))
                   if i not in self.exclude][:MAX_MATCHES]
            rows = fetch_customer_rows(session, self.ctx.actor, ids)
        for row in rows:
            item = QListWidgetItem(f"{row.code}  {row.name}  {row.city}")
            item.setData(ID_ROLE, row.id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def set_customer(self, customer_id: int) -> None:
        """Show and select one known customer."""
        with self.ctx.read() as session:
            rows = fetch_customer_rows(session, self.ctx.actor, [customer_id])
        self.list.clear()
        for row in rows:
            self.search_edit.blockSignals(True)
            self.search_edit.setText(row.code)
            self.search_edit.blockSignals(False)
            item = QListWidgetItem(f"{row.code}  {row.name}  {row.city}")
            item.setData(ID_ROLE, row.id)
            self.list.addItem(item)
            self.list.setCurrentRow(0)
