"""Reports and dashboard speed on the 20,000-customer / 1,000,000-line demo shop.

    .venv/bin/python bench/reports_bench.py [--db FILE]

Creates bench/out/reports_1m.db with ``crmdesk demo`` if missing. Prints, per
report, the wall time in a "fresh process" state (in-memory caches dropped, the
persisted line cache on disk), warm, and the warm CPU time (the goals are wall
time; the CPU time shows what a busy machine adds); the dashboard cold, repeated and after
filter changes; the first load of the line cache straight from the database
(what the first report after an import pays); peak RSS; and a naive baseline
(pandas.read_sql of every line, then group) run in a subprocess, with the
ratio. Ends with GOALS MET or GOALS MISSED: <which>.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DEFAULT_DB = OUT / "reports_1m.db"
DEMO_ARGS = ["demo", "--customers", "20000", "--lines", "1000000", "--end-date", "2026-10-31", "--quiet"]

REPORT_LIMIT_S, DASH_COLD_S, DASH_CHANGE_S, RSS_LIMIT_MB = 1.0, 2.0, 0.3, 1024


def ensure_db(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"creating {path} (crmdesk demo, once) …", flush=True)
    exe = ROOT / ".venv" / "bin" / "crmdesk"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "crmdesk.cli"]
    subprocess.run([*cmd, "--db", str(path), *DEMO_ARGS], check=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(db_path: str) -> None:
    """The naive way: every line into pandas, join products, group by category."""
    import pandas as pd
    from sqlalchemy import create_engine

    t = time.perf_counter()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        lines = pd.read_sql("SELECT * FROM sales_lines", conn)
        products = pd.read_sql("SELECT id, category FROM products", conn)
    df = lines.merge(products, left_on="product_id", right_on="id")
    g = df.groupby("category")[["amount", "cost_amount"]].sum()
    g["gp"] = g["amount"] - g["cost_amount"]
    print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": peak_rss_mb(), "groups": len(g)}))


def cases(session) -> list[tuple[str, dict]]:
    from sqlalchemy import text

    product = session.execute(text("SELECT code FROM products ORDER BY id LIMIT 1")).scalar()
    out: list[tuple[str, dict]] = [("margin", {"by": by}) for by in
                                   ("product", "brand", "category", "customer", "customer_type", "territory",
                                    "salesperson", "month")]
    out += [("key-customers", {}), ("rfm", {}), ("rfm", {"view": "moves"}), ("preferences", {}), ("purchases", {}),
            ("restock", {}), ("overstock", {}), ("promotion-targets", {"product": product}), ("trends", {}),
            ("receivables", {}), ("receivables", {"view": "collection"})]
    return out


def measure_append(db, actor) -> float:
    from sqlalchemy import text

    from crmdesk.reports import linecache
    from crmdesk.reports.dashboard import dashboard_data
    from crmdesk.reports.filters import ReportFilters

    with db.sessions() as s:
        dashboard_data(s, actor, ReportFilters())
    saved = linecache.PERSIST_MIN_LINES
    linecache.PERSIST_MIN_LINES = 10**12
    try:
        with db.sessions() as s:
            s.execute(text("INSERT INTO sales_orders (number, order_date, customer_id, status, doc_type, warehouse, "
                           "total_amount, notes) SELECT 'BENCH-' || id, order_date, customer_id, status, doc_type, "
                           "warehouse, total_amount, notes FROM sales_orders ORDER BY id DESC LIMIT 100"))
            s.execute(text("INSERT INTO sales_lines (order_id, line_no, product_id, order_date, customer_id, quantity, "
                           "unit_price, amount, cost_amount, shipped_quantity) "
                           "SELECT o.id, n.n, 1 + (o.id * 7 + n.n) % 800, o.order_date, o.customer_id, 1, 100000, "
                           "100000, 80000, 0 FROM sales_orders o, (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL "
                           "SELECT n + 1 FROM k WHERE n < 10) SELECT n FROM k) n WHERE o.number LIKE 'BENCH-%'"))
            t = time.perf_counter()
            dashboard_data(s, actor, ReportFilters())
            took = time.perf_counter() - t
            s.rollback()
    finally:
        linecache.PERSIST_MIN_LINES = saved
        drop_memory_caches()
    return took


def drop_memory_caches() -> None:
    from crmdesk.reports import dashboard, linecache

    linecache.clear()
    dashboard.clear_memo()
    gc.collect()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--baseline-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        baseline(str(args.db))
        return 0
    ensure_db(args.db)

    from crmdesk.db import open_database
    from crmdesk.reports import linecache, registry
    from crmdesk.reports.dashboard import dashboard_data
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.services.actor import Actor

    missed: list[str] = []
    db = open_database(args.db)
    actor = Actor.system()
    print(f"database: {args.db}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    # 1. First load of the line cache straight from the database (after an import).
    with db.sessions() as s:
        persisted = linecache._cache_file(s)
        if persisted is not None and persisted.exists():
            persisted.unlink()
        drop_memory_caches()
        t, c = time.perf_counter(), time.process_time()
        cache = linecache.get(s)
        first_load, first_cpu = time.perf_counter() - t, time.process_time() - c
        print(f"line cache first load from the database: {first_load:.2f} s (cpu {first_cpu:.2f} s; "
              f"{len(cache):,} lines; persisted to {persisted})")
        report_cases = cases(s)

    # 2. Every report: fresh-process state (persisted cache, nothing in memory), then warm.
    print(f"\n{'report':<20}{'options':<26}{'cold s':>8}{'warm s':>8}{'cpu s':>8}{'rows':>8}")
    for name, opts in report_cases:
        spec = registry.get(name)
        full = {o.name: o.default for o in spec.options} | opts
        drop_memory_caches()
        times, cpu = [], 0.0
        for _ in range(2):
            with db.sessions() as s:
                t, c = time.perf_counter(), time.process_time()
                df = spec.fn(s, actor, ReportFilters(), full)
                times.append(time.perf_counter() - t)
                cpu = time.process_time() - c
        label = ",".join(f"{k}={v}" for k, v in opts.items())
        print(f"{name:<20}{label:<26}{times[0]:>8.2f}{times[1]:>8.2f}{cpu:>8.2f}{len(df):>8}")
        if max(times) > REPORT_LIMIT_S:
            missed.append(f"{name} {label} {max(times):.2f} s > {REPORT_LIMIT_S} s")

    # 3. The dashboard: cold, repeated, changed filters.
    drop_memory_caches()
    with db.sessions() as s:
        newest = linecache.get(s).newest_day()
    drop_memory_caches()
    end = dt.date(1970, 1, 1) + dt.timedelta(days=newest)
    filters = [
        ("cold, no filter", ReportFilters()),
        ("repeated", ReportFilters()),
        ("customer type dealer", ReportFilters(customer_types=("dealer",))),
        ("category + brand", ReportFilters(categories=("书写工具",), brands=("得力", "晨光"))),
        ("last quarter", ReportFilters(date_from=end - dt.timedelta(days=90), date_to=end)),
        ("grade A, price ≥ 20", ReportFilters(grades=("A",), price_min=20)),
        ("repeated dealer", ReportFilters(customer_types=("dealer",))),
    ]
    print()
    for i, (label, f) in enumerate(filters):
        with db.sessions() as s:
            t, c = time.perf_counter(), time.process_time()
            d = dashboard_data(s, actor, f)
            took, cpu = time.perf_counter() - t, time.process_time() - c
        print(f"dashboard {label:<24}{took:>8.3f} s (cpu {cpu:.3f} s)   revenue {d.kpi('revenue').value:>16,.2f}")
        limit = DASH_COLD_S if i == 0 else DASH_CHANGE_S
        if took > limit:
            missed.append(f"dashboard {label} {took:.2f} s > {limit} s")

    # 4. After an import that only adds lines: the cache appends them (measured in a transaction
    # that is rolled back; nothing persisted).
    append_s = measure_append(db, actor)
    print(f"dashboard after 1,000 new lines (cache append + recompute): {append_s:.3f} s")

    rss = peak_rss_mb()
    print(f"\npeak RSS: {rss:.0f} MB; load average {os.getloadavg()[0]:.1f}")
    if rss > RSS_LIMIT_MB:
        missed.append(f"peak RSS {rss:.0f} MB > {RSS_LIMIT_MB} MB")

    # 5. Naive baseline in its own process (its memory is not ours), against our cold margin by category.
    drop_memory_caches()
    with db.sessions() as s:
        t = time.perf_counter()
        registry.get("margin").fn(s, actor, ReportFilters(), {"by": "category"})
        ours = time.perf_counter() - t
    proc = subprocess.run([sys.executable, __file__, "--db", str(args.db), "--baseline-only"], capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    base = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"baseline (pandas.read_sql of every line, merge, group by category): {base['seconds']:.2f} s, "
          f"peak RSS {base['rss_mb']:.0f} MB")
    print(f"margin --by category (cold): {ours:.2f} s; ratio baseline/ours: {base['seconds'] / ours:.1f}x; "
          f"first cache load {first_load:.2f} s is {base['seconds'] / first_load:.1f}x faster than the baseline")

    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
