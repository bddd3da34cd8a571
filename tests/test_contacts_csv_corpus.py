"""Real CSV address books (tests/data/real/contacts_csv, origins in SOURCES.md): Google Contacts,
a German Outlook 2013 export, Thunderbird. Each is recognised by its headers, every non-empty column
is read or reported as ignored, and the cards land with the names, phones, emails (with types) and
birthdays written by hand in expected.json next to the files; importing twice adds nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_customers_support import make_customer

from crmdesk.importers.address_book_file import read_address_book
from crmdesk.importers.table_file import read_table
from crmdesk.services.actor import Actor
from crmdesk.services.contact_csv_layouts import read_csv_book
from crmdesk.services.contacts import list_contacts
from crmdesk.services.vcard import VCardImportResult, import_cards

CORPUS = Path(__file__).parent / "data" / "real" / "contacts_csv"
EXPECTED = {k: v for k, v in json.loads((CORPUS / "expected.json").read_text(encoding="utf-8")).items()
            if not k.startswith("_")}


def _plain(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    """The file as Python's csv module reads it: headers and rows (independent of crmdesk)."""
    with path.open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def test_every_file_has_expectations():
    assert sorted(p.name for p in CORPUS.glob("*.csv")) == sorted(EXPECTED)
    assert {e["layout"] for e in EXPECTED.values()} >= {"google", "outlook", "thunderbird"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout_columns_and_cards(name):
    exp = EXPECTED[name]
    path = CORPUS / name
    book = read_address_book(path)
    assert (book.error, book.layout) == ("", exp["layout"])
    headers, rows = _plain(path, exp["encoding"])
    filled = {h for row in rows for h, v in zip(headers, row, strict=False) if v.strip()}
    table = read_table(path)
    assert table.headers == [h.strip() for h in headers]  # the importer decoded the same header line
    csv_book = read_csv_book(table.headers, table.rows)
    assert sorted(book.ignored) == sorted(exp["ignored"])
    assert filled <= set(csv_book.mapped) | set(csv_book.ignored), filled - set(csv_book.mapped) - set(csv_book.ignored)
    assert len(book.cards) == len(exp["cards"]) == len(rows)
    for card, want in zip(book.cards, exp["cards"], strict=True):
        assert card.name == want["name"]
        assert (card.organisation, card.title) == (want.get("org", ""), want.get("title", ""))
        assert [[p.type, p.value] for p in card.points if p.kind == "phone"] == want["phones"]
        assert [[p.type, p.value] for p in card.points if p.kind == "email"] == want["emails"]
        assert [p.value for p in card.points if p.kind == "url"] == want.get("urls", [])
        assert card.notes == want.get("notes", "")
        birthday = card.birthday.isoformat() if card.birthday else (
            f"--{card.birthday_month:02d}-{card.birthday_day:02d}" if card.birthday_month else None)
        assert birthday == want.get("birthday")
        assert card.problems == []
        if "preferred_email" in want:
            assert [p.value for p in card.points if p.kind == "email" and p.preferred] == [want["preferred_email"]]


def test_csv_corpus_imports_whole_and_twice_adds_nothing(db, owner, capsys):
    totals = {"files": 0, "cards": 0, "imported": 0, "no_name": 0, "phones_kept": 0, "emails_kept": 0,
              "columns_ignored": 0}
    with db.sessions.begin() as s:
        for number, name in enumerate(sorted(EXPECTED)):
            exp = EXPECTED[name]
            cid = make_customer(s, owner, f"CSV客户{number}", code=f"CSV{number:03d}").id
            book = read_address_book(CORPUS / name)
            result = import_cards(s, owner, cid, name, book.cards, VCardImportResult())
            stored = {c.name: c for c in list_contacts(s, Actor.system(), cid)}
            assert sorted(stored) == sorted(w["name"] for w in exp["cards"])
            for want in exp["cards"]:
                c = stored[want["name"]]
                assert sorted([p.type, p.value] for p in c.points if p.kind == "phone") == sorted(want["phones"])
                assert sorted([p.type, p.value] for p in c.points if p.kind == "email") == sorted(want["emails"])
                assert c.role == want.get("title", "")
                assert c.birthday_text == (want.get("birthday") or "")
            again = import_cards(s, owner, cid, name, read_address_book(CORPUS / name).cards, VCardImportResult())
            assert (again.added, again.updated, again.skipped) == (0, 0, len(exp["cards"]))
            totals["files"] += 1
            totals["cards"] += len(book.cards)
            totals["imported"] += result.added + result.updated + result.skipped
            totals["no_name"] += result.unnamed
            totals["phones_kept"] += sum(len(want["phones"]) for want in exp["cards"])
            totals["emails_kept"] += sum(len(want["emails"]) for want in exp["cards"])
            totals["columns_ignored"] += len(book.ignored)
            assert result.phones == sum(len(w["phones"]) for w in exp["cards"])
            assert result.emails == sum(len(w["emails"]) for w in exp["cards"])
    with capsys.disabled():
        print("\nCSV corpus: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    assert totals["imported"] == totals["cards"] and totals["phones_kept"] > 0 and totals["emails_kept"] > 0
