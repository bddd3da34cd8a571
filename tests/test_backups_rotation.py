"""The backups catalog and its rotation: when backups are made (daily, before an import, before a
migration), what is kept (newest N plus one a month for a year), and what a killed backup left."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

from crmdesk.db import open_database
from crmdesk.db import backup_catalog as catalog
from crmdesk.db.backup import backups_dir
from crmdesk.services import backups
from crmdesk.services.actor import Actor

GJP_CUSTOMERS = "客户编号,客户名称\nC001,广州文具店\nC002,深圳书店\n"


def _fake(folder, stem, reason, when: dt.datetime, size=1000):
    path = folder / catalog.stamp_name(stem, reason, when)
    path.write_bytes(b"x" * size)
    catalog.write_sidecar(catalog.BackupEntry(path=path, created=when, reason=reason, revision="0015",
                                              size=size, database=stem))
    return path


def test_rotation_keeps_the_newest_n_and_one_a_month_for_a_year(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    today = dt.date(2026, 12, 4)
    made = []
    for months_ago in range(15):  # three a month, for fifteen months
        for day in (3, 2, 1):
            year, month = divmod(2026 * 12 + 11 - months_ago, 12)
            made.append(_fake(folder, "shop", "daily", dt.datetime(year, month + 1, day, 9)))
    other = _fake(folder, "other", "daily", dt.datetime(2020, 1, 1))  # another database's: not touched
    (folder / "shop-daily-20261204-090000-000000.db.attachments").mkdir()  # an orphan copy
    catalog.rotate(folder, "shop", keep=4, today=today)
    left = [e.path for e in catalog.list_backups(folder, "shop")]
    newest4 = made[:4]
    monthly = [made[3 * m] for m in range(12)]  # the newest of each of the last twelve months
    assert set(left) == set(newest4) | set(monthly)
    assert len(left) == 4 + 12 - 2  # December's and November's newest are both newest-4 and monthly
    assert other.exists()
    assert not (folder / "shop-daily-20261204-090000-000000.db.attachments").exists()
    assert all(catalog.sidecar_of(p).exists() for p in left)
    assert not any(catalog.sidecar_of(p).exists() for p in made if p not in left)


def test_rotation_removes_what_a_killed_backup_left_but_not_a_running_one(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = folder / "shop-manual-20261101-100000-000000.db.part"
    stale.write_bytes(b"half a copy")
    stale_files = folder / "shop-manual-20261101-100000-000000.db.attachments.part"
    stale_files.mkdir()
    old = time.time() - catalog.STALE_PART_SECONDS - 60
    for path in (stale, stale_files):
        os.utime(path, (old, old))
    running = folder / "shop-manual-20261204-100000-000000.db.part"
    running.write_bytes(b"being written")
    removed = catalog.rotate(folder, "shop", keep=3)
    assert stale in removed and stale_files in removed
    assert not stale.exists() and not stale_files.exists() and running.exists()


def test_catalog_lists_date_size_reason_revision_and_attachments(db, tmp_path):
    from crmdesk.db.models import Customer
    from crmdesk.services.attachments import add_attachment

    source = tmp_path / "x.pdf"
    source.write_bytes(b"%PDF")
    with db.sessions.begin() as s:
        customer = Customer(code="K1", name="甲", credit_limit=0)
        s.add(customer)
        s.flush()
        add_attachment(s, Actor.system(), customer.id, source)
    result = backups.back_up(db, reason="manual")
    (entry,) = backups.list_backups(db)
    assert entry.path == result.path and entry.reason == "manual" and entry.revision == "0015"
    assert entry.size == result.path.stat().st_size and entry.attachments == 1
    assert entry.created.date() == dt.date.today()
    side = json.loads(catalog.sidecar_of(result.path).read_text(encoding="utf-8"))
    assert side["database"] == "test" and side["attachments"] == 1
    assert not list(backups_dir(db).glob("*.part"))


def test_daily_backup_once_a_day(db):
    first = backups.daily_backup_if_due(db)
    assert first is not None and first.name.startswith("test-daily-")
    assert backups.daily_backup_if_due(db) is None  # the same day again
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert backups.daily_backup_if_due(db, today=tomorrow) is not None


def test_an_import_backs_up_first_and_a_dry_run_does_not(db, owner, tmp_path):
    from crmdesk.importers.run import import_file

    src = tmp_path / "customers.csv"
    src.write_text(GJP_CUSTOMERS, encoding="utf-8")
    import_file(db, owner, src, dry_run=True)
    assert backups.list_backups(db) == []
    result = import_file(db, owner, src)
    assert result.ok
    (entry,) = backups.list_backups(db)
    assert entry.reason == "pre-import"
    copy = open_database(entry.path)  # the copy is the state before the import: no customers
    try:
        with copy.sessions() as s:
            from sqlalchemy import func, select

            from crmdesk.db.models import Customer

            assert s.scalar(select(func.count()).select_from(Customer)) == 0
    finally:
        copy.dispose()


def test_the_migration_backup_is_in_the_catalog(tmp_path):
    from crmdesk.db.engine import connect
    from crmdesk.db.migrate import upgrade

    old = connect(tmp_path / "old.db")
    upgrade(old, "0011")
    old.dispose()
    db = open_database(tmp_path / "old.db")
    try:
        (entry,) = backups.list_backups(db)
        assert entry.reason == "pre-upgrade-0011" and entry.revision == "0011"
    finally:
        db.dispose()


def test_keep_setting_is_stored_beside_the_backups_and_applied(db, owner):
    for _ in range(4):
        backups.back_up(db, reason="manual")
    assert backups.keep_count(db) == catalog.DEFAULT_KEEP
    backups.set_keep_count(db, owner, 2)
    assert backups.keep_count(db) == 2
    assert (backups_dir(db) / catalog.POLICY_FILE).is_file()
    assert len(backups.list_backups(db)) == 2


KILLED_BACKUP = """
import sys, time
import crmdesk.db.backup as backup
from crmdesk.db.engine import connect
from crmdesk.services import backups

backup.PAGES_PER_STEP = 1  # one page a step, and a pause: the test kills it midway

def slow(fraction, message):
    print("STEP", flush=True)
    time.sleep(0.2)

db = connect(sys.argv[1])
backups.back_up(db, reason="manual", progress=backups.Progress(slow, min_interval=0))
"""


def test_a_killed_backup_leaves_only_a_part_file_that_rotation_removes(db, tmp_path):
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BACKUP, str(db.file_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for _ in range(3):
            assert proc.stdout.readline().strip() == "STEP"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    folder = backups_dir(db)
    (part,) = folder.glob("*.db.part")
    assert backups.list_backups(db) == []  # a half copy is never listed or offered
    catalog.rotate(folder, "test")
    assert part.exists()  # young: it could be a backup still running
    old = time.time() - catalog.STALE_PART_SECONDS - 1
    os.utime(part, (old, old))
    backups.back_up(db, reason="manual")  # the next backup's rotation sweeps it
    assert not part.exists() and len(backups.list_backups(db)) == 1
