"""The row of filters above the customer list: type, grade, status, territory,
salesperson, tag, incomplete stubs, overdue balance, archived, and one custom
field value. It only edits a ``CustomerQuery``; the page runs it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from crmdesk.i18n import _
from crmdesk.services.custom_fields import TypeInfo
from crmdesk.services.customer_query import CustomerQuery, ListOptions
from crmdesk.ui.widgets.flow_layout import FlowLayout, flow_group

_ALL = None  # the "any" entry's data


def _fill(combo: QComboBox, items: Sequence[tuple[object, str]], any_label: str) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(any_label, _ALL)
    for value, label in items:
        combo.addItem(label, value)
    pos = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(pos, 0))
    combo.blockSignals(False)


def _select(combo: QComboBox, values: Sequence[object]) -> None:
    pos = combo.findData(values[0]) if values else 0
    combo.setCurrentIndex(max(pos, 0))


class FilterBar(QWidget):
    """Emits ``changed`` whenever a filter changes (the custom value after a short pause)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self)  # wraps on a narrow window instead of widening the page
        layout.setContentsMargins(0, 0, 0, 0)
        self.type_combo = QComboBox()
        self.grade_combo = QComboBox()
        self.status_combo = QComboBox()
        self.territory_combo = QComboBox()
        self.owner_combo = QComboBox()
        self.tag_combo = QComboBox()
        self.field_combo = QComboBox()
        self.field_value = QLineEdit()
        self.field_value.setPlaceholderText(_("value"))
        self.field_value.setMaximumWidth(120)
        self.incomplete_check = QCheckBox(_("Incomplete"))
        self.incomplete_check.setToolTip(_("Customers created as stubs by an import"))
        self.overdue_check = QCheckBox(_("Overdue balance"))
        self.archived_check = QCheckBox(_("Show archived"))
        for combo in (self.type_combo, self.grade_combo, self.status_combo, self.territory_combo,
                      self.owner_combo, self.tag_combo):
            layout.addWidget(combo)
            combo.currentIndexChanged.connect(self.changed)
        layout.addWidget(flow_group(QLabel(_("Field:")), self.field_combo, self.field_value))
        for check in (self.incomplete_check, self.overdue_check, self.archived_check):
            layout.addWidget(check)
            check.toggled.connect(self.changed)
        self._value_timer = QTimer(self)
        self._value_timer.setSingleShot(True)
        self._value_timer.setInterval(300)
        self._value_timer.timeout.connect(self.changed)
        self.field_value.textEdited.connect(lambda _t: self._value_timer.start())
        self.field_combo.currentIndexChanged.connect(self._on_field_changed)
        self.set_options(ListOptions([], [], [], [], [], [], []), [])

    def set_options(self, options: ListOptions, types: Sequence[TypeInfo]) -> None:
        _fill(self.type_combo, [(o.value, o.label) for o in options.types], _("All types"))
        _fill(self.grade_combo, [(g, g) for g in options.grades], _("All grades"))
        _fill(self.status_combo, [(o.value, o.label) for o in options.statuses], _("All statuses"))
        _fill(self.territory_combo, [(o.value, o.label) for o in options.territories], _("All territories"))
        _fill(self.owner_combo, [(o.value, o.label) for o in options.owners], _("All salespeople"))
        _fill(self.tag_combo, [(t, t) for t in options.tags], _("All tags"))
        fields = [(f.id, f"{t.name}: {f.label}") for t in types for f in t.fields]
        _fill(self.field_combo, fields, _("(none)"))
        self.field_value.setEnabled(self.field_combo.currentData() is not None)

    def _on_field_changed(self) -> None:
        self.field_value.setEnabled(self.field_combo.currentData() is not None)
        if self.field_value.text():
            self.changed.emit()

    def apply_to(self, query: CustomerQuery) -> CustomerQuery:
        """Copy the bar's filters into ``query`` (text and sort are the page's)."""

        def one(combo: QComboBox) -> list:
            value = combo.currentData()
            return [] if value is None else [value]

        query.type_codes = one(self.type_combo)
        query.grades = one(self.grade_combo)
        query.statuses = one(self.status_combo)
        query.territory_ids = one(self.territory_combo)
        query.owner_ids = one(self.owner_combo)
        query.tags = one(self.tag_combo)
        query.incomplete_only = self.incomplete_check.isChecked()
        query.overdue_only = self.overdue_check.isChecked()
        query.include_archived = self.archived_check.isChecked()
        field_id = self.field_combo.currentData()
        value = self.field_value.text().strip()
        query.custom_fields = {int(field_id): value} if field_id is not None and value else {}
        return query

    def load(self, query: CustomerQuery) -> None:
        """Show a saved query's filters without emitting ``changed`` for each widget."""
        self.blockSignals(True)
        try:
            _select(self.type_combo, query.type_codes)
            _select(self.grade_combo, query.grades)
            _select(self.status_combo, query.statuses)
            _select(self.territory_combo, query.territory_ids)
            _select(self.owner_combo, query.owner_ids)
            _select(self.tag_combo, query.tags)
            self.incomplete_check.setChecked(query.incomplete_only)
            self.overdue_check.setChecked(query.overdue_only)
            self.archived_check.setChecked(query.include_archived)
            if query.custom_fields:
                field_id, value = next(iter(query.custom_fields.items()))
                _select(self.field_combo, [int(field_id)])
                self.field_value.setText(str(value))
            else:
                self.field_combo.setCurrentIndex(0)
                self.field_value.clear()
        finally:
            self.blockSignals(False)
