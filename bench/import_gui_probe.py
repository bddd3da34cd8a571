"""How responsive the GUI thread stays while the import wizard's job imports a big file.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/import_gui_probe.py DB FILE

The import runs exactly as the wizard starts it (``crmdesk.ui.background.Job`` over
``import_files`` on Qt's thread pool) while the GUI thread's event loop runs a 10 ms timer and a
progress bar. Every gap between two timer ticks beyond its 10 ms is time the GUI could not react:
the largest gap and the 99th percentile are printed as one line ``stall max … p99 … ticks …``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 10


def main(db_path: str, file_path: str) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressBar

    from crmdesk.db import open_database
    from crmdesk.services.actor import actor_for_username
    from crmdesk.ui.background import Job, start
    from crmdesk.ui.importing.import_job import FileOptions, ImportRun, import_files

    app = QApplication.instance() or QApplication([])
    bar = QProgressBar()
    bar.setRange(0, 100)
    bar.show()
    db = open_database(db_path)
    with db.sessions() as s:
        actor = actor_for_username(s, None)  # the first owner, as the CLI acts
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    run = ImportRun()
    job = Job(import_files, db, actor, [FileOptions(Path(file_path))], False, False, run)
    job.progress.connect(lambda f, _m: bar.setValue(int((f or 0) * 100)))
    outcome: list[str] = []
    job.succeeded.connect(lambda _r: outcome.append("done"))
    job.failed.connect(lambda _e, tb: outcome.append(tb))
    job.cancelled.connect(lambda: outcome.append("cancelled"))
    job.finished.connect(app.quit)
    started = time.perf_counter()
    timer.start()
    start(job)
    app.exec()
    elapsed = time.perf_counter() - started
    if outcome != ["done"] or not run.results or not run.results[0].ok:
        print(f"import failed: {outcome} {run.results}", file=sys.stderr)
        return 1
    gaps = sorted((b - a) * 1000 - TICK_MS for a, b in zip(ticks, ticks[1:], strict=False))
    p99 = gaps[int(len(gaps) * 0.99)] if gaps else float("nan")
    result = run.results[0]
    print(f"stall max {max(gaps, default=float('nan')):.0f} ms p99 {p99:.0f} ms ticks {len(ticks)} "
          f"in {elapsed:.1f} s | added {result.added} updated {result.updated} unchanged {result.unchanged}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
