"""The Service page (售后服务): the case queue — mine / unassigned / overdue / all, each with
its count — with filters (type, status, priority, text), the list, and the selected case with
its timeline beside it. F8 (or New case…) opens a case."""

from __future__ import annotations

import logging

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSplitter, QTableView, QToolButton, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.services import case_settings
from crmdesk.services.case_queue import ACTIVE, VIEW_LABELS, VIEWS, QueueFilter, load_queue
from crmdesk.services.cases import STATUS_LABELS, status_label
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import show_error
from crmdesk.ui.service.detail_pane import CaseDetailPane
from crmdesk.ui.service.queue_model import DEFAULT_WIDTHS, CaseQueueModel
from crmdesk.ui.widgets.flow_layout import FlowLayout, flow_group

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200
QUEUE_ENTITIES = {"service_cases", "case_notes", "case_types", "customers", "users"}
NEW_CASE_KEYS = "F8"


class ServicePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.counts: dict[str, int] = {}
        self._stale = True
        self.view_buttons: dict[str, QToolButton] = {}
        self.view_group = QButtonGroup(self)
        self.view_group.setExclusive(True)
        # One line on a wide window; on a 1024-pixel screen the bar wraps instead of widening the page.
        bar_widget = QWidget()
        bar = FlowLayout(bar_widget)
        views = []
        for view in VIEWS:
            button = QToolButton()
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.view_group.addButton(button)
            self.view_buttons[view] = button
            button.clicked.connect(self.requery)
            views.append(button)
        bar.addWidget(flow_group(*views))
        self.type_combo = QComboBox()
        self.status_combo = QComboBox()
        self.status_combo.addItem(_("Not yet resolved"), ACTIVE)
        self.status_combo.addItem(_("Any status"), None)
        for status in STATUS_LABELS:
            self.status_combo.addItem(status_label(status), status)
        self.priority_combo = QComboBox()
        self.priority_combo.addItem(_("Any priority"), None)
        for p in case_settings.PRIORITIES:
            self.priority_combo.addItem(case_settings.priority_label(p), p)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(_("Search number, subject, customer"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(200)
        self.new_button = QPushButton(_("New case… (F8)"))
        self.count_label = QLabel()
        for w in (self.type_combo, self.status_combo, self.priority_combo):
            bar.addWidget(w)
            w.currentIndexChanged.connect(self.requery)
        bar.addWidget(self.search_edit)
        bar.addWidget(self.new_button)
        self.model = CaseQueueModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate(DEFAULT_WIDTHS):
            self.table.setColumnWidth(col, width)
        self.detail = CaseDetailPane(ctx)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        split.addWidget(left)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([900, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(bar_widget)
        layout.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.requery)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self.new_button.clicked.connect(lambda: self.new_case())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_current())
        sc = QShortcut(QKeySequence(NEW_CASE_KEYS), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(lambda: self.new_case())
        self.ctx.bus.changed.connect(self._on_changed)
        self._load_types()
        # Someone with cases of their own starts on them; the others on the whole queue.
        self.view_buttons["mine"].setChecked(True)
        self._update_view_labels()

    # -- page protocol -----------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            if not self.model.rowCount() and not self.counts:
                self._first_view()
            self.requery()
        self.search_edit.setFocus()

    def _first_view(self) -> None:
        self.requery()
        if not self.counts.get("mine"):
            self.view_buttons["all"].setChecked(True)

    def _load_types(self) -> None:
        keep = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem(_("Any type"), None)
        try:
            with self.ctx.read() as session:
                for t in case_settings.list_case_types(session, self.ctx.actor, include_inactive=True):
                    self.type_combo.addItem(t.name, t.code)
        except Exception:  # noqa: BLE001 - the queue still works without the type filter
            log.exception("loading the case types failed")
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(keep)))
        self.type_combo.blockSignals(False)

    # -- data --------------------------------------------------------------------------------
    def current_view(self) -> str:
        return next((v for v, b in self.view_buttons.items() if b.isChecked()), "all")

    def current_filter(self) -> QueueFilter:
        return QueueFilter(view=self.current_view(), case_type=self.type_combo.currentData(),
                           status=self.status_combo.currentData(), priority=self.priority_combo.currentData(),
                           text=self.search_edit.text().strip())

    def set_view(self, view: str) -> None:
        self.view_buttons[view].setChecked(True)
        self.requery()

    def requery(self) -> None:
        self._timer.stop()
        keep = self.selected_case_id()
        try:
            with self.ctx.read() as session:
                result = load_queue(session, self.ctx.actor, self.current_filter())
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _("Service"))
            return
        self._stale = False
        self.counts = result.counts
        self.model.set_rows(result.rows)
        self._update_view_labels()
        overdue = sum(r.overdue for r in result.rows)
        self.count_label.setText(_("{count} cases, {overdue} overdue").format(count=len(result.rows),
                                                                              overdue=overdue))
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            self.select_row(row)
        elif keep is not None and self.detail.detail is not None and self.detail.detail.id == keep:
            self.detail.load(keep)  # just left the filter (resolved, say): still shown, not selected
        elif self.model.rowCount():
            self.select_row(0)
        else:
            self.detail.load(None)

    def _update_view_labels(self) -> None:
        for view, button in self.view_buttons.items():
            count = self.counts.get(view)
            label = _(VIEW_LABELS[view])
            button.setText(label if count is None else f"{label} ({count})")

    def _on_changed(self, entities) -> None:
        entities = set(entities)
        if not entities & QUEUE_ENTITIES:
            return
        if "case_types" in entities:
            self._load_types()
        if self.isVisible():
            self.requery()
        else:
            self._stale = True

    # -- selection ---------------------------------------------------------------------------
    def selected_case_id(self) -> int | None:
        row = self.model.row_at(self.table.currentIndex().row()) if self.table.currentIndex().isValid() else None
        return row.id if row is not None else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        self._show_current()

    def select_case(self, case_id: int) -> bool:
        row = self.model.row_of(case_id)
        if row < 0:
            return False
        self.select_row(row)
        return True

    def _show_current(self) -> None:
        self.detail.load(self.selected_case_id())

    # -- actions -----------------------------------------------------------------------------
    def new_case(self, customer_id: int | None = None):
        from crmdesk.ui.service.new_case_dialog import NewCaseDialog

        dialog = NewCaseDialog(self.ctx, customer_id, self.window())
        dialog.finished.connect(lambda _r, d=dialog: self._after_new(d))
        dialog.open()
        return dialog

    def _after_new(self, dialog) -> None:
        if dialog.saved_case_id is None:
            return
        self.view_buttons["all"].setChecked(True)
        self.status_combo.setCurrentIndex(0)
        self.requery()
        self.select_case(dialog.saved_case_id)

    def open_customer(self, customer_id: int) -> None:
        """Show this customer's cases, whatever their status (searching by the customer's code)."""
        from crmdesk.services.customers import get_customer

        with self.ctx.read() as session:
            code = get_customer(session, customer_id).code
        self.view_buttons["all"].setChecked(True)
        self.status_combo.blockSignals(True)
        self.status_combo.setCurrentIndex(self.status_combo.findData(None))
        self.status_combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.setText(code)
        self.search_edit.blockSignals(False)
        self.requery()


def create_service_page(ctx: AppContext) -> ServicePage:
    return ServicePage(ctx)
