"""A CJK-capable application font: the platform's UI font first, then a
Chinese font per platform, so Chinese never falls back to boxes."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# Windows, macOS, Linux: the usual Simplified Chinese UI fonts, preferred first.
CJK_UI_FAMILIES = (
    "Microsoft YaHei UI", "Microsoft YaHei", "SimHei", "DengXian",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC",
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)


def installed_cjk_families() -> list[str]:
    available = set(QFontDatabase.families())
    return [family for family in CJK_UI_FAMILIES if family in available]


def apply_cjk_font(app: QApplication) -> list[str]:
    """Give the application font a CJK fallback list; returns the families it now uses."""
    font = QFont(app.font())
    base = font.family()
    cjk = installed_cjk_families()
    if not cjk:
        log.warning("no CJK font installed; Chinese text may show as boxes. Install one of: %s",
                    ", ".join(CJK_UI_FAMILIES))
    families = [base, *[f for f in cjk if f != base]]
    font.setFamilies(families)
    app.setFont(font)
    return families
