"""Issue 12 item 8, attachments: Windows device names in every disguise are renamed, and a stored
path that leads outside the managed folder never gets a file deleted (or opened)."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from test_customers_support import make_customer

from crmdesk.db.models import Attachment
from crmdesk.services.attachments import (add_attachment, attachments_root, open_attachment, remove_attachment,
                                          sanitize_filename)
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customers import delete_customer


@pytest.mark.parametrize("raw, safe", [
    ("COM¹.txt", "_COM¹.txt"),
    ("lpt¹", "_lpt¹"),
    ("LPT³.log", "_LPT³.log"),
    ("com²", "_com²"),
    ("CONIN$", "_CONIN$"),
    ("conout$.txt", "_conout$.txt"),
    ("nul.tar.gz", "_nul.tar.gz"),
    ("NUL .txt", "_NUL.txt"),
    ("ＣＯＮ.txt", "_ＣＯＮ.txt"),  # full-width letters: NFKC says CON
    ("aux", "_aux"),
    ("report. . ", "report"),
    ("name...", "name"),
    ("trailing   ", "trailing"),
    ("COM10.txt", "COM10.txt"),  # not a device: left as it is
    ("console.txt", "console.txt"),
])
def test_windows_reserved_names_are_renamed(raw, safe):
    assert sanitize_filename(raw) == safe


@pytest.mark.parametrize("raw", ["COM¹.txt", "lpt¹", "CONIN$", "CONOUT$", "nul.tar.gz", "x. .", "com3 ."])
def test_sanitised_names_are_never_a_device_nor_end_in_dot_or_space(raw):
    import unicodedata

    name = sanitize_filename(raw)
    first = unicodedata.normalize("NFKC", name).split(".")[0].rstrip().lower()
    assert first not in {"con", "prn", "aux", "nul", "conin$", "conout$", "com1", "com2", "com3", "lpt1"}
    assert not name.endswith((".", " "))


def _stored_attachment(db, owner, tmp_path, stored: str) -> tuple[int, int]:
    src = tmp_path / "报价单.xlsx"
    src.write_bytes(b"ok")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店").id
        att = add_attachment(s, owner, cid, src)
        s.execute(update(Attachment).where(Attachment.id == att.id).values(stored_path=stored))
    return cid, att.id


@pytest.mark.parametrize("stored", ["../victim.txt", "../../victim.txt", "1/../../victim.txt"])
def test_removing_an_attachment_never_deletes_outside_the_folder(db, owner, tmp_path, stored):
    victim_dir = db.file_path.parent
    victim = (victim_dir / "attachments" / stored).resolve()
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_bytes(b"precious")
    cid, att_id = _stored_attachment(db, owner, tmp_path, stored)
    with db.sessions.begin() as s:
        with pytest.raises(CustomerError, match="outside the attachments folder"):
            open_attachment(s, owner, att_id)
        remove_attachment(s, owner, att_id)
    assert victim.read_bytes() == b"precious"
    with db.sessions() as s:
        assert s.get(Attachment, att_id) is None  # the row goes; the foreign file stays


def test_deleting_a_customer_never_deletes_outside_the_folder(db, owner, tmp_path):
    victim = (db.file_path.parent / "victim.txt")
    victim.write_bytes(b"precious")
    cid, _att = _stored_attachment(db, owner, tmp_path, "../victim.txt")
    with db.sessions.begin() as s:
        delete_customer(s, owner, cid)
    assert victim.read_bytes() == b"precious"


def test_managed_files_are_still_deleted(db, owner, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"x")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店").id
        att_id = add_attachment(s, owner, cid, src).id
        path = attachments_root(s) / str(cid) / "a.txt"
    assert path.is_file()
    with db.sessions.begin() as s:
        remove_attachment(s, owner, att_id)
    assert not path.exists()
