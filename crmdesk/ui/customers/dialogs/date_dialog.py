"""Pick a date from a calendar (reschedule a follow-up)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCalendarWidget, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from crmdesk.i18n import _


class DateDialog(QDialog):
    def __init__(self, title: str, prompt: str, initial: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        start = initial or dt.date.today()
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.calendar.activated.connect(lambda _d: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    def date(self) -> dt.date:
        return self.calendar.selectedDate().toPython()


def ask_date(parent: QWidget | None, initial: dt.date | None = None, title: str | None = None,
             prompt: str | None = None) -> dt.date | None:
    """The chosen date (by default: a task's new due date), or None when cancelled."""
    dialog = DateDialog(title or _("Reschedule"), prompt or _("New due date:"), initial, parent)
    return dialog.date() if dialog.exec() == QDialog.DialogCode.Accepted else None
