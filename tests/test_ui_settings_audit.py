"""Settings → Audit log (owner only) and who gets which admin section: the owner all three,
a manager only Territories, a salesperson or counter none."""

from __future__ import annotations

import datetime as dt

import pytest
from settings_admin_support import boxes, context_for, ctx  # noqa: F401 - fixtures

from crmdesk.services import users as user_service
from crmdesk.services.audit_query import AuditFilter, query_audit
from crmdesk.services.permissions import PermissionDenied
from crmdesk.ui.settings.audit_section import AuditSection
from crmdesk.ui.settings.page import SettingsPage


def _failed_login(db, username: str = "sales1") -> None:
    with pytest.raises(user_service.AuthError):
        user_service.authenticate_in(db, username, "not-the-password")


def test_the_audit_view_lists_a_failed_login_and_filters_by_action(ctx, qtbot, boxes):
    _failed_login(ctx.db)
    with ctx.db.sessions.begin() as s:  # another kind of row
        user_service.update_user(s, ctx.actor, 3, display_name="刘志强（华南）")
    section = AuditSection(ctx)
    qtbot.addWidget(section)
    section.show()
    texts = [[section.model.text(r, c) for c in range(section.model.columnCount())]
             for r in range(section.model.rowCount())]
    failed = [row for row in texts if row[4] == "failed login"]
    assert failed and failed[0][3] == "sales1" and "wrong password" in failed[0][7]
    assert texts[0][4] == "failed login" or texts[0][5] == "display_name"  # newest first
    total = section.model.rowCount()
    assert section.count_label.text() == f"Showing {total} of {total} entries, newest first"

    section.set_action("login_failed")
    assert section.model.rowCount() == len(failed)
    assert all(section.model.text(r, 4) == "failed login" for r in range(section.model.rowCount()))
    section.set_action(None)
    assert section.model.rowCount() == total
    section.text_edit.setText("刘志强（华南）")
    section.reload()
    assert section.model.rowCount() == 1
    assert not boxes.shown


def test_the_audit_query_filters_dates_caps_and_is_owner_only(ctx, demo_db):
    for _ in range(3):
        _failed_login(demo_db)
    with demo_db.sessions() as s:
        page = query_audit(s, ctx.actor, AuditFilter(action="login_failed"), limit=2)
        assert (len(page.rows), page.total) == (2, 3)
        today = dt.date.today()
        assert query_audit(s, ctx.actor, AuditFilter(date_from=today, date_to=today)).total >= 3
        assert query_audit(s, ctx.actor, AuditFilter(action="login_failed", date_to=today - dt.timedelta(days=2))).total == 0
        manager = context_for(demo_db, "manager").actor
        with pytest.raises(PermissionDenied):
            query_audit(s, manager, AuditFilter())


@pytest.mark.parametrize(("username", "expected"), [
    ("owner", {"users", "territories", "audit"}),
    ("manager", {"territories"}),
    ("sales1", set()),
    ("counter1", set()),
])
def test_admin_sections_by_role(demo_db, qtbot, boxes, username, expected):
    page = SettingsPage(context_for(demo_db, username))
    qtbot.addWidget(page)
    assert set(page.sections) & {"users", "territories", "audit"} == expected
    assert {"language"} <= set(page.sections)
    assert not boxes.shown
