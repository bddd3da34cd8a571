"""Speed of the counter's workspace on a 100,000-customer demo shop.

    .venv/bin/python bench/customers_bench.py [--db bench/out/customers100k.db] [--runs 7]

Builds the database with ``crmdesk demo --customers 100000 --lines 300000`` when it
is missing. Runs offscreen with a QApplication and prints medians for:
opening the customer list (page + model + first screen of rows) ≤ 300 ms; one search
keystroke to updated results (new row count and first rows) ≤ 50 ms, for a name, a
phone and pinyin initials; opening the form of a customer with 5 years of orders (added
once to the demo database: the demo spans 3 years) ≤ 200 ms; and the peak RSS. Ends with ``GOALS MET`` or ``GOALS MISSED: …``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "bench" / "out" / "customers100k.db"
GOALS_MS = {"open list": 300.0, "search name": 50.0, "search phone": 50.0, "search pinyin initials": 50.0,
            "open form": 200.0}
FIRST_SCREEN_ROWS = 30


def ensure_database(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {path} (100,000 customers, 300,000 lines) …", flush=True)
    crmdesk = ROOT / ".venv" / "bin" / "crmdesk"
    command = [str(crmdesk) if crmdesk.exists() else "crmdesk", "--db", str(path), "demo",
               "--customers", "100000", "--lines", "300000", "--quiet"]
    subprocess.run(command, check=True)


FIVE_YEAR_CODE = "BENCH-5Y"


def ensure_five_year_customer(db) -> int:
    """The issue's form goal is for a customer with 5 years of orders; the demo spans 3, so
    one dealer-like customer gets 5 years of weekly orders (3 a week, 4 lines each) and monthly
    receipts, added once."""
    import datetime as dt

    from sqlalchemy import insert, select

    from crmdesk.core.search_text import customer_search_text
    from crmdesk.db.models import Customer, Product, Receipt, SalesLine, SalesOrder

    with db.sessions.begin() as s:
        found = s.scalar(select(Customer.id).where(Customer.code == FIVE_YEAR_CODE))
        if found:
            return found
        name = "五年老客户办公用品商行"
        customer = Customer(code=FIVE_YEAR_CODE, name=name, type_id=3, grade="A", credit_limit=500_000_0000,
                            payment_terms_days=30, search_text=customer_search_text(name, FIVE_YEAR_CODE))
        s.add(customer)
        s.flush()
        products = s.scalars(select(Product.id).order_by(Product.id).limit(200)).all()
        end = dt.date.today()
        start = end - dt.timedelta(days=5 * 365)
        orders, lines, receipts = [], [], []
        order_id = (s.scalar(select(SalesOrder.id).order_by(SalesOrder.id.desc()).limit(1)) or 0) + 1
        day, n = start, 0
        while day <= end:
            for k in (0, 2, 4):
                date = day + dt.timedelta(days=k)
                amounts = [(products[(n * 4 + j) % len(products)], 10 + j, 125_000 * (j + 1)) for j in range(4)]
                total = sum(q * price for _p, q, price in amounts)
                orders.append(dict(id=order_id, number=f"B5Y-{n:05d}", order_date=date, customer_id=customer.id,
                                   status="completed", doc_type="sale", total_amount=total,
                                   due_date=date + dt.timedelta(days=30)))
                for j, (product, qty, price) in enumerate(amounts, start=1):
                    lines.append(dict(order_id=order_id, line_no=j, product_id=product, order_date=date,
                                      customer_id=customer.id, quantity=qty, unit_price=price, amount=qty * price,
                                      cost_amount=qty * price * 8 // 10, shipped_quantity=qty))
                order_id += 1
                n += 1
            if day.day <= 7:
                receipts.append(dict(number=f"B5Y-SK-{day:%Y%m}", receipt_date=day, customer_id=customer.id,
                                     amount=sum(o["total_amount"] for o in orders[-12:]), method="银行转账"))
            day += dt.timedelta(days=7)
        s.execute(insert(SalesOrder), orders)
        s.execute(insert(SalesLine), lines)
        s.execute(insert(Receipt), receipts)
        return customer.id


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class Timer:
    """Wall time (judged against the goals) and the GUI thread's CPU time (how much of the wall
    time was this process's own work rather than waiting for a core on a busy machine)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.thread_time()

    def stop(self) -> None:
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.thread_time() - self._cpu)

    def text(self) -> str:
        return f"{median_ms(self.wall):.1f} ms median (GUI-thread CPU {median_ms(self.cpu):.1f} ms)"


def touch_first_screen(page) -> None:
    """What a paint of the first screen asks the model for."""
    model = page.model
    for row in range(min(FIRST_SCREEN_ROWS, model.rowCount())):
        for col in range(model.columnCount()):
            model.data(model.index(row, col))


def search_terms(ctx) -> dict[str, list[str]]:
    """Realistic keystroke sequences: a name fragment, a phone prefix, pinyin initials."""
    from sqlalchemy import select

    from crmdesk.core.search_text import pinyin_keys
    from crmdesk.db.models import Customer

    with ctx.read() as s:
        names = s.scalars(select(Customer.name).where(Customer.id % 997 == 0).limit(5)).all()
        phones = s.scalars(select(Customer.phone).where(Customer.phone != "", Customer.id % 991 == 0).limit(5)).all()
    name = names[0]
    initials = pinyin_keys(name)[1]
    # Staff type the number as they hear it: the local part, without the area code's dash.
    phone = "".join(ch for ch in phones[0].split("-")[-1] if ch.isdigit())
    return {
        "search name": [name[:k] for k in range(1, min(len(name), 6) + 1)],
        "search phone": [phone[:k] for k in range(3, min(len(phone), 9) + 1)],
        "search pinyin initials": [initials[:k] for k in range(1, min(len(initials), 6) + 1)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CRMDESK_LANG", "zh_CN")
    ensure_database(args.db)

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from crmdesk.db import open_database
    from crmdesk.db.models import Customer, SalesOrder
    from crmdesk.i18n import set_language
    from crmdesk.services.actor import actor_for_username
    from crmdesk.ui.context import AppContext
    from crmdesk.ui.customers.page import CustomersPage

    set_language("zh_CN")
    # The offscreen platform warns on every raise()/size hint; nothing a reader of the bench needs.
    qInstallMessageHandler(lambda _kind, _context, message: None if "does not support" in message
                           else print(message, file=sys.stderr))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    db = open_database(args.db)
    busiest = ensure_five_year_customer(db)
    with db.sessions() as s:
        actor = actor_for_username(s, None)
        customers = s.scalar(select(func.count()).select_from(Customer))
        orders = s.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.customer_id == busiest))
        first, last = s.execute(select(func.min(SalesOrder.order_date), func.max(SalesOrder.order_date))
                                .where(SalesOrder.customer_id == busiest)).one()
    ctx = AppContext(db=db, actor=actor)
    load1, _load5, _load15 = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1:.1f} at start")
    print(f"database: {args.db} ({customers:,} customers); form customer id {busiest} with {orders:,} orders "
          f"from {first} to {last}")
    results: dict[str, float] = {}

    # 1. Open the list: build the page and model, run the query, show the first screen.
    timer = Timer()
    full: list[float] = []
    page = None
    for _ in range(args.runs):
        if page is not None:
            page.close()
            page.deleteLater()
            app.processEvents()
        started = time.perf_counter()
        timer.start()
        page = CustomersPage(ctx)
        page.resize(1280, 800)
        page.show()
        page.activate()
        app.processEvents()
        touch_first_screen(page)
        timer.stop()
        # The rest of the ids arrives from a worker thread; the page is usable meanwhile.
        while page.loading:
            app.processEvents()
            time.sleep(0.001)
        full.append(time.perf_counter() - started)
    results["open list"] = median_ms(timer.wall)
    print(f"open list: {timer.text()} to the first screen; "
          f"all {page.model.rowCount():,} ids after {median_ms(full):.1f} ms median (not a goal)")

    # 2. One keystroke: from setting the query to the model's new count and first rows.
    for label, sequence in search_terms(ctx).items():
        timer = Timer()
        query_s: list[float] = []
        for _ in range(max(1, args.runs // 3)):
            for text in sequence:
                page.view.search_edit.blockSignals(True)
                page.view.search_edit.setText(text)
                page.view.search_edit.blockSignals(False)
                timer.start()
                page.requery()
                touch_first_screen(page)
                timer.stop()
                query_s.append(page.last_query_ms / 1000)
        results[label] = median_ms(timer.wall)
        print(f"{label}: {timer.text()} over {len(timer.wall)} keystrokes, of which the service's id query "
              f"{median_ms(query_s):.1f} ms ({sequence[-1]!r} → {page.model.rowCount():,} rows)")
    page.close()

    # 3. Open the form of the customer with 5 years of orders.
    page = CustomersPage(ctx)
    page.resize(1280, 800)
    page.show()
    page.activate()
    while page.loading or page.choices is None:
        app.processEvents()
        time.sleep(0.001)
    timer = Timer()
    for _ in range(args.runs):
        timer.start()
        form = page.open_customer(busiest)
        app.processEvents()
        timer.stop()
        form.dirty = False
        form.close()
        form.deleteLater()
        app.processEvents()
    results["open form"] = median_ms(timer.wall)
    print(f"open form: {timer.text()} ({orders} orders)")
    page.close()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mib:.0f} MiB")
    db.dispose()

    missed = [f"{name} {results[name]:.0f} ms > {goal:.0f} ms" for name, goal in GOALS_MS.items()
              if results.get(name, float("inf")) > goal]
    print("GOALS MET" if not missed else "GOALS MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
