"""Suggest customers in a report's customer box as one types code, name, pinyin or initials
(the customer list's own search); choosing one puts its code in the box.

The matching is the database search's, not QCompleter's prefix matching: "hlwj" finds
华联文具店 and so does "华联".
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from crmdesk.i18n import _
from crmdesk.services.customer_query import CustomerQuery, fetch_customer_rows, search_customer_ids
from crmdesk.services.permissions import PermissionDenied
from crmdesk.ui.context import AppContext

MAX_SUGGESTIONS = 12
CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class CustomerCompleter(QCompleter):
    """``chosen(code)`` fires when a suggestion is taken."""

    chosen = Signal(str)

    def __init__(self, ctx: AppContext, edit: QLineEdit) -> None:
        self._model = QStandardItemModel()
        super().__init__(self._model, edit)
        self._model.setParent(self)
        self.ctx = ctx
        self.edit = edit
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCompletionRole(CODE_ROLE)  # what goes into the box: the code
        self.setMaxVisibleItems(MAX_SUGGESTIONS)
        edit.setCompleter(self)
        edit.setPlaceholderText(_("code, name or pinyin"))
        edit.setMinimumWidth(220)
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.search)
        edit.textEdited.connect(lambda _t: self._timer.start())  # typed, not set by the completer
        self.activated[QModelIndex].connect(self._on_activated)

    def search(self) -> list[tuple[str, str]]:
        """Fill the suggestions for the box's text and show them; returns (code, name) pairs."""
        self._timer.stop()
        text = self.edit.text().strip()
        self._model.clear()
        if not text:
            return []
        try:
            with self.ctx.read() as session:
                ids = search_customer_ids(session, self.ctx.actor, CustomerQuery(text=text, include_archived=True),
                                          limit=MAX_SUGGESTIONS)
                rows = fetch_customer_rows(session, self.ctx.actor, ids)
        except PermissionDenied:
            return []
        found = []
        for row in rows:
            item = QStandardItem(f"{row.code}  {row.name}" + (f"  {row.city}" if row.city else ""))
            item.setData(row.code, CODE_ROLE)
            self._model.appendRow(item)
            found.append((row.code, row.name))
        if found and self.edit.hasFocus():
            self.complete()
        return found

    def choose(self, row: int) -> None:
        """Take suggestion ``row`` as if clicked (tests and the keyboard path)."""
        self._on_activated(self._model.index(row, 0))

    def _on_activated(self, index: QModelIndex) -> None:
        code = index.data(CODE_ROLE)
        if not code:
            return
        self.edit.setText(str(code))
        self.popup().hide()
        self.chosen.emit(str(code))
