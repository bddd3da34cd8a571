"""Screenshots of the Analysis page for the docs (``make screenshots``)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QWidget

from crmdesk.ui.widgets.grab import save_grab

log = logging.getLogger(__name__)

SHOTS = (
    ("dashboard", "analysis_dashboard.png"),
    ("key-customers", "analysis_key_customers.png"),
    ("margin", "analysis_margin_brand.png"),
)
TIMEOUT_S = 120


def _wait_idle(view: QWidget, timeout: float = TIMEOUT_S) -> None:
    """Let the view's background computation finish and the charts paint."""
    deadline = time.monotonic() + timeout
    runner = getattr(view, "runner", None)
    is_idle = getattr(view, "is_idle", None) or (lambda: runner is None or not runner.busy)
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if is_idle():
            break
        time.sleep(0.02)
    else:
        log.warning("%s still computing after %ss", type(view).__name__, timeout)
    for _ in range(5):
        QCoreApplication.processEvents()


def _find_page(window_or_ctx: Any) -> tuple[Any, QWidget | None]:
    """(the Analysis page, the window to grab or None) from a main window or an AppContext."""
    from crmdesk.ui.analysis.page import AnalysisPage, create_analysis_page

    if isinstance(window_or_ctx, QWidget):
        show_page = getattr(window_or_ctx, "show_page", None)
        if callable(show_page):
            show_page("analysis")
        pages = window_or_ctx.findChildren(AnalysisPage)
        if pages:
            return pages[0], window_or_ctx
        ctx = getattr(window_or_ctx, "ctx")
    else:
        ctx = window_or_ctx
    page = create_analysis_page(ctx)
    page.resize(1500, 920)
    page.show()
    page.activate()
    return page, None


def save_analysis_screenshots(window_or_ctx: Any, folder: str | Path) -> list[Path]:
    """Save the dashboard and two report panels (key customers; gross margin by brand) as PNGs in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    page, window = _find_page(window_or_ctx)
    saved = []
    for key, file_name in SHOTS:
        view = page.show_view(key)
        if key == "margin" and hasattr(view, "options_bar"):
            view.options_bar.set_value("by", "brand")
            view.options_bar.flush()
        _wait_idle(view)
        target = window if window is not None else page
        path = save_grab(target, folder / file_name)
        saved.append(path)
        log.info("saved %s", path)
    return saved
