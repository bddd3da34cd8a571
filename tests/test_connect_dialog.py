"""Connecting a PC to the shop server: the dialog tests the connection (server version, schema
revision, write rights), saves the profile without the password and the password in the keyring
(an in-memory keyring here), and the saved server is what opens without --db. The server asks
for a password (scram) for the role used, so a connection that works proves the keyring's
password was used. A least-rights daily role runs the app."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QDialog
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crmdesk.db import connect, open_database
from crmdesk.db.migrate import SCHEMA_HEAD
from crmdesk.db.server_profile import KEYRING_SERVICE, ServerProfile, load_profile, probe, save_profile
from tests.portable_support import start_server, stop_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PASSWORD = "Kassen-Passwort-9"


class MemoryKeyring(KeyringBackend):
    """A keyring in this process's memory (this headless machine has no Secret Service)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture(scope="module")
def shop_server():
    """A server with the README's two roles: crmdesk_owner (owns the database, runs migrations)
    and crmdesk_app (daily use, least rights), both asked for their password."""
    server, folder = start_server()
    server.psql(f"CREATE ROLE crmdesk_owner LOGIN PASSWORD '{PASSWORD}';")
    server.psql(f"CREATE ROLE crmdesk_app LOGIN PASSWORD '{PASSWORD}';")
    server.psql("CREATE DATABASE shop OWNER crmdesk_owner ENCODING 'UTF8' TEMPLATE template0;")
    server.psql("CREATE DATABASE blank OWNER crmdesk_owner ENCODING 'UTF8' TEMPLATE template0;")
    server.psql(f"CREATE ROLE reader LOGIN PASSWORD '{PASSWORD}';")
    hba = Path(folder) / "pg_hba.conf"
    hba.write_text("local all crmdesk_owner,crmdesk_app,reader scram-sha-256\n" + hba.read_text())
    server.psql("SELECT pg_reload_conf();")
    socket = make_url(server.get_uri("shop")).query["host"]
    admin = server.get_uri("shop").replace("postgresql://", "postgresql+psycopg://", 1)
    engine = connect(admin).engine  # the superuser, over trust
    with engine.begin() as conn:
        for sql in _GRANTS:
            conn.exec_driver_sql(sql)
        conn.exec_driver_sql("GRANT CONNECT ON DATABASE shop TO reader")
        conn.exec_driver_sql("GRANT USAGE ON SCHEMA public TO reader")
        conn.exec_driver_sql("ALTER DEFAULT PRIVILEGES FOR ROLE crmdesk_owner IN SCHEMA public "
                             "GRANT SELECT ON TABLES TO reader")
    engine.dispose()
    yield socket
    stop_server(server, folder)


# The README's "Several PCs" role set-up, as run by the administrator (the superuser).
_GRANTS = [
    "REVOKE ALL ON DATABASE shop FROM PUBLIC",
    "GRANT CONNECT, TEMPORARY ON DATABASE shop TO crmdesk_app",
    "GRANT USAGE ON SCHEMA public TO crmdesk_app",
    "ALTER DEFAULT PRIVILEGES FOR ROLE crmdesk_owner IN SCHEMA public "
    "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crmdesk_app",
    "ALTER DEFAULT PRIVILEGES FOR ROLE crmdesk_owner IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES "
    "TO crmdesk_app",
]


def _url(socket: str, role: str, password: str | None = PASSWORD) -> str:
    return ServerProfile(host=socket, database="shop", user=role).url(password)


@pytest.fixture(scope="module")
def migrated(shop_server):
    """The shop database set up by the owner role, with a small demo."""
    from crmdesk.demo import generate

    db = open_database(_url(shop_server, "crmdesk_owner"))
    generate(db, customers=30, products=20, lines=300, seed=2, end_date=dt.date(2026, 6, 30))
    db.dispose()
    return shop_server


def _fill(dialog, socket: str, role: str, password: str) -> None:
    dialog.host.setText(socket)
    dialog.port.setValue(5432)
    dialog.database.setText("shop")
    dialog.user.setText(role)
    dialog.password.setText(password)


def test_test_connection_reports_version_schema_and_rights(qtbot, migrated, memory_keyring, tmp_path):
    from crmdesk.ui.connect_dialog import ConnectDialog

    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, migrated, "crmdesk_app", PASSWORD)
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20_000)
    shown = dialog.outcome.text()
    version = probe(_url(migrated, "crmdesk_owner")).server_version
    assert f"PostgreSQL {version}" in shown
    assert f"schema {SCHEMA_HEAD} (current)" in shown
    assert "this user may change data" in shown
    dialog.resize(520, dialog.sizeHint().height())
    dialog.grab().save(str(tmp_path / "connect_dialog.png"))
    _fill(dialog, migrated, "crmdesk_app", "wrong-password")
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20_000)
    assert dialog.outcome.text().startswith("Could not connect:") and "password" in dialog.outcome.text()


def test_save_keeps_the_password_in_the_keyring_only(qtbot, migrated, memory_keyring, _isolated_home):
    from crmdesk.commands.base import CliContext
    from crmdesk.ui.connect_dialog import ConnectDialog

    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, migrated, "crmdesk_app", PASSWORD)
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_profile() == ServerProfile(host=migrated, database="shop", user="crmdesk_app")
    assert memory_keyring.items == {(KEYRING_SERVICE, f"crmdesk_app@{migrated}:5432/shop"): PASSWORD}
    for path in Path(_isolated_home).rglob("*"):  # nothing written anywhere holds the password
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in dialog.url
    # crmdesk without --db opens the saved server; the server demands the password, the keyring gives it.
    ctx = CliContext(db_location=None, username=None)
    assert ctx.db_location_or_default() == dialog.url
    with ctx.database().engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == "crmdesk_app"
    ctx.close()
    reopened = ConnectDialog()  # the saved profile and its password come back into the form
    qtbot.addWidget(reopened)
    assert (reopened.host.text(), reopened.user.text(), reopened.password.text()) == (migrated, "crmdesk_app", PASSWORD)
    reopened.forget()
    assert load_profile() is None and memory_keyring.items == {}
    assert CliContext(db_location=None, username=None).db_location_or_default().endswith("crmdesk.db")


def test_an_empty_database_and_a_read_only_role(migrated):
    blank = ServerProfile(host=migrated, database="blank", user="crmdesk_owner").url(PASSWORD)
    empty = probe(blank)
    assert empty.revision is None and empty.can_write  # its owner may create the tables
    found = probe(_url(migrated, "reader"))
    assert found.revision == SCHEMA_HEAD and not found.can_write


def test_the_daily_role_runs_the_shop(migrated, memory_keyring, tmp_path):
    """Least rights: crmdesk_app reads and writes rows (log in, customers, attachments, an import,
    reports, a backup copy) but cannot change the schema."""
    from crmdesk.db.portable import copy_database
    from crmdesk.importers import import_file
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.registry import REPORTS
    from crmdesk.services.attachments import add_attachment, list_attachments
    from crmdesk.services.customers import CustomerInput, create_customer
    from crmdesk.services.users import authenticate_in

    db = open_database(_url(migrated, "crmdesk_app"))
    try:
        owner = authenticate_in(db, "owner", "demo")
        note = tmp_path / "合同.txt"
        note.write_text("合同", encoding="utf-8")
        with db.sessions.begin() as s:
            cid = create_customer(s, owner, CustomerInput(name="新客户文具店")).id
            add_attachment(s, owner, cid, note)
        csv = tmp_path / "客户.csv"
        csv.write_text("客户编号,客户名称\nAPP01,日常角色测试店\n", encoding="gb18030")
        assert import_file(db, owner, csv).added == 1
        with db.sessions() as s:
            assert list_attachments(s, owner, cid)[0].exists
            assert not REPORTS["key-customers"].fn(s, owner, ReportFilters(), {}).empty
        from crmdesk.db.table_rights import may_rebuild_indexes

        with db.engine.connect() as conn:  # a big import keeps indexes row by row for this role
            assert not may_rebuild_indexes(conn, "sales_lines")
        owner_db = open_database(_url(migrated, "crmdesk_owner"))
        with owner_db.engine.connect() as conn:
            assert may_rebuild_indexes(conn, "sales_lines")
        owner_db.dispose()
        counts = copy_database(db.url, f"sqlite:///{tmp_path / 'backup.db'}")
        assert counts["customers"] == 32
        with pytest.raises(Exception, match="permission denied|must be owner"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE customers")
    finally:
        db.dispose()


def test_the_login_dialog_switches_to_the_chosen_server(qtbot, db, owner, monkeypatch):
    """Log in → "Shop server…" → Save: the login dialog ends asking the app to open that server."""
    from crmdesk.ui import connect_dialog
    from crmdesk.ui.login_dialog import RECONNECT, LoginDialog

    def saved(self) -> int:
        self.url = "postgresql+psycopg://crmdesk_app@shop-server:5432/crmdesk"
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(connect_dialog.ConnectDialog, "exec", saved)
    login = LoginDialog(db)
    qtbot.addWidget(login)
    assert login.server_button.isVisible() or not login.isVisible()
    login.server_button.click()
    assert login.result() == RECONNECT and login.reconnect_url.endswith("@shop-server:5432/crmdesk")


def test_the_dialog_in_chinese(qtbot, tmp_path):
    from crmdesk.i18n import set_language
    from crmdesk.ui.connect_dialog import ConnectDialog

    set_language("zh_CN")
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "连接店铺服务器" and dialog.test_button.text() == "测试连接"
    dialog.show_result("已连接：PostgreSQL 16.2\n数据库结构 0015（最新）\n此用户可以修改数据", ok=True)
    dialog.resize(520, dialog.sizeHint().height())
    dialog.grab().save(str(tmp_path / "connect_dialog_zh.png"))
