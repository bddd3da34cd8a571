"""The parameters of each action kind as widgets picked from choices: who gets the task,
a title template with an "insert measure" menu, due days, priority; a grade; a tag; a
salesperson; an alert message; a case type, subject and priority.

Each panel has ``params()`` → the Action's params dict and ``set_params(dict)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QMenu, QSpinBox, QToolButton,
                               QWidget)

from crmdesk.i18n import _
from crmdesk.rules.catalog import ASSIGNEES
from crmdesk.ui.rules.choices import EditorChoices
from crmdesk.ui.rules.labels import PRIORITIES


def _combo(items: Sequence[tuple[Any, str]], editable: bool = False) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(editable)
    for value, label in items:
        combo.addItem(label, value)
    return combo


def _pick(combo: QComboBox, value: Any) -> None:
    i = combo.findData(value)
    if i >= 0:
        combo.setCurrentIndex(i)
    elif combo.isEditable() and value not in (None, ""):
        combo.setEditText(str(value))


def _priority_combo() -> QComboBox:
    combo = _combo([(p, _(label)) for p, label in PRIORITIES])
    _pick(combo, 2)
    return combo


class TemplateEdit(QWidget):
    """A line of text plus a menu that inserts ``{measure}`` placeholders at the cursor."""

    def __init__(self, placeholders: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.insert_button = QToolButton()
        self.insert_button.setText(_("Insert measure"))
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.insert_button)
        for key, label in placeholders:
            action = self.menu.addAction(f"{label}  {{{key}}}")
            action.setData(key)
            action.triggered.connect(lambda _c=False, k=key: self.insert(k))
        self.insert_button.setMenu(self.menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.insert_button)

    def insert(self, key: str) -> None:
        self.edit.insert("{" + key + "}")
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:  # noqa: N802 - mirrors QLineEdit
        self.edit.setText(text)


class ParamsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)

    def params(self) -> dict[str, Any]:
        raise NotImplementedError

    def set_params(self, params: dict[str, Any]) -> None:
        raise NotImplementedError


class TaskParams(ParamsPanel):
    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assignee_combo = _combo([(k, _(label)) for k, label in ASSIGNEES.items()])
        self.user_combo = _combo(choices.users)
        self.title_edit = TemplateEdit(choices.placeholders)
        self.title_edit.setText(_("Call {customer}"))
        self.due_spin = QSpinBox()
        self.due_spin.setRange(0, 365)
        self.due_spin.setValue(3)
        self.due_spin.setSuffix(_(" days"))
        self.priority_combo = _priority_combo()
        who = QHBoxLayout()
        who.addWidget(self.assignee_combo, 1)
        who.addWidget(self.user_combo, 1)
        self.form.addRow(_("For"), who)
        self.form.addRow(_("Title"), self.title_edit)
        self.form.addRow(_("Due in"), self.due_spin)
        self.form.addRow(_("Priority"), self.priority_combo)
        self.assignee_combo.currentIndexChanged.connect(self._sync_user)
        self._sync_user()

    def _sync_user(self, *_args) -> None:
        self.user_combo.setVisible(self.assignee_combo.currentData() == "user")

    def params(self) -> dict[str, Any]:
        assignee = self.assignee_combo.currentData()
        return {"assignee": assignee, "user_id": self.user_combo.currentData() if assignee == "user" else None,
                "title": self.title_edit.text(), "due_days": self.due_spin.value(),
                "priority": self.priority_combo.currentData()}

    def set_params(self, params: dict[str, Any]) -> None:
        _pick(self.assignee_combo, params.get("assignee", "owner"))
        _pick(self.user_combo, params.get("user_id"))
        self.title_edit.setText(str(params.get("title", "")))
        self.due_spin.setValue(int(params.get("due_days", 0) or 0))
        _pick(self.priority_combo, params.get("priority", 2))


class GradeParams(ParamsPanel):
    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grade_combo = _combo([(g, g) for g in choices.grades])
        self.form.addRow(_("Grade"), self.grade_combo)

    def params(self) -> dict[str, Any]:
        return {"grade": self.grade_combo.currentData()}

    def set_params(self, params: dict[str, Any]) -> None:
        _pick(self.grade_combo, params.get("grade"))


class TagParams(ParamsPanel):
    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Editable: a rule may bring a new tag into use ("流失预警"); it is a name, never code.
        self.tag_combo = _combo([(t, t) for t in choices.tags], editable=True)
        self.form.addRow(_("Tag"), self.tag_combo)

    def params(self) -> dict[str, Any]:
        return {"tag": self.tag_combo.currentText().strip()}

    def set_params(self, params: dict[str, Any]) -> None:
        _pick(self.tag_combo, params.get("tag"))


class AssignParams(ParamsPanel):
    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_combo = _combo(choices.users)
        self.form.addRow(_("Salesperson"), self.user_combo)

    def params(self) -> dict[str, Any]:
        return {"user_id": self.user_combo.currentData()}

    def set_params(self, params: dict[str, Any]) -> None:
        _pick(self.user_combo, params.get("user_id"))


class AlertParams(ParamsPanel):
    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_edit = TemplateEdit(choices.placeholders)
        self.form.addRow(_("Message"), self.message_edit)

    def params(self) -> dict[str, Any]:
        return {"message": self.message_edit.text()}

    def set_params(self, params: dict[str, Any]) -> None:
        self.message_edit.setText(str(params.get("message", "")))


class CaseParams(ParamsPanel):
    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.type_combo = _combo([(code, _(name)) for code, name in choices.case_types])
        self.subject_edit = TemplateEdit(choices.placeholders)
        self.priority_combo = _priority_combo()
        self.form.addRow(_("Case type"), self.type_combo)
        self.form.addRow(_("Subject"), self.subject_edit)
        self.form.addRow(_("Priority"), self.priority_combo)

    def params(self) -> dict[str, Any]:
        return {"case_type": self.type_combo.currentData(), "subject": self.subject_edit.text(),
                "priority": self.priority_combo.currentData()}

    def set_params(self, params: dict[str, Any]) -> None:
        _pick(self.type_combo, params.get("case_type"))
        self.subject_edit.setText(str(params.get("subject", "")))
        _pick(self.priority_combo, params.get("priority", 2))


PANELS: dict[str, type[ParamsPanel]] = {
    "task": TaskParams, "set_grade": GradeParams, "add_tag": TagParams, "assign": AssignParams,
    "alert": AlertParams, "case": CaseParams,
}
