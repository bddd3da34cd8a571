"""Small dialogs of the Service page: closing a case (satisfaction 1–5, required, and the
customer's feedback) and picking whom a case goes to."""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QPlainTextEdit, QRadioButton, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.services.case_detail import Choice


class CloseCaseDialog(QDialog):
    """Save stays disabled until a score is chosen (keys 1–5 choose it too)."""

    def __init__(self, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Close case {number}").format(number=number))
        self.group = QButtonGroup(self)
        scores = QHBoxLayout()
        for score in range(1, 6):
            button = QRadioButton(f"&{score}")
            self.group.addButton(button, score)
            scores.addWidget(button)
        scores.addStretch(1)
        self.feedback_edit = QPlainTextEdit()
        self.feedback_edit.setTabChangesFocus(True)
        self.feedback_edit.setPlaceholderText(_("What the customer said"))
        self.feedback_edit.setFixedHeight(90)
        form = QFormLayout()
        form.addRow(_("Satisfaction (1 = very unhappy, 5 = very happy)"), scores)
        form.addRow(_("Feedback"), self.feedback_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.group.idToggled.connect(lambda *_a: self.save_button.setEnabled(self.satisfaction is not None))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        note = QLabel(_("The case closes with the customer's score; it can be reopened later."))
        note.setStyleSheet("color: #777;")
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    @property
    def satisfaction(self) -> int | None:
        score = self.group.checkedId()
        return score if score > 0 else None

    @property
    def feedback(self) -> str:
        return self.feedback_edit.toPlainText().strip()


class AssignDialog(QDialog):
    def __init__(self, users: list[Choice], current: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Assign case"))
        self.combo = QComboBox()
        self.combo.addItem(_("(unassigned)"), None)
        for u in users:
            self.combo.addItem(u.label, u.id)
        pos = self.combo.findData(current)
        self.combo.setCurrentIndex(max(0, pos))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("Assign to"), self.combo)
        form.addRow(buttons)

    @property
    def user_id(self) -> int | None:
        return self.combo.currentData()
