"""Attachments: safe names, managed copies beside the database, links, removal after commit."""

from __future__ import annotations

import pytest
from test_customers_support import make_customer

from crmdesk.services.attachments import (add_attachment, attachments_root, attachments_root_for_url,
                                          copy_attachment_folder, list_attachment_files, list_attachments,
                                          remove_attachment, sanitize_filename)
from crmdesk.services.customers import delete_customer

from crmdesk.services.actor import Actor as _Actor

SYSTEM = _Actor.system()


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Windows\\system32\\x.dll", "x.dll"),
    ("/home/u/报价单.xlsx", "报价单.xlsx"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("com1.tar.gz", "_com1.tar.gz"),
    ("a\x00b\x1fc?.pdf", "a_b_c_.pdf"),
    ("..", "file"),
    ("合同 v2.  ", "合同 v2"),
])
def test_sanitize(raw, safe):
    assert sanitize_filename(raw) == safe


def test_long_names_are_cut_keeping_the_extension():
    name = sanitize_filename("长" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name) <= 120


def test_copy_dedupe_link_remove(db, owner, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "报价单.xlsx").write_bytes(b"one")
    other = src / "sub"
    other.mkdir()
    (other / "报价单.xlsx").write_bytes(b"two")
    linked = src / "合同.pdf"
    linked.write_bytes(b"pdf")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店").id
        a1 = add_attachment(s, owner, cid, src / "报价单.xlsx", description="第一版").id
        a2 = add_attachment(s, owner, cid, other / "报价单.xlsx").id
        add_attachment(s, owner, cid, linked, link=True)
        root = attachments_root(s)
    assert root == db.file_path.parent / "attachments"
    with db.sessions() as s:
        items = {a.id: a for a in list_attachments(s, SYSTEM, cid)}
    assert items[a1].path == root / str(cid) / "报价单.xlsx" and items[a1].path.read_bytes() == b"one"
    assert items[a2].path.name == "报价单 (2).xlsx" and items[a2].original_name == "报价单.xlsx"
    linked_info = next(a for a in items.values() if a.is_link)
    assert linked_info.path == linked.resolve() and linked_info.exists
    assert list_attachment_files(db.url) == sorted([items[a1].path, items[a2].path])

    # A removal that rolls back keeps the file; one that commits deletes it.
    with db.sessions() as s:
        remove_attachment(s, owner, a1)
        s.rollback()
    assert items[a1].path.exists()
    with db.sessions.begin() as s:
        remove_attachment(s, owner, a1)
        remove_attachment(s, owner, linked_info.id)
    assert not items[a1].path.exists() and items[a2].path.exists()
    assert linked.exists()  # a linked file is never deleted


def test_copy_rolled_back_leaves_no_file(db, owner, tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("x")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "甲").id
    with db.sessions() as s:
        add_attachment(s, owner, cid, f)
        s.rollback()
    assert list_attachment_files(db.url) == []
    with db.sessions() as s:
        add_attachment(s, owner, cid, f)  # closed without commit
    assert list_attachment_files(db.url) == []


def test_deleting_customer_deletes_its_copies(db, owner, tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("x")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "甲").id
        add_attachment(s, owner, cid, f)
    assert len(list_attachment_files(db.url)) == 1
    with db.sessions.begin() as s:
        delete_customer(s, owner, cid)
    assert list_attachment_files(db.url) == []


def test_non_file_database_uses_data_dir(_isolated_home):
    assert attachments_root_for_url("sqlite://") == _isolated_home / "data" / "attachments"
    assert attachments_root_for_url("postgresql://u@h/db") == _isolated_home / "data" / "attachments"


def test_copy_attachment_folder_for_backup(db, owner, tmp_path):
    f = tmp_path / "报价单.xlsx"
    f.write_bytes(b"x")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "甲").id
        add_attachment(s, owner, cid, f)
    backup = tmp_path / "backup-attachments"
    assert copy_attachment_folder(db.url, backup) == 1
    assert (backup / str(cid) / "报价单.xlsx").read_bytes() == b"x"
