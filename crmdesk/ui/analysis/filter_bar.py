"""The filter bar above the dashboard and every report: edits a ReportFilters.

Changes are debounced: ``filters_changed`` fires once the user has stopped
clicking for a moment, so a run of clicks starts one computation, not five.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import _
from crmdesk.reports.filters import ReportFilters
from crmdesk.ui.analysis.filter_choices import PRESETS, PRICE_BANDS, FilterChoices, preset_range, price_band
from crmdesk.ui.widgets.flow_layout import FlowLayout

DEBOUNCE_MS = 300
DEFAULT_PRESET = "last_12_months"


class _StayOpenMenu(QMenu):
    """Ticking several entries should not close the menu after each one."""

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class MultiChoiceButton(QToolButton):
    """A drop-down of checkable values; nothing ticked means "all"."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = _StayOpenMenu(self)
        self.setMenu(self._menu)
        self._actions: list[tuple[Any, QAction]] = []
        self.set_choices([])

    def set_choices(self, choices: Sequence[tuple[Any, str]]) -> None:
        """``choices`` is (value, shown text); ticks on values still offered survive."""
        kept = set(self.selected())
        self._menu.clear()
        all_action = self._menu.addAction(_("All"))
        all_action.triggered.connect(self.clear)
        self._menu.addSeparator()
        self._actions = []
        for value, text in choices:
            action = self._menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(value in kept)
            action.toggled.connect(self._on_toggled)
            self._actions.append((value, action))
        self.setEnabled(bool(choices))
        self._update_text()

    def selected(self) -> tuple[Any, ...]:
        return tuple(value for value, action in self._actions if action.isChecked())

    def set_selected(self, values: Sequence[Any]) -> None:
        wanted = set(values)
        for value, action in self._actions:
            with QSignalBlocker(action):
                action.setChecked(value in wanted)
        self._update_text()
        self.changed.emit()

    def clear(self) -> None:
        if self.selected():
            self.set_selected(())

    def _on_toggled(self, _checked: bool) -> None:
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        chosen = [action.text() for _value, action in self._actions if action.isChecked()]
        if not chosen:
            shown = _("All")
        elif len(chosen) <= 2:
            shown = "、".join(chosen)
        else:
            shown = _("{count} selected").format(count=len(chosen))
        self.setText(f"{self._label}: {shown}")
        self.setToolTip("\n".join(chosen) if chosen else "")


class FilterBar(QWidget):
    """Signals ``filters_changed(ReportFilters)`` (debounced)."""

    filters_changed = Signal(object)
    # False for a report about what has no branch (``ReportSpec.branches``): no branch picker.
    branch_filter_applies = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._anchor = dt.date.today()
        # Two rows: in one, nine controls would force the window wider than a shop PC's screen.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(4)
        layout = QHBoxLayout()
        choices = QWidget()
        choices_row = FlowLayout(choices)  # wraps on a narrow window instead of widening the page
        choices_row.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(layout)
        rows.addWidget(choices)

        self.preset = QComboBox()
        for key, label in PRESETS:
            self.preset.addItem(_(label), key)
        self.date_from = QDateEdit(calendarPopup=True)
        self.date_to = QDateEdit(calendarPopup=True)
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat("yyyy-MM-dd")
        layout.addWidget(QLabel(_("Period")))
        layout.addWidget(self.preset)
        layout.addWidget(self.date_from)
        layout.addWidget(QLabel("–"))
        layout.addWidget(self.date_to)

        self.categories = MultiChoiceButton(_("Category"))
        self.brands = MultiChoiceButton(_("Brand"))
        self.price = MultiChoiceButton(_("Price"))
        self.customer_types = MultiChoiceButton(_("Customer type"))
        self.grades = MultiChoiceButton(_("Grade"))
        self.territories = MultiChoiceButton(_("Territory"))
        self.salespeople = MultiChoiceButton(_("Salesperson"))
        self.branches = MultiChoiceButton(_("Branch"))
        self.branches.setVisible(False)  # a shop with one branch never sees it (``set_choices``)
        self.price.set_choices([(key, _(label)) for key, label, _lo, _hi in PRICE_BANDS])
        for button in self.choice_buttons():
            choices_row.addWidget(button)
            button.changed.connect(self._schedule)
        self.reset_button = QPushButton(_("Reset"))
        self.reset_button.setToolTip(_("Clear every filter"))
        self.reset_button.clicked.connect(self.reset)
        layout.addStretch(1)
        choices_row.addWidget(self.reset_button)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply_now)
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.date_from.dateChanged.connect(self._on_date_edited)
        self.date_to.dateChanged.connect(self._on_date_edited)
        self.set_preset(DEFAULT_PRESET, emit=False)

    def choice_buttons(self) -> list[MultiChoiceButton]:
        return [self.categories, self.brands, self.price, self.customer_types, self.grades, self.territories,
                self.salespeople, self.branches]

    # -- choices ----------------------------------------------------------------------------
    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the drop-downs; dates anchor on the newest order so presets cover real data."""
        before = self.filters()
        for button in self.choice_buttons():
            button.blockSignals(True)
        try:
            self.categories.set_choices([(c, c) for c in choices.categories])
            self.brands.set_choices([(b, b) for b in choices.brands])
            self.customer_types.set_choices(list(choices.customer_types))
            self.grades.set_choices([(g, g) for g in choices.grades])
            self.territories.set_choices(list(choices.territories))
            self.salespeople.set_choices(list(choices.salespeople))
            self.branches.set_choices(list(choices.branches))
            self.branches.setVisible(bool(choices.branches) and self.branch_filter_applies)
        finally:
            for button in self.choice_buttons():
                button.blockSignals(False)
        self._anchor = choices.newest_order_date or dt.date.today()
        self._apply_preset_dates()
        if self.filters() != before:
            self._schedule()

    # -- presets and dates ------------------------------------------------------------------
    def set_preset(self, key: str, emit: bool = True) -> None:
        index = self.preset.findData(key)
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(max(index, 0))
        self._apply_preset_dates()
        if emit:
            self._schedule()

    def set_range(self, date_from: dt.date, date_to: dt.date) -> None:
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(self.preset.findData("custom"))
        self._set_dates(date_from, date_to)
        self._apply_preset_dates()
        self._schedule()

    def _on_preset(self, _index: int = 0) -> None:
        self._apply_preset_dates()
        self._schedule()

    def _apply_preset_dates(self) -> None:
        key = self.preset.currentData()
        custom = key == "custom"
        if not custom:
            start, end = preset_range(key, self._anchor)
            self._set_dates(start, end)
        everything = key == "all"
        self.date_from.setEnabled(not everything)
        self.date_to.setEnabled(not everything)

    def _set_dates(self, start: dt.date | None, end: dt.date | None) -> None:
        with QSignalBlocker(self.date_from), QSignalBlocker(self.date_to):
            if start is not None:
                self.date_from.setDate(QDate(start.year, start.month, start.day))
            if end is not None:
                self.date_to.setDate(QDate(end.year, end.month, end.day))

    def _on_date_edited(self, _date: QDate) -> None:
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(self.preset.findData("custom"))
        self._schedule()

    # -- the value --------------------------------------------------------------------------
    def filters(self) -> ReportFilters:
        key = self.preset.currentData()
        if key == "all":
            start = end = None
        else:
            start = self.date_from.date().toPython()
            end = self.date_to.date().toPython()
            if start > end:
                start, end = end, start
        lows, highs = zip(*(price_band(k) for k in self.price.selected()), strict=False) if self.price.selected() \
            else ((), ())
        price_min = None if not lows or any(v is None for v in lows) else min(lows)
        price_max = None if not highs or any(v is None for v in highs) else max(highs)
        return ReportFilters(
            date_from=start,
            date_to=end,
            categories=tuple(self.categories.selected()),
            brands=tuple(self.brands.selected()),
            price_min=price_min,
            price_max=price_max,
            customer_types=tuple(self.customer_types.selected()),
            grades=tuple(self.grades.selected()),
            territory_ids=tuple(int(v) for v in self.territories.selected()),
            salesperson_ids=tuple(int(v) for v in self.salespeople.selected()),
            branch_ids=tuple(int(v) for v in self.branches.selected()),
        )

    def set_filters(self, f: ReportFilters) -> None:
        """Show ``f`` (another panel's filters) without announcing it; the caller computes next."""
        for button, values in ((self.categories, f.categories), (self.brands, f.brands),
                               (self.customer_types, f.customer_types), (self.grades, f.grades),
                               (self.territories, f.territory_ids), (self.salespeople, f.salesperson_ids),
                               (self.branches, f.branch_ids),
                               (self.price, _bands_within(f.price_min, f.price_max))):
            with QSignalBlocker(button):
                button.set_selected(values)
        preset = "all" if f.date_from is None and f.date_to is None else next(
            (key for key, _label in PRESETS if key not in ("all", "custom")
             and preset_range(key, self._anchor) == (f.date_from, f.date_to)), "custom")
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(self.preset.findData(preset))
        if preset == "custom":
            self._set_dates(f.date_from or f.date_to, f.date_to or f.date_from)
        self._apply_preset_dates()
        self._timer.stop()

    def describe(self) -> str:
        """One line for exports and window titles: the period and the active filters."""
        f = self.filters()
        period = _("all dates") if f.date_from is None else f"{f.date_from.isoformat()} – {f.date_to.isoformat()}"
        parts = [period] + [b.text() for b in self.choice_buttons() if b.selected()]
        return "; ".join(parts)

    def reset(self) -> None:
        for button in self.choice_buttons():
            button.blockSignals(True)
            button.set_selected(())
            button.blockSignals(False)
        self.set_preset(DEFAULT_PRESET)

    def _schedule(self) -> None:
        self._timer.start()

    def apply_now(self) -> None:
        """Emit the current filters at once (the debounce timer calls this)."""
        self._timer.stop()
        self.filters_changed.emit(self.filters())

    def pending(self) -> bool:
        return self._timer.isActive()



def _bands_within(low, high) -> tuple[str, ...]:
    """The price bands inside [low, high] (the bar turns ticked bands into one such range)."""
    if low is None and high is None:
        return ()
    return tuple(key for key, _label, band_low, band_high in PRICE_BANDS
                 if (low is None or (band_low is not None and band_low >= low))
                 and (high is None or (band_high is not None and band_high <= high)))
