"""Issue 12 item 7: an operation killed with SIGKILL at a random moment leaves the database
whole — integrity_check ok, the change all there or not at all, the app starts. A few seeded
kills per operation here; scripts/crash_torture.py runs 20 or more per operation and counts.
The driver, the checks and the start states are in tests/crash/."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("crash")))
import harness  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
KILLS = 2  # a smoke run per operation in `make test`; bench/crash_bench.py kills 20 per operation
SEED = 12


@pytest.fixture(scope="module")
def crash_work(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash")
    base = harness.make_base(work / "base", customers=100, lines=1500)
    return work, base, {}


def _case(crash_work, name: str) -> harness.Case:
    work, base, cases = crash_work
    if name not in cases:
        cases[name] = harness.prepare(name, work, base)
    return cases[name]


@pytest.mark.parametrize("operation", harness.OPERATIONS)
def test_a_killed_operation_leaves_the_database_whole(crash_work, operation):
    case = _case(crash_work, operation)
    trials = harness.kill_many(case, crash_work[0] / f"trial-{operation}", KILLS, SEED)
    assert [t.problems for t in trials] == [[]] * KILLS
    assert {t.outcome for t in trials} <= {"none", "all"}


def test_the_check_sees_a_half_done_save(crash_work):
    """The test of the test: the customer row changed but not its search index is 'partial'."""
    case = _case(crash_work, "save")
    folder = crash_work[0] / "half-done"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(case.start, folder)
    conn = sqlite3.connect(folder / "shop.db")
    conn.execute("UPDATE customers SET name = name || '（新）' WHERE id = (SELECT min(id) FROM customers)")
    conn.commit()
    conn.close()
    trial = harness.check(case, folder, 0.0, finished=False)
    assert trial.outcome == "partial"
    assert any("half done" in p for p in trial.problems)


def test_a_restore_killed_inside_the_page_copy_rolls_back_whole(crash_work):
    """Restoring the database file is one SQLite transaction (the backup API holds the write
    transaction on the destination across its steps, with a rollback journal): killed after the
    first of many steps, the file comes back exactly as it was."""
    case = _case(crash_work, "restore")
    folder = crash_work[0] / "midcopy"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(case.start, folder)
    db = folder / "shop.db"
    proc = subprocess.Popen([sys.executable, str(harness.DRIVER), "restore-midcopy", str(db),
                             str(folder / "saved" / "shop-saved.db")], cwd=harness.ROOT,
                            env=harness._env(folder / "home"), stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    assert proc.stdout.readline().strip() == "copying"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert (folder / "shop.db-journal").exists()  # killed inside the transaction: a hot journal
    assert harness.integrity(db) == "ok"
    assert harness.table_state(db) == case.before
    assert harness.app_starts(db) == ""
