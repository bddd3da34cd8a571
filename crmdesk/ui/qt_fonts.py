"""A CJK-capable application font: the platform's UI font first, then a
Chinese font per platform, so Chinese never falls back to boxes. A PC with none gets the
subset crmdesk ships (crmdesk/cjk_font.py), registered as an application font."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from crmdesk.cjk_font import shipped_font

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


def register_shipped_font() -> list[str]:
    """Add the shipped CJK subset as an application font; returns its families ([] if unreadable)."""
    path = shipped_font()
    font_id = QFontDatabase.addApplicationFont(str(path)) if path else -1
    if font_id < 0:
        return []
    return list(QFontDatabase.applicationFontFamilies(font_id))


def apply_cjk_font(app: QApplication) -> list[str]:
    """Give the application font a CJK fallback list; returns the families it now uses."""
    font = QFont(app.font())
    base = font.family()
    cjk = installed_cjk_families()
    if not cjk:  # a PC without a Chinese font: the one crmdesk ships (only then: it costs start-up time)
        cjk = register_shipped_font()
        log.info("no CJK font installed; using the shipped one: %s", ", ".join(cjk) or "unreadable")
    if not cjk:
        log.warning("no CJK font installed; Chinese text may show as boxes. Install one of: %s",
                    ", ".join(CJK_UI_FAMILIES))
    families = [base, *[f for f in cjk if f != base]]
    font.setFamilies(families)
    app.setFont(font)
    return families
