"""The lock test's scenario: the app (tests/crash/lock_app.py, its own process) saves contact-log
entries and opens its file dialogs on the database folder, while this process reads and writes
the same file (``crmdesk report`` runs, SQLAlchemy inserts, a TRUNCATE checkpoint). Returns what
each side and a backup saw, so a test can say whether every write of both survived."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, insert, select

from crmdesk.db.models import Customer, Interaction

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).with_name("lock_app.py")


class App:
    def __init__(self, db_file: Path, mode: str, env: dict[str, str]):
        self.proc = subprocess.Popen([sys.executable, str(APP), str(db_file), mode], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.read()

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the app process ended: " + self.proc.stderr.read()[-3000:])
        return json.loads(line)

    def ask(self, command: str) -> dict:
        try:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError as exc:  # it died before the question: say why it died
            raise RuntimeError("the app process ended: " + self.proc.stderr.read()[-3000:]) from exc
        return self.read()

    def quit(self) -> None:
        try:
            if self.proc.poll() is None:  # a dead app (its error already raised) cannot be asked
                self.ask("quit")
        except (BrokenPipeError, RuntimeError):
            pass  # it died while quitting: the error that matters was raised before
        finally:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def _engine(db_file: Path):
    return create_engine(f"sqlite:///{db_file}")


def other_insert(db_file: Path, subject: str, checkpoint: bool = False) -> None:
    """A write from this (second) process, with plain SQLAlchemy; connections closed after."""
    engine = _engine(db_file)
    try:
        with engine.begin() as conn:
            customer_id = conn.execute(select(Customer.id).order_by(Customer.id)).scalars().first()
            conn.execute(insert(Interaction).values(customer_id=customer_id, channel="call", subject=subject,
                                                    occurred_at=dt.datetime.now()))
        if checkpoint:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def other_seen(db_file: Path) -> list[str]:
    engine = _engine(db_file)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(select(Interaction.subject).where(Interaction.subject.like("lock-%")))
                          .scalars())
    finally:
        engine.dispose()


def run_report(db_file: Path, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "crmdesk.cli", "--db", str(db_file), "--user", "owner",
                           "report", "contact-activity"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"crmdesk report failed: {done.stderr[-2000:]}")


def backup_seen(db_file: Path, into: Path) -> tuple[list[str], str]:
    """An online backup of the file (SQLite's backup API), then what the copy holds."""
    src, dst = sqlite3.connect(db_file), sqlite3.connect(into)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    copy = sqlite3.connect(into)
    try:
        seen = sorted(r[0] for r in copy.execute("SELECT subject FROM interactions WHERE subject LIKE 'lock-%'"))
        return seen, copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()


def run(db_file: Path, mode: str, scratch: Path) -> dict:
    env = {**os.environ, "CRMDESK_HOME": str(scratch / "home"), "CRMDESK_PASSWORD": "demo",
           "QT_QPA_PLATFORM": "offscreen"}
    app = App(db_file, mode, env)
    try:
        app.ask("log lock-a1")
        other_insert(db_file, "lock-t1")
        opened = app.ask("dialogs")["opened"]
        run_report(db_file, env)  # the last user, as it may believe, checkpoints at its close
        other_insert(db_file, "lock-t2", checkpoint=True)
        run_report(db_file, env)
        app.ask("log lock-a2")
        app_saw = app.ask("seen")["seen"]
        other_saw = other_seen(db_file)
        backup_saw, backup_check = backup_seen(db_file, scratch / "backup-while-open.db")
    finally:
        app.quit()
    after_saw = other_seen(db_file)
    return {"opened": opened, "app": app_saw, "other": other_saw, "backup": backup_saw,
            "backup_check": backup_check, "after_app_closed": after_saw,
            "expected": ["lock-a1", "lock-a2", "lock-t1", "lock-t2"]}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])), indent=1))
