"""The periodic sync: Settings → Sync saves its values, "Sync now" and the timer import the
inbox in the background, the outcome reaches the status bar, errors never crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from data_import.helpers import GJP_SALES, scalar, write
from PySide6.QtCore import Qt

from crmdesk.i18n import set_language
from crmdesk.importers import SyncResult, SyncSettings, load_sync_settings, save_sync_settings
from crmdesk.importers.run import ImportResult
from crmdesk.ui import settings as settings_registry
from crmdesk.ui.app import build_main_window
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.page import ImportPage
from crmdesk.ui.importing.sync_controller import SyncController, controller_for, summarize
from crmdesk.ui.importing.sync_status import SyncStatusWidget
from crmdesk.ui.importing.sync_settings_section import SyncSettingsSection
from crmdesk.ui.settings.page import SettingsPage

TIMEOUT = 20_000


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


@pytest.fixture
def messages(ctx) -> list[str]:
    seen: list[str] = []
    ctx.bus.status_message.connect(seen.append)
    return seen


def set_inbox(ctx, inbox: Path, minutes: int = 0) -> None:
    with ctx.write("settings") as s:
        save_sync_settings(s, ctx.actor, SyncSettings(inbox=str(inbox), interval_minutes=minutes))


def wait_idle(qtbot, controller: SyncController) -> None:
    qtbot.waitUntil(lambda: not controller.busy, timeout=TIMEOUT)


def test_sync_section_is_registered_and_saves_its_values(qtbot, ctx, tmp_path):
    assert "sync" in [s.key for s in settings_registry.SETTINGS_SECTIONS]
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    section = page.sections["sync"]
    assert isinstance(section, SyncSettingsSection)
    controller = controller_for(ctx)
    assert not controller.timer.isActive()  # no inbox yet
    section.inbox_edit.setText(str(tmp_path / "inbox"))
    section.save()
    assert "does not exist" in section.note.text()  # saved, with a warning
    (tmp_path / "inbox").mkdir()
    section.interval_spin.setValue(15)
    section.done_edit.setText(str(tmp_path / "done"))
    section.move_box.setChecked(True)
    section.backup_spin.setValue(4)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    with ctx.read() as s:
        saved = load_sync_settings(s)
    assert saved == SyncSettings(inbox=str(tmp_path / "inbox"), interval_minutes=15, done_folder=str(tmp_path / "done"),
                                 move_done=True, backup_keep=4, profile="")
    assert "every 15 minutes" in section.note.text()
    assert controller.timer.isActive() and controller.timer.interval() == 15 * 60_000
    section.interval_spin.setValue(0)
    section.save()
    assert not controller.timer.isActive()
    again = SyncSettingsSection(ctx)
    qtbot.addWidget(again)
    assert again.inbox_edit.text() == str(tmp_path / "inbox") and again.interval_spin.text() == "off"
    assert again.move_box.isChecked() and again.backup_spin.value() == 4
    controller.shutdown()


def test_sync_now_imports_the_inbox_and_reports_in_the_status_bar(qtbot, ctx, db, tmp_path, messages):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "sales.csv", GJP_SALES, encoding="gbk")
    write(inbox, "broken.xlsx", "not a workbook\x00\x01")
    set_inbox(ctx, inbox)
    window = build_main_window(ctx)  # the app's hook: controller plus status-bar indicator
    qtbot.addWidget(window)
    # installed once the window's first page has painted (the importers load after it)
    qtbot.waitUntil(lambda: window.statusBar().findChild(SyncStatusWidget) is not None, timeout=TIMEOUT)
    indicator = window.statusBar().findChild(SyncStatusWidget)
    page = window.show_page("import")
    assert isinstance(page, ImportPage) and page.controller is controller_for(ctx)
    assert str(inbox) in page.inbox_label.text()
    changed: list[set] = []
    ctx.bus.changed.connect(changed.append)
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert page.controller.busy and not page.sync_button.isEnabled()
    wait_idle(qtbot, page.controller)
    lines = scalar(db, "SELECT COUNT(*) FROM sales_lines")
    assert lines > 0
    summary = page.controller.last_summary
    assert summary.startswith("Last sync ") and "2 files" in summary and f"{lines} rows added" in summary
    assert "1 files could not be imported" in summary
    assert messages[-1] == summary and window.statusBar().currentMessage() == summary
    assert indicator.label.text() == summary and page.sync_status.label.text() == summary
    assert {"sales_lines", "import_batches"} <= changed[-1]
    page.show_history()
    history = page.history.model
    assert [history.index(r, 1).data() for r in range(history.rowCount())] == ["broken.xlsx", "sales.csv"]
    assert history.index(0, 3).data() == "Failed" and "broken.xlsx" in history.index(0, 9).data()
    page.controller.shutdown()


def test_a_sync_without_inbox_is_a_message_and_a_history_entry(qtbot, ctx, messages):
    page = ImportPage(ctx)
    qtbot.addWidget(page)
    assert "No inbox folder" in page.inbox_label.text()
    assert page.sync_now()
    wait_idle(qtbot, page.controller)
    assert messages[-1].startswith("Sync failed") and "no inbox folder" in messages[-1]
    page.show_history()
    assert page.history.model.rowCount() == 1 and page.history.model.index(0, 3).data() == "Failed"
    page.controller.shutdown()


def test_timer_fires_the_sync_and_skips_while_an_import_runs(qtbot, ctx, db, tmp_path, messages):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "customers.csv", "客户编号,客户名称\nC001,广州文具店\nC002,深圳办公\n")
    set_inbox(ctx, inbox, minutes=30)
    controller = controller_for(ctx)
    assert controller.timer.isActive() and controller.timer.interval() == 30 * 60_000
    controller.manual_import_running = True
    controller._on_timer()
    assert not controller.busy  # a tick during a manual import is skipped
    controller.manual_import_running = False
    controller.set_interval_ms(30)
    qtbot.waitUntil(lambda: controller.last_summary != "", timeout=TIMEOUT)
    wait_idle(qtbot, controller)
    assert scalar(db, "SELECT COUNT(*) FROM customers WHERE code IN ('C001', 'C002')") == 2
    assert "1 files" in controller.last_summary or "no new files" in controller.last_summary
    qtbot.waitUntil(lambda: any("no new files" in m for m in messages), timeout=TIMEOUT)  # later ticks: nothing new
    controller.shutdown()
    wait_idle(qtbot, controller)
    assert not controller.timer.isActive()


def test_summary_in_chinese():
    when = dt.datetime(2026, 5, 1, 14, 5)
    files = [ImportResult(path=Path("a.csv"), status="done", kind="sales", added=1200, rejected=2),
             ImportResult(path=Path("b.csv"), status="done", kind="customers"),
             ImportResult(path=Path("c.xlsx"), status="failed", message="c.xlsx: cannot read")]
    result = SyncResult(folder=Path("/inbox"), files=files)
    assert summarize(result, when) == ("Last sync 14:05: 3 files, 1,200 rows added, 2 rows rejected; "
                                       "1 files could not be imported (see Import → History)")
    set_language("zh_CN")
    try:
        text = summarize(result, when)
        assert text.startswith("上次同步 14:05：3 个文件，新增 1,200 行，拒绝 2 行")
        assert "Import" not in text
    finally:
        set_language("en")


def test_cancel_from_the_status_indicator_rolls_the_file_back(qtbot, ctx, db, tmp_path, messages):
    from data_import.helpers import dump
    from test_ui_import_wizard import big_sales

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "big.csv", big_sales(40_000))
    set_inbox(ctx, inbox)
    controller = controller_for(ctx)
    indicator = SyncStatusWidget(controller)
    qtbot.addWidget(indicator)
    seen: list[float] = []
    controller.progress.connect(lambda f, _m: seen.append(f or 0.0))
    before = [line for line in dump(db) if "import_batches" in line or "sales_lines" in line]
    assert controller.sync_now()
    assert not indicator.cancel_button.isHidden() and not indicator.bar.isHidden()
    qtbot.waitUntil(lambda: any(f >= 0.3 for f in seen) or not controller.busy, timeout=TIMEOUT)
    assert controller.busy, "the sync finished before it could be cancelled"
    qtbot.mouseClick(indicator.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, controller)
    assert messages[-1].startswith("Sync cancelled") and "rolled back" in messages[-1]
    assert indicator.cancel_button.isHidden() and indicator.label.text() == messages[-1]
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
    assert [line for line in dump(db) if "import_batches" in line or "sales_lines" in line] == before
    controller.shutdown()
