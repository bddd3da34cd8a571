"""The Rules page: the list of process rules (New, Edit, Duplicate, Delete, switch on/off,
Run now) and the firings log, with the rule builder shown in place of the list while a
rule is edited. The services check every right; the buttons only follow them."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)

from crmdesk.i18n import _
from crmdesk.rules import store
from crmdesk.rules.model import RuleInfo
from crmdesk.services.permissions import MANAGER, OWNER, can
from crmdesk.ui.background import run_in_background
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import confirm, show_error
from crmdesk.ui.rules.choices import EditorChoices, load_choices
from crmdesk.ui.rules.editor import RuleEditor
from crmdesk.ui.rules.firings_view import FiringsView
from crmdesk.ui.rules.rules_model import RulesModel
from crmdesk.ui.rules.run_now import CHANGED_BY_RUN, run_now_job
from crmdesk.ui.settings.rows_model import fit_columns, table_view

log = logging.getLogger(__name__)

REFRESH_ON = {"workflow_rules", "rule_firings", "users", "custom_fields", "tags"}


class RulesPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices = EditorChoices()
        self.rules: list[RuleInfo] = []
        self._stale = True
        self._run_job = None

        self.model = RulesModel()
        self.table = table_view(self.model)
        self.new_button = QPushButton(_("New rule…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.duplicate_button = QPushButton(_("Duplicate"))
        self.delete_button = QPushButton(_("Delete"))
        self.toggle_button = QPushButton(_("Switch on"))
        self.run_button = QPushButton(_("Run now"))
        self.run_button.setVisible(ctx.actor.role in (OWNER, MANAGER))
        self.refresh_button = QPushButton(_("Refresh"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.firings = FiringsView(ctx)
        self.editor: RuleEditor | None = None

        buttons = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.duplicate_button, self.delete_button, self.toggle_button,
                  self.run_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        list_tab = QWidget()
        list_layout = QVBoxLayout(list_tab)
        list_layout.addLayout(buttons)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.status_label)
        self.tabs = QTabWidget()
        self.tabs.addTab(list_tab, _("Rules"))
        self.tabs.addTab(self.firings, _("Firings log"))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        manage = can(ctx.actor, "rules.manage")
        for b in (self.new_button, self.duplicate_button):
            b.setEnabled(manage)
        self.new_button.clicked.connect(lambda: self.new_rule())
        self.edit_button.clicked.connect(lambda: self.edit_selected())
        self.duplicate_button.clicked.connect(lambda: self.duplicate_selected())
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.toggle_button.clicked.connect(lambda: self.toggle_selected())
        self.run_button.clicked.connect(lambda: self.run_selected())
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._sync_buttons())
        self.tabs.currentChanged.connect(lambda i: self.firings.refresh() if self.tabs.widget(i) is self.firings
                                         else None)
        ctx.bus.changed.connect(self._on_changed)
        self._sync_buttons()

    # -- page protocol ---------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def _on_changed(self, entities) -> None:
        if set(entities) & REFRESH_ON:
            if self.isVisible() and self.stack.currentWidget() is self.tabs:
                self.refresh()
            else:
                self._stale = True

    # -- data ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            with self.ctx.read() as session:
                self.choices = load_choices(session, self.ctx.actor)
                self.rules = store.list_rules(session, self.ctx.actor)
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc, _("Rules"))
            return
        self._stale = False
        keep = self.selected_rule()
        self.model.set_rows(self.rules)
        if self.rules:
            fit_columns(self.table, 360)
        if keep is not None:
            self.select_rule(keep.id)
        self.firings.set_rules(self.rules, {m.key: m for m in self.choices.measures})
        if self.tabs.currentWidget() is self.firings:
            self.firings.refresh()
        on = sum(1 for r in self.rules if r.active)
        self.status_label.setText(_("{n} rules, {on} switched on. A rule fires once per customer while its "
                                    "reason holds; the dry run shows whom it would hit.").format(
            n=len(self.rules), on=on))
        self._sync_buttons()

    def select_rule(self, rule_id: int) -> bool:
        row = self.model.row_of(rule_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def selected_rule(self) -> RuleInfo | None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return self.model.row_at(rows[0]) if rows else None

    def may_edit(self, rule: RuleInfo) -> bool:
        """The store's rule (owner/manager: all; a salesperson: their own), to set the buttons."""
        if not can(self.ctx.actor, "rules.manage"):
            return False
        if self.ctx.actor.role in (OWNER, MANAGER):
            return True
        return rule.created_by_id is not None and rule.created_by_id == self.ctx.actor.user_id

    def _sync_buttons(self) -> None:
        rule = self.selected_rule()
        editable = rule is not None and self.may_edit(rule)
        self.edit_button.setEnabled(rule is not None)
        self.edit_button.setText(_("Edit…") if rule is None or editable else _("View…"))
        self.duplicate_button.setEnabled(rule is not None and can(self.ctx.actor, "rules.manage"))
        for b in (self.delete_button, self.toggle_button):
            b.setEnabled(editable)
        self.toggle_button.setText(_("Switch off") if rule is not None and rule.active else _("Switch on"))
        self.run_button.setEnabled(rule is not None and self._run_job is None)

    # -- the editor ------------------------------------------------------------------------------
    def _editor(self) -> RuleEditor:
        if self.editor is None or self.editor.choices is not self.choices:
            if self.editor is not None:
                self.stack.removeWidget(self.editor)
                self.editor.deleteLater()
            self.editor = RuleEditor(self.ctx, self.choices)
            self.editor.saved.connect(self._on_saved)
            self.editor.closed.connect(self.show_list)
            self.stack.addWidget(self.editor)
        return self.editor

    def _open_editor(self, rule: RuleInfo | None, read_only: bool = False, copy: bool = False) -> RuleEditor:
        if self._stale or not self.choices.measures:
            self.refresh()
        editor = self._editor()
        editor.load(rule, read_only=read_only, copy=copy)
        self.stack.setCurrentWidget(editor)
        editor.name_edit.setFocus()
        return editor

    def new_rule(self) -> RuleEditor:
        return self._open_editor(None)

    def edit_selected(self) -> RuleEditor | None:
        rule = self.selected_rule()
        if rule is None:
            return None
        return self._open_editor(rule, read_only=not self.may_edit(rule))

    def duplicate_selected(self) -> RuleEditor | None:
        rule = self.selected_rule()
        if rule is None:
            return None
        return self._open_editor(rule, copy=True)

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.tabs)
        if self._stale:
            self.refresh()

    def _on_saved(self, rule_id: int) -> None:
        self._stale = True
        self.refresh()
        self.select_rule(rule_id)

    # -- actions on the selected rule ------------------------------------------------------------
    def delete_selected(self, ask: bool = True) -> bool:
        rule = self.selected_rule()
        if rule is None:
            return False
        if ask and not confirm(self, _("Delete the rule “{name}”? Its firings log goes with it; tasks and alerts "
                                       "it made stay.").format(name=rule.name), _("Rules")):
            return False
        return self._change(lambda s: store.delete_rule(s, self.ctx.actor, rule.id))

    def toggle_selected(self) -> bool:
        rule = self.selected_rule()
        if rule is None:
            return False
        return self._change(lambda s: store.set_active(s, self.ctx.actor, rule.id, not rule.active))

    def _change(self, fn) -> bool:
        try:
            with self.ctx.write("workflow_rules") as session:
                fn(session)
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc, _("Rules"))
            return False
        self.refresh()
        return True

    def run_selected(self, ask: bool = True) -> bool:
        """Run the selected rule for real now (owner and manager), off the GUI thread."""
        rule = self.selected_rule()
        if rule is None or self._run_job is not None:
            return False
        if ask and not confirm(self, _("Run “{name}” now for real? It does its actions for every customer it "
                                       "hits that it has not fired for yet.").format(name=rule.name), _("Rules")):
            return False
        self.status_label.setText(_("Running “{name}”…").format(name=rule.name))
        self._run_job = run_in_background(run_now_job, self.ctx.db, self.ctx.actor, [rule.id],
                                          on_success=self._on_run_done, on_error=self._on_run_failed)
        self._sync_buttons()
        return True

    def _on_run_done(self, results) -> None:
        self._run_job = None
        lines = []
        for r in results:
            done = ", ".join(f"{kind} {n}" for kind, n in r.actions.items()) or _("nothing to do")
            lines.append(r.error or _("{name}: {hits} customers match, {fired} new firings ({done}), "
                                      "{cleared} cleared").format(name=r.name, hits=len(r.hits), fired=r.fired,
                                                                   done=done, cleared=r.cleared))
        self.ctx.bus.announce(*CHANGED_BY_RUN)
        self._stale = True
        self.refresh()
        self.status_label.setText("\n".join(lines) or _("No rule ran."))

    def _on_run_failed(self, exc: Exception, _trace: str) -> None:
        self._run_job = None
        self._sync_buttons()
        self.status_label.setText(_("The run failed: {error}").format(error=exc))


def create_rules_page(ctx: AppContext) -> RulesPage:
    return RulesPage(ctx)
