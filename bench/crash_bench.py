"""Crash torture (issue 12 item 7): every operation killed with SIGKILL at seeded random
moments, at least 20 times each; after each kill the database must pass integrity_check, hold
the operation's change whole or not at all, and open in the app (tests/crash/harness.py).

    .venv/bin/python bench/crash_bench.py [--kills 20] [--seed 1] [--only import,save] [--work DIR]

Prints per operation the clean run's time, the kills, how many left the change not there /
all there / half there, how many the operation outran, and the problems; ends with
``GOALS MET`` (every kill survived, ≥ 20 per operation) or ``GOALS MISSED: …``."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "crash"))

import harness  # noqa: E402

GOAL_KILLS = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=GOAL_KILLS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default=",".join(harness.OPERATIONS))
    parser.add_argument("--work", default="")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="crmdesk-crash-"))
    base = harness.make_base(work / "base")
    missed, summary = [], []
    print(f"{'operation':<10} {'clean s':>8} {'kills':>6} {'survived':>9} {'none':>5} {'all':>5} "
          f"{'partial':>8} {'outran':>7}")
    for name in args.only.split(","):
        started = time.perf_counter()
        case = harness.prepare(name, work, base)
        trials = harness.kill_many(case, work / f"trial-{name}", args.kills, args.seed)
        outcomes = Counter(t.outcome for t in trials)
        survived = sum(1 for t in trials if not t.problems)
        outran = sum(1 for t in trials if t.finished)
        print(f"{name:<10} {case.seconds:>8.2f} {len(trials):>6} {survived:>9} {outcomes['none']:>5} "
              f"{outcomes['all']:>5} {outcomes['partial']:>8} {outran:>7}   ({time.perf_counter() - started:.0f} s)",
              flush=True)
        for t in trials:
            if t.problems:
                print(f"    kill at {t.delay:.3f} s: {'; '.join(t.problems)}", flush=True)
        summary.append(f"{name} {survived}/{len(trials)}")
        if survived < len(trials):
            missed.append(f"{name}: {len(trials) - survived} of {len(trials)} kills not survived")
        if len(trials) < GOAL_KILLS:
            missed.append(f"{name}: only {len(trials)} kills (goal {GOAL_KILLS})")
        if outcomes["none"] == 0 or outcomes["all"] == 0:
            print(f"    note: the kills of {name} never left the change "
                  f"{'absent' if outcomes['none'] == 0 else 'complete'}", flush=True)
    print("kills survived per operation: " + ", ".join(summary))
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
