"""The "Done when" of issue 16: every real vCard of tests/data/real/vcard (public library test
suites, see SOURCES.md) imports with its name exact, all its phones and emails, month-day
birthdays, and what was skipped said. Expectations come from the files through a small reader of
its own here (regexes over unfolded lines), not from crmdesk's reader."""

from __future__ import annotations

import codecs
import quopri
import re
from pathlib import Path

from test_customers_support import make_customer

from crmdesk.services.contacts import list_contacts
from crmdesk.services.actor import Actor
from crmdesk.services.vcard import import_vcards

CORPUS = Path(__file__).parent / "data" / "real" / "vcard"
# Files that are neither UTF-8 nor declare a CHARSET: German Windows "ANSI" (cp1252) by their origin.
UNDECLARED = {"folkerkinzel_MultiAnsiFilterTests_German.vcf": "cp1252",
              "folkerkinzel_MultiAnsiFilterTests_v3Ansi.vcf": "cp1252"}
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def _lines(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    for raw in re.split(rb"\r*\n|\r", data):
        if raw[:1] in (b" ", b"\t") and out:
            out[-1] += raw[1:]
        elif out and b"QUOTED-PRINTABLE" in out[-1].split(b":", 1)[0].upper() and out[-1].endswith(b"="):
            out[-1] = out[-1][:-1] + raw
        else:
            out.append(raw)
    return out


def _value(line: bytes, fallback: str) -> str:
    head, _sep, value = line.partition(b":")
    if b"QUOTED-PRINTABLE" in head.upper():
        value = quopri.decodestring(value)
    m = re.search(rb"CHARSET=([A-Za-z0-9_-]+)", head, re.IGNORECASE)
    charset = {"shift_jis": "cp932", "gb2312": "gb18030", "big5": "big5hkscs"}.get(
        m.group(1).decode().lower(), m.group(1).decode()) if m else None
    for codec in ([charset] if charset else []) + ["utf-8", fallback]:
        try:
            return value.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return value.decode(fallback, errors="replace")


def expected(path: Path) -> list[dict]:
    """Per top-level card: FN as written (unescaped), ORG when there is no name, phone and email
    counts (distinct), month-day of BDAY."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    fallback = UNDECLARED.get(path.name, "gb18030")
    cards, card, depth = [], None, 0
    for line in _lines(data.removeprefix(codecs.BOM_UTF8)):
        upper = line.strip().upper()
        if upper.startswith((b"BEGIN:VCARD", b"AGENT:BEGIN:VCARD")):
            depth += 1
            if depth == 1:
                card = {"fn": None, "n": None, "org": None, "phones": set(), "emails": set(), "bday": None,
                        "v21": False}
            continue
        if upper.startswith(b"END:VCARD"):
            depth -= 1
            if depth == 0:
                cards.append(card)
            continue
        if depth != 1 or b":" not in line:
            continue
        name = re.sub(rb"^[A-Za-z0-9-]+\.", b"", line.split(b":", 1)[0]).split(b";", 1)[0].upper()
        if name == b"VERSION":
            card["v21"] = line.split(b":", 1)[1].strip() == b"2.1"
        elif name == b"FN" and card["fn"] is None:
            text = _value(line, fallback).strip()
            card["fn"] = (text.replace("\\;", ";") if card["v21"] else
                          re.sub(r"\\(.)", lambda m: m.group(1), text)) or None
        elif name == b"N" and card["n"] is None:
            card["n"] = _value(line, fallback).strip(" ;") or None
        elif name == b"ORG" and card["org"] is None:
            card["org"] = _value(line, fallback).strip()
        elif name == b"TEL":
            value = _value(line, fallback).strip()
            if value and not value.lower().startswith("sip:"):
                card["phones"].add(re.sub(r"\D", "", value.removeprefix("tel:")) or value)
        elif name == b"EMAIL":
            value = _value(line, fallback).strip().removeprefix("mailto:")
            if _EMAIL.match(value):
                card["emails"].add(value.lower())
        elif name == b"BDAY":
            m = re.match(r"^(?:\d{4}|--)-?(\d{2})-?(\d{2})", _value(line, fallback).strip())
            if m and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31:
                card["bday"] = (int(m.group(1)), int(m.group(2)))
    if depth > 0:  # a cropped file: the card read so far counts
        cards.append(card)
    return cards


def test_corpus_of_real_vcards(db, owner, capsys):
    """Counts, each with one meaning: ``cards`` top-level cards by the reader above, ``named`` those
    with FN, N or ORG; ``imported`` cards crmdesk added, updated or found already there, ``no_name``
    cards it refused for want of a name; ``*_in_files`` distinct phones/emails of the named cards by
    the reader above; ``*_kept`` phone/email points crmdesk read from the imported cards;
    ``*_checked`` the reader's phones/emails found on the stored contact (cards with an FN);
    ``lines_skipped`` lines crmdesk could not read (the card kept); ``problems`` messages given."""
    files = sorted(CORPUS.glob("*.vcf"))
    assert len(files) >= 40
    totals = dict.fromkeys(("files", "cards", "named", "imported", "no_name", "phones_in_files", "phones_kept",
                            "phones_checked", "emails_in_files", "emails_kept", "emails_checked", "birthdays_checked",
                            "lines_skipped", "problems"), 0)
    totals["files"] = len(files)
    with db.sessions.begin() as s:
        for number, path in enumerate(files):
            cid = make_customer(s, owner, f"语料客户{number}", code=f"VC{number:03d}").id
            want = expected(path)
            result = import_vcards(s, owner, cid, path, UNDECLARED.get(path.name, "gb18030"))
            got = {c.name: c for c in list_contacts(s, Actor.system(), cid)}
            named = [w for w in want if w["fn"] or w["n"] or w["org"]]
            totals["cards"] += len(want)
            totals["named"] += len(named)
            totals["imported"] += result.added + result.updated + result.skipped
            totals["no_name"] += result.unnamed
            totals["phones_kept"] += result.phones
            totals["emails_kept"] += result.emails
            totals["lines_skipped"] += result.lines_skipped
            totals["problems"] += len(result.problems)
            assert result.added + result.updated + result.skipped == len(named), path.name
            assert result.unnamed == len(want) - len(named), path.name
            for w in named:
                totals["phones_in_files"] += len(w["phones"])
                totals["emails_in_files"] += len(w["emails"])
                if w["fn"]:
                    assert w["fn"] in got, (path.name, w["fn"], sorted(got))
                    c = got[w["fn"]]
                elif not w["n"]:
                    assert w["org"].split(";")[0] in " ".join(got), (path.name, w["org"], sorted(got))
                    continue
                else:
                    continue
                phones = {re.sub(r"\D", "", p.value) or p.value for p in c.points if p.kind == "phone"}
                emails = {p.value.lower() for p in c.points if p.kind == "email"}
                assert w["phones"] <= phones, (path.name, w["fn"], w["phones"], phones)
                assert w["emails"] <= emails, (path.name, w["fn"], w["emails"], emails)
                totals["phones_checked"] += len(w["phones"])
                totals["emails_checked"] += len(w["emails"])
                if w["bday"]:
                    assert (c.birthday_month, c.birthday_day) == w["bday"], (path.name, w["fn"])
                    totals["birthdays_checked"] += 1
            again = import_vcards(s, owner, cid, path, UNDECLARED.get(path.name, "gb18030"))
            assert again.added == 0 and again.updated == 0, path.name
    with capsys.disabled():
        print("\nvCard corpus: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    assert totals["imported"] == totals["named"] and totals["no_name"] == totals["cards"] - totals["named"]
    # Every phone and email the independent reader finds in a named card is kept (none dropped).
    assert totals["phones_kept"] == totals["phones_in_files"] >= totals["phones_checked"] > 0
    assert totals["emails_kept"] == totals["emails_in_files"] >= totals["emails_checked"] > 0
