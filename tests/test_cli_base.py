"""The CLI frame: version, usage errors, database errors, users, backup and restore."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from crmdesk import __version__
from crmdesk.cli import main
from crmdesk.db import open_database


def test_version_via_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crmdesk.cli", "--db", str(tmp_path / "x.db"), "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"crmdesk {__version__}"


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_unopenable_database_exits_3_with_one_line(tmp_path, capsys):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    assert main(["--db", str(garbage), "user", "list"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("crmdesk user: cannot open database")


def test_first_user_becomes_owner_then_more_users(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "u.db")
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "boss-pass-1")
    assert main(["--db", db, "user", "add", "boss"]) == 0  # a fresh file: no --user needed
    monkeypatch.setenv("CRMDESK_PASSWORD", "boss-pass-1")
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "xiaoli-pw-1")
    assert main(["--db", db, "--user", "boss", "user", "add", "xiaoli", "--role", "counter", "--name", "小李"]) == 0
    assert main(["--db", db, "--user", "boss", "user", "add", "xiaoli"]) == 1
    assert main(["--db", db, "--user", "boss", "user", "list"]) == 0
    out = capsys.readouterr()
    assert "boss\towner" in out.out and "xiaoli\tcounter\t小李" in out.out
    assert "exists already" in out.err


def test_unknown_acting_user_is_refused(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "u.db")
    monkeypatch.setenv("CRMDESK_PASSWORD", "whatever-1")
    assert main(["--db", db, "--user", "ghost", "user", "list"]) == 2
    assert capsys.readouterr().err.strip() == "crmdesk user: wrong user name or password"


def test_backup_and_restore_round_trip(tmp_path, capsys):
    path = tmp_path / "shop.db"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('shop.name', '晨光文具')"))
    db.dispose()
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "backup", str(copy)]) == 0
    assert copy.is_file()

    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = 'changed' WHERE key = 'shop.name'"))
    db.dispose()
    assert main(["--db", str(path), "restore", str(copy), "--yes"]) == 0
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM settings WHERE key='shop.name'")).scalar() == "晨光文具"
    db.dispose()
    assert list((tmp_path / "backups").glob("shop-pre-restore-*.db"))


def test_restore_of_a_backup_with_smaller_pages(tmp_path, capsys):
    import sqlite3

    path = tmp_path / "shop.db"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('shop.name', '旧备份')"))
    db.dispose()
    old = tmp_path / "old.db"
    assert main(["--db", str(path), "backup", str(old)]) == 0
    raw = sqlite3.connect(old, isolation_level=None)  # as a backup made before new files took 16 KiB pages
    raw.execute("PRAGMA journal_mode=DELETE")
    raw.execute("PRAGMA page_size=4096")
    raw.execute("VACUUM")
    raw.close()
    db = open_database(path)
    with db.engine.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16_384
        conn.execute(text("UPDATE settings SET value = 'changed' WHERE key = 'shop.name'"))
    db.dispose()
    assert main(["--db", str(path), "restore", str(old), "--yes"]) == 0
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM settings WHERE key='shop.name'")).scalar() == "旧备份"
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, capsys):
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 500)
    assert main(["--db", str(path), "restore", str(bad), "--yes"]) == 1
    assert "is not a crmdesk backup" in capsys.readouterr().err
    db = open_database(path)  # still usable
    db.dispose()


def test_backup_folder_keeps_the_newest(tmp_path, capsys):
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    for _ in range(4):
        assert main(["--db", str(path), "backup", "--keep", "2"]) == 0
    assert len(list((tmp_path / "backups").glob("shop-manual-*.db"))) == 2


def test_backup_and_restore_carry_attachments(tmp_path, capsys):
    from crmdesk.db.models import Customer
    from crmdesk.services.actor import Actor
    from crmdesk.services.attachments import add_attachment, attachment_path, list_attachments

    path = tmp_path / "shop.db"
    db = open_database(path)
    source = tmp_path / "合同.pdf"
    source.write_bytes(b"%PDF-1.4 contract")
    with db.sessions.begin() as s:
        customer = Customer(code="KH1", name="广州文具店", credit_limit=0)
        s.add(customer)
        s.flush()
        add_attachment(s, Actor.system(), customer.id, source)
        customer_id = customer.id
    db.dispose()

    copy = tmp_path / "out" / "copy.db"
    assert main(["--db", str(path), "backup", str(copy)]) == 0
    saved = list((tmp_path / "out" / "copy.db.attachments").rglob("*.pdf"))
    assert [p.read_bytes() for p in saved] == [b"%PDF-1.4 contract"]

    for managed in (tmp_path / "attachments").rglob("*.pdf"):
        managed.unlink()  # the file is lost …
    assert main(["--db", str(path), "restore", str(copy), "--yes"]) == 0
    db = open_database(path)
    with db.sessions() as s:
        (info,) = list_attachments(s, Actor.system(), customer_id)
        from crmdesk.db.models import Attachment

        restored = attachment_path(s, s.get(Attachment, info.id))
    db.dispose()
    assert restored.read_bytes() == b"%PDF-1.4 contract"  # … and comes back with the restore
