"""Several PCs as several processes: sales exports of any size, ``crmdesk`` CLI runs as separate
processes, and the figures a long-lived process's line cache gives against SQL's. Used by the
multi-process tests and by ``bench/multipc_bench.py``."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

HEADER = "录单日期,单据编号,单据类型,往来单位编号,往来单位全名,经手人全名,仓库全名,商品编号,商品全名,单位,数量,含税单价,含税金额,成本金额"
ROOT = Path(__file__).resolve().parents[1]


def write_sales(path: Path, lines: int, prefix: str, customers: int = 40, products: int = 30,
                start: dt.date = dt.date(2025, 1, 1), lines_per_order: int = 4) -> Path:
    """A 管家婆-style sales export of ``lines`` lines in orders of ``lines_per_order``; the
    document numbers start with ``prefix`` (files with different prefixes share no order)."""
    rows = [HEADER]
    for i in range(lines):
        order = i // lines_per_order
        c = order % customers + 1
        p = (i * 7) % products + 1
        day = start + dt.timedelta(days=order % 300)
        qty = 1 + i % 9
        price = 1 + (i * 13) % 50 + (i % 4) * 0.25
        rows.append(f"{day.isoformat()},{prefix}-{order:06d},销售单,C{c:03d},客户{c:03d},张三,总店,"
                    f"P{p:03d},商品{p:03d},个,{qty},{price:.2f},{qty * price:.2f},{qty * price * 0.7:.2f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def cli(db_url: str, *args: str, home: str | None = None) -> subprocess.Popen:
    """``crmdesk --db URL ARGS…`` as its own process (another PC)."""
    env = dict(os.environ)
    if home:
        env["CRMDESK_HOME"] = home
    return subprocess.Popen([sys.executable, "-m", "crmdesk.cli", "--db", db_url, *args], cwd=str(ROOT), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def python(code: str, home: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    if home:
        env["CRMDESK_HOME"] = home
    return subprocess.Popen([sys.executable, "-c", code], cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 300) -> str:
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode not in (0, 4):
        raise AssertionError(f"exit {proc.returncode}: {out}\n{err}")
    return out


def merge(db_url: str, survivor_code: str, merged_code: str, home: str | None = None) -> subprocess.Popen:
    """A customer merge in its own process (the merge service: lines move to the survivor)."""
    return python(
        "from sqlalchemy import select\n"
        "from crmdesk.db import open_database\n"
        "from crmdesk.db.models import Customer\n"
        "from crmdesk.services.actor import Actor\n"
        "from crmdesk.services.merge import merge_customers\n"
        f"db = open_database({db_url!r})\n"
        "with db.sessions.begin() as s:\n"
        f"    a = s.scalar(select(Customer.id).where(Customer.code == {survivor_code!r}))\n"
        f"    b = s.scalar(select(Customer.id).where(Customer.code == {merged_code!r}))\n"
        "    merge_customers(s, Actor.system(), a, b)\n", home)


def paused_import(db_url: str, file: Path, gate: Path, home: str | None = None) -> subprocess.Popen:
    """An import in its own process that, with its lines written but not committed (the
    "saving" step), waits until ``gate`` exists: another process can commit meanwhile."""
    return python(
        "import time\n"
        "from pathlib import Path\n"
        "from crmdesk.core.progress import Progress\n"
        "from crmdesk.db import open_database\n"
        "from crmdesk.importers.run import import_file\n"
        "from crmdesk.services.actor import Actor\n"
        f"gate = Path({str(gate)!r})\n"
        "class Held(Progress):\n"
        "    def update(self, fraction=None, message=None, force=False):\n"
        "        if fraction is not None and fraction >= 0.98 and not gate.exists():\n"
        "            gate.with_suffix('.waiting').touch()\n"
        "            while not gate.exists():\n"
        "                time.sleep(0.05)\n"
        "        super().update(fraction, message, force)\n"
        f"db = open_database({db_url!r})\n"
        f"r = import_file(db, Actor.system(), {str(file)!r}, progress=Held())\n"
        "print(r.status, r.message)\n", home)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the process ended first: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.05)


def figures(db) -> tuple[tuple[int, int], tuple[int, int]]:
    """((lines, amount) from this process's line cache, (lines, amount) from SQL)."""
    from crmdesk.db.models import SalesLine
    from crmdesk.reports import linecache

    with db.sessions() as s:
        cache = linecache.get(s)
        mine = (len(cache), int(cache.amount.sum()))
    with db.sessions() as s:
        row = s.execute(select(func.count(), func.coalesce(func.sum(SalesLine.amount), 0))).one()
    return mine, (int(row[0]), int(row[1]))


def batch_id(db, file_name: str) -> int:
    from crmdesk.db.models import ImportBatch

    with db.sessions() as s:
        return int(s.scalar(select(func.max(ImportBatch.id)).where(ImportBatch.file_name == file_name)))


def interleaved(db, url: str, work: Path, long_lines: int, short_lines: int, home: str | None = None,
                check=None) -> list[tuple[str, tuple, tuple]]:
    """Overlapping imports (one long), merges and an undo, each in its own process, while this
    process keeps its line cache and reads after each step. Returns (step, cache, SQL) figures;
    ``check(step, cache, sql)`` is called at once after each read."""
    seen: list[tuple[str, tuple, tuple]] = []

    def read(step: str) -> None:
        mine, sql = figures(db)
        seen.append((step, mine, sql))
        if check is not None:
            check(step, mine, sql)

    finish(cli(url, "import", "--quiet", str(write_sales(work / "base.csv", 400, "BA")), home=home))
    read("first import")
    long_file = write_sales(work / "long.csv", long_lines, "LA")
    short_file = write_sales(work / "short.csv", short_lines, "SB", start=dt.date(2025, 6, 1))
    if db.engine.dialect.name == "postgresql":
        # The long import takes its line ids, then waits before committing while the short
        # one commits higher ids: the order of the lost 75,477 lines, made certain.
        gate = work / "long.go"
        slow = paused_import(url, long_file, gate, home=home)
        wait_for(gate.with_suffix(".waiting"), slow)
        finish(cli(url, "import", "--quiet", str(short_file), home=home))
        read("short import committed while the long one was writing")
        gate.touch()
    else:  # one writer at a time: the short import waits for the long one's write lock
        slow = cli(url, "import", "--quiet", str(long_file), home=home)
        time.sleep(0.3)
        finish(cli(url, "import", "--quiet", str(short_file), home=home))
        read("short import committed")
    finish(slow)
    read("long import committed")
    finish(merge(url, "C001", "C002", home=home))
    read("merge C002 into C001")
    finish(cli(url, "batch", "undo", str(batch_id(db, "short.csv")), "--yes", home=home))
    read("undo of the short import")
    # The second import's customers are C001 and C002 only: the merge beside it is of others.
    second = cli(url, "import", "--quiet", str(write_sales(work / "long2.csv", long_lines // 2, "LC", customers=2)),
                 home=home)
    merging = merge(url, "C003", "C004", home=home)
    finish(merging)
    read("merge during an import")
    finish(second)
    read("second long import committed")
    return seen
