"""The rule builder: name, description, trigger, conditions and actions as rows built only
from choices, the store's validation shown next to the row it names, and a dry run.

A view inside the Rules page (not a modal dialog), so a customer opened from the dry run
can be looked at and the unsaved rule is still there on coming back."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.rules import store
from crmdesk.rules.catalog import trigger_label
from crmdesk.rules.model import TRIGGERS, Action, Condition, RuleInfo, RuleInput
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import confirm
from crmdesk.ui.rules.action_row import ActionRow
from crmdesk.ui.rules.choices import EditorChoices
from crmdesk.ui.rules.condition_row import ERROR_STYLE, ConditionRow
from crmdesk.ui.rules.dry_run import DryRunPanel
from crmdesk.ui.rules.error_place import place

CHANGED_BY_SAVE = ("workflow_rules",)


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _say(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class RuleEditor(QWidget):
    saved = Signal(int)
    closed = Signal()

    def __init__(self, ctx: AppContext, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices = choices
        self.rule_id: int | None = None
        self.read_only = False
        self.as_of: dt.date | None = None  # None: today (tests pin it)
        self._loaded: RuleInput | None = None
        self._shown: RuleInput | None = None
        self.condition_rows: list[ConditionRow] = []
        self.action_rows: list[ActionRow] = []

        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.read_only_label = QLabel(_("A shop-wide rule: only the owner or a manager may change it. "
                                        "Duplicate it to make a rule of your own."))
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setStyleSheet("background: #fdf2d0; padding: 4px;")
        self.read_only_label.setVisible(False)
        self.save_button = QPushButton(_("Save"))
        self.dry_run_button = QPushButton(_("Dry run"))
        self.back_button = QPushButton(_("Back to the list"))
        self.name_edit = QLineEdit()
        self.name_error = _error_label()
        self.description_edit = QLineEdit()
        self.trigger_combo = QComboBox()
        for trigger in TRIGGERS:
            self.trigger_combo.addItem(trigger_label(trigger), trigger)
        self.active_check = QCheckBox(_("Switched on"))
        self.conditions_box = QVBoxLayout()
        self.conditions_error = _error_label()
        self.add_condition_button = QPushButton(_("Add condition"))
        self.actions_box = QVBoxLayout()
        self.actions_error = _error_label()
        self.add_action_button = QPushButton(_("Add action"))
        self.rule_error = _error_label()
        self.dry_run_panel = DryRunPanel()
        self._build()

        self.save_button.clicked.connect(lambda: self.save())
        self.dry_run_button.clicked.connect(lambda: self.dry_run())
        self.back_button.clicked.connect(lambda: self.close_editor())
        self.add_condition_button.clicked.connect(lambda: self.add_condition())
        self.add_action_button.clicked.connect(lambda: self.add_action())
        self.name_edit.textEdited.connect(lambda _t: _say(self.name_error, ""))
        self.dry_run_panel.customer_activated.connect(self.ctx.bus.open_customer_requested.emit)
        self.dry_run_panel.runner.busy_changed.connect(lambda busy: self.dry_run_button.setEnabled(not busy))

    def _build(self) -> None:
        form = QFormLayout()
        name_col = QVBoxLayout()
        name_col.addWidget(self.name_edit)
        name_col.addWidget(self.name_error)
        form.addRow(_("Name"), name_col)
        form.addRow(_("Description"), self.description_edit)
        trigger_row = QHBoxLayout()
        trigger_row.addWidget(self.trigger_combo, 1)
        trigger_row.addWidget(self.active_check)
        form.addRow(_("Runs"), trigger_row)

        conditions = QGroupBox(_("Conditions (all must hold)"))
        c_layout = QVBoxLayout(conditions)
        c_layout.addLayout(self.conditions_box)
        c_layout.addWidget(self.conditions_error)
        c_layout.addWidget(self.add_condition_button, 0, Qt.AlignmentFlag.AlignLeft)
        actions = QGroupBox(_("Actions (done once per customer while the reason holds)"))
        a_layout = QVBoxLayout(actions)
        a_layout.addLayout(self.actions_box)
        a_layout.addWidget(self.actions_error)
        a_layout.addWidget(self.add_action_button, 0, Qt.AlignmentFlag.AlignLeft)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.read_only_label)
        body_layout.addLayout(form)
        body_layout.addWidget(conditions)
        body_layout.addWidget(actions)
        body_layout.addWidget(self.rule_error)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        dry = QGroupBox(_("Dry run"))
        dry_layout = QVBoxLayout(dry)
        dry_layout.addWidget(self.dry_run_panel)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(scroll)
        splitter.addWidget(dry)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 3)

        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        for b in (self.dry_run_button, self.save_button, self.back_button):
            top.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # -- loading ---------------------------------------------------------------------------------
    def load(self, info: RuleInfo | None, read_only: bool = False, copy: bool = False) -> None:
        """Show ``info`` (None: a new rule); ``copy`` edits a new rule made from it."""
        self.rule_id = info.id if info is not None and not copy else None
        self.read_only = read_only and not copy
        for row in [*self.condition_rows, *self.action_rows]:
            row.setParent(None)
            row.deleteLater()
        self.condition_rows, self.action_rows = [], []
        self.clear_errors()
        self.dry_run_panel.cancel()
        self.dry_run_panel.clear()
        if info is None:
            self.name_edit.setText("")
            self.description_edit.setText("")
            self.trigger_combo.setCurrentIndex(max(0, self.trigger_combo.findData("daily")))
            self.active_check.setChecked(False)
            self.add_condition()
            self.add_action()
            self.title_label.setText(_("New rule"))
        else:
            name = _("{name} (copy)").format(name=info.name) if copy else info.name
            self.name_edit.setText(name)
            self.description_edit.setText(info.description)
            self.trigger_combo.setCurrentIndex(max(0, self.trigger_combo.findData(info.trigger)))
            self.active_check.setChecked(info.active and not copy)
            for c in info.conditions:
                self.add_condition(c)
            for a in info.actions:
                self.add_action(a)
            self.title_label.setText(name if not copy else _("New rule"))
        self._loaded = self.rule_input() if self.rule_id is not None else None
        self._shown = self.rule_input()  # what "unsaved changes" compares with
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        ro = self.read_only
        self.read_only_label.setVisible(ro)
        for w in (self.name_edit, self.description_edit, self.trigger_combo, self.active_check):
            w.setEnabled(not ro)
        for b in (self.save_button, self.add_condition_button, self.add_action_button):
            b.setVisible(not ro)
        for row in [*self.condition_rows, *self.action_rows]:
            row.set_read_only(ro)

    # -- rows ------------------------------------------------------------------------------------
    def add_condition(self, condition: Condition | None = None) -> ConditionRow:
        row = ConditionRow(self.choices.measures)
        if condition is not None:
            row.set_condition(condition)
        row.remove_requested.connect(self._remove_condition)
        self.conditions_box.addWidget(row)
        self.condition_rows.append(row)
        _say(self.conditions_error, "")
        return row

    def add_action(self, action: Action | None = None) -> ActionRow:
        row = ActionRow(self.choices)
        if action is not None:
            row.set_action(action)
        row.remove_requested.connect(self._remove_action)
        self.actions_box.addWidget(row)
        self.action_rows.append(row)
        _say(self.actions_error, "")
        return row

    def _remove_condition(self, row: ConditionRow) -> None:
        if row in self.condition_rows:
            self.condition_rows.remove(row)
            row.setParent(None)
            row.deleteLater()

    def _remove_action(self, row: ActionRow) -> None:
        if row in self.action_rows:
            self.action_rows.remove(row)
            row.setParent(None)
            row.deleteLater()

    # -- the rule --------------------------------------------------------------------------------
    def rule_input(self) -> RuleInput:
        return RuleInput(name=self.name_edit.text().strip(), trigger=self.trigger_combo.currentData(),
                         conditions=tuple(r.condition() for r in self.condition_rows),
                         actions=tuple(r.action() for r in self.action_rows),
                         description=self.description_edit.text().strip(), active=self.active_check.isChecked())

    def clear_errors(self) -> None:
        for label in (self.name_error, self.conditions_error, self.actions_error, self.rule_error):
            _say(label, "")
        for row in [*self.condition_rows, *self.action_rows]:
            row.show_error("")

    def show_error(self, exc: BaseException) -> None:
        """Put the store's message next to what it names."""
        part, index = place(exc)
        text = str(exc)
        rows = {"condition": self.condition_rows, "action": self.action_rows}.get(part)
        if rows is not None and index is not None and 0 <= index < len(rows):
            rows[index].show_error(text)
            return
        target = {"name": self.name_error, "conditions": self.conditions_error,
                  "actions": self.actions_error}.get(part, self.rule_error)
        _say(target, text)

    def validate(self) -> RuleInput | None:
        """The rule as the store normalizes it, or None with the error shown where it belongs."""
        self.clear_errors()
        try:
            with self.ctx.read() as session:
                return store.validate(session, self.ctx.actor, self.rule_input())
        except (store.RuleError, ValueError, PermissionError) as exc:
            self.show_error(exc)
            return None

    def save(self) -> int | None:
        if self.read_only or self.validate() is None:
            return None
        try:
            with self.ctx.write(*CHANGED_BY_SAVE) as session:
                rule_id = store.save_rule(session, self.ctx.actor, self.rule_input(), self.rule_id)
        except (store.RuleError, ValueError, PermissionError) as exc:
            self.show_error(exc)
            return None
        self.rule_id = rule_id
        self._loaded = self._shown = self.rule_input()
        self.title_label.setText(self._loaded.name)
        self.ctx.bus.status_message.emit(_("Rule saved: {name}").format(name=self._loaded.name))
        self.saved.emit(rule_id)
        return rule_id

    def dry_run(self) -> bool:
        """Start the dry run of the rule as it stands in the editor (saved or not)."""
        rule = self.validate()
        if rule is None:
            return False
        # Unchanged since loading: run the stored rule, so it runs with its author's rights.
        target: RuleInput | int = self.rule_id if self.rule_id is not None and self._loaded == self.rule_input() \
            else rule
        specs = {m.key: m for m in self.choices.measures}
        self.dry_run_panel.start(self.ctx.db, self.ctx.actor, target, specs, as_of=self.as_of)
        return True

    def has_changes(self) -> bool:
        return not self.read_only and self.rule_input() != self._shown

    def close_editor(self, ask: bool = True) -> bool:
        if ask and self.has_changes() and not confirm(
                self, _("Leave this rule without saving your changes?"), _("Rules")):
            return False
        self.dry_run_panel.cancel()
        self.closed.emit()
        return True
