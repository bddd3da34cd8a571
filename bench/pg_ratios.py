"""PostgreSQL / SQLite time ratios of whole ``crmdesk`` processes (issue 13, speed on PostgreSQL).

    .venv/bin/python bench/pg_ratios.py [--runs 3] [--customers 2000] [--lines 150000] [--workdir DIR]

Each case runs as a child process, the same command once against a SQLite file and once against
a PostgreSQL database (a server started from the ``pgserver`` wheel in the work folder, reached
over its Unix socket, on this machine), alternating, ``--runs`` times; the median wall time of
each is compared:

- ``demo``: ``crmdesk demo`` at the given scale (default: the demo's own defaults, 2,000
  customers, 800 products, 150,000 lines) into a new database;
- ``import 100k``: ``crmdesk import`` of a 100,000-line sales file into a new, set-up database (the
  real UCI Online Retail sample of ../shared/data, 20,000 lines, five times over with the
  invoice numbers of each copy made distinct);
- ``first report``: ``crmdesk report key-customers`` (login included) in a new process on the
  demo database — the first report of a process, which reads every line.

Goal: every ratio ≤ 1.5. The last line is ``GOALS MET`` or ``GOALS MISSED: …``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT.parent / "shared" / "data" / "online_retail_I_sample20k.csv"
GOAL_RATIO = 1.5
END_DATE = "2026-06-30"
IMPORT_LINES = 100_000


def _crmdesk(db: str, *args: str, env: dict[str, str] | None = None) -> float:
    """Seconds one ``crmdesk`` process takes; raises when it fails."""
    command = [sys.executable, "-m", "crmdesk.cli", "--db", db, *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} on {db}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    return seconds


def _migrated(db: str) -> None:
    subprocess.run([sys.executable, "-c", "import sys; from crmdesk.db import open_database; "
                    "open_database(sys.argv[1]).dispose()", db], check=True, cwd=ROOT, capture_output=True)


class Server:
    """A PostgreSQL server from the pgserver wheel, for the length of the benchmark."""

    def __init__(self, folder: Path) -> None:
        import pgserver

        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o777)  # run as root, pgserver starts postgres as its own user
        self.server = pgserver.get_server(str(folder), cleanup_mode="stop")

    def new_database(self) -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        self.server.psql(f"CREATE DATABASE {name};")
        return self.server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)

    def stop(self) -> None:
        self.server.cleanup()


def make_import_file(folder: Path, lines: int = IMPORT_LINES) -> Path:
    """The Online Retail sample repeated up to ``lines`` lines, each copy's invoices renamed."""
    import pandas as pd

    sample = pd.read_csv(RETAIL, dtype=str, keep_default_na=False)
    copies = []
    for n in range(-(-lines // len(sample))):
        part = sample.copy()
        part["InvoiceNo"] = part["InvoiceNo"] + f"-{n}"
        copies.append(part)
    path = folder / "online_retail_100k.csv"
    pd.concat(copies).head(lines).to_csv(path, index=False)
    return path


def _pairs(runs: int, sqlite_run: Callable[[], float], pg_run: Callable[[], float]) -> tuple[float, float]:
    sqlite_times, pg_times = [], []
    for _ in range(runs):  # alternating, so a machine that slows down hurts both alike
        sqlite_times.append(sqlite_run())
        pg_times.append(pg_run())
    return statistics.median(sqlite_times), statistics.median(pg_times)


def measure_ratios(workdir: Path | str, runs: int = 3, demo_args: list[str] | None = None
                   ) -> list[tuple[str, float, float]]:
    """(case, SQLite seconds, PostgreSQL seconds) — medians of ``runs`` — for demo, a 100k-line
    import and the first report in a new process."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    # The children's data folder (a server database's backups before each import go there).
    os.environ["CRMDESK_HOME"] = str(workdir / "home")
    demo_args = ["demo", "--quiet", "--end-date", END_DATE, *(demo_args or [])]
    server = Server(workdir / "pgdata")
    try:
        files = iter(range(10_000))

        def sqlite_db() -> str:
            path = workdir / f"bench-{next(files)}.db"
            for stale in workdir.glob(path.name + "*"):
                stale.unlink()
            return str(path)

        out = []
        demo_dbs: dict[str, str] = {}

        def demo_on(kind: str) -> float:
            db = sqlite_db() if kind == "sqlite" else server.new_database()
            demo_dbs[kind] = db
            return _crmdesk(db, *demo_args)

        out.append(("demo", *_pairs(runs, lambda: demo_on("sqlite"), lambda: demo_on("pg"))))
        source = make_import_file(workdir)

        def import_into(db: str) -> float:
            _migrated(db)  # a shop's database exists before its import: setting it up is not timed
            if not db.endswith(".db"):
                # On a server an import makes sure the day's backup exists (a full copy into a SQLite
                # file) and the first import of a day pays for it; every database here is new, so
                # that copy is made first, untimed: the figure is an everyday import. (SQLite backs
                # up before every import, and that stays in its time.)
                _crmdesk(db, "backup")
            return _crmdesk(db, "import", str(source), "--quiet")

        out.append((f"import {IMPORT_LINES // 1000}k lines", *_pairs(
            runs, lambda: import_into(sqlite_db()), lambda: import_into(server.new_database()))))
        login = {"CRMDESK_PASSWORD": "demo"}
        report = ["--user", "owner", "report", "key-customers"]
        out.append(("first report", *_pairs(runs, lambda: _crmdesk(demo_dbs["sqlite"], *report, env=login),
                                            lambda: _crmdesk(demo_dbs["pg"], *report, env=login))))
        return out
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--customers", type=int, help="demo scale (default: the demo's own)")
    parser.add_argument("--products", type=int)
    parser.add_argument("--lines", type=int)
    parser.add_argument("--workdir", help="keep the databases here (default: a temporary folder)")
    args = parser.parse_args()
    demo_args = [f"--{name}={value}" for name in ("customers", "products", "lines")
                 if (value := getattr(args, name)) is not None]
    folder = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="pg-ratios-", dir="/tmp"))
    try:
        rows = measure_ratios(folder, runs=args.runs, demo_args=demo_args)
    finally:
        if not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"PostgreSQL / SQLite, medians of {args.runs} runs each (whole processes, wall seconds); "
          f"demo {' '.join(demo_args) or 'at its default scale'}")
    print(f"{'case':<20}{'SQLite s':>10}{'PG s':>10}{'ratio':>8}")
    missed = []
    for name, sqlite_s, pg_s in rows:
        ratio = pg_s / sqlite_s
        print(f"{name:<20}{sqlite_s:>10.2f}{pg_s:>10.2f}{ratio:>8.2f}")
        if ratio > GOAL_RATIO:
            missed.append(f"{name} {ratio:.2f}× > {GOAL_RATIO}×")
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
