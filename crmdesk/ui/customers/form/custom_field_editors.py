"""An editor widget per custom field type. Every editor speaks text: it shows the
value formatted for display and hands back what the user entered; the service
parses and validates (and names the field when a value does not fit)."""

from __future__ import annotations

from collections.abc import Callable

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCalendarWidget, QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QMenu, QToolButton,
                               QWidget, QWidgetAction)

from crmdesk.core.cells import parse_one_date
from crmdesk.i18n import _
from crmdesk.services.custom_fields import FieldInfo

TRUE_TEXTS = {"1", "true", "yes", "y", "是", "√", "✓"}


class FieldEditor:
    """Wraps one widget: ``widget``, ``text()``, ``set_text()``, and ``on_change(cb)``."""

    def __init__(self, info: FieldInfo, widget: QWidget, get: Callable[[], str], put: Callable[[str], None],
                 signal) -> None:
        self.info = info
        self.widget = widget
        self._get = get
        self._put = put
        self._signal = signal
        widget.setObjectName(f"custom_field_{info.key}")

    def text(self) -> str:
        return self._get()

    def set_text(self, text: str) -> None:
        self.widget.blockSignals(True)
        try:
            self._put(text or "")
        finally:
            self.widget.blockSignals(False)

    def on_change(self, callback: Callable[[], None]) -> None:
        self._signal.connect(lambda *_a: callback())

    def mark_invalid(self, invalid: bool) -> None:
        self.widget.setStyleSheet("border: 1px solid #c0392b;" if invalid else "")


def _line_edit(info: FieldInfo, numeric: bool = False) -> FieldEditor:
    edit = QLineEdit()
    if numeric:
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        # Only a hint: intermediate text stays allowed so the service can name a bad value.
        edit.setPlaceholderText(_("a number"))
    return FieldEditor(info, edit, lambda: edit.text().strip(), edit.setText, edit.textEdited)


class DateField(QWidget):
    """A date typed as text (2026-12-01, 2026/12/1, 20261201, 2026年12月1日 …) or picked from a
    calendar. What was typed is handed to the service untouched, which stores it or refuses it
    naming the field — a QDateEdit instead turned "2026-12-01" into "20261201" and then nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setToolTip(_("Pick a date"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        menu = QMenu(self.button)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        menu.aboutToShow.connect(self._open_at_typed_date)
        self.button.setMenu(menu)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)

    def typed_date(self) -> dt.date | None:
        try:
            return parse_one_date(self.edit.text())
        except ValueError:
            return None

    def _open_at_typed_date(self) -> None:
        day = self.typed_date() or dt.date.today()  # an empty field opens at today, not 1900
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _picked(self, date: QDate) -> None:
        self.edit.setText(date.toString("yyyy-MM-dd"))
        self.edit.textEdited.emit(self.edit.text())
        self.button.menu().hide()


def _date_edit(info: FieldInfo) -> FieldEditor:
    field = DateField()
    return FieldEditor(info, field, lambda: field.edit.text().strip(), lambda text: field.edit.setText(text[:10]),
                       field.edit.textEdited)


def _choice_edit(info: FieldInfo) -> FieldEditor:
    combo = QComboBox()
    combo.addItem("", "")
    for choice in info.choices:
        combo.addItem(choice, choice)

    def put(text: str) -> None:
        pos = combo.findData(text)
        if pos < 0 and text:  # a stored value no longer among the choices stays visible
            combo.addItem(text, text)
            pos = combo.count() - 1
        combo.setCurrentIndex(max(pos, 0))

    return FieldEditor(info, combo, lambda: combo.currentData() or "", put, combo.currentIndexChanged)


def _bool_edit(info: FieldInfo) -> FieldEditor:
    check = QCheckBox()
    return FieldEditor(info, check, lambda: "1" if check.isChecked() else "0",
                       lambda text: check.setChecked(text.strip().lower() in TRUE_TEXTS), check.toggled)


def make_editor(info: FieldInfo) -> FieldEditor:
    kind = info.field_type
    if kind == "date":
        return _date_edit(info)
    if kind == "choice":
        return _choice_edit(info)
    if kind == "bool":
        return _bool_edit(info)
    if kind in ("number", "money"):
        editor = _line_edit(info, numeric=True)
        if kind == "money":
            editor.widget.setPlaceholderText(_("yuan"))
        return editor
    return _line_edit(info)

