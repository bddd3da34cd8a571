"""Window sizes that fit the screen: a window or dialog opens at its preferred size, but never
larger than the screen's free area (a 1024×700 shop monitor above its taskbar), frame included."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# What the window manager adds around the client area: borders and the title bar.
FRAME_ALLOWANCE = QSize(16, 40)


def fitted_size(preferred: QSize, available: QSize, minimum: QSize = QSize(0, 0)) -> QSize:
    """``preferred`` shrunk to fit ``available`` with its frame; never below ``minimum``."""
    return preferred.boundedTo(available - FRAME_ALLOWANCE).expandedTo(minimum)


def fit_to_screen(widget: QWidget, preferred: QSize, available: QSize | None = None) -> QSize:
    """Resize ``widget`` to ``preferred`` or less (``available``: the screen's free area, by default
    that of the widget's screen). Returns the size set."""
    if available is None:
        screen = widget.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry().size() if screen is not None else preferred + FRAME_ALLOWANCE
    size = fitted_size(preferred, available, widget.minimumSizeHint())
    widget.resize(size)
    return size
