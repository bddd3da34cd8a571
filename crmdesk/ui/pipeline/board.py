"""The kanban board: one column per stage, each a QListView over its own model with cards
drawn by a delegate (2,000 cards stay cheap: only the visible ones are painted). Dropping a
card on another column moves the opportunity through the service; lost asks the reason."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListView, QScrollArea, QVBoxLayout, QWidget,
)

from crmdesk.i18n import _
from crmdesk.services import opportunities as opportunity_service
from crmdesk.services import pipeline_settings
from crmdesk.services.opportunity_board import CLOSED_WINDOW_DAYS, BoardRow, StageInfo
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import show_error
from crmdesk.ui.pipeline import lost_reason_dialog
from crmdesk.ui.pipeline.board_model import ID_ROLE, StageColumnModel, decode_ids
from crmdesk.ui.pipeline.card_delegate import CARD_HEIGHT, CardDelegate, short_money

COLUMN_WIDTH = 230
# Columns share the width down to this: at 1024×700 all six stages show without a sideways scrollbar.
MIN_COLUMN_WIDTH = 112


class CardList(QListView):
    """One column's cards; reports drops of cards from other columns."""

    dropped = Signal(list, int)  # opportunity ids, this column's stage id

    def __init__(self, model: StageColumnModel, delegate: CardDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(delegate)
        self.setUniformItemSizes(True)
        self.setGridSize(QSize(COLUMN_WIDTH - 20, CARD_HEIGHT))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet("QListView { background: #eef2f6; border: none; }")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # A card takes the column's width, whatever the column was given.
        width = max(MIN_COLUMN_WIDTH - 20, self.viewport().width() - 4)
        if self.gridSize().width() != width:
            self.setGridSize(QSize(width, CARD_HEIGHT))

    @property
    def stage_model(self) -> StageColumnModel:
        return self.model()

    def dragEnterEvent(self, event) -> None:
        if decode_ids(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if decode_ids(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        ids = decode_ids(event.mimeData())
        if not ids:
            event.ignore()
            return
        # Copy, not move: the source column must not remove rows itself; the board reloads.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(ids, self.stage_model.stage.id)


class StageColumn(QFrame):
    def __init__(self, stage: StageInfo, delegate: CardDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(MIN_COLUMN_WIDTH)
        self.setMaximumWidth(COLUMN_WIDTH)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.model = StageColumnModel(stage, self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold;")
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.list = CardList(self.model, delegate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.figures)
        layout.addWidget(self.list, 1)

    def set_rows(self, stage: StageInfo, rows: list[BoardRow]) -> None:
        self.model.stage = stage
        self.model.set_rows(rows)
        if stage.is_closing:
            title = _("{name} (closed in the last {n} days)").format(name=stage.name, n=CLOSED_WINDOW_DAYS)
        else:
            title = _("{name} · {p}%").format(name=stage.name, p=stage.probability)
        self.title.setText(title)
        stale = sum(1 for r in rows if self.model.is_stale(r))
        figures = _("{n} · {amount}").format(n=len(rows), amount=short_money(sum(r.amount for r in rows)))
        if stale:
            figures += " · " + _("{n} stale").format(n=stale)
        self.figures.setText(figures)


class BoardView(QWidget):
    """``opened(id)``: a card was double-clicked or Enter pressed on it."""

    opened = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.delegate = CardDelegate(self)
        self.columns: dict[int, StageColumn] = {}
        self._stages: dict[int, StageInfo] = {}
        self._rows: dict[int, BoardRow] = {}
        self._strip = QWidget()
        self._strip_layout = QHBoxLayout(self._strip)
        self._strip_layout.setContentsMargins(0, 0, 0, 0)
        self._strip_layout.setSpacing(6)
        self._strip_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._strip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def set_data(self, stages: list[StageInfo], rows: list[BoardRow]) -> None:
        if [s.id for s in stages] != list(self.columns):
            self._rebuild(stages)
        self._stages = {s.id: s for s in stages}
        self._rows = {r.id: r for r in rows}
        per_stage: dict[int, list[BoardRow]] = defaultdict(list)
        for row in rows:
            per_stage[row.stage_id].append(row)
        for stage in stages:
            self.columns[stage.id].set_rows(stage, per_stage.get(stage.id, []))

    def _rebuild(self, stages: list[StageInfo]) -> None:
        for column in self.columns.values():
            column.setParent(None)
            column.deleteLater()
        self.columns = {}
        for n, stage in enumerate(stages):
            column = StageColumn(stage, self.delegate)
            column.list.dropped.connect(self.handle_drop)
            column.list.activated.connect(lambda index: self.opened.emit(int(index.data(ID_ROLE))))
            self._strip_layout.insertWidget(n, column)
            self.columns[stage.id] = column

    def row(self, opportunity_id: int) -> BoardRow | None:
        return self._rows.get(opportunity_id)

    def handle_drop(self, ids: list[int], stage_id: int) -> bool:
        """Move the dropped opportunities to ``stage_id``; True when any moved."""
        stage = self._stages.get(stage_id)
        if stage is None:
            return False
        moved = False
        for opportunity_id in ids:
            row = self._rows.get(opportunity_id)
            if row is None or row.stage_id == stage_id:
                continue
            reason = None
            if stage.is_lost:
                with self.ctx.read() as session:
                    reasons = [r.name for r in pipeline_settings.list_lost_reasons(session)]
                reason = lost_reason_dialog.ask_lost_reason(self, reasons, f"{row.customer_name} · {row.name}")
                if reason is None:
                    continue  # cancelled: the card stays where it was
            try:
                with self.ctx.write("opportunities") as session:
                    opportunity_service.move_stage(session, self.ctx.actor, opportunity_id, stage_id, reason)
            except Exception as exc:  # noqa: BLE001 - shown to the user; the card stays
                show_error(self, exc, _("Pipeline"))
                continue
            moved = True
        return moved
