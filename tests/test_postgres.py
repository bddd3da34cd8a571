"""The same code on PostgreSQL: migrations, demo data, customer search, every
report and an import run against a real server (pgserver ships one in a wheel),
so nothing SQLite-specific leaks out of crmdesk/db."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile

import pytest
from sqlalchemy import func, select

from crmdesk.db import open_database
from crmdesk.db.migrate import current_revision, head_revision
from crmdesk.db.models import Customer, SalesLine
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pg_server():
    import pgserver

    # Run as root, pgserver starts postgres as its own user, which must reach the data folder:
    # pytest's tmp folders are private to root, so use a fresh folder directly under /tmp.
    folder = tempfile.mkdtemp(prefix="crmdesk-pg-")
    server = pgserver.get_server(folder, cleanup_mode="stop")
    yield server
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def _database(server, name: str) -> str:
    server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="module")
def pg_url(pg_server):
    return _database(pg_server, "crmdesk_demo")


@pytest.fixture(scope="module")
def pg_demo(pg_url):
    from crmdesk.demo import generate

    db = open_database(pg_url)
    generate(db, customers=120, products=40, lines=1500, seed=3, end_date=dt.date(2026, 6, 30))
    yield db
    db.dispose()


def test_migrations_reach_head_on_postgres(pg_demo):
    assert pg_demo.file_path is None
    assert current_revision(pg_demo) == head_revision()


def test_demo_data_and_search_on_postgres(pg_demo):
    from crmdesk.services.customer_query import CustomerQuery, search_customer_ids

    with pg_demo.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 120
        assert s.scalar(select(func.count()).select_from(SalesLine)) >= 1400
        name = s.scalar(select(Customer.name).where(Customer.is_incomplete.is_(False)).order_by(Customer.id))
        from crmdesk.core.search_text import pinyin_keys

        initials = pinyin_keys(name)[1]
        ids = search_customer_ids(s, Actor.system(), CustomerQuery(text=initials))
        names = {s.get(Customer, i).name for i in ids}
    assert name in names


def test_every_report_runs_on_postgres(pg_demo):
    from crmdesk.reports.registry import REPORTS

    assert REPORTS, "no reports registered"
    with pg_demo.sessions() as s:
        code = s.scalar(select(Customer.code).join(SalesLine, SalesLine.customer_id == Customer.id).limit(1))
        product = s.scalar(select(SalesLine.product_id).limit(1))
        from crmdesk.db.models import Product

        product_code = s.get(Product, product).code
        for name, spec in REPORTS.items():
            options = {o.name: o.default for o in spec.options}
            if "customer" in options:
                options["customer"] = code
            if "product" in options:
                options["product"] = product_code
            df = spec.fn(s, Actor.system(), ReportFilters(), options)
            assert df is not None, name
            assert len(df.columns) > 0, name


def test_ids_continue_after_bulk_inserts(pg_demo):
    """The demo writes explicit ids; new rows added later must not collide with them."""
    from crmdesk.db.models import Customer as C

    with pg_demo.sessions.begin() as s:
        s.add(C(code="PG-NEW", name="新客户", credit_limit=0))
        s.flush()
        assert s.scalar(select(func.count()).select_from(C)) == 121


def test_import_on_postgres(pg_server, tmp_path):
    from crmdesk.importers import import_file

    csv = tmp_path / "客户.csv"
    csv.write_text("客户编号,客户名称,联系电话\nPG001,北京测试文具店,010-1234\nPG002,上海样品商行,021-5678\n",
                   encoding="gb18030")
    db = open_database(_database(pg_server, "crmdesk_import"))
    try:
        result = import_file(db, Actor.system(), csv)
        assert result.ok and result.kind == "customers" and result.added == 2
        again = import_file(db, Actor.system(), csv)
        assert again.added == 0
        with db.sessions() as s:
            assert s.scalar(select(Customer.name).where(Customer.code == "PG002")) == "上海样品商行"
    finally:
        db.dispose()
