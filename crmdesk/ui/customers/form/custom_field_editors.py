"""An editor widget per custom field type. Every editor speaks text: it shows the
value formatted for display and hands back what the user entered; the service
parses and validates (and names the field when a value does not fit)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit, QWidget

from crmdesk.i18n import _
from crmdesk.services.custom_fields import FieldInfo

TRUE_TEXTS = {"1", "true", "yes", "y", "是", "√", "✓"}
_EMPTY_DATE = QDate(1900, 1, 1)


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


def _date_edit(info: FieldInfo) -> FieldEditor:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(_EMPTY_DATE)
    edit.setSpecialValueText(" ")  # the minimum date shows as empty: "no date"

    def get() -> str:
        d = edit.date()
        return "" if d == _EMPTY_DATE else d.toString("yyyy-MM-dd")

    def put(text: str) -> None:
        d = QDate.fromString(text[:10], "yyyy-MM-dd") if text else QDate()
        edit.setDate(d if d.isValid() else _EMPTY_DATE)

    return FieldEditor(info, edit, get, put, edit.dateChanged)


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

