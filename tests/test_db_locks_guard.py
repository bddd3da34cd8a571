"""While the process has the database open through SQLite, nothing else in it may open the file
(closing any descriptor drops SQLite's POSIX locks): crmdesk/db/file_guard.py refuses it."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from crmdesk.db import file_guard, open_database
from crmdesk.db.file_guard import DatabaseFileInUseError


@pytest.fixture
def live(tmp_path):
    db = open_database(tmp_path / "shop.db")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    yield db
    db.dispose()


def test_python_level_opens_of_the_live_file_are_refused(live, tmp_path):
    path = live.file_path
    attempts = {
        "open": lambda: open(path, "rb"),
        "os.open": lambda: os.open(path, os.O_RDONLY),
        "read_bytes": lambda: Path(path).read_bytes(),
        "copy": lambda: shutil.copy2(path, tmp_path / "copy.db"),
        "hash": lambda: hashlib.file_digest(open(path, "rb"), "sha256"),
        "wal": lambda: open(str(path) + "-wal", "rb"),
        "other spelling": lambda: open(tmp_path / ".." / tmp_path.name / "shop.db", "rb"),
        "replace onto it": lambda: os.replace(tmp_path / "new.db", path),
    }
    (tmp_path / "new.db").write_bytes(b"x")
    for name, attempt in attempts.items():
        with pytest.raises(DatabaseFileInUseError, match="open crmdesk database"):
            attempt()
        assert path.exists(), name


def test_links_to_the_live_file_are_refused_and_other_files_are_not(live, tmp_path):
    link = tmp_path / "link.db"
    link.symlink_to(live.file_path)
    with pytest.raises(DatabaseFileInUseError):
        open(link, "rb")
    other = tmp_path / "notes.txt"
    other.write_text("fine")
    assert other.read_text() == "fine"


def test_the_guard_ends_when_the_last_connection_closes(tmp_path):
    db = open_database(tmp_path / "shop.db")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert file_guard.is_database_file(db.file_path)
    db.dispose()
    assert not file_guard.is_database_file(db.file_path)
    with open(db.file_path, "rb") as fh:  # a closed database is a plain file again
        assert fh.read(16) == b"SQLite format 3\x00"


def test_importing_the_database_file_itself_fails_with_the_reason(db, owner):
    from crmdesk.importers.run import import_file

    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    result = import_file(db, owner, db.file_path, kind="customers", backup=False)
    assert result.status == "failed"
    assert db.file_path.name in result.message and "open crmdesk database" in result.message


def test_attaching_the_database_file_is_refused(db, owner):
    from crmdesk.services import attachments
    from crmdesk.services.customers import CustomerInput, create_customer

    with db.sessions.begin() as s:
        customer = create_customer(s, owner, CustomerInput(name="测试客户"))
    with pytest.raises(OSError, match="open crmdesk database"), db.sessions.begin() as s:
        attachments.add_attachment(s, owner, customer.id, db.file_path)
