"""Speed of ``report profit --by customer`` at 20,000 customers / 1,000,000 lines (issue 15).

    .venv/bin/python bench/profit_bench.py [--db FILE]

Copies bench/out/reports_1m.db (made by bench/reports_bench.py: ``crmdesk demo --customers 20000
--lines 1000000``) to bench/out/profit_1m.db once and adds a deterministic expense history when it
has none: ~50,000 lines, direct (freight on orders, rebates to dealers, entertainment and samples
per customer) and shared (rent, utilities, storage, wages, other). Then times, warm (line cache
and expenses loaded; median of 5), ``profit --by customer`` against ``margin --by customer`` in the
same run, plus the other profit reports for information. Ends with GOALS MET / GOALS MISSED: ….
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SOURCE = OUT / "reports_1m.db"
DEFAULT_DB = OUT / "profit_1m.db"
DEMO_ARGS = ["demo", "--customers", "20000", "--lines", "1000000", "--end-date", "2026-10-31", "--quiet"]
PROFIT_WARM_S = 0.300
RUNS = 5


def ensure_db(path: Path) -> None:
    if path.exists():
        return
    if not SOURCE.exists():
        print(f"creating {SOURCE} (crmdesk demo, once) …", flush=True)
        exe = ROOT / ".venv" / "bin" / "crmdesk"
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "crmdesk.cli"]
        subprocess.run([*cmd, "--db", str(SOURCE), *DEMO_ARGS], check=True)
    print(f"copying {SOURCE} → {path}", flush=True)
    shutil.copyfile(SOURCE, path)


def add_expenses(db) -> int:
    """A deterministic expense history (seed 15) unless the database has one; returns its size."""
    from sqlalchemy import func, insert, select

    from crmdesk.db.models import Customer, CustomerType, SalesOrder, User
    from crmdesk.db.models.expenses import Expense, ExpenseItem

    with db.sessions.begin() as s:
        have = s.scalar(select(func.count()).select_from(Expense))
        if have:
            return have
        rng = np.random.default_rng(15)
        item = {i.name: i.id for i in s.scalars(select(ExpenseItem))}
        lo, hi = s.execute(select(func.min(SalesOrder.order_date), func.max(SalesOrder.order_date))).one()
        lo, hi = (dt.date.fromisoformat(str(v)[:10]) for v in (lo, hi))
        days = (hi - lo).days + 1
        custs = np.array(s.scalars(select(Customer.id)).all())
        dealers = np.array(s.scalars(select(Customer.id).join(CustomerType, CustomerType.id == Customer.type_id)
                                     .where(CustomerType.code == "dealer")).all())
        if not len(dealers):
            dealers = custs[:2000]
        orders = np.array(s.scalars(select(SalesOrder.id)).all())
        sellers = np.array(s.scalars(select(User.id).where(User.role == "sales")).all())
        rows: list[dict] = []

        def add(n: int, name: str, lo_yuan: int, hi_yuan: int, **cols) -> None:
            day = rng.integers(0, days, n)
            amount = rng.integers(lo_yuan * 100, hi_yuan * 100, n) * 100  # whole fen
            for i in range(n):
                row = {"expense_date": lo + dt.timedelta(days=int(day[i])), "doc_number": f"FY{len(rows) + 1:07d}",
                       "line_no": 1, "item_id": item[name], "amount": int(amount[i]), "brand": "", "notes": "",
                       "customer_id": None, "order_id": None, "salesperson_id": None}
                row.update({k: (None if v is None else int(v[i])) for k, v in cols.items()})
                rows.append(row)

        add(16_000, "运费", 10, 200, order_id=rng.choice(orders, 16_000), customer_id=None)
        add(3_000, "返利", 100, 2_500, customer_id=rng.choice(dealers, 3_000))
        add(9_000, "招待费", 50, 400, customer_id=rng.choice(custs, 9_000))
        add(12_000, "样品", 10, 150, customer_id=rng.choice(custs, 12_000))
        add(5_000, "招待费", 50, 300, salesperson_id=rng.choice(sellers, 5_000) if len(sellers) else None)
        add(4_000, "运费", 50, 500)
        add(600, "仓储费", 500, 3_000)
        add(150, "房租", 5_000, 10_000)
        add(150, "水电费", 1_000, 5_000)
        add(180, "工资", 10_000, 20_000)
        add(120, "其他", 100, 5_000)
        for start in range(0, len(rows), 5_000):
            s.execute(insert(Expense.__table__), rows[start:start + 5_000])
        return len(rows)


def timed(db, actor, name: str, options: dict, runs: int = RUNS) -> tuple[float, list[float], int]:
    from crmdesk.reports import registry
    from crmdesk.reports.filters import ReportFilters

    spec = registry.get(name)
    full = {o.name: o.default for o in spec.options} | options
    times, rows = [], 0
    for _ in range(runs):
        with db.sessions() as s:
            t = time.perf_counter()
            rows = len(spec.fn(s, actor, ReportFilters(), full))
            times.append(time.perf_counter() - t)
    return statistics.median(times), times, rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    ensure_db(args.db)

    from sqlalchemy import func, select

    from crmdesk.db import open_database
    from crmdesk.db.models import SalesLine
    from crmdesk.db.models.expenses import Expense
    from crmdesk.reports import linecache
    from crmdesk.services.actor import Actor

    db = open_database(args.db)
    t = time.perf_counter()
    n = add_expenses(db)
    print(f"database: {args.db}; {n:,} expense lines (ready in {time.perf_counter() - t:.1f} s)")
    actor = Actor.system()
    with db.sessions() as s:
        t = time.perf_counter()
        lines = len(linecache.get(s))
        print(f"line cache loaded: {lines:,} lines in {time.perf_counter() - t:.2f} s")
        expenses = s.scalar(select(func.sum(Expense.amount)))
        revenue = s.scalar(select(func.sum(SalesLine.amount)))
    first = timed(db, actor, "profit", {"by": "customer"}, runs=1)[0]
    print(f"profit --by customer, first (reads the expenses): {first * 1000:.0f} ms")
    print(f"\n{'report':<34}{'median ms':>10}   runs (ms){'':<22}{'rows':>7}")
    results = {}
    for name, opts in [("margin", {"by": "customer"}), ("profit", {"by": "customer"}), ("profit", {"by": "brand"}),
                       ("profit", {"by": "month"}), ("profit-curve", {}), ("cost-to-serve", {})]:
        label = f"{name} " + " ".join(f"--{k} {v}" for k, v in opts.items())
        med, times, rows = timed(db, actor, name, opts)
        results[label.strip()] = med
        print(f"{label:<34}{med * 1000:>10.0f}   {' '.join(f'{x * 1000:.0f}' for x in times):<31}{rows:>7}")

    # the sums are the sources' (a run on real data, not only the tiny test shop)
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.profit import profit_units

    with db.sessions() as s:
        df = profit_units(s, actor, ReportFilters(), "customer")
    exact = int(df["direct_u"].sum() + df["allocated_u"].sum()) == expenses and int(df["revenue_u"].sum()) == revenue
    losers = int(((df["revenue_u"] - df["cost_u"] - df["direct_u"] - df["allocated_u"]) < 0).sum())
    print(f"\nsums equal the sources exactly: {exact}; customers losing money: {losers:,}")
    profit_ms, margin_ms = results["profit --by customer"], results["margin --by customer"]
    print(f"profit --by customer warm {profit_ms * 1000:.0f} ms vs margin --by customer {margin_ms * 1000:.0f} ms "
          f"(× {profit_ms / margin_ms:.1f}); goal ≤ {PROFIT_WARM_S * 1000:.0f} ms")
    missed = []
    if profit_ms > PROFIT_WARM_S:
        missed.append(f"profit --by customer {profit_ms * 1000:.0f} ms > {PROFIT_WARM_S * 1000:.0f} ms")
    if not exact:
        missed.append("sums differ from the sources")
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
