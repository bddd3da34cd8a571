"""One crmdesk per database file: a second start finds the first (a real second process), asks it
to come forward; a lock left by a killed instance is taken over; the lock is never on the
database file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from crmdesk import paths
from crmdesk.ui.single_instance import InstanceGuard, ask_first_instance_to_raise, lock_path

ROOT = Path(__file__).resolve().parents[1]

HOLDER = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from crmdesk.ui.single_instance import InstanceGuard

    app = QCoreApplication([])
    guard = InstanceGuard(sys.argv[1])
    print("LOCKED" if guard.acquire() else "BUSY", flush=True)

    def raised():
        print("RAISED", flush=True)
        app.quit()

    guard.raise_requested.connect(raised)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    guard.release()
""")


def _holder(location: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(location)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().strip() == "LOCKED"
    return proc


def test_a_second_start_is_refused_and_brings_the_first_forward(qapp, tmp_path):
    location = tmp_path / "shop.db"
    proc = _holder(location)
    try:
        second = InstanceGuard(location)
        assert not second.acquire()
        assert ask_first_instance_to_raise(location)
        assert proc.stdout.readline().strip() == "RAISED"
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    other = InstanceGuard(tmp_path / "other.db")  # another database file: its own instance
    assert other.acquire()
    other.release()


def test_a_killed_instance_lock_is_taken_over(qapp, tmp_path):
    location = tmp_path / "shop.db"
    proc = _holder(location)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert lock_path(location).exists()  # left behind by the killed process
    guard = InstanceGuard(location)
    try:
        assert guard.acquire()
        assert lock_path(location).read_text().split()[0] == str(os.getpid())
        assert paths.data_dir() in lock_path(location).parents
        assert not location.exists()  # nothing was created or locked beside the database
        assert ask_first_instance_to_raise(location)  # and it listens for the next start
    finally:
        guard.release()
