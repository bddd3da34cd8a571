"""Attachments on a server database live in the database: a file attached on one PC opens on
another (another data folder standing for another PC), removal takes the bytes with it, a shop
file moved onto the server brings its files, and migration 0014 moves a PC's old files in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from crmdesk.db import open_database
from crmdesk.db.models import AttachmentBlob
from crmdesk.db.portable import copy_database
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import add_attachment, list_attachments, open_attachment, remove_attachment
from crmdesk.services.users import create_first_owner
from tests.portable_support import new_database, start_server, stop_server
from tests.test_customers_support import make_customer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pg_server():
    server, folder = start_server()
    yield server
    stop_server(server, folder)


def _owner(db) -> Actor:
    with db.sessions.begin() as s:
        return Actor.from_user(create_first_owner(s, "owner", "secret-pw", "店主"))


def _blob_count(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(AttachmentBlob))


def test_a_file_attached_on_one_pc_opens_on_another(pg_server, tmp_path, monkeypatch):
    db = open_database(new_database(pg_server))
    try:
        owner = _owner(db)
        source = tmp_path / "报价单.xlsx"
        source.write_bytes(b"quote \x00\x01 bytes" * 100)
        with db.sessions.begin() as s:
            cid = make_customer(s, owner, "广州文具店").id
            aid = add_attachment(s, owner, cid, source, description="第一版").id
        assert _blob_count(db) == 1
        monkeypatch.setenv("CRMDESK_HOME", str(tmp_path / "second-pc"))  # another PC's data folder
        with db.sessions() as s:
            [info] = list_attachments(s, owner, cid)
            opened = open_attachment(s, owner, aid)
        assert info.exists and info.original_name == "报价单.xlsx"
        assert opened == info.path and opened.is_relative_to(tmp_path / "second-pc")
        assert opened.read_bytes() == source.read_bytes()
        opened.write_bytes(b"damaged")  # a stale cached copy is written again
        with db.sessions() as s:
            assert open_attachment(s, owner, aid).read_bytes() == source.read_bytes()
        with db.sessions.begin() as s:
            remove_attachment(s, owner, aid)
        assert _blob_count(db) == 0 and not opened.exists()
        with db.sessions() as s:
            assert list_attachments(s, owner, cid) == []
    finally:
        db.dispose()


def test_a_shop_file_keeps_its_folder(db, owner, tmp_path):
    source = tmp_path / "合同.pdf"
    source.write_bytes(b"pdf")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "佛山文具").id
        add_attachment(s, owner, cid, source)
    assert (db.file_path.parent / "attachments" / str(cid) / "合同.pdf").read_bytes() == b"pdf"
    assert _blob_count(db) == 0


def test_moving_a_shop_file_onto_the_server_brings_its_files(pg_server, db, owner, tmp_path, monkeypatch):
    source = tmp_path / "名片.png"
    source.write_bytes(b"\x89PNG card")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "深圳办公").id
        add_attachment(s, owner, cid, source)
    pg_url = new_database(pg_server)
    counts = copy_database(db.url, pg_url)
    assert counts["attachment_blobs"] == 1
    monkeypatch.setenv("CRMDESK_HOME", str(tmp_path / "server-pc"))
    server = open_database(pg_url)
    try:
        with server.sessions() as s:
            [info] = list_attachments(s, owner, cid)
        assert info.exists and info.path.read_bytes() == b"\x89PNG card"
    finally:
        server.dispose()
    # And back into a file elsewhere (a backup, or the shop leaving the server): the bytes travel inside it.
    back = tmp_path / "elsewhere" / "shop.db"
    copy_database(pg_url, f"sqlite:///{back}")
    moved = open_database(back)
    try:
        with moved.sessions() as s:
            [info] = list_attachments(s, owner, cid)
        assert info.exists and info.path.read_bytes() == b"\x89PNG card"
    finally:
        moved.dispose()


def _old_customer(conn) -> int:
    """A customer row written at revision 0013, whatever its required columns are."""
    import datetime as dt

    from sqlalchemy import inspect

    values = {"code": "C1", "name": "老客户"}
    for col in inspect(conn).get_columns("customers"):
        if col["nullable"] or col["default"] is not None or col["name"] in values or col["name"] == "id":
            continue
        kind = col["type"].python_type
        values[col["name"]] = (dt.datetime(2026, 1, 1) if kind in (dt.date, dt.datetime)
                               else False if kind is bool else 0 if kind in (int, float) else "")
    names = ", ".join(values)
    marks = ", ".join(f":{n}" for n in values)
    return conn.execute(text(f"INSERT INTO customers ({names}) VALUES ({marks}) RETURNING id"), values).scalar_one()


def test_migration_0014_moves_this_pcs_files_into_the_server(pg_server, tmp_path):
    from crmdesk import paths
    from crmdesk.db.migrate import upgrade

    url = new_database(pg_server)
    from crmdesk.db.engine import connect

    db = connect(url)
    try:
        upgrade(db, "0013")
        with db.engine.begin() as conn:
            cid = _old_customer(conn)
            rows = [("1/旧合同.pdf", b"old contract"), ("1/不在这台电脑.doc", None)]
            for stored, data in rows:
                conn.execute(text("INSERT INTO attachments (customer_id, original_name, stored_path, is_link, "
                                  "size_bytes, sha256, description, added_at) VALUES (:c, :n, :p, false, 0, '', '', "
                                  "now())"), {"c": cid, "n": stored.split("/")[1], "p": stored.replace("1/", f"{cid}/")})
        local = paths.data_dir() / "attachments" / str(cid)
        local.mkdir(parents=True)
        (local / "旧合同.pdf").write_bytes(b"old contract")
        upgrade(db)
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT a.original_name, b.data FROM attachment_blobs b "
                                       "JOIN attachments a ON a.id = b.attachment_id")).all()
            assert conn.execute(text("SELECT count(*) FROM attachments")).scalar_one() == 2
        assert [(name, bytes(data)) for name, data in stored] == [("旧合同.pdf", b"old contract")]
    finally:
        db.dispose()
