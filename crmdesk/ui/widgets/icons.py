"""Icons from resources/icons (SVG), with Qt's standard icons as a fallback
when the resources are missing (e.g. an install without them)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

_CANDIDATE_DIRS = (
    Path(__file__).resolve().parents[2] / "resources" / "icons",  # installed package data
    Path(__file__).resolve().parents[3] / "resources" / "icons",  # source tree
)

_FALLBACK = {
    "customers": QStyle.StandardPixmap.SP_DirHomeIcon,
    "followups": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "pipeline": QStyle.StandardPixmap.SP_ArrowRight,
    "service": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "analysis": QStyle.StandardPixmap.SP_FileDialogContentsView,
    "import": QStyle.StandardPixmap.SP_ArrowDown,
    "settings": QStyle.StandardPixmap.SP_FileDialogListView,
    "crmdesk": QStyle.StandardPixmap.SP_ComputerIcon,
}


def icon_path(name: str) -> Path | None:
    for folder in _CANDIDATE_DIRS:
        path = folder / f"{name}.svg"
        if path.is_file():
            return path
    return None


@cache
def icon(name: str) -> QIcon:
    path = icon_path(name)
    if path is not None:
        loaded = QIcon(str(path))
        if not loaded.isNull():
            return loaded
    style = QApplication.style()
    return style.standardIcon(_FALLBACK.get(name, QStyle.StandardPixmap.SP_FileIcon))
