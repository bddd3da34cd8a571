"""One condition of a rule: measure (grouped customer fields / measures / custom fields)
→ an operator the measure allows → a value editor that fits the measure's kind. A rule
has a handful of these, so a widget per row is fine here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QToolButton, QWidget

from crmdesk.i18n import _
from crmdesk.rules.catalog import op_label
from crmdesk.rules.model import Condition, MeasureSpec
from crmdesk.ui.rules.labels import GROUP_ORDER, group_label
from crmdesk.ui.rules.value_editors import ValueEditor, make_value_editor

ERROR_STYLE = "color: #c0392b;"


def measure_combo(specs: Sequence[MeasureSpec]) -> QComboBox:
    """A combo of measures under group headings that cannot be picked."""
    combo = QComboBox()
    model = QStandardItemModel(combo)
    bold = QFont()
    bold.setBold(True)
    for group in (*GROUP_ORDER, *sorted({s.group for s in specs} - set(GROUP_ORDER))):
        members = [s for s in specs if s.group == group]
        if not members:
            continue
        heading = QStandardItem(group_label(group))
        heading.setFlags(Qt.ItemFlag.NoItemFlags)
        heading.setFont(bold)
        model.appendRow(heading)
        for spec in members:
            item = QStandardItem(spec.label)
            item.setData(spec.key, Qt.ItemDataRole.UserRole)
            if spec.help:
                item.setToolTip(spec.help)
            model.appendRow(item)
    combo.setModel(model)
    combo.setMaxVisibleItems(24)
    return combo


class ConditionRow(QWidget):
    """``condition()`` → Condition; ``set_condition``; ``remove_requested``; ``show_error(text)``."""

    remove_requested = Signal(object)
    changed = Signal()

    def __init__(self, specs: Sequence[MeasureSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._specs = {s.key: s for s in specs}
        self._read_only = False
        self.measure_combo = measure_combo(specs)
        self.op_combo = QComboBox()
        self.value_editor: ValueEditor = make_value_editor(specs[0], "is_empty")
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(_("Remove this condition"))
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.addWidget(self.measure_combo, 0, 0)
        self._layout.addWidget(self.op_combo, 0, 1)
        self._layout.addWidget(self.value_editor.widget, 0, 2)
        self._layout.addWidget(self.remove_button, 0, 3)
        self._layout.addWidget(self.error_label, 1, 0, 1, 4)
        self._layout.setColumnStretch(0, 3)
        self._layout.setColumnStretch(1, 2)
        self._layout.setColumnStretch(2, 3)
        self.measure_combo.currentIndexChanged.connect(self._on_measure)
        self.op_combo.currentIndexChanged.connect(self._on_op)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self._select_first_measure()

    # -- building --------------------------------------------------------------------------------
    def _select_first_measure(self) -> None:
        for row in range(self.measure_combo.count()):
            if self.measure_combo.itemData(row, Qt.ItemDataRole.UserRole):
                self.measure_combo.setCurrentIndex(row)
                self._on_measure()
                return

    def spec(self) -> MeasureSpec | None:
        return self._specs.get(self.measure_combo.currentData(Qt.ItemDataRole.UserRole))

    def _on_measure(self, *_args) -> None:
        spec = self.spec()
        if spec is None:  # a heading: step on to its first measure
            self._select_first_measure()
            return
        keep = self.op_combo.currentData()
        self.op_combo.blockSignals(True)
        self.op_combo.clear()
        for op in spec.ops:
            self.op_combo.addItem(op_label(op), op)
        self.op_combo.setCurrentIndex(max(0, self.op_combo.findData(keep)))
        self.op_combo.blockSignals(False)
        self.measure_combo.setToolTip(spec.help)
        self._on_op()

    def _on_op(self, *_args) -> None:
        spec = self.spec()
        if spec is None:
            return
        old = self.value_editor
        editor = make_value_editor(spec, self.op_combo.currentData() or "")
        self._layout.replaceWidget(old.widget, editor.widget)
        old.widget.hide()  # deleteLater waits for the event loop; until then it must not show
        old.widget.deleteLater()
        editor.widget.setEnabled(not self._read_only)
        self.value_editor = editor
        editor.on_change(self._changed)
        self._changed()

    def _changed(self) -> None:
        self.show_error("")
        self.changed.emit()

    # -- values ----------------------------------------------------------------------------------
    def select_measure(self, key: str) -> bool:
        for row in range(self.measure_combo.count()):
            if self.measure_combo.itemData(row, Qt.ItemDataRole.UserRole) == key:
                self.measure_combo.setCurrentIndex(row)
                return True
        return False

    def select_op(self, op: str) -> bool:
        i = self.op_combo.findData(op)
        if i >= 0:
            self.op_combo.setCurrentIndex(i)
        return i >= 0

    def condition(self) -> Condition:
        spec = self.spec()
        return Condition(spec.key if spec else "", self.op_combo.currentData() or "", self.value_editor.value())

    def set_condition(self, condition: Condition) -> None:
        if not self.select_measure(condition.measure):
            self.show_error(_("Unknown measure {key}").format(key=condition.measure))
            return
        self.select_op(condition.op)
        self.value_editor.set_value(condition.value)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for w in (self.measure_combo, self.op_combo, self.value_editor.widget):
            w.setEnabled(not read_only)
        self.remove_button.setVisible(not read_only)

    def value(self) -> Any:
        return self.value_editor.value()
