"""Add or edit one contact of a customer."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import _
from crmdesk.services.contacts import ContactInfo, ContactInput


class ContactDialog(QDialog):
    def __init__(self, contact: ContactInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Edit contact") if contact else _("New contact"))
        self.name_edit = QLineEdit()
        self.role_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.mobile_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.wechat_edit = QLineEdit()
        self.birthday_check = QCheckBox(_("known"))
        self.birthday_edit = QDateEdit()
        self.birthday_edit.setDisplayFormat("yyyy-MM-dd")
        self.birthday_edit.setCalendarPopup(True)
        self.birthday_edit.setDate(QDate(1980, 1, 1))
        self.birthday_edit.setEnabled(False)
        self.birthday_check.toggled.connect(self.birthday_edit.setEnabled)
        self.primary_check = QCheckBox(_("Primary contact"))
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(60)

        form = QFormLayout()
        form.addRow(_("Name *"), self.name_edit)
        form.addRow(_("Role"), self.role_edit)
        form.addRow(_("Phone"), self.phone_edit)
        form.addRow(_("Mobile"), self.mobile_edit)
        form.addRow(_("Email"), self.email_edit)
        form.addRow(_("WeChat id"), self.wechat_edit)
        birthday = QHBoxLayout()
        birthday.addWidget(self.birthday_check)
        birthday.addWidget(self.birthday_edit, 1)
        form.addRow(_("Birthday"), birthday)
        form.addRow("", self.primary_check)
        form.addRow(_("Notes"), self.notes_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if contact:
            self.load(contact)

    def load(self, c: ContactInfo) -> None:
        self.name_edit.setText(c.name)
        self.role_edit.setText(c.role)
        self.phone_edit.setText(c.phone)
        self.mobile_edit.setText(c.mobile)
        self.email_edit.setText(c.email)
        self.wechat_edit.setText(c.wechat)
        self.birthday_check.setChecked(c.birthday is not None)
        if c.birthday:
            self.birthday_edit.setDate(QDate(c.birthday.year, c.birthday.month, c.birthday.day))
        self.primary_check.setChecked(c.is_primary)
        self.notes_edit.setPlainText(c.notes)

    def value(self) -> ContactInput:
        birthday: dt.date | None = None
        if self.birthday_check.isChecked():
            d = self.birthday_edit.date()
            birthday = dt.date(d.year(), d.month(), d.day())
        return ContactInput(
            name=self.name_edit.text().strip(), role=self.role_edit.text().strip(),
            phone=self.phone_edit.text().strip(), mobile=self.mobile_edit.text().strip(),
            email=self.email_edit.text().strip(), wechat=self.wechat_edit.text().strip(), birthday=birthday,
            is_primary=self.primary_check.isChecked(), notes=self.notes_edit.toPlainText().strip())
