"""A KPI tile: the figure, and its change against the previous period.

The arrow follows the number (▲ up, ▼ down); the colour says whether that is
good news — green for better, red for worse — because for receivables or
overstock a rise is bad news.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from crmdesk.i18n import _

GOOD = "#1b8a3a"
BAD = "#c62828"
NEUTRAL = "#666666"


@dataclass(frozen=True)
class KpiValue:
    key: str
    label: str  # translated
    value: float | None
    previous: float | None = None
    kind: str = "number"  # money, pct, count, number, days
    higher_is_better: bool | None = True  # None: the colour stays neutral
    note: str = ""  # e.g. the comparison period, shown as tooltip

    @property
    def change_pct(self) -> float | None:
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


def format_value(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "money":
        # Fen are noise on a tile once the figure has six digits; the table keeps them.
        return f"¥{value:,.0f}" if abs(value) >= 100_000 else f"¥{value:,.2f}"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "days":
        return _("{days:,.0f} days").format(days=value)
    if kind == "count" or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def change_text(kpi: KpiValue) -> tuple[str, str]:
    """(text, colour) of the change line."""
    if kpi.value is None or kpi.previous is None:
        return _("no previous period"), NEUTRAL
    if kpi.kind == "pct":
        delta = kpi.value - kpi.previous
        amount = _("{points:+.1f} pts").format(points=delta)
    else:
        delta = kpi.value - kpi.previous
        change = kpi.change_pct
        amount = f"{change:+.1f}%" if change is not None else format_value(delta, kpi.kind)
    if abs(delta) < 1e-9:
        return "= " + _("unchanged"), NEUTRAL
    arrow = "▲" if delta > 0 else "▼"
    if kpi.higher_is_better is None:
        return f"{arrow} {amount}", NEUTRAL
    good = (delta > 0) == kpi.higher_is_better
    return f"{arrow} {amount}", GOOD if good else BAD


class KpiTile(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("kpiTile")
        self.setStyleSheet("#kpiTile { background: white; border: 1px solid #d0d7de; border-radius: 6px; }")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        self.title = QLabel()
        self.title.setStyleSheet("color: #555; font-size: 12px")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 20px; font-weight: bold")
        self.change = QLabel()
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.change)
        self.kpi: KpiValue | None = None

    def set_kpi(self, kpi: KpiValue) -> None:
        self.kpi = kpi
        self.title.setText(kpi.label)
        self.value.setText(format_value(kpi.value, kpi.kind))
        text, colour = change_text(kpi)
        self.change.setText(text)
        self.change.setStyleSheet(f"color: {colour}; font-size: 12px")
        previous = format_value(kpi.previous, kpi.kind)
        tip = _("Previous period: {value}").format(value=previous)
        self.setToolTip(f"{tip}\n{kpi.note}" if kpi.note else tip)
