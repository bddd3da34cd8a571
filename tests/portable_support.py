"""A PostgreSQL server from the pgserver wheel for the portable-copy, COPY and connect tests."""

from __future__ import annotations

import shutil
import tempfile
import uuid

import pytest


def start_server():
    """A running pgserver, or a skip naming why it cannot start."""
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - the wheel is a test dependency
        pytest.skip(f"PostgreSQL tests need the pgserver wheel: {exc}")
    # Run as root, pgserver starts postgres as its own user, which must reach the data folder:
    # pytest's tmp folders are private to root, so use a fresh folder directly under /tmp.
    folder = tempfile.mkdtemp(prefix="crmdesk-pg-")
    try:
        server = pgserver.get_server(folder, cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - any failure to start is a reason to skip
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"the pgserver PostgreSQL could not start here: {exc}")
    return server, folder


def stop_server(server, folder: str) -> None:
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def new_database(server, prefix: str = "crmdesk") -> str:
    """A new, empty database on ``server``; its SQLAlchemy URL (psycopg driver)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)
