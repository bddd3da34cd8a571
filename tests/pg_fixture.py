"""A real PostgreSQL for the multi-engine tests, started from the ``pgserver`` wheel once per
test session. Import the fixtures into a test module (``from pg_fixture import pg_server``);
``new_pg_database(server, name)`` makes an empty database and returns its SQLAlchemy URL.
Skipped with the reason when the wheel is missing or its server cannot start."""

from __future__ import annotations

import shutil
import tempfile

import pytest


@pytest.fixture(scope="session")
def pg_server():
    try:
        import pgserver
    except ImportError as exc:
        pytest.skip(f"PostgreSQL tests need the pgserver wheel: {exc}")
    # Run as root, pgserver starts postgres as its own user, which must reach the data folder:
    # pytest's tmp folders are private to root, so use a fresh folder directly under /tmp.
    folder = tempfile.mkdtemp(prefix="crmdesk-pg-")
    try:
        server = pgserver.get_server(folder, cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - any failure to start is a reason to skip, said as it is
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"the pgserver wheel's PostgreSQL did not start: {exc}")
    yield server
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def new_pg_database(server, name: str) -> str:
    server.psql(f"DROP DATABASE IF EXISTS {name};")
    server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)
