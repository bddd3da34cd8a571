"""``crmdesk migrate-to URL`` / ``migrate-from FILE`` and ``crmdesk backup`` on a server database,
run as the CLI runs them (exit codes, one-line errors), against a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crmdesk.cli import main
from crmdesk.db import open_database
from crmdesk.db.portable import table_checksums
from tests.portable_support import new_database, start_server, stop_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pg_server():
    server, folder = start_server()
    yield server
    stop_server(server, folder)


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A shop file with the demo's accounts (owner / demo) and an attachment."""
    from crmdesk.demo import generate
    from crmdesk.services.attachments import add_attachment
    from crmdesk.services.users import authenticate_in

    path = tmp_path / "shop" / "crmdesk.db"
    db = open_database(path)
    generate(db, customers=40, products=20, lines=400, seed=4, end_date=dt.date(2026, 6, 30))
    owner = authenticate_in(db, "owner", "demo")
    note = tmp_path / "报价.txt"
    note.write_text("报价", encoding="utf-8")
    with db.sessions.begin() as s:
        add_attachment(s, owner, 1, note)
    db.dispose()
    monkeypatch.setenv("CRMDESK_PASSWORD", "demo")
    return path


def test_migrate_to_an_empty_server_and_not_twice(pg_server, shop, capsys):
    url = new_database(pg_server)
    assert main(["--db", str(shop), "--user", "owner", "migrate-to", url, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "moved" in out and "Shop server" in out
    moved, original = table_checksums(url), table_checksums(f"sqlite:///{shop}")
    assert {k: v for k, v in moved.items() if k in original and k != "attachment_blobs"} == \
        {k: v for k, v in original.items() if k != "attachment_blobs"}
    assert moved["attachment_blobs"].startswith("1:")  # the file beside the shop went into the server
    assert main(["--db", str(shop), "--user", "owner", "migrate-to", url, "--quiet"]) == 1
    assert "already holds data" in capsys.readouterr().err


def test_migrate_to_needs_the_owner(pg_server, shop, capsys, monkeypatch):
    assert main(["--db", str(shop), "--user", "sales1", "migrate-to", new_database(pg_server)]) == 2
    assert capsys.readouterr().err.startswith("crmdesk migrate-to:")


def test_migrate_from_refuses_a_server_with_data_unless_replace(pg_server, shop, tmp_path, capsys):
    url = new_database(pg_server)
    assert main(["--db", url, "migrate-from", str(shop), "--quiet"]) == 0  # an empty server: no accounts yet
    assert table_checksums(url)["customers"] == table_checksums(f"sqlite:///{shop}")["customers"]
    capsys.readouterr()
    assert main(["--db", url, "--user", "owner", "migrate-from", str(shop), "--quiet"]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["--db", url, "--user", "owner", "migrate-from", str(shop), "--replace", "--quiet"]) == 0
    out = capsys.readouterr().out
    safety = Path(next(line for line in out.splitlines() if "previous content" in line).split(" is in ")[1])
    assert table_checksums(f"sqlite:///{safety}")["customers"] == table_checksums(url)["customers"]
    assert main(["--db", url, "--user", "owner", "migrate-from", str(tmp_path / "none.db")]) == 2


def test_backup_of_a_server_database_is_a_shop_file(pg_server, shop, tmp_path, capsys):
    url = new_database(pg_server)
    assert main(["--db", str(shop), "--user", "owner", "migrate-to", url, "--quiet"]) == 0
    target = tmp_path / "server-backup.db"
    assert main(["--db", url, "backup", str(target)]) == 0  # the scheduler identity, as the Task Scheduler runs it
    copy = table_checksums(f"sqlite:///{target}")
    server = table_checksums(url)  # the backup itself is audited on the server after the copy
    assert {k: v for k, v in copy.items() if k != "audit_log"} == \
        {k: v for k, v in server.items() if k in copy and k != "audit_log"}
    assert copy["sales_lines"] == table_checksums(f"sqlite:///{shop}")["sales_lines"]
