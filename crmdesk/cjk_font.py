"""The CJK font files crmdesk knows: the usual system ones per platform, and the subset it
ships (crmdesk/resources/fonts, WenQuanYi Micro Hei cut to GB2312 — see its README) so a PC
without a Chinese font still shows Chinese in the window, in charts and in PDF statements.

No Qt and no matplotlib here: the GUI (ui/qt_fonts.py), the charts (charts/fonts.py) and the PDF
statement (reports/statement_pdf.py) each register these files their own way.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHIPPED_FAMILY = "WenQuanYi Micro Hei"


def _resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # a PyInstaller build keeps package data under it
    if frozen and (Path(frozen) / "crmdesk" / "resources").is_dir():
        return Path(frozen) / "crmdesk" / "resources"
    return Path(__file__).resolve().parent / "resources"


SHIPPED_FONT = _resources_dir() / "fonts" / "wqy-microhei-gb2312.ttf"

# TrueType (not CFF: reportlab embeds only TrueType) CJK fonts: Windows, macOS, Linux. (path, index in .ttc)
SYSTEM_FONT_FILES: tuple[tuple[str, int], ...] = (
    ("C:/Windows/Fonts/simhei.ttf", 0), ("C:/Windows/Fonts/msyh.ttc", 0), ("C:/Windows/Fonts/simsun.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0), ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0), ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0), ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


def system_font_files() -> list[tuple[Path, int]]:
    """The known system CJK font files present on this PC, preferred first."""
    return [(Path(path), index) for path, index in SYSTEM_FONT_FILES if Path(path).is_file()]


def shipped_font() -> Path | None:
    return SHIPPED_FONT if SHIPPED_FONT.is_file() else None


def font_files() -> list[tuple[Path, int]]:
    """System CJK fonts first (full coverage), then the shipped subset."""
    files = system_font_files()
    shipped = shipped_font()
    return files + ([(shipped, 0)] if shipped else [])
