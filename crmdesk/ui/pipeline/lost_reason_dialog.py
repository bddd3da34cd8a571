"""Asks why an opportunity was lost: a choice from the editable list, or a typed reason."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from crmdesk.i18n import _


class LostReasonDialog(QDialog):
    def __init__(self, reasons: list[str], opportunity: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Lost – why?"))
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems(reasons)
        self.combo.setCurrentIndex(-1 if not reasons else 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if opportunity:
            layout.addWidget(QLabel(opportunity))
        layout.addWidget(QLabel(_("Why was it lost?")))
        layout.addWidget(self.combo)
        layout.addWidget(buttons)

    def reason(self) -> str:
        return self.combo.currentText().strip()

    def _accept(self) -> None:
        if self.reason():
            self.accept()


def ask_lost_reason(parent: QWidget | None, reasons: list[str], opportunity: str = "") -> str | None:
    """The reason, or None when cancelled (tests replace this function)."""
    dialog = LostReasonDialog(reasons, opportunity, parent)
    return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None
