"""Restore returns the exact earlier state — every table's rows and the attachment files — after
checking the backup; a half-done attachments restore is finished at the next start."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import inspect, select, text

from crmdesk.db import open_database
from crmdesk.db.backup import BackupCheckError
from crmdesk.db.models import Customer
from crmdesk.services import backups
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import add_attachment, attachments_root_for_url
from crmdesk.services.backup_attachments import finish_interrupted_swap, swap_in_attachments


def table_fingerprints(db) -> dict[str, tuple[int, str]]:
    """Per table: (row count, SHA-256 of every row in primary-key order)."""
    result = {}
    with db.engine.connect() as conn:
        insp = inspect(conn)
        for table in sorted(insp.get_table_names()):
            if table.startswith("customer_search"):  # FTS shadow tables follow customers
                continue
            keys = insp.get_pk_constraint(table)["constrained_columns"] or ["rowid"]
            order = ", ".join(f'"{k}"' for k in keys)
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}')):
                digest.update(repr(tuple(row)).encode("utf-8"))
                count += 1
            result[table] = (count, digest.hexdigest())
    return result


def _shop(demo_db, tmp_path):
    source = tmp_path / "合同.pdf"
    source.write_bytes(b"%PDF-1.4 contract v1")
    with demo_db.sessions.begin() as s:
        customer_id = s.scalars(select(Customer.id).order_by(Customer.id)).first()
        add_attachment(s, Actor.system(), customer_id, source)
    return customer_id


def test_restore_returns_every_table_and_file_exactly(demo_db, owner, tmp_path):
    customer_id = _shop(demo_db, tmp_path)
    before = table_fingerprints(demo_db)
    assert before["sales_lines"][0] > 0 and before["customers"][0] > 0
    made = backups.back_up(demo_db, reason="manual")
    assert made.attachments == 1
    root = attachments_root_for_url(demo_db.url)
    files_before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    with demo_db.sessions.begin() as s:  # a change after the backup: rows and files
        s.get(Customer, customer_id).name = "改过的名字"
        s.execute(text("DELETE FROM sales_lines WHERE id IN (SELECT id FROM sales_lines LIMIT 50)"))
    for path in root.rglob("*.pdf"):
        path.write_bytes(b"overwritten")
    (root / "stray.txt").write_text("added after the backup")
    changed = table_fingerprints(demo_db)
    assert changed["customers"] != before["customers"] and changed["sales_lines"][0] == before["sales_lines"][0] - 50

    safety = backups.restore(demo_db, made.path)
    after = table_fingerprints(demo_db)
    assert after == before
    assert {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()} == files_before
    # The state before the restore is kept, in the catalog, and holds the change.
    assert safety.path in [e.path for e in backups.list_backups(demo_db)]
    kept = open_database(safety.path)
    try:
        assert table_fingerprints(kept)["customers"] == changed["customers"]
    finally:
        kept.dispose()


def test_restore_refuses_a_damaged_backup_and_one_from_a_newer_crmdesk(db, tmp_path):
    good = backups.back_up(db, tmp_path / "good.db").path
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(BackupCheckError, match="newer crmdesk.*9999"):
        backups.restore(db, newer)
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[20_000:60_000] = b"\xff" * 40_000  # pages of the schema's tables overwritten
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupCheckError):
        backups.restore(db, damaged)
    not_db = tmp_path / "notes.db"
    not_db.write_text("just text, not a database")
    with pytest.raises(BackupCheckError, match="not a crmdesk backup"):
        backups.restore(db, not_db)
    assert backups.list_backups(db) == []  # refused before any safety copy was made


def test_an_older_backup_is_upgraded_after_the_restore(tmp_path):
    from crmdesk.db.migrate import SCHEMA_HEAD, current_revision, upgrade
    from crmdesk.db.engine import connect

    old = connect(tmp_path / "old.db")
    upgrade(old, "0010")
    old.dispose()
    db = open_database(tmp_path / "shop.db")
    try:
        backups.restore(db, tmp_path / "old.db")
        assert current_revision(db) == SCHEMA_HEAD
    finally:
        db.dispose()


def test_attachments_swap_finishes_after_a_crash_between_its_renames(tmp_path):
    saved = tmp_path / "backup.db.attachments"
    (saved / "7").mkdir(parents=True)
    (saved / "7" / "a.pdf").write_bytes(b"from the backup")
    root = tmp_path / "attachments"
    (root / "7").mkdir(parents=True)
    (root / "7" / "a.pdf").write_bytes(b"live")
    # As if killed after the stage was complete and the live folder moved aside, before the swap.
    swap_in_attachments(saved, root)
    assert (root / "7" / "a.pdf").read_bytes() == b"from the backup"
    stage = tmp_path / "attachments.restore"
    stage.mkdir()
    (stage / "b.pdf").write_bytes(b"staged")
    root.replace(tmp_path / "attachments.replaced")
    assert not root.exists()
    assert finish_interrupted_swap(root)
    assert [p.name for p in root.rglob("*.pdf")] == ["b.pdf"]
    assert not stage.exists() and not (tmp_path / "attachments.replaced").exists()
    # A copy killed midway (an incomplete stage) never replaces the live folder.
    part = tmp_path / "attachments.restore.part"
    part.mkdir()
    (part / "half.pdf").write_bytes(b"half")
    assert finish_interrupted_swap(root)
    assert not part.exists() and [p.name for p in root.rglob("*.pdf")] == ["b.pdf"]
