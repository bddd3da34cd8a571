"""How long the integrity check at start takes on a ~400 MB database (issue 12 item 5).

Builds the file once with ``crmdesk demo`` (60,000 customers, 1,100,000 lines ≈ 400 MB), then
measures on it: ``PRAGMA quick_check`` (what an open of a changed file runs), ``integrity_check``
(after an unclean shutdown), and ``check_at_start`` after a clean close (the file unchanged:
no pages read), and an online backup of the file. The OS page cache is warm after the first
run; the first quick_check figure is the coldest this script can see without root.

    .venv/bin/python bench/integrity_bench.py [--db /tmp/backups/b400.db] [--runs 3]

Goal: the check costs a start ≤ 200 ms on the 400 MB file — after a clean close (no pages read)
and after another program changed the file (quick_check then runs behind the login dialog; the
figure is what the start waits for). Ends with ``GOALS MET`` or ``GOALS MISSED: …``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_START_MS = 200.0


def build(path: Path) -> None:
    print(f"building {path} with crmdesk demo (a few minutes)…", flush=True)
    subprocess.run([sys.executable, "-m", "crmdesk.cli", "--db", str(path), "demo", "--customers", "60000",
                    "--lines", "1100000", "--quiet"], check=True, cwd=ROOT)


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def changed_file_start(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """(ms the start waits for the check, ms the check runs on in the background) per run, for a
    file a program other than crmdesk changed since the last clean close."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from crmdesk.db import integrity
    from crmdesk.ui.startup_checks import begin_check, must_wait_before_open

    app = QApplication.instance() or QApplication([])
    waited, behind = [], []
    for _ in range(runs):
        integrity.mark_open(path)
        integrity.mark_closed(path)
        clean = integrity._clean_path(path)
        clean.write_text("{}", encoding="utf-8")  # as if another program wrote the file since
        started = time.perf_counter()
        check = begin_check(str(path))
        if must_wait_before_open(check):
            raise SystemExit("the bench file needs a migration: open it once with this crmdesk first")
        waited.append((time.perf_counter() - started) * 1000)
        report = check.wait()
        behind.append(report.seconds * 1000)
        assert report.ok and report.mode == integrity.QUICK, report
        integrity.mark_closed(path)
    app.processEvents()
    return waited, behind


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/backups/b400.db")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("CRMDESK_HOME", tempfile.mkdtemp(prefix="integrity-bench-"))
    path = Path(args.db)
    if not path.exists():
        build(path)

    from crmdesk.db import integrity
    from crmdesk.db.backup import backup_to
    from crmdesk.db.engine import connect
    from crmdesk.db.migrate import open_database

    open_database(path).dispose()  # at the current schema; the WAL folded in on close
    size_mb = os.stat(path).st_size / 1e6
    print(f"database: {path} ({size_mb:.0f} MB)")

    db = connect(path)
    try:
        quick = timed(lambda: integrity.run_check(db), args.runs)
        print(f"PRAGMA quick_check: runs {', '.join(f'{t:.0f}' for t in quick)} ms; median "
              f"{statistics.median(quick):.0f} ms")
        full = timed(lambda: integrity.run_check(db, full=True), 1)
        print(f"PRAGMA integrity_check (after an unclean shutdown): {full[0]:.0f} ms")
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            copy = timed(lambda: backup_to(db, Path(tmp) / "copy.db"), 1)
            print(f"online backup of the file: {copy[0]:.0f} ms")
    finally:
        db.dispose()

    # A clean close remembers the file's size and times; the next start reads no pages.
    integrity.mark_open(path)
    integrity.mark_closed(path)
    unchanged = timed(lambda: integrity.check_at_start(path), args.runs)
    modes = integrity.check_at_start(path).mode
    print(f"check_at_start after a clean close ({modes}): median {statistics.median(unchanged):.1f} ms")
    integrity.mark_open(path)  # as if the last run crashed
    crashed = integrity.check_at_start(path)
    print(f"check_at_start after an unclean shutdown ({crashed.mode}): {crashed.seconds * 1000:.0f} ms")
    integrity.mark_closed(path)

    # A file changed since (another program wrote it): the app's start runs quick_check in the
    # background while the login dialog shows. Measured: what the start waits for before it can
    # show the login, and how long the check runs on behind it.
    blocking, behind = changed_file_start(path, args.runs)
    print(f"start with a changed file: the start waits {statistics.median(blocking):.0f} ms "
          f"(runs {', '.join(f'{t:.0f}' for t in blocking)}); quick_check runs on behind the login for "
          f"{statistics.median(behind):.0f} ms")

    missed = []
    start_ms = statistics.median(unchanged)
    if start_ms > GOAL_START_MS:
        missed.append(f"check at a start after a clean close {start_ms:.0f} ms > {GOAL_START_MS:.0f} ms")
    if statistics.median(blocking) > GOAL_START_MS:
        missed.append(f"a start with a changed {size_mb:.0f} MB file waits {statistics.median(blocking):.0f} ms "
                      f"for its check > {GOAL_START_MS:.0f} ms")
    print(f"(PRAGMA quick_check itself reads every page: {statistics.median(quick):.0f} ms on {size_mb:.0f} MB; "
          "the goal is met by when it runs, not by making it faster)")
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
