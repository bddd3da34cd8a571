"""Migrations: a database with data at the first revision upgrades to head
without losing anything, after a backup copy; the head schema equals the models."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from crmdesk.db import connect, open_database
from crmdesk.db.base import Base
from crmdesk.db.migrate import SchemaTooNewError, current_revision, head_revision, upgrade


def test_fresh_database_is_at_head_with_reference_data(db):
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM customer_types ORDER BY sort_order"))]
        stages = conn.execute(text("SELECT COUNT(*) FROM opportunity_stages")).scalar()
    assert names == ["零售客户", "直销客户", "经销商"]
    assert stages >= 5


def test_head_schema_matches_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # FTS/virtual tables a migration may add are not in the models; anything else is drift.
    drift = [d for d in diff if not (d[0] == "remove_table" and "search" in d[1].name)]
    assert drift == [], f"models and migrations differ: {drift}"


def test_upgrade_from_first_revision_keeps_data_and_backs_up(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path)
    upgrade(old, "0001")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, display_name, role, active, phone, created_at, "
                          "updated_at) VALUES (1, 'boss', '老板', 'owner', 1, '', :t, :t)"),
                     {"t": dt.datetime(2024, 1, 1)})
        conn.execute(text(
            "INSERT INTO customers (id, code, name, short_name, grade, status, province, city, district, address, "
            "phone, mobile, email, tax_id, credit_limit, payment_terms_days, notes, is_incomplete, archived, "
            "search_text, created_at, updated_at) VALUES (1, 'KH1', '广州文具店', '', 'A', 'active', '广东', '广州', "
            "'', '', '020-1', '', '', '', 50000000, 30, '', 0, 0, '', :t, :t)"), {"t": dt.datetime(2024, 1, 1)})
    assert current_revision(old) == "0001"
    old.dispose()

    upgraded = open_database(path)
    try:
        assert current_revision(upgraded) == head_revision()
        with upgraded.engine.connect() as conn:
            row = conn.execute(text("SELECT code, name, credit_limit FROM customers")).one()
            types = conn.execute(text("SELECT COUNT(*) FROM customer_types")).scalar()
        assert tuple(row) == ("KH1", "广州文具店", 50000000)
        assert types == 3
        backups = list((tmp_path / "backups").glob("old-pre-upgrade-0001-*.db"))
        assert len(backups) == 1
        copy = connect(backups[0])
        assert current_revision(copy) == "0001"
        copy.dispose()
    finally:
        upgraded.dispose()


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.db"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    with pytest.raises(SchemaTooNewError, match="newer crmdesk"):
        open_database(path)


def test_sqlite_pragmas(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16_384  # a new file takes the big pages


def test_an_existing_file_keeps_its_page_size(tmp_path):
    import sqlite3

    path = tmp_path / "small-pages.db"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA page_size=4096")
    raw.execute("CREATE TABLE t (x)")
    raw.close()
    opened = connect(path)
    with opened.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    opened.engine.dispose()


def test_fast_path_head_constant_is_alembics_head():
    from crmdesk.db.migrate import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()
