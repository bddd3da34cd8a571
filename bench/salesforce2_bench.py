"""Issue 11's goals in one run, on the 100,000-customer / 1,000,000-line demo shop:

- every shipped process rule's dry run ≤ 1 s, and all five rules after a sync ≤ 3 s together
  (bench/rules_bench.py, on its copy bench/out/rules_100k_1m.db);
- opening the pipeline board with 2,000 open opportunities ≤ 300 ms
  (bench/pipeline_bench.py, on its copy bench/out/pipeline_100k_1m.db).

    .venv/bin/python bench/salesforce2_bench.py

Both copies are made once from bench/out/salesforce_100k_1m.db (itself made once by
``crmdesk demo --customers 100000 --lines 1000000``). Ends with GOALS MET or GOALS MISSED: …
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    import pipeline_bench
    import rules_bench

    missed: list[str] = []
    for title, measure in (("process rules", rules_bench.measure), ("pipeline board", pipeline_bench.measure)):
        print(f"== {title}", flush=True)
        lines, goals_missed = measure()
        for line in lines:
            print(line, flush=True)
        missed += goals_missed
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
