"""Who runs a ``crmdesk`` command: --user with its password, the fresh file, the scheduler
identity, lock-out, and the ``user`` subcommands."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import sys

import pytest
from cli_support import run_cli
from sqlalchemy import select

from crmdesk.db import open_database
from crmdesk.db.models import AuditLog, Customer, Territory, User
from crmdesk.services import users

OWNER_PW = "boss-pass-1"


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch):
    """No one at a keyboard: prompts are not possible unless a test says so."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.delenv("CRMDESK_PASSWORD", raising=False)
    monkeypatch.delenv("CRMDESK_NEW_PASSWORD", raising=False)


@pytest.fixture
def shop(tmp_path, capsys, monkeypatch):
    """A database whose first account (boss, the owner) was added without --user."""
    path = str(tmp_path / "shop.db")
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", OWNER_PW)
    code, out, err = run_cli(capsys, "--db", path, "user", "add", "boss")
    assert code == 0, err
    assert "added boss (owner)" in out
    monkeypatch.delenv("CRMDESK_NEW_PASSWORD")
    return path


def _db_rows(path, stmt):
    db = open_database(path)
    try:
        with db.sessions() as s:
            return list(s.execute(stmt))
    finally:
        db.dispose()


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_without_user_refused_once_an_account_exists(shop, capsys):
    for args in (("user", "list"), ("report", "margin"), ("import", __file__)):
        code, out, err = run_cli(capsys, "--db", shop, *args)
        assert code == 2 and out == ""
        assert "pass --user NAME" in _one_line(err)


def test_report_list_needs_no_login(shop, capsys):
    code, out, _err = run_cli(capsys, "--db", shop, "report", "list")
    assert code == 0 and "margin" in out


def test_wrong_password_refused_and_nothing_run(shop, capsys, monkeypatch):
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "xiaoli-pw-1")
    code, out, err = run_cli(capsys, "--db", shop, "user", "add", "xiaoli", user="boss", password="not-it-at-all")
    assert code == 2 and out == ""
    assert _one_line(err) == "crmdesk user: wrong user name or password"
    assert not _db_rows(shop, select(User.id).where(User.username == "xiaoli"))


def test_no_password_source_is_refused(shop, capsys):
    code, _out, err = run_cli(capsys, "--db", shop, "--user", "boss", "user", "list")
    assert code == 2
    assert "set CRMDESK_PASSWORD or run in a terminal" in _one_line(err)


def test_password_prompt_on_a_terminal(shop, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter([OWNER_PW, "xiaoli-pw-1", "xiaoli-pw-1"])  # login, new password, repeated
    prompts = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": prompts.append(prompt) or next(answers))
    code, out, err = run_cli(capsys, "--db", shop, "--user", "boss", "user", "add", "xiaoli", "--role", "counter")
    assert code == 0, err
    assert prompts == ["Password for boss: ", "New password for xiaoli: ", "Repeat the password: "]


def test_lock_out_after_five_failures_audited_and_expiring(shop, capsys, monkeypatch):
    now = [dt.datetime(2026, 3, 2, 9, 0)]
    monkeypatch.setattr(users, "clock", lambda: now[0])
    for _ in range(5):
        code, _out, err = run_cli(capsys, "--db", shop, "user", "list", user="boss", password="wrong-guess")
        assert code == 2
    assert "locked until" in _one_line(err)
    code, out, err = run_cli(capsys, "--db", shop, "user", "list", user="boss", password=OWNER_PW)
    assert code == 2 and out == ""
    assert "locked until" in _one_line(err)
    actions = [a for (a,) in _db_rows(shop, select(AuditLog.action).where(AuditLog.entity == "users"))]
    assert actions.count("login_failed") == 5 and actions.count("locked") == 1
    assert actions.count("login_refused") == 1
    now[0] += dt.timedelta(minutes=5, seconds=1)
    code, out, err = run_cli(capsys, "--db", shop, "user", "list", user="boss", password=OWNER_PW)
    assert code == 0, err
    assert out.startswith("boss\towner")


def test_scheduler_identity_syncs_and_backs_up_but_reads_no_report(shop, capsys, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    code, out, err = run_cli(capsys, "--db", shop, "sync", "--folder", str(inbox))
    assert code == 0, err
    code, out, err = run_cli(capsys, "--db", shop, "backup", str(tmp_path / "copy.db"))
    assert code == 0, err
    assert (tmp_path / "copy.db").is_file()
    code, out, err = run_cli(capsys, "--db", shop, "report", "margin")
    assert code == 2 and out == "" and "--user" in _one_line(err)
    code, out, err = run_cli(capsys, "--db", shop, "restore", str(tmp_path / "copy.db"), "--yes")
    assert code == 2 and "--user" in _one_line(err)  # restore is not the scheduler's


def test_user_add_turns_an_imported_salesperson_into_the_account(shop, capsys, monkeypatch):
    db = open_database(shop)
    with db.sessions.begin() as s:  # as the importer leaves a 业务员: a user without a password
        stub = User(username="王芳", display_name="王芳", role="sales", password_hash=None, active=True)
        s.add(stub)
        s.flush()
        s.add(Customer(code="K9", name="华南文具", owner_id=stub.id))
        stub_id = stub.id
    db.dispose()
    code, out, _err = run_cli(capsys, "--db", shop, "user", "list", user="boss", password=OWNER_PW)
    assert "王芳\tsales\t王芳\tno login yet" in out
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "wangfang-1")
    code, out, err = run_cli(capsys, "--db", shop, "user", "add", "王芳", "--role", "sales", user="boss",
                             password=OWNER_PW)
    assert code == 0, err
    assert f"id {stub_id}" in out
    assert _db_rows(shop, select(User.id).where(User.username == "王芳")) == [(stub_id,)]
    code, out, err = run_cli(capsys, "--db", shop, "user", "list", user="王芳", password="wangfang-1")
    assert code == 2 and "users.manage" in _one_line(err)  # a salesperson manages no accounts


def test_new_password_rules_and_sources(shop, capsys, monkeypatch):
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "short")
    code, _out, err = run_cli(capsys, "--db", shop, "user", "add", "xiaoli", user="boss", password=OWNER_PW)
    assert code == 2 and "at least 8" in _one_line(err)
    monkeypatch.delenv("CRMDESK_NEW_PASSWORD")
    code, _out, err = run_cli(capsys, "--db", shop, "user", "add", "xiaoli", user="boss", password=OWNER_PW)
    assert code == 2 and "set CRMDESK_NEW_PASSWORD or run in a terminal" in _one_line(err)
    code, _out, err = run_cli(capsys, "--db", shop, "user", "add", "xiaoli", "--password", "xiaoli-pw-1",
                              user="boss", password=OWNER_PW)
    assert code == 0 and "process lists" in _one_line(err)


def test_user_add_without_terminal_on_a_fresh_file(tmp_path, capsys):
    code, out, err = run_cli(capsys, "--db", str(tmp_path / "new.db"), "user", "add", "boss")
    assert code == 2 and out == ""
    assert "CRMDESK_NEW_PASSWORD" in _one_line(err)


def test_last_owner_cannot_be_deactivated_or_demoted(shop, capsys):
    for change in (("--deactivate",), ("--role", "sales")):
        code, _out, err = run_cli(capsys, "--db", shop, "user", "edit", "boss", *change, user="boss", password=OWNER_PW)
        assert code == 1 and "last active owner" in _one_line(err)
    assert _db_rows(shop, select(User.role, User.active).where(User.username == "boss")) == [("owner", True)]


def test_user_edit_territories_by_name(shop, capsys, monkeypatch):
    db = open_database(shop)
    with db.sessions.begin() as s:
        s.add_all([Territory(name="华南"), Territory(name="华东")])
    db.dispose()
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "sales1-pw-1")
    assert run_cli(capsys, "--db", shop, "user", "add", "sales1", user="boss", password=OWNER_PW)[0] == 0
    code, _out, err = run_cli(capsys, "--db", shop, "user", "edit", "sales1", "--territories", "华南,火星",
                              user="boss", password=OWNER_PW)
    assert code == 2 and "unknown territory '火星'" in _one_line(err)
    code, _out, err = run_cli(capsys, "--db", shop, "user", "edit", "sales1", "--territories", "华南，华东",
                              "--name", "小王", user="boss", password=OWNER_PW)
    assert code == 0, err
    code, out, _err = run_cli(capsys, "--db", shop, "user", "list", user="boss", password=OWNER_PW)
    line = next(row for row in out.splitlines() if row.startswith("sales1"))
    assert line.split("\t")[2] == "小王" and set(line.split("\t")[-1].split(",")) == {"华南", "华东"}
    code, _out, err = run_cli(capsys, "--db", shop, "user", "edit", "sales1", "--role", "counter",
                              user="sales1", password="sales1-pw-1")
    assert code == 2 and "Permission denied" in _one_line(err)


def test_user_passwd_own_and_others(shop, capsys, monkeypatch):
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "sales1-pw-1")
    assert run_cli(capsys, "--db", shop, "user", "add", "sales1", user="boss", password=OWNER_PW)[0] == 0
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "sales1-pw-2")
    code, _out, err = run_cli(capsys, "--db", shop, "user", "passwd", "sales1", user="sales1", password="sales1-pw-1")
    assert code == 0, err
    code, _out, err = run_cli(capsys, "--db", shop, "user", "passwd", "boss", user="sales1", password="sales1-pw-2")
    assert code == 2 and "only the owner" in _one_line(err)
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "sales1-pw-3")
    assert run_cli(capsys, "--db", shop, "user", "passwd", "sales1", user="boss", password=OWNER_PW)[0] == 0
    assert run_cli(capsys, "--db", shop, "user", "passwd", "sales1", user="sales1", password="sales1-pw-3")[0] == 0
    resets = _db_rows(shop, select(AuditLog.action).where(AuditLog.action.in_(("password", "password_reset"))))
    assert sorted(a for (a,) in resets) == ["password", "password", "password_reset"]
