"""The Settings page: language in the user config, pluggable sections, backups."""

from __future__ import annotations

import tomllib

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from crmdesk import userconfig
from crmdesk.ui import settings as settings_registry
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings import SettingsSection
from crmdesk.ui.settings.language_section import LanguageSection
from crmdesk.ui.settings.page import SettingsPage


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


def make_extra_section(_ctx: AppContext) -> QWidget:
    return QLabel("sync options here")


def make_broken_section(_ctx: AppContext) -> QWidget:
    raise RuntimeError("sync section exploded")


def test_language_choice_is_written_to_the_user_config(qtbot, ctx):
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    section = page.sections["language"]
    assert isinstance(section, LanguageSection)
    assert section.combo.currentData() is None  # Auto until chosen
    section.combo.setCurrentIndex(section.combo.findData("zh_CN"))
    with userconfig.config_path().open("rb") as fh:
        assert tomllib.load(fh)["language"] == "zh_CN"
    assert "next time" in section.note.text()
    section.combo.setCurrentIndex(section.combo.findData(None))
    assert userconfig.language() is None
    # A new page shows what is stored.
    userconfig.set_language("en")
    again = SettingsPage(ctx)
    qtbot.addWidget(again)
    assert again.sections["language"].combo.currentData() == "en"


def test_sections_come_from_the_registry_and_a_broken_one_is_contained(qtbot, ctx, monkeypatch):
    monkeypatch.setattr(settings_registry, "SETTINGS_SECTIONS", [
        *settings_registry.SETTINGS_SECTIONS,
        SettingsSection("sync", "Sync", f"{__name__}:make_extra_section"),
        ("broken", "Broken", f"{__name__}:make_broken_section"),  # a plain tuple is fine too
    ])
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    # Every section of the registry, in its order (the owner may use them all), then the two added here.
    # ("sync" is in the registry already: a second section of the same key replaces it in place.)
    registry_keys = [entry[0] for entry in settings_registry.SETTINGS_SECTIONS][:-2]
    assert list(page.sections) == list(dict.fromkeys([*registry_keys, "sync", "broken"]))
    assert registry_keys[:2] == ["language", "database"]
    assert page.sections["sync"].text() == "sync options here"
    assert "sync section exploded" in page.sections["broken"].text()


def test_back_up_now_writes_a_copy(qtbot, ctx):
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    database = page.sections["database"]
    assert database.location.text() == str(ctx.db.file_path)
    messages: list[str] = []
    ctx.bus.status_message.connect(messages.append)
    database.backup_button.click()
    qtbot.waitUntil(lambda: any(m.startswith("Backed up to") for m in messages), timeout=10_000)
    copies = list((ctx.db.file_path.parent / "backups").glob("*-manual-*.db"))
    assert len(copies) == 1 and copies[0].stat().st_size > 0


def test_user_config_round_trip_and_sections():
    assert userconfig.load() == {}
    userconfig.set_last_username("店主")
    userconfig.update_section("sync", {"folder": "D:/导出", "interval_minutes": 30})
    userconfig.update_section("sync", {"interval_minutes": None})
    assert userconfig.last_username() == "店主"
    assert userconfig.section("sync") == {"folder": "D:/导出"}
    with pytest.raises(ValueError):
        userconfig.set_language("fr")


def test_unreadable_user_config_counts_as_empty():
    userconfig.config_path().write_text("language = [broken", encoding="utf-8")
    assert userconfig.load() == {}
    assert userconfig.language() is None
