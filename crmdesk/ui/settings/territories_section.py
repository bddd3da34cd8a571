"""Settings → Territories (owner and manager): the territories, an editor for their rules and
salespeople, a preview of who would move before anything is saved, and the lists of
overlapping and unassigned customers with one-click fixes.

Edits change a working copy (``drafts``) only. Preview runs ``territories.preview`` on a
worker thread; Apply runs ``save_and_apply`` there too (one transaction) and shows what moved;
Cancel throws the working copy away. Nothing in the database changes before Apply."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from crmdesk.i18n import N_, _
from crmdesk.services import territories as territory_service
from crmdesk.services.territories import AssignmentResult, TerritoryDef
from crmdesk.ui.background import Job, run_in_background
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import alive, confirm, show_error
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, table_view
from crmdesk.ui.settings.territory_data import customer_counts, salespeople
from crmdesk.ui.settings.territory_editor import TerritoryEditor
from crmdesk.ui.settings.territory_fixes import OverlapList, UnassignedList, territory_choices
from crmdesk.ui.settings.territory_preview import PreviewPanel

log = logging.getLogger(__name__)
TITLE = N_("Territories")


def preview_job(db, actor, defs: list[TerritoryDef], progress=None) -> AssignmentResult:
    with db.sessions() as session:
        return territory_service.preview(session, actor, defs)


def apply_job(db, actor, defs: list[TerritoryDef], deleted: list[int], progress=None) -> AssignmentResult:
    with db.sessions.begin() as session:
        return territory_service.save_and_apply(session, actor, defs, deleted)


class TerritoriesSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stored: list[TerritoryDef] = []
        self.drafts: list[TerritoryDef] = []
        self.deleted: list[int] = []
        self.people_names: dict[int, str] = {}
        self.members: dict[int, int] = {}
        self.main_counts: dict[int, int] = {}
        self.job: Job | None = None
        self.last_result: AssignmentResult | None = None
        self._current = -1

        # The territories tab: list | editor, and the preview below them.
        self.model = RowsModel([
            Col(N_("Territory"), lambda d: d.name + (" *" if self._is_changed(d) else "")),
            Col(N_("Priority"), lambda d: d.priority, right=True),
            Col(N_("Salespeople"), lambda d: ", ".join(self.people_names.get(u, str(u)) for u in d.salesperson_ids)),
            Col(N_("Customers"), lambda d: f"{self.members.get(d.id, 0):,}" if d.id else "—", right=True),
            Col(N_("Main for"), lambda d: f"{self.main_counts.get(d.id, 0):,}" if d.id else "—", right=True),
            Col(N_("Rules"), lambda d: d.describe()),
        ], self)
        self.list_view = table_view(self.model, self)
        self.new_button = QPushButton(_("Add territory"))
        self.delete_button = QPushButton(_("Delete"))
        self.preview_button = QPushButton(_("Preview…"))
        self.preview_button.setToolTip(_("Show which customers would move, before anything is saved"))
        self.revert_button = QPushButton(_("Discard changes"))
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        self.editor = TerritoryEditor()
        self.preview = PreviewPanel()
        self.preview.setVisible(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        left_layout.addLayout(row)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(self.editor)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setChildrenCollapsible(False)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.preview_button)
        edit_tab = QWidget()
        edit_layout = QVBoxLayout(edit_tab)
        edit_layout.addWidget(top, 3)
        edit_layout.addLayout(actions)
        edit_layout.addWidget(self.preview, 2)

        self.overlaps = OverlapList(ctx)
        self.unassigned = UnassignedList(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(edit_tab, _("Territories"))
        self.tabs.addTab(self.overlaps, _("Overlapping"))
        self.tabs.addTab(self.unassigned, _("Unassigned"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.setMinimumHeight(720)

        self.list_view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        self.editor.changed.connect(self._on_edited)
        self.new_button.clicked.connect(self.new_territory)
        self.delete_button.clicked.connect(self.delete_current)
        self.preview_button.clicked.connect(self.start_preview)
        self.revert_button.clicked.connect(self.discard)
        self.preview.apply_requested.connect(self.start_apply)
        self.preview.cancel_requested.connect(self.discard)
        self.overlaps.fixed.connect(self._on_fixed)
        self.unassigned.fixed.connect(self._on_fixed)
        self.reload()

    # -- loading -------------------------------------------------------------------------------
    def activate(self) -> None:
        if not self.dirty and self.job is None:
            self.reload()

    def reload(self) -> None:
        """Read the stored territories (dropping the working copy) and both lists."""
        try:
            with self.ctx.read() as session:
                self.stored = territory_service.list_territories(session)
                also = {u for d in self.stored for u in d.salesperson_ids}
                people = salespeople(session, also)
                choices = territory_service.rule_choices(session)
                self.members, self.main_counts = customer_counts(session)
            self.people_names = {p.id: p.name.split(" (")[0] for p in people}
            self.editor.set_choices(choices, people)
            self.drafts, self.deleted = list(self.stored), []
            self._show_list(0 if self.drafts else -1)
            self.reload_lists()
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _(TITLE))
        self._update_state()

    def reload_lists(self) -> None:
        choices = territory_choices(self.stored)
        self.overlaps.reload(choices)
        self.unassigned.reload(choices)
        self.tabs.setTabText(1, _("Overlapping ({n})").format(n=self.overlaps.model.rowCount()))
        self.tabs.setTabText(2, _("Unassigned ({n})").format(n=self.unassigned.model.rowCount()))

    def _show_list(self, select: int) -> None:
        self.model.set_rows(self.drafts)
        fit_columns(self.list_view, 320)
        self._current = -1
        if 0 <= select < len(self.drafts):
            self.list_view.selectRow(select)
            self._select(select)
        else:
            self.editor.load(None)

    # -- editing -------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return bool(self.deleted) or self.drafts != self.stored

    def _is_changed(self, d: TerritoryDef) -> bool:
        return d.id is None or next((s for s in self.stored if s.id == d.id), None) != d

    def _select(self, row: int) -> None:
        if row == self._current or not (0 <= row < len(self.drafts)):
            return
        self._current = row
        self.editor.load(self.drafts[row])

    def select_territory(self, name: str) -> None:
        row = next(i for i, d in enumerate(self.drafts) if d.name == name)
        self.list_view.selectRow(row)
        self._select(row)

    def _on_edited(self) -> None:
        if not (0 <= self._current < len(self.drafts)):
            return
        self.drafts[self._current] = self.editor.definition()
        self.model.set_row(self._current, self.drafts[self._current])
        self._invalidate_preview()

    def new_territory(self) -> None:
        taken = {d.name for d in self.drafts}
        name, n = _("New territory"), 2
        while name in taken:
            name, n = _("New territory {n}").format(n=n), n + 1
        self.drafts.append(TerritoryDef(None, name, 100))
        self._show_list(len(self.drafts) - 1)
        self._invalidate_preview()
        self.editor.name.setFocus()
        self.editor.name.selectAll()

    def delete_current(self) -> None:
        if not (0 <= self._current < len(self.drafts)):
            return
        d = self.drafts[self._current]
        if d.id is not None and not confirm(self, _("Delete the territory {name}? Its customers are re-assigned "
                                                    "when you apply.").format(name=d.name), _(TITLE)):
            return
        del self.drafts[self._current]
        if d.id is not None:
            self.deleted.append(d.id)
        self._show_list(min(self._current, len(self.drafts) - 1))
        self._invalidate_preview()

    def edit_current(self, **changes) -> None:
        """Change the selected territory as the editor would (tests and scripts):
        ``edit_current(rules={...})`` or ``name=…``."""
        d = replace(self.drafts[self._current], **changes)
        self.editor.load(d)
        self._on_edited()

    def discard(self) -> None:
        """Cancel: forget the working copy and the preview."""
        self.preview.setVisible(False)
        self.last_result = None
        keep = self.drafts[self._current].id if 0 <= self._current < len(self.drafts) else None
        self.drafts, self.deleted = list(self.stored), []
        row = next((i for i, d in enumerate(self.drafts) if d.id == keep), 0 if self.drafts else -1)
        self._show_list(row)
        self._update_state()

    def _invalidate_preview(self) -> None:
        if self.preview.isVisible() and not self.preview.applied:
            self.preview.setVisible(False)
        self._update_state()

    def _update_state(self, message: str | None = None) -> None:
        busy = self.job is not None
        self.preview_button.setEnabled(not busy)
        self.revert_button.setEnabled(self.dirty and not busy)
        self.new_button.setEnabled(not busy)
        self.delete_button.setEnabled(not busy and 0 <= self._current < len(self.drafts))
        self.editor.setEnabled(not busy and 0 <= self._current < len(self.drafts))
        if message is None:
            message = (_("Changed, not saved yet: Preview shows who would move.") if self.dirty
                       else _("{n} territories.").format(n=len(self.drafts)))
        self.status.setText(message)

    # -- preview and apply (off the GUI thread) --------------------------------------------------
    def start_preview(self) -> Job | None:
        if self.job is not None:
            return None
        defs = list(self.drafts)
        self.job = run_in_background(preview_job, self.ctx.db, self.ctx.actor, defs,
                                     on_success=self._on_preview, on_error=self._on_failed)
        self._update_state(_("Computing who would move…"))
        return self.job

    def _on_preview(self, result: AssignmentResult) -> None:
        if not alive(self):
            return
        self.job = None
        self.last_result = result
        self.preview.show_preview(result)
        self.preview.setVisible(True)
        self._update_state()

    def start_apply(self) -> Job | None:
        if self.job is not None:
            return None
        self.preview.set_busy(True)
        self.job = run_in_background(apply_job, self.ctx.db, self.ctx.actor, list(self.drafts), list(self.deleted),
                                     on_success=self._on_applied, on_error=self._on_failed)
        self._update_state(_("Saving and re-assigning customers…"))
        return self.job

    def _on_applied(self, result: AssignmentResult) -> None:
        if not alive(self):
            return
        self.job = None
        self.last_result = result
        self.ctx.bus.announce("territories", "customers")
        self.reload()
        self.preview.show_applied(result)
        self.preview.set_busy(False)
        self.preview.setVisible(True)
        self._update_state(_("Saved: {n} customers moved.").format(n=f"{result.moved:,}"))

    def _on_failed(self, exc: Exception, _tb: str) -> None:
        if not alive(self):
            log.error("territory job failed: %s", exc)
            return
        self.job = None
        self.preview.set_busy(False)
        self._update_state()
        show_error(self, exc, _(TITLE))

    def _on_fixed(self, n: int) -> None:
        self.ctx.bus.announce("customers")
        with self.ctx.read() as session:
            self.members, self.main_counts = customer_counts(session)
        self.model.layoutChanged.emit()
        self.reload_lists()
        self._update_state(_("{n} customers assigned by hand.").format(n=n))


def create(ctx: AppContext) -> QWidget:
    return TerritoriesSection(ctx)
