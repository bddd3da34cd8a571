"""Several PCs on one database (issue 13): correctness under concurrency and PostgreSQL speed.

    .venv/bin/python bench/multipc_bench.py [--long 60000] [--short 300] [--rounds 20] [--runs 1]
                                            [--skip-ratios] [--workdir DIR]

On a SQLite file and on PostgreSQL (a server from the ``pgserver`` wheel, started here):

- interleaved imports: a long import (``--long`` lines) and a short one overlapping (on
  PostgreSQL the long one holds lower line ids, uncommitted, while the short one commits —
  the order that lost 75,477 lines in the issue), then a merge, an undo, and a merge beside a
  second import, each in its own ``crmdesk`` process, while this process keeps its line cache
  and compares it with SQL after every step (lines and amount);
- two simultaneous saves of one customer (two engines = two PCs, a barrier), ``--rounds``
  times: exactly one must win, the other get the concurrency message;
- the PostgreSQL/SQLite time ratios of ``bench/pg_ratios.py`` (demo, 100k-line import, first
  report in a new process), goal ≤ 1.5 each (``--skip-ratios``: not run).

Ends with ``GOALS MET`` or ``GOALS MISSED: …``.

Why 45,000 lines by default: an import of ≥ 50,000 lines into a smaller table drops and rebuilds
the plain line indexes (``importers.write_sales._indexes_rebuilt_after``); on PostgreSQL DROP
INDEX locks ``sales_lines`` against every reader until that import commits, so the short import
(and every other PC's report) waits for it — the two would not overlap at all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the multi-process helpers the tests use too
sys.path.insert(0, str(ROOT / "bench"))
GOAL_RATIO = 1.5


def interleaved_case(url: str, work: Path, long_lines: int, short_lines: int) -> list[str]:
    from multipc_support import interleaved

    from crmdesk.db import open_database
    from crmdesk.reports import linecache

    work.mkdir(parents=True, exist_ok=True)
    linecache.clear()
    db = open_database(url)
    wrong = []
    try:
        start = time.perf_counter()
        for step, mine, sql in interleaved(db, url, work, long_lines, short_lines, home=str(work / "home")):
            ok = mine == sql
            print(f"    {step:<58} cache {mine[0]:>8,} lines {mine[1] / 10000:>16,.2f}   "
                  f"SQL {sql[0]:>8,} lines {sql[1] / 10000:>16,.2f}   {'ok' if ok else 'WRONG'}")
            if not ok:
                wrong.append(step)
        print(f"    ({time.perf_counter() - start:.1f} s)")
    finally:
        db.dispose()
    return wrong


def saves_case(url: str, rounds: int) -> tuple[int, list[str]]:
    from test_concurrent_saves import simultaneous_saves

    good, bad = 0, []
    for number, (outcomes, stored) in enumerate(simultaneous_saves(url, rounds)):
        winners = [who for who, o in zip("AB", outcomes) if o == "saved"]
        loser = next((o for o in outcomes if o != "saved"), "")
        if len(winners) == 1 and "changed by someone else" in loser and stored == f"{winners[0]}-{number}":
            good += 1
        else:
            bad.append(f"round {number}: {outcomes}")
    return good, bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--long", type=int, default=45_000)
    parser.add_argument("--short", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="runs per case of the ratios (medians)")
    parser.add_argument("--skip-ratios", action="store_true")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="crmdesk-multipc-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CRMDESK_HOME", str(work / "home"))
    missed: list[str] = []

    import pgserver

    pgdir = work / "pgdata"
    pgdir.mkdir(parents=True, exist_ok=True)
    os.chmod(pgdir, 0o777)  # run as root, pgserver starts postgres as its own user
    server = pgserver.get_server(str(pgdir), cleanup_mode="stop")

    def pg_database(name: str) -> str:
        server.psql(f"DROP DATABASE IF EXISTS {name};")
        server.psql(f"CREATE DATABASE {name};")
        return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)

    try:
        engines = {"SQLite": lambda name: f"sqlite:///{work / (name + '.db')}", "PostgreSQL": pg_database}
        print(f"Interleaved processes: a {args.long:,}-line import overlapping a {args.short:,}-line one, "
              "merges, an undo; this process's line cache against SQL after each step")
        for engine, make in engines.items():
            print(f"  {engine}:")
            wrong = interleaved_case(make("interleaved"), work / f"interleaved-{engine}", args.long, args.short)
            if wrong:
                missed.append(f"{engine} line cache differs from SQL after: {', '.join(wrong)}")
        print(f"\nTwo simultaneous saves of one customer, {args.rounds} rounds")
        for engine, make in engines.items():
            good, bad = saves_case(make("saves"), args.rounds)
            print(f"  {engine}: exactly one won (the other got the concurrency message) in {good} of {args.rounds}")
            for line in bad[:5]:
                print(f"    {line}")
            if good != args.rounds:
                missed.append(f"{engine} simultaneous saves: {args.rounds - good} of {args.rounds} rounds wrong")
    finally:
        server.cleanup()
        shutil.rmtree(pgdir, ignore_errors=True)

    if args.skip_ratios:
        print("\nPostgreSQL/SQLite ratios: not run (--skip-ratios)")
        missed.append("ratios not measured (--skip-ratios)")
    else:
        try:
            from pg_ratios import measure_ratios
        except ImportError as exc:
            print(f"\nPostgreSQL/SQLite ratios: bench/pg_ratios.py not available ({exc})")
            missed.append("ratios not measured (no bench/pg_ratios.py)")
        else:
            print(f"\nPostgreSQL/SQLite ratios (bench/pg_ratios.py, medians of {args.runs}; goal ≤ {GOAL_RATIO})")
            for name, sqlite_s, pg_s in measure_ratios(work / "ratios", runs=args.runs):
                ratio = pg_s / sqlite_s if sqlite_s else float("inf")
                print(f"  {name:<22} SQLite {sqlite_s:7.2f} s   PostgreSQL {pg_s:7.2f} s   ratio {ratio:4.2f}")
                if ratio > GOAL_RATIO:
                    missed.append(f"{name} ratio {ratio:.2f} > {GOAL_RATIO}")
    print()
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
