"""The Pipeline page's filters (owner, stage, expected close, amount, customer type,
territory); the board and the list both show what they select."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QPushButton, QWidget

from crmdesk.i18n import _
from crmdesk.money import to_units
from crmdesk.services.opportunity_board import BoardFilter, StageInfo
from crmdesk.services.opportunity_choices import Choices
from crmdesk.ui.widgets.flow_layout import FlowLayout, flow_group

NO_DATE = QDate(2000, 1, 1)


def _combo(all_text: str, items: list[tuple[int, str]]) -> QComboBox:
    combo = QComboBox()
    combo.addItem(all_text, None)
    for key, text in items:
        combo.addItem(text, key)
    return combo


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(_("any"))
    edit.setDate(NO_DATE)
    return edit


def _money(text: str) -> int | None:
    text = text.strip().replace(",", "").replace("¥", "")
    if not text:
        return None
    try:
        return to_units(text)
    except ValueError:
        return None


class PipelineFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.owner = _combo(_("All owners"), [])
        self.stage = _combo(_("All stages"), [])
        self.customer_type = _combo(_("All customer types"), [])
        self.territory = _combo(_("All territories"), [])
        self.close_from = _date_edit()
        self.close_to = _date_edit()
        self.amount_min = QLineEdit()
        self.amount_min.setPlaceholderText(_("min ¥"))
        self.amount_max = QLineEdit()
        self.amount_max.setPlaceholderText(_("max ¥"))
        for edit in (self.amount_min, self.amount_max):
            edit.setMaximumWidth(90)
        self.clear_button = QPushButton(_("Clear filters"))
        layout = FlowLayout(self)  # wraps on a 1024-pixel screen instead of widening the page
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.owner, self.stage, self.customer_type, self.territory):
            layout.addWidget(w)
        layout.addWidget(flow_group(QLabel(_("Expected close")), self.close_from, QLabel("–"), self.close_to))
        layout.addWidget(flow_group(QLabel(_("Amount")), self.amount_min, QLabel("–"), self.amount_max))
        layout.addWidget(self.clear_button)
        for combo in (self.owner, self.stage, self.customer_type, self.territory):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for edit in (self.close_from, self.close_to):
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        for edit in (self.amount_min, self.amount_max):
            edit.editingFinished.connect(self.changed.emit)
        self.clear_button.clicked.connect(self.clear)

    def set_choices(self, choices: Choices, stages: list[StageInfo]) -> None:
        for combo, items in ((self.owner, choices.owners), (self.customer_type, choices.customer_types),
                             (self.territory, choices.territories),
                             (self.stage, [(s.id, s.name) for s in stages])):
            keep = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for key, text in items:
                combo.addItem(text, key)
            found = combo.findData(keep)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)

    def clear(self) -> None:
        widgets = (self.owner, self.stage, self.customer_type, self.territory, self.close_from, self.close_to,
                   self.amount_min, self.amount_max)
        for w in widgets:
            w.blockSignals(True)
        for combo in (self.owner, self.stage, self.customer_type, self.territory):
            combo.setCurrentIndex(0)
        self.close_from.setDate(NO_DATE)
        self.close_to.setDate(NO_DATE)
        self.amount_min.clear()
        self.amount_max.clear()
        for w in widgets:
            w.blockSignals(False)
        self.changed.emit()

    @staticmethod
    def _date(edit: QDateEdit) -> dt.date | None:
        return None if edit.date() == NO_DATE else edit.date().toPython()

    def value(self) -> BoardFilter:
        return BoardFilter(owner_id=self.owner.currentData(), stage_id=self.stage.currentData(),
                           close_from=self._date(self.close_from), close_to=self._date(self.close_to),
                           amount_min=_money(self.amount_min.text()), amount_max=_money(self.amount_max.text()),
                           customer_type_id=self.customer_type.currentData(),
                           territory_id=self.territory.currentData())
