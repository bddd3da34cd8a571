"""Start-up of the app on a demo shop with 100,000 customers and 1,000,000 order lines.

    .venv/bin/python bench/startup_bench.py [--db bench/out/startup_100k_1m.db] [--runs 5] [--frozen dist/crmdesk/crmdesk]

Builds the database once (``crmdesk demo --customers 100000 --lines 1000000 --end-date 2026-06-30``)
when it is missing. Then, for the source app (``python -m crmdesk.cli``) and the frozen app
(dist/crmdesk, when it was built with ``make dist``), one start to warm the OS file cache and the
day's first-start work (not counted), then ``--runs`` cold starts, each a new process, offscreen.
The app reports its progress through ``CRMDESK_STARTUP_PROBE`` (crmdesk/ui/startup_probe.py), which
also presses the login dialog's OK button on the demo shop's pre-filled owner / demo login.

Prints the medians of: process start → login window shown; login confirmed → main window shown;
login confirmed → customer list usable (rows shown); the peak RSS. Goals: login window ≤ 1.0 s;
customer list ≤ 0.5 s after login; the frozen app no slower than the source app (medians within
10 %, the noise of a shared machine). Ends with ``GOALS MET`` or ``GOALS MISSED: …``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "bench" / "out" / "startup_100k_1m.db"
DEFAULT_FROZEN = ROOT / "dist" / "crmdesk" / ("crmdesk.exe" if sys.platform == "win32" else "crmdesk")
GOAL_LOGIN_S = 1.0
GOAL_LIST_S = 0.5
FROZEN_TOLERANCE = 1.10


def ensure_database(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {path} (100,000 customers, 1,000,000 lines; a few minutes) …", flush=True)
    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "crmdesk.cli", "--db", str(partial), "demo", "--customers", "100000",
                    "--lines", "1000000", "--end-date", "2026-06-30", "--quiet"], check=True, cwd=ROOT)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)


def one_start(command: list[str], db: Path, home: Path) -> dict[str, float]:
    probe = home / f"probe-{time.monotonic_ns()}.jsonl"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CRMDESK_HOME=str(home), CRMDESK_LANG="zh_CN",
               CRMDESK_STARTUP_PROBE=str(probe))
    # An installed crmdesk has its bytecode compiled (pip does it; the frozen app carries it): the
    # warm-up start writes what is missing instead of every start compiling the sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.time()
    run = subprocess.run([*command, "--db", str(db)], env=env, cwd=home, capture_output=True, text=True, timeout=300)
    events = {}
    if probe.exists():
        for line in probe.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            events[record["event"]] = record
    if run.returncode != 0 or "list_ready" not in events:
        raise RuntimeError(f"{command[0]}: exit {run.returncode}, events {sorted(events)}\n{run.stderr[-2000:]}")
    confirmed = events["login_confirmed"]["t"]
    return {"login": events["login_shown"]["t"] - started,
            "main": events["main_shown"]["t"] - confirmed,
            "list": events["list_ready"]["t"] - confirmed,
            "rss": events["list_ready"]["peak_rss_mb"]}


def measure(name: str, command: list[str], db: Path, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="crmdesk-startup-") as tmp:
        home = Path(tmp)
        one_start(command, db, home)  # warm-up: OS file cache, the day's first start (backup, rules)
        results = [one_start(command, db, home) for _ in range(runs)]
    medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
    runs_text = ", ".join(f"{r['login']:.2f}" for r in results)
    print(f"{name:7} login window {medians['login']:.2f} s (runs: {runs_text}); main window {medians['main']:.2f} s and "
          f"customer list {medians['list']:.2f} s after login; peak RSS {medians['rss']:.0f} MB", flush=True)
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frozen", type=Path, default=DEFAULT_FROZEN)
    args = parser.parse_args()
    ensure_database(args.db)
    # The bench works on a copy: the app backs up and records its starts in the file it opens.
    with tempfile.TemporaryDirectory(prefix="crmdesk-startup-db-") as tmp:
        db = Path(tmp) / args.db.name
        shutil.copyfile(args.db, db)
        print(f"database {args.db} ({args.db.stat().st_size / 2**20:.0f} MB); {args.runs} cold starts each "
              "(new process, OS file cache warm), offscreen", flush=True)
        source = measure("source", [sys.executable, "-m", "crmdesk.cli"], db, args.runs)
        frozen = measure("frozen", [str(args.frozen)], db, args.runs) if args.frozen.exists() else None
    if frozen is None:
        print(f"frozen  not measured: {args.frozen} does not exist (make dist)")
    missed = []
    for name, figures in (("source", source), ("frozen", frozen)):
        if figures is None:
            continue
        if figures["login"] > GOAL_LOGIN_S:
            missed.append(f"{name} login window {figures['login']:.2f} s > {GOAL_LOGIN_S} s")
        if figures["list"] > GOAL_LIST_S:
            missed.append(f"{name} customer list {figures['list']:.2f} s after login > {GOAL_LIST_S} s")
    if frozen is not None:
        for key, label in (("login", "login window"), ("list", "customer list")):
            if frozen[key] > source[key] * FROZEN_TOLERANCE:
                missed.append(f"frozen {label} {frozen[key]:.2f} s slower than source {source[key]:.2f} s")
    else:
        missed.append("frozen app not built")
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
