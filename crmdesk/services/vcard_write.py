"""Writing contacts as vCard 3.0 (vobject) or 2.1 (for older phones: quoted-printable UTF-8 with
CHARSET for anything not ASCII). Every field vcard_read reads back comes out: the round trip keeps
points with their types, labels and preferred flags, birthday (month-day too), title and notes."""

from __future__ import annotations

import re

import vobject

from crmdesk.services.contacts import ContactInfo

# Two-character surnames: the rest of a Chinese name is the given name.
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                      "夏侯", "轩辕", "令狐", "端木", "西门", "南宫")
_CJK = re.compile(r"^[\u3400-\u9fff·]+$")
_TEL_TYPES = {"mobile": ["CELL"], "work": ["WORK", "VOICE"], "home": ["HOME", "VOICE"], "fax": ["FAX"],
              "pager": ["PAGER"], "other": ["VOICE"]}
_EMAIL_TYPES = {"work": ["INTERNET", "WORK"], "home": ["INTERNET", "HOME"], "other": ["INTERNET"]}
VERSIONS = ("3.0", "2.1")


def split_name(name: str) -> tuple[str, str]:
    """(family, given). Chinese: surname first (one character, or a known two-character one);
    others: the last word is the family name."""
    name = name.strip()
    if _CJK.match(name) and len(name) >= 2:
        n = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
        return name[:n], name[n:]
    parts = name.split()
    if len(parts) >= 2:
        return parts[-1], " ".join(parts[:-1])
    return name, ""


def _properties(c: ContactInfo, organisation: str) -> list[tuple[str, list[str], str | list[str]]]:
    """(name, TYPE values, value) in order; a list value is structured (N, ORG)."""
    family, given = split_name(c.name)
    props: list[tuple[str, list[str], str | list[str]]] = [("N", [], [family, given, "", "", ""]), ("FN", [], c.name)]
    if organisation:
        props.append(("ORG", [], [organisation]))
    if c.role:
        props.append(("TITLE", [], c.role))
    for p in c.points:
        pref = ["PREF"] if p.preferred else []
        label = f"X-ABLABEL={p.label}" if p.label else ""
        if p.kind == "phone":
            props.append(("TEL", _TEL_TYPES.get(p.type, ["VOICE"]) + pref + ([label] if label else []), p.value))
        elif p.kind == "email":
            props.append(("EMAIL", _EMAIL_TYPES.get(p.type, ["INTERNET"]) + pref + ([label] if label else []),
                          p.value))
        elif p.kind == "im" and p.type == "wechat":
            props.append(("X-WECHAT", pref, p.value))
        elif p.kind == "im" and p.type == "qq":
            props.append(("X-QQ", pref, p.value))
        elif p.kind == "im":
            props.append(("IMPP", pref, f"{p.label or 'x-im'}:{p.value}"))
        elif p.kind == "sip":
            props.append(("IMPP", pref, f"sip:{p.value}"))
        elif p.kind == "url":
            props.append(("URL", pref, p.value))
        else:
            props.append(("X-CRMDESK-OTHER", pref + ([label] if label else []), p.value))
    if c.birthday:
        props.append(("BDAY", [], c.birthday.isoformat()))
    elif c.birthday_month and c.birthday_day:
        props.append(("BDAY", [], f"--{c.birthday_month:02d}{c.birthday_day:02d}"))
    if c.notes:
        props.append(("NOTE", [], c.notes))
    return props


def card_30(c: ContactInfo, organisation: str = "") -> str:
    card = vobject.vCard()
    group = 0
    for name, types, value in _properties(c, organisation):
        labels = [t.split("=", 1)[1] for t in types if t.startswith("X-ABLABEL=")]
        types = [t for t in types if not t.startswith("X-ABLABEL=")]
        if labels:
            group += 1
            line = card.add(name.lower(), group=f"item{group}")
            card.add("x-ablabel", group=f"item{group}").value = labels[0]
        else:
            line = card.add(name.lower())
        if name == "N":
            line.value = vobject.vcard.Name(family=value[0], given=value[1])
        elif name == "ORG":
            line.value = list(value)
        else:
            line.value = value
        if types:
            line.type_param = types
    return card.serialize()


def _qp(text: str) -> str:
    """Quoted-printable UTF-8 with soft line breaks (``=`` CRLF) every 74 characters; line breaks
    of the text become =0D=0A, as 2.1 readers expect."""
    pieces = [chr(b) if 33 <= b <= 126 and b != 61 or (b == 32) else f"={b:02X}"
              for b in text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")]
    if pieces and pieces[-1] == " ":
        pieces[-1] = "=20"
    lines, current = [], ""
    for piece in pieces:
        if len(current) + len(piece) > 74:
            lines.append(current + "=")
            current = ""
        current += piece
    lines.append(current)
    return "\r\n".join(lines)


def card_21(c: ContactInfo, organisation: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:2.1"]
    group = 0
    for name, types, value in _properties(c, organisation):
        labels = [t.split("=", 1)[1] for t in types if t.startswith("X-ABLABEL=")]
        types = [t for t in types if not t.startswith("X-ABLABEL=")]
        text = ";".join(v.replace(";", "\\;") for v in value) if isinstance(value, list) else value.replace(";", "\\;")
        prefix = name
        if labels:
            group += 1
            prefix = f"item{group}.{name}"
        head = ";".join([prefix, *types])
        lines.append(_line_21(head, text))
        if labels:
            lines.append(_line_21(f"item{group}.X-ABLabel", labels[0]))
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def _line_21(head: str, text: str) -> str:
    if text.isascii() and "\n" not in text and "\r" not in text and not text.endswith(" ") and "=" not in text:
        return f"{head}:{text}"
    return f"{head};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(text)}"


def contacts_to_vcard(contacts: list[ContactInfo], organisations: dict[int, str] | None = None,
                      version: str = "3.0") -> str:
    organisations = organisations or {}
    write = card_21 if version == "2.1" else card_30
    return "".join(write(c, organisations.get(c.customer_id, "")) for c in contacts)
