"""The value half of a condition row: one editor per measure kind and operator, each
built from choices (spin boxes, combos, a checklist, a date), never a typed expression.

Every editor hands back a plain JSON value (number, text, ISO date, list) and takes one,
so a rule loaded from the store shows exactly what was saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDoubleSpinBox, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QSpinBox, QWidget)

from crmdesk.i18n import _
from crmdesk.rules.model import MeasureSpec

LIST_OPS = ("in", "not_in")
NO_VALUE_OPS = ("is_empty", "not_empty")

# kind → (decimals, minimum, maximum, suffix); money is in yuan, percent in percent points.
_SPIN: dict[str, tuple[int, float, float, str]] = {
    "number": (2, -1e9, 1e9, ""),
    "money": (2, -1e10, 1e10, ""),
    "percent": (1, -1000.0, 100000.0, " %"),
    "ratio": (1, 0.0, 1000.0, " ×"),
}


class ValueEditor:
    """Wraps one widget: ``value()``, ``set_value(v)`` and ``on_change(cb)``."""

    def __init__(self, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None], signal=None) -> None:
        self.widget = widget
        self._get = get
        self._put = put
        self._signal = signal
        widget.setObjectName("condition_value")

    def value(self) -> Any:
        return self._get()

    def set_value(self, value: Any) -> None:
        if value is not None:
            self._put(value)

    def on_change(self, callback: Callable[[], None]) -> None:
        if self._signal is not None:
            self._signal.connect(lambda *_a: callback())


def _number(x: Any, default: float = 0.0) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def _spin(kind: str) -> ValueEditor:
    if kind == "days":
        box = QSpinBox()
        box.setRange(0, 100_000)
        box.setSuffix(_(" days"))
        return ValueEditor(box, box.value, lambda v: box.setValue(int(_number(v))), box.valueChanged)
    decimals, low, high, suffix = _SPIN.get(kind, _SPIN["number"])
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    box.setRange(low, high)
    box.setGroupSeparatorShown(kind == "money")
    if kind == "money":
        box.setPrefix("¥ ")
    if suffix:
        box.setSuffix(suffix)

    def get() -> float | int:
        v = round(box.value(), decimals)
        return int(v) if v == int(v) else v

    return ValueEditor(box, get, lambda v: box.setValue(_number(v)), box.valueChanged)


def _combo(choices: Sequence[tuple[Any, str]]) -> ValueEditor:
    combo = QComboBox()
    for value, label in choices:
        combo.addItem(label, value)

    def put(v: Any) -> None:
        i = combo.findData(v)
        combo.setCurrentIndex(i if i >= 0 else combo.currentIndex())

    return ValueEditor(combo, combo.currentData, put, combo.currentIndexChanged)


class CheckList(QListWidget):
    """Several of a measure's choices, each ticked or not."""

    def __init__(self, choices: Sequence[tuple[Any, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for value, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMaximumHeight(86)

    def checked(self) -> list[Any]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, values: Sequence[Any]) -> None:
        wanted = list(values or ())
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)

    def check(self, value: Any, on: bool = True) -> bool:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == value:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return True
        return False


def _checklist(choices: Sequence[tuple[Any, str]]) -> ValueEditor:
    box = CheckList(choices)
    return ValueEditor(box, box.checked, lambda v: box.set_checked(v if isinstance(v, list) else [v]),
                       box.itemChanged)


def _text() -> ValueEditor:
    edit = QLineEdit()
    return ValueEditor(edit, lambda: edit.text().strip(), lambda v: edit.setText(str(v)), edit.textEdited)


def _date() -> ValueEditor:
    edit = QDateEdit(QDate.currentDate())
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)

    def put(v: Any) -> None:
        try:
            edit.setDate(QDate(dt.date.fromisoformat(str(v)[:10])))
        except ValueError:
            pass

    return ValueEditor(edit, lambda: edit.date().toPython().isoformat(), put, edit.dateChanged)


def _nothing() -> ValueEditor:
    return ValueEditor(QLabel(""), lambda: None, lambda _v: None)


def make_value_editor(spec: MeasureSpec, op: str) -> ValueEditor:
    """The editor that fits ``spec.kind`` under operator ``op``."""
    if op in NO_VALUE_OPS:
        return _nothing()
    if spec.kind in ("choice", "multi") or (spec.choices and spec.kind not in _SPIN and spec.kind != "days"):
        return _checklist(spec.choices) if op in LIST_OPS else _combo(spec.choices)
    if op in LIST_OPS:  # a list of free values has no choice to pick from: one per line is still typing
        return _text()
    if spec.kind in _SPIN or spec.kind == "days":
        return _spin(spec.kind)
    if spec.kind == "date":
        return _date()
    return _text()
