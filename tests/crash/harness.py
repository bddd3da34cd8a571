"""Crash tests (issue 12 item 7): run an operation in its own process (driver.py), kill it with
SIGKILL after a seeded random delay, then check the database: ``PRAGMA integrity_check`` is ok,
every table holds what it held before the operation or what a clean run leaves (nothing in
between), and the app starts (opens it its way, lists customers, runs a report).

Used by tests/test_crash_kills.py (a few kills per operation) and scripts/crash_torture.py
(20 or more per operation, with the counts)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.py")
IMPORT_FILE = ROOT / "tests" / "data" / "real" / "cn_superstore_300.xls"
# Rows that record *when* or *who ran it* differ between two clean runs; their tables are
# compared by everything else (time-typed columns are left out everywhere for the same reason).
VOLATILE_TABLES = {"audit_log", "change_log", "change_feed", "alembic_version"}
OPERATIONS = ("import", "save", "merge", "backup", "restore", "migrate")
MIGRATE_FROM = "0011"


# ---------------------------------------------------------------- looking at a database file

def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def revision(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def table_state(path: Path) -> dict[str, str]:
    """A checksum of every table's rows (order-free), leaving out time-typed columns."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        state = {}
        for table in tables:
            if table in VOLATILE_TABLES:
                continue
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                    if not any(t in (r[2] or "").upper() for t in ("DATETIME", "TIMESTAMP"))]
            rows = sorted(repr(row) for row in conn.execute(
                "SELECT " + ", ".join(f'"{c}"' for c in cols) + f' FROM "{table}"'))
            state[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16] + f"/{len(rows)}"
        return state
    finally:
        conn.close()


def differing(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))


def app_starts(path: Path) -> str:
    """Open the file the way the app does and use it: '' when fine, else what went wrong."""
    from crmdesk.db import open_database
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.registry import get
    from crmdesk.services.actor import actor_for_user
    from crmdesk.services.customer_query import CustomerQuery, count_customers, fetch_customer_rows, \
        search_customer_ids

    try:
        db = open_database(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return f"open: {exc}"
    try:
        with db.sessions() as s:
            actor = actor_for_user(s, "owner")
            count = count_customers(s, actor, CustomerQuery())
            ids = search_customer_ids(s, actor, CustomerQuery(), limit=50)
            rows = fetch_customer_rows(s, actor, ids)
            if count == 0 or not rows:
                return "no customers listed"
            get("receivables").fn(s, actor, ReportFilters(), {})
        return ""
    except Exception as exc:  # noqa: BLE001
        return f"use: {type(exc).__name__}: {exc}"
    finally:
        db.dispose()


def attachment_files_missing(path: Path) -> list[str]:
    """Managed attachments whose file is gone (a row must never point at nothing)."""
    from crmdesk.services.attachments import attachments_root_for_url

    conn = sqlite3.connect(path)
    try:
        stored = [r[0] for r in conn.execute("SELECT stored_path FROM attachments WHERE is_link = 0")]
    finally:
        conn.close()
    root = attachments_root_for_url(f"sqlite:///{path}")
    return [p for p in stored if not (root / p).is_file()]


# ---------------------------------------------------------------- the operations

@dataclass
class Case:
    """One operation ready to run: a start folder to copy, the driver's arguments, checks."""
    name: str
    start: Path  # folder holding shop.db (and whatever else the operation needs)
    args: list[str]  # driver arguments after OP and DB; "{dir}" is the trial's folder
    op: str
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # a clean run, from "ready" to "done"
    extra: Callable[[Path], str] | None = None  # a further check of a trial folder: '' when fine
    made: Callable[[Path], bool] | None = None  # for an operation that leaves the database as it
    # was (a backup): did it make its output? ("all" when it did, "none" when not)


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "CRMDESK_HOME": str(home), "CRMDESK_PASSWORD": "demo", "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": str(ROOT)}


def _command(case: Case, folder: Path) -> list[str]:
    args = [a.replace("{dir}", str(folder)) for a in case.args]
    return [sys.executable, str(DRIVER), case.op, str(folder / "shop.db"), *args]


def _copy_start(case: Case, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(case.start, folder)


def clean_run(case: Case, folder: Path) -> None:
    """Run the operation to its end once: the state it leaves and how long it takes."""
    _copy_start(case, folder)
    done = subprocess.run(_command(case, folder), cwd=ROOT, env=_env(folder / "home"), capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0 or "done" not in done.stdout:
        raise RuntimeError(f"clean run of {case.name} failed: {done.stdout[-1500:]} {done.stderr[-3000:]}")
    case.seconds = float(done.stdout.split("done", 1)[1].split()[0])
    case.after = table_state(folder / "shop.db")
    if case.after == case.before and case.name != "backup":  # a backup changes only its copy
        raise RuntimeError(f"a clean run of {case.name} changed nothing: the test could not tell")


@dataclass
class Trial:
    delay: float
    finished: bool  # the operation ended before the kill
    outcome: str  # "none" (state before), "all" (state after a clean run) or "partial"
    problems: list[str]


def kill_once(case: Case, folder: Path, delay: float) -> Trial:
    _copy_start(case, folder)
    errors = folder.with_name(folder.name + ".stderr")
    with errors.open("w") as err:
        proc = subprocess.Popen(_command(case, folder), cwd=ROOT, env=_env(folder / "home"), stdout=subprocess.PIPE,
                                stderr=err, text=True)
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        proc.wait()
        raise RuntimeError(f"{case.name}: the driver did not start: {errors.read_text()[-2000:]}")
    try:
        proc.wait(timeout=delay)
        finished = True  # it ended before the kill: still checked
    except subprocess.TimeoutExpired:
        finished = False
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    proc.stdout.close()
    return check(case, folder, delay, finished)


def check(case: Case, folder: Path, delay: float, finished: bool) -> Trial:
    db = folder / "shop.db"
    problems = []
    ok = integrity(db)
    if ok != "ok":
        problems.append(f"integrity_check: {ok[:300]}")
    state = table_state(db)
    outcome = "none" if state == case.before else "all" if state == case.after else "partial"
    if case.made is not None and outcome != "partial":
        outcome = "all" if case.made(folder) else "none"
    if outcome == "partial":
        problems.append("half done: tables " + ", ".join(
            t for t in differing(state, case.before) if t in differing(state, case.after)))
    if case.extra:
        found = case.extra(folder)
        if found:
            problems.append(found)
    started = app_starts(db)
    if started:
        problems.append(f"the app does not start: {started}")
    return Trial(delay, finished, outcome, problems)


def kill_many(case: Case, folder: Path, count: int, seed: int) -> list[Trial]:
    """``count`` kills at delays drawn (seeded) from 0 to 1.5 × a clean run's time (a killed run is
    often slower than the clean one: the range must reach past its end)."""
    rng = random.Random(f"{seed}-{case.name}")
    return [kill_once(case, folder, rng.uniform(0.0, case.seconds * 1.5)) for _ in range(count)]


# ---------------------------------------------------------------- preparing the start states

def _cli(db: Path, home: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "crmdesk.cli", "--db", str(db), *args], cwd=ROOT, env=_env(home),
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"crmdesk {' '.join(args)}: {done.stderr[-2000:]}")


def make_base(folder: Path, customers: int = 150, lines: int = 2500) -> Path:
    """A small demo shop (deterministic)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    db = folder / "shop.db"
    _cli(db, folder / "home", "demo", "--customers", str(customers), "--products", "60", "--lines", str(lines),
         "--seed", "3", "--end-date", "2026-11-30", "--quiet")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


def _first_customers(db: Path, n: int = 2) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM customers ORDER BY id LIMIT ?", (n,))]
    finally:
        conn.close()


def _attach(db: Path, customer_id: int, name: str, body: str) -> None:
    from crmdesk.db import open_database
    from crmdesk.services.actor import actor_for_user
    from crmdesk.services.attachments import add_attachment

    source = db.parent / "incoming" / name
    source.parent.mkdir(exist_ok=True)
    source.write_text(body, encoding="utf-8")
    database = open_database(db)
    try:
        with database.sessions.begin() as s:
            add_attachment(s, actor_for_user(s, "owner"), customer_id, source)
    finally:
        database.dispose()


def _checkpoint(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _backup_file_is_whole(case: Case) -> Callable[[Path], str]:
    def check_copy(folder: Path) -> str:
        copy = folder / "out" / "copy.db"
        if not copy.exists():
            return ""  # not made: fine, as long as nothing half-made poses as a backup
        ok = integrity(copy)
        if ok != "ok":
            return f"the backup file is damaged: {ok[:200]}"
        if table_state(copy) != case.before:
            return "the backup file differs from the database: " + ", ".join(
                differing(table_state(copy), case.before))
        return ""
    return check_copy


def _no_missing_attachments(folder: Path) -> str:
    missing = attachment_files_missing(folder / "shop.db")
    return f"attachment rows without their file: {missing}" if missing else ""


def _downgraded_copy(base: Path, target: Path, revision_id: str) -> None:
    """A database at an older schema holding the base shop's rows (columns the old schema has)."""
    from crmdesk.db.engine import connect
    from crmdesk.db.migrate import upgrade

    target.parent.mkdir(parents=True, exist_ok=True)
    db = connect(target)
    try:
        upgrade(db, revision_id)
    finally:
        db.dispose()
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("ATTACH DATABASE ? AS base", (str(base),))
        conn.execute("BEGIN")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            if table == "alembic_version":
                continue
            old = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
            new = {r[1] for r in conn.execute(f'PRAGMA base.table_info("{table}")')}
            cols = ", ".join(f'"{c}"' for c in old if c in new)
            if cols:
                conn.execute(f'DELETE FROM main."{table}"')
                conn.execute(f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM base."{table}"')
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE base")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def prepare(name: str, work: Path, base: Path) -> Case:
    """The start folder of operation ``name`` (from the base shop), its clean run included."""
    start = work / f"start-{name}"
    if start.exists():
        shutil.rmtree(start)
    start.mkdir(parents=True)
    db = start / "shop.db"
    a, b = _first_customers(base)
    if name == "migrate":
        _downgraded_copy(base, db, MIGRATE_FROM)
    else:
        shutil.copyfile(base, db)
    if name == "import":
        case = Case(name, start, ["import", str(IMPORT_FILE), "--quiet"], "cli")
    elif name == "save":
        case = Case(name, start, [str(a)], "save")
    elif name == "merge":
        _attach(db, b, "合同.txt", "merged customer's contract")
        _attach(db, a, "名片.txt", "survivor's card")
        case = Case(name, start, [str(a), str(b)], "merge", extra=_no_missing_attachments)
    elif name == "backup":
        case = Case(name, start, ["backup", "{dir}/out/copy.db"], "cli")
    elif name == "restore":
        _attach(db, a, "名片.txt", "survivor's card")
        _cli(db, start / "home", "--user", "owner", "backup", str(start / "saved" / "shop-saved.db"))
        _change_after_backup(db, a, b)
        case = Case(name, start, ["restore", "{dir}/saved/shop-saved.db", "--yes"], "cli",
                    extra=_no_missing_attachments)
    elif name == "migrate":
        case = Case(name, start, [], "migrate")
    else:
        raise ValueError(name)
    _checkpoint(db)
    case.before = table_state(db)
    if name == "backup":
        case.extra = _backup_file_is_whole(case)
        case.made = lambda folder: (folder / "out" / "copy.db").exists()
    clean_run(case, work / f"clean-{name}")
    return case


def _change_after_backup(db: Path, a: int, b: int) -> None:
    """What a restore must undo: a rename, a new contact-log entry, a deleted customer's lines."""
    from sqlalchemy import text

    from crmdesk.db import open_database
    from crmdesk.services.actor import actor_for_user
    from crmdesk.services.interactions import InteractionInput, log_interaction

    _attach(db, b, "新合同.txt", "added after the backup")
    database = open_database(db)
    try:
        with database.sessions.begin() as s:
            actor = actor_for_user(s, "owner")
            log_interaction(s, actor, a, InteractionInput(subject="after the backup"))
            s.execute(text("UPDATE customers SET name = name || '（改）' WHERE id = :i"), {"i": b})
    finally:
        database.dispose()
