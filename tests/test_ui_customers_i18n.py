"""Every string the Customers and Follow-ups screens show has a Chinese translation,
and the pages come up in Chinese."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from crmdesk.i18n import set_language, _

ROOT = Path(__file__).resolve().parents[1]
NOT_TRANSLATED = {"Ctrl+S", "Ctrl+L"}


def _ui_strings() -> set[str]:
    files = [*(ROOT / "crmdesk/ui/customers").rglob("*.py"), *(ROOT / "crmdesk/ui/followups").rglob("*.py")]
    found: set[str] = set()
    for path in files:
        for _line, message, _comments, _context in extract_from_file("python", str(path),
                                                                     keywords={"_": None, "N_": None}):
            if isinstance(message, str):
                found.add(message)
    return found


def test_every_customers_ui_string_has_a_chinese_translation():
    strings = _ui_strings()
    assert len(strings) > 200
    set_language("zh_CN")
    try:
        missing = sorted(s for s in strings if _(s) == s and s not in NOT_TRANSLATED)
    finally:
        set_language("en")
    assert missing == []


def test_followups_page_in_chinese(demo_db, qtbot):
    from crmdesk.services.actor import actor_for_username
    from crmdesk.ui.context import AppContext
    from crmdesk.ui.followups.page import FollowupsPage

    set_language("zh_CN")
    try:
        with demo_db.sessions() as s:
            actor = actor_for_username(s, None)
        page = FollowupsPage(AppContext(db=demo_db, actor=actor))
        qtbot.addWidget(page)
        page.activate()
        assert page.done_button.text() == "标记完成"
        assert "逾期" in page.summary_label.text()
    finally:
        set_language("en")
