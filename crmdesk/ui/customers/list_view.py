"""The Customers page's layout: search box, filter bar, tool buttons, the table and
the count. Only widgets here; ``page.CustomersPage`` wires the behaviour."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import _
from crmdesk.ui.customers.filter_bar import FilterBar
from crmdesk.ui.widgets.adaptive_toolbar import AdaptiveToolbar


class SearchEdit(QLineEdit):
    """The search box: Down moves into the list, Enter opens the selected customer, Esc clears."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.down_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()  # Esc empties the box: back to the whole list
            return
        super().keyPressEvent(event)


class CustomerTable(QTableView):
    """The list; Up on the first row goes back to the search box."""

    up_from_top = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.up_from_top.emit()
            return
        super().keyPressEvent(event)


def _button(text: str, tip: str = "") -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    if tip:
        button.setToolTip(tip)
    return button


class CustomerListView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = SearchEdit()
        self.search_edit.setPlaceholderText(_("Search name, code, phone, contact or pinyin (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(320)

        self.new_button = _button(_("New"), _("New customer (Ctrl+N)"))
        self.open_button = _button(_("Open customer"), _("Open the selected customer (Enter)"))
        self.log_button = _button(_("Quick log"), _("Log a call or visit for the selected customer (Ctrl+L)"))
        self.archive_button = _button(_("Archive"))
        self.delete_button = _button(_("Delete"))
        self.merge_button = _button(_("Merge…"), _("Merge a duplicate customer into another"))
        self.more_button = _button(_("More"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_menu = QMenu(self.more_button)
        self.more_button.setMenu(self.more_menu)
        self.filters_button = _button(_("Saved filters"))
        self.filters_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.filters_menu = QMenu(self.filters_button)
        self.filters_button.setMenu(self.filters_menu)
        self.export_button = _button(_("Export…"), _("Export the customers in this view to Excel or CSV"))

        # On a narrow window the buttons that do not fit go into "More", above its own entries.
        self.toolbar = AdaptiveToolbar(overflow_button=self.more_button)
        self.toolbar.add_stretch_widget(self.search_edit)
        for button in (self.new_button, self.open_button, self.log_button, self.archive_button,
                       self.delete_button, self.merge_button, self.filters_button, self.export_button):
            self.toolbar.add_button(button)

        self.filter_bar = FilterBar()

        self.table = CustomerTable()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures rows it does not show.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.count_label = QLabel()

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
