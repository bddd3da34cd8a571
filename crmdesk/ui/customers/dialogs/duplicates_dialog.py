"""Find duplicates: every pair of customers that may be the same shop, with why, and a
button that opens the merge dialog on the chosen pair. The comparison runs off the GUI
thread (crmdesk.services.duplicates.find_duplicate_pairs)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import _
from crmdesk.services.duplicates import PairScan, find_duplicate_pairs
from crmdesk.ui.background import run_in_background
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import show_error


def _scan_job(db, actor, progress=None) -> PairScan:
    with db.sessions() as session:
        return find_duplicate_pairs(session, actor, progress)


class DuplicatesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.scan: PairScan | None = None
        self.job = None
        self.merge_dialog = None
        self.setWindowTitle(_("Find duplicates"))
        self.resize(900, 520)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Customer"), _("Possible duplicate"), _("Why")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, 260)
        header.setStretchLastSection(True)
        self.merge_button = QPushButton(_("Merge…"))
        self.merge_button.setToolTip(_("Open the merge dialog on the selected pair"))
        self.again_button = QPushButton(_("Search again"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.merge_button.clicked.connect(self.merge_selected)
        self.again_button.clicked.connect(self.start)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.merge_selected())
        self.start()

    def start(self) -> None:
        if self.job is not None and self.job.running:
            return
        self.scan = None
        self.table.setRowCount(0)
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.again_button.setEnabled(False)
        self.status_label.setText(_("Comparing customers…"))
        self._update_buttons()
        self.job = run_in_background(_scan_job, self.ctx.db, self.ctx.actor, on_success=self._done,
                                     on_error=self._failed, on_progress=self._progress)

    def _progress(self, fraction, _message: str) -> None:
        if fraction is not None:
            self.progress_bar.setValue(int(fraction * 100))

    def _failed(self, exc: Exception, _tb: str) -> None:
        self.progress_bar.setVisible(False)
        self.again_button.setEnabled(True)
        self.status_label.setText(str(exc))
        show_error(self, exc)

    def _done(self, scan: PairScan) -> None:
        self.scan = scan
        self.progress_bar.setVisible(False)
        self.again_button.setEnabled(True)
        self.table.setRowCount(len(scan.pairs))
        for row, pair in enumerate(scan.pairs):
            for column, text in enumerate((f"{pair.a_code} {pair.a_name}", f"{pair.b_code} {pair.b_name}",
                                           "；".join(pair.reasons))):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, (pair.a_id, pair.b_id))
                self.table.setItem(row, column, item)
        text = _("{pairs} possible duplicate pairs among {customers} customers.").format(
            pairs=f"{scan.total:,}", customers=f"{scan.customers:,}")
        if scan.total > len(scan.pairs):
            text += " " + _("The {shown} strongest are listed.").format(shown=f"{len(scan.pairs):,}")
        if scan.skipped_blocks:
            text += " " + _("{groups} groups were too large to compare (a phone or name many customers "
                            "share, such as a placeholder).").format(groups=f"{scan.skipped_blocks:,}")
        self.status_label.setText(text)
        if scan.pairs:
            self.table.selectRow(0)
        self._update_buttons()

    def selected_pair(self) -> tuple[int, int] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        self.merge_button.setEnabled(self.selected_pair() is not None)

    def merge_selected(self):
        pair = self.selected_pair()
        if pair is None:
            return None
        from crmdesk.ui.customers.dialogs.merge_dialog import MergeDialog

        dialog = MergeDialog(self.ctx, list(pair), self)
        dialog.accepted.connect(lambda: self._merged(dialog))
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def _merged(self, dialog) -> None:
        """Pairs that held the merged customer are gone with it."""
        gone = dialog.duplicate.selected_id
        for row in reversed(range(self.table.rowCount())):
            pair = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            if gone in pair:
                self.table.removeRow(row)
        self._update_buttons()
