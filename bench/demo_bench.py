"""Benchmark: ``crmdesk demo --customers 100000 --lines 1000000`` into a temporary file.

Runs the real command in a child process and prints its wall time, peak RSS and
the database size. Goal: under 120 s on the shop PC (2 cores).

    .venv/bin/python bench/demo_bench.py [--customers N] [--lines N] [--keep FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 120.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=800)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="FILE", help="also copy the generated database here")
    args = parser.parse_args()
    crmdesk = Path(sys.executable).with_name("crmdesk")
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as folder:
        db = Path(folder) / "demo.db"
        command = [str(crmdesk), "--db", str(db), "demo", "--quiet", "--customers", str(args.customers),
                   "--products", str(args.products), "--lines", str(args.lines), "--seed", str(args.seed),
                   "--end-date", "2026-06-30"]
        print("command:", " ".join(command[:1] + ["--db", "TMP/demo.db"] + command[3:]))
        load_before = os.getloadavg()[0]  # other work on the machine slows the wall time
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CRMDESK_LANG": "en"})
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kib = usage.ru_maxrss  # KiB on Linux
        print(done.stdout.strip())
        if done.returncode != 0:
            print(done.stderr.strip(), file=sys.stderr)
            print(f"GOALS MISSED: the command failed with exit code {done.returncode}")
            return 1
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
        print(f"wall time: {wall:.1f} s (goal < {GOAL_SECONDS:.0f} s)")
        print(f"CPU time: {usage.ru_utime + usage.ru_stime:.1f} s (user {usage.ru_utime:.1f} s, "
              f"system {usage.ru_stime:.1f} s); load average before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f}")
        print(f"peak RSS: {peak_kib / 1024:.0f} MiB")
        print(f"database size: {size / 2**20:.0f} MiB")
        if args.keep:
            shutil.copyfile(db, args.keep)
    if wall < GOAL_SECONDS:
        print("GOALS MET")
    else:
        print(f"GOALS MISSED: wall time {wall:.1f} s >= {GOAL_SECONDS:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
