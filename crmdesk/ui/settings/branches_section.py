"""Branches (门店) of a small chain: code, name, active and order; and which branch the sync
inbox's own files come from. Orders, receipts and stock carry the branch their file came from
(an import profile's ``branch``, the inbox's branch or a sub-folder named after a branch code,
``crmdesk import --branch``); every report can be filtered by branch once there are two."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.importers.sync import BRANCH as SYNC_BRANCH, get_setting, set_setting
from crmdesk.services import branches as branch_service
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import write_then_reload

ENTITIES = ("branches", "settings")
CODE, NAME, ACTIVE, ORDER, USED = range(5)


class BranchesSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._rows: list[branch_service.BranchInfo] = []
        note = QLabel(_("A small chain: each order, receipt and stock count carries the branch its file came "
                        "from — an import profile's branch, the inbox's branch below, or a sub-folder of the inbox "
                        "named after a branch code. With two branches or more the reports and the dashboard get a "
                        "branch filter, and a territory may be limited to branches. A branch in use cannot be "
                        "deleted: clear Active instead."))
        note.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Code"), _("Name"), _("Active"), _("List order"), _("Records")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.inbox_branch = QComboBox()
        self.add_button = QPushButton(_("Add branch…"))
        self.delete_button = QPushButton(_("Delete branch"))
        self.save_button = QPushButton(_("Save"))
        self.add_button.clicked.connect(lambda: self.add_branch())
        self.delete_button.clicked.connect(lambda: self.delete_branch())
        self.save_button.clicked.connect(lambda: self.save())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form = QFormLayout()
        form.addRow(_("The inbox's own files come from"), self.inbox_branch)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.reload()

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        with self.ctx.read() as session:
            self._rows = branch_service.list_branches(session)
            used = {b.id: branch_service.in_use(session, b.id) for b in self._rows}
            inbox = get_setting(session, SYNC_BRANCH)
        self.table.setRowCount(len(self._rows))
        for row, b in enumerate(self._rows):
            self.table.setItem(row, CODE, QTableWidgetItem(b.code))
            self.table.setItem(row, NAME, QTableWidgetItem(b.name))
            active = QTableWidgetItem()
            active.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            active.setCheckState(Qt.CheckState.Checked if b.active else Qt.CheckState.Unchecked)
            self.table.setItem(row, ACTIVE, active)
            order = QSpinBox()
            order.setRange(0, 999)
            order.setValue(b.sort_order)
            self.table.setCellWidget(row, ORDER, order)
            count = QTableWidgetItem(f"{used.get(b.id, 0):,}")
            count.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, USED, count)
        self.inbox_branch.clear()
        self.inbox_branch.addItem(_("none (the profile's branch, if any)"), "")
        for b in self._rows:
            self.inbox_branch.addItem(b.label, b.code)
        self.inbox_branch.setCurrentIndex(max(self.inbox_branch.findData(inbox), 0))

    def edited(self) -> list[branch_service.BranchInfo]:
        """The rows as shown in the table."""
        return [branch_service.BranchInfo(
            b.id, self.table.item(row, CODE).text(), self.table.item(row, NAME).text(),
            self.table.item(row, ACTIVE).checkState() == Qt.CheckState.Checked,
            self.table.cellWidget(row, ORDER).value()) for row, b in enumerate(self._rows)]

    def save(self) -> bool:
        def work(session) -> None:
            for info, before in zip(self.edited(), self._rows, strict=True):
                if info != before:
                    branch_service.save_branch(session, self.ctx.actor, info)
            inbox = self.inbox_branch.currentData() or ""
            if inbox != get_setting(session, SYNC_BRANCH):
                set_setting(session, self.ctx.actor, SYNC_BRANCH, inbox)

        return write_then_reload(self, _("Branches"), ENTITIES, work)

    def add_branch(self, code: str | None = None, name: str | None = None) -> bool:
        if code is None:
            code, ok = QInputDialog.getText(self, _("Branches"), _("Code of the new branch (as in file names)"))
            if not ok:
                return False
            name, ok = QInputDialog.getText(self, _("Branches"), _("Name of the new branch"))
            if not ok:
                return False
        info = branch_service.BranchInfo(None, code, name or "", True, len(self._rows) + 1)
        return write_then_reload(self, _("Branches"), ENTITIES,
                                 lambda session: branch_service.save_branch(session, self.ctx.actor, info))

    def delete_branch(self) -> bool:
        row = self.table.currentRow()
        if not 0 <= row < len(self._rows):
            return False
        branch_id = self._rows[row].id  # refused with e.g. "named by 120 records"
        return write_then_reload(self, _("Branches"), ENTITIES,
                                 lambda session: branch_service.delete_branch(session, self.ctx.actor, branch_id))


def create(ctx: AppContext) -> QWidget:
    return BranchesSection(ctx)
