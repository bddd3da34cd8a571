"""Settings → Pipeline: the stages (name, order, win probability, stale after N days, the won
and lost closing stages) saved together, and the lost-reason list edited in place."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QGroupBox, QHBoxLayout, QInputDialog, QListWidget, QListWidgetItem, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.services import pipeline_settings as service
from crmdesk.services.pipeline_settings import StageRow
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import show_error

TITLE = N_("Pipeline")
STAGE_HEADERS = (N_("Stage"), N_("Probability %"), N_("Stale after (days)"), N_("Won"), N_("Lost"),
                 N_("Opportunities"))
ID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME, PROB, STALE, WON, LOST, USED = range(6)


def _int(item: QTableWidgetItem | None, default: int = -1) -> int:
    try:
        return int((item.text() if item else "").strip())
    except ValueError:
        return default


class PipelineSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stages = QTableWidget(0, len(STAGE_HEADERS))
        self.stages.setHorizontalHeaderLabels([_(h) for h in STAGE_HEADERS])
        self.stages.verticalHeader().setVisible(False)
        self.stages.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stages.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stages.horizontalHeader().setStretchLastSection(True)
        self.stages.setColumnWidth(NAME, 160)
        self.add_stage_button = QPushButton(_("Add stage"))
        self.delete_stage_button = QPushButton(_("Delete stage"))
        self.stage_up_button = QPushButton(_("Move up"))
        self.stage_down_button = QPushButton(_("Move down"))
        self.save_button = QPushButton(_("Save stages"))
        self.revert_button = QPushButton(_("Revert"))
        self.reasons = QListWidget()
        self.add_reason_button = QPushButton(_("Add…"))
        self.rename_reason_button = QPushButton(_("Rename…"))
        self.reason_up_button = QPushButton(_("Move up"))
        self.reason_down_button = QPushButton(_("Move down"))
        self.delete_reason_button = QPushButton(_("Delete"))

        stage_buttons = QHBoxLayout()
        for b in (self.add_stage_button, self.delete_stage_button, self.stage_up_button, self.stage_down_button):
            stage_buttons.addWidget(b)
        stage_buttons.addStretch(1)
        stage_buttons.addWidget(self.revert_button)
        stage_buttons.addWidget(self.save_button)
        stage_box = QGroupBox(_("Stages (in board order; one won and one lost closing stage)"))
        stage_layout = QVBoxLayout(stage_box)
        stage_layout.addWidget(self.stages)
        stage_layout.addLayout(stage_buttons)
        reason_buttons = QHBoxLayout()
        for b in (self.add_reason_button, self.rename_reason_button, self.reason_up_button, self.reason_down_button,
                  self.delete_reason_button):
            reason_buttons.addWidget(b)
        reason_buttons.addStretch(1)
        reason_box = QGroupBox(_("Reasons offered when an opportunity is lost"))
        reason_layout = QVBoxLayout(reason_box)
        reason_layout.addWidget(self.reasons)
        reason_layout.addLayout(reason_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(stage_box, 3)
        layout.addWidget(reason_box, 2)

        self.add_stage_button.clicked.connect(self.add_stage)
        self.delete_stage_button.clicked.connect(self.delete_stage)
        self.stage_up_button.clicked.connect(lambda: self.move_stage_row(-1))
        self.stage_down_button.clicked.connect(lambda: self.move_stage_row(1))
        self.save_button.clicked.connect(self.save_stages)
        self.revert_button.clicked.connect(self.load)
        self.add_reason_button.clicked.connect(self.add_reason)
        self.rename_reason_button.clicked.connect(self.rename_reason)
        self.reason_up_button.clicked.connect(lambda: self.move_reason(-1))
        self.reason_down_button.clicked.connect(lambda: self.move_reason(1))
        self.delete_reason_button.clicked.connect(self.delete_reason)
        self.load()

    def activate(self) -> None:
        self.load()

    # --- stages -----------------------------------------------------------------------------
    def load(self) -> None:
        with self.ctx.read() as session:
            stages = service.list_stages(session)
            reasons = service.list_lost_reasons(session)
        self.stages.setRowCount(0)
        for stage in stages:
            self._append(stage)
        self.reasons.clear()
        for reason in reasons:
            item = QListWidgetItem(reason.name)
            item.setData(ID_ROLE, reason.id)
            self.reasons.addItem(item)

    def _append(self, stage: StageRow, at: int | None = None) -> None:
        r = self.stages.rowCount() if at is None else at
        self.stages.insertRow(r)
        name = QTableWidgetItem(stage.name)
        name.setData(ID_ROLE, stage.id)
        self.stages.setItem(r, NAME, name)
        self.stages.setItem(r, PROB, QTableWidgetItem(str(stage.probability)))
        self.stages.setItem(r, STALE, QTableWidgetItem(str(stage.stale_days)))
        for column, on in ((WON, stage.is_won), (LOST, stage.is_lost)):
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.stages.setItem(r, column, item)
        used = QTableWidgetItem(str(stage.in_use))
        used.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.stages.setItem(r, USED, used)

    def _row(self, r: int) -> StageRow:
        t = self.stages
        return StageRow(id=t.item(r, NAME).data(ID_ROLE), name=t.item(r, NAME).text(),
                        probability=_int(t.item(r, PROB)),
                        stale_days=_int(t.item(r, STALE), 0),
                        is_won=t.item(r, WON).checkState() == Qt.CheckState.Checked,
                        is_lost=t.item(r, LOST).checkState() == Qt.CheckState.Checked, in_use=_int(t.item(r, USED), 0))

    def stage_rows(self) -> list[StageRow]:
        return [self._row(r) for r in range(self.stages.rowCount())]

    def add_stage(self) -> None:
        # New open stages go before the closing ones.
        rows = self.stage_rows()
        at = next((n for n, s in enumerate(rows) if s.is_closing), len(rows))
        self._append(StageRow(None, _("New stage"), 50), at)
        self.stages.setCurrentCell(at, NAME)

    def delete_stage(self) -> None:
        r = self.stages.currentRow()
        if r < 0:
            return
        row = self._row(r)
        if row.in_use:
            show_error(self, _("{name} cannot be deleted: {n} opportunities are in it").format(
                name=row.name, n=row.in_use), _(TITLE))
            return
        self.stages.removeRow(r)

    def move_stage_row(self, step: int) -> None:
        r = self.stages.currentRow()
        target = r + step
        if r < 0 or not 0 <= target < self.stages.rowCount():
            return
        row = self._row(r)
        self.stages.removeRow(r)
        self._append(row, target)
        self.stages.setCurrentCell(target, NAME)

    def save_stages(self) -> bool:
        try:
            with self.ctx.write("opportunity_stages", "settings") as session:
                service.save_stages(session, self.ctx.actor, self.stage_rows())
        except Exception as exc:  # noqa: BLE001 - shown to the user, the table keeps the edits
            show_error(self, exc, _(TITLE))
            return False
        self.load()
        return True

    # --- lost reasons -----------------------------------------------------------------------
    def _reason_call(self, fn, *args) -> bool:
        try:
            with self.ctx.write("lost_reasons") as session:
                fn(session, self.ctx.actor, *args)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc, _(TITLE))
            return False
        self.load()
        return True

    def add_reason(self, name: str | None = None) -> bool:
        if not name:
            name, ok = QInputDialog.getText(self, _("Lost reason"), _("Reason:"))
            if not ok:
                return False
        return self._reason_call(service.add_lost_reason, name)

    def rename_reason(self, name: str | None = None) -> bool:
        item = self.reasons.currentItem()
        if item is None:
            return False
        if not name:
            name, ok = QInputDialog.getText(self, _("Lost reason"), _("Reason:"), text=item.text())
            if not ok:
                return False
        return self._reason_call(service.rename_lost_reason, item.data(ID_ROLE), name)

    def move_reason(self, step: int) -> bool:
        r = self.reasons.currentRow()
        ids = [self.reasons.item(i).data(ID_ROLE) for i in range(self.reasons.count())]
        if r < 0 or not 0 <= r + step < len(ids):
            return False
        ids[r], ids[r + step] = ids[r + step], ids[r]
        done = self._reason_call(service.reorder_lost_reasons, ids)
        self.reasons.setCurrentRow(r + step)
        return done

    def delete_reason(self) -> bool:
        item = self.reasons.currentItem()
        return item is not None and self._reason_call(service.delete_lost_reason, item.data(ID_ROLE))


def create(ctx: AppContext) -> QWidget:
    return PipelineSection(ctx)
