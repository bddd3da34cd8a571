"""Add or edit one contact of a customer: name, role, any number of phones, emails and handles,
a birthday (with or without its year), primary, notes."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.services.contact_points import PointInput
from crmdesk.services.contacts import ContactInfo, ContactInput
from crmdesk.ui.customers.dialogs.points_editor import PointsEditor
from crmdesk.ui.widgets.ctrl_enter import CtrlEnterSaves

BIRTHDAY_MODES = (("none", N_("unknown")), ("date", N_("date")), ("month_day", N_("month and day only")))


class _BirthdayEdit(QWidget):
    """Unknown, a full date, or month and day only (a phone's ``--0203``: birthday reminders need
    nothing more, and no year is invented)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        for code, label in BIRTHDAY_MODES:
            self.mode.addItem(_(label), code)
        self.date_edit = QDateEdit()
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDate(QDate(1980, 1, 1))
        self.month_edit, self.day_edit = QSpinBox(), QSpinBox()
        self.month_edit.setRange(1, 12)
        self.day_edit.setRange(1, 31)
        self.month_edit.setSuffix(_(" month"))
        self.day_edit.setSuffix(_(" day"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.mode, self.date_edit, self.month_edit, self.day_edit):
            row.addWidget(w)
        row.addStretch(1)
        self.mode.currentIndexChanged.connect(self._show_mode)
        self._show_mode()

    def _show_mode(self) -> None:
        mode = self.mode.currentData()
        self.date_edit.setVisible(mode == "date")
        self.month_edit.setVisible(mode == "month_day")
        self.day_edit.setVisible(mode == "month_day")

    def load(self, c: ContactInfo) -> None:
        if c.birthday is not None:
            self.mode.setCurrentIndex(1)
            self.date_edit.setDate(QDate(c.birthday.year, c.birthday.month, c.birthday.day))
        elif c.birthday_month and c.birthday_day:
            self.mode.setCurrentIndex(2)
            self.month_edit.setValue(c.birthday_month)
            self.day_edit.setValue(c.birthday_day)
        else:
            self.mode.setCurrentIndex(0)

    def value(self) -> tuple[dt.date | None, int | None, int | None]:
        mode = self.mode.currentData()
        if mode == "date":
            d = self.date_edit.date()
            return dt.date(d.year(), d.month(), d.day()), None, None
        if mode == "month_day":
            return None, self.month_edit.value(), self.day_edit.value()
        return None, None, None


class ContactDialog(CtrlEnterSaves):
    def __init__(self, contact: ContactInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Edit contact") if contact else _("New contact"))
        self.name_edit = QLineEdit()
        self.role_edit = QLineEdit()
        self.points_editor = PointsEditor()
        self.birthday = _BirthdayEdit()
        self.primary_check = QCheckBox(_("Primary contact"))
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(60)
        self.save_on_ctrl_enter(self.notes_edit)

        form = QFormLayout()
        form.addRow(_("Name *"), self.name_edit)
        form.addRow(_("Role"), self.role_edit)
        form.addRow(_("Phones, emails, IM"), self.points_editor)
        form.addRow(_("Birthday"), self.birthday)
        form.addRow("", self.primary_check)
        form.addRow(_("Notes"), self.notes_edit)
        self.finish_layout(form, _("Insert adds a phone, Delete removes the row; Ctrl+Enter saves."))
        self.resize(560, 460)
        if contact:
            self.load(contact)
        else:  # a new contact starts with an empty mobile row: most contacts are one mobile number
            self.points_editor.set_points([PointInput("phone", "", "mobile", True)])

    def load(self, c: ContactInfo) -> None:
        self.name_edit.setText(c.name)
        self.role_edit.setText(c.role)
        self.points_editor.set_points(c.points)
        self.birthday.load(c)
        self.primary_check.setChecked(c.is_primary)
        self.notes_edit.setPlainText(c.notes)

    def problems(self) -> list[str]:
        out = [] if self.name_edit.text().strip() else [_("Contact name is required")]
        return out + self.points_editor.model.problems()

    def save(self) -> None:
        """Accepts only what the service would take; otherwise says what, by row, and stays open
        with everything typed."""
        problems = self.problems()
        if problems:
            QMessageBox.warning(self, self.windowTitle(), "\n".join(problems))
            return
        self.accept()

    def value(self) -> ContactInput:
        birthday, month, day = self.birthday.value()
        return ContactInput(
            name=self.name_edit.text().strip(), role=self.role_edit.text().strip(),
            points=self.points_editor.points(), birthday=birthday, birthday_month=month, birthday_day=day,
            is_primary=self.primary_check.isChecked(), notes=self.notes_edit.toPlainText().strip())
