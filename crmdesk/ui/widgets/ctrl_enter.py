"""Ctrl+Enter saves a quick-entry dialog from anywhere in it, the multi-line text box included
(which would otherwise take it as a new line). A QShortcut would wait for the window to be
active; a key typed into a field must save at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLayout, QVBoxLayout, QWidget


def is_ctrl_enter(event: QEvent) -> bool:
    return (event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))


class CtrlEnterSaves(QDialog):
    """A dialog whose ``save()`` runs on Ctrl+Enter; ``save_on_ctrl_enter(text_box)`` for its
    multi-line boxes."""

    def save(self) -> None:  # pragma: no cover - each dialog defines it
        raise NotImplementedError

    def finish_layout(self, form: QLayout, hint: str) -> QDialogButtonBox:
        """The dialog's body: ``form``, a grey ``hint`` line and Save/Cancel (Save the default),
        with Ctrl+Enter saving wherever the focus is."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        label = QLabel(hint)
        label.setStyleSheet("color: #777;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(label)
        layout.addWidget(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save, context=Qt.ShortcutContext.WindowShortcut)
        return buttons

    def save_on_ctrl_enter(self, *boxes: QWidget) -> None:
        self._ctrl_enter_boxes = set(boxes)
        for box in boxes:
            box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched in getattr(self, "_ctrl_enter_boxes", ()) and is_ctrl_enter(event):
            self.save()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if is_ctrl_enter(event):
            self.save()
            return
        super().keyPressEvent(event)
