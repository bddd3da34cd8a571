"""The screenshot run: every page and the extras are saved; one failure does not stop the rest."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from crmdesk.db import open_database
from crmdesk.ui import pages, screenshots
from crmdesk.ui.pages import PageEntry
from crmdesk.ui.widgets import grab


def explode(_ctx):
    raise RuntimeError("page under construction fell over")


def test_screenshots_survive_failing_pages(qapp, tmp_path, monkeypatch):
    test_pages = [
        PageEntry("customers", "Customers", "Ctrl+1", None),
        PageEntry("analysis", "Analysis", "Ctrl+5", f"{__name__}:explode"),
        PageEntry("settings", "Settings", "Ctrl+7", "crmdesk.ui.settings.page:create_settings_page"),
    ]
    monkeypatch.setattr(pages, "PAGES", test_pages)
    # Keep the shared test QApplication in English and its hooks untouched.
    monkeypatch.setattr(screenshots, "_silence_modal_boxes", lambda: None)
    monkeypatch.setattr("crmdesk.ui.app.prepare_application", lambda app, lang: "en")
    monkeypatch.setattr(screenshots, "build_demo_database", lambda path: open_database(tmp_path / "empty.db"))
    monkeypatch.setattr(screenshots, "SETTLE_MS", 20)
    monkeypatch.setattr(screenshots, "EXTRA_SHOTS", [])
    real_save = grab.save_grab

    def save_or_fail(widget, path: Path) -> Path:
        if path.stem == "customers":
            raise OSError("disk full")
        return real_save(widget, path)

    monkeypatch.setattr(grab, "save_grab", save_or_fail)  # take_screenshots looks it up when it runs
    out = tmp_path / "shots"
    results = screenshots.take_screenshots(out)
    assert isinstance(results["customers"], OSError)
    saved = sorted(p.name for p in out.glob("*.png"))
    assert saved == ["analysis.png", "chart_sample.png", "login.png", "settings.png"]
    shot = QImage(str(out / "settings.png"))
    assert (shot.width(), shot.height()) == screenshots.WINDOW_SIZE
