"""vCard 3.0 export and import of contacts with vobject (the well-kept vCard/iCalendar
library), Chinese names included. Import also reads the 2.1 cards phones export
(quoted-printable UTF-8 names) and 4.0 cards."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import vobject
from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Contact, Customer
from crmdesk.i18n import _
from crmdesk.core.cells import parse_one_date
from crmdesk.services.actor import Actor
from crmdesk.services.contacts import ContactInfo, ContactInput, add_contact, list_contacts
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services import audit
from crmdesk.services.customer_scope import visible_ids
from crmdesk.services.permissions import require, require_customer

log = logging.getLogger(__name__)

# Two-character surnames: the rest of a Chinese name is the given name.
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                      "夏侯", "轩辕", "令狐", "端木", "西门", "南宫")
_CJK = re.compile(r"^[\u3400-\u9fff·]+$")
_CARD = re.compile(r"BEGIN:VCARD.*?END:VCARD", re.IGNORECASE | re.DOTALL)


@dataclass
class VCardImportResult:
    added: int = 0
    skipped: int = 0  # already there (same name and phone/mobile)
    problems: list[str] = field(default_factory=list)  # "card 3: no name"


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


def _card(c: ContactInfo, organisation: str) -> vobject.base.Component:
    card = vobject.vCard()
    family, given = split_name(c.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("fn").value = c.name
    if organisation:
        card.add("org").value = [organisation]
    if c.role:
        card.add("title").value = c.role
    for number, kind in ((c.phone, "WORK"), (c.mobile, "CELL")):
        if number:
            tel = card.add("tel")
            tel.value = number
            tel.type_param = [kind, "VOICE"]
    if c.email:
        email = card.add("email")
        email.value = c.email
        email.type_param = "INTERNET"
    if c.birthday:
        card.add("bday").value = c.birthday.isoformat()
    if c.wechat:
        card.add("x-wechat").value = c.wechat
    if c.notes:
        card.add("note").value = c.notes
    return card


def contacts_to_vcard(contacts: list[ContactInfo], organisations: dict[int, str] | None = None) -> str:
    organisations = organisations or {}
    return "".join(_card(c, organisations.get(c.customer_id, "")).serialize() for c in contacts)


def export_vcards(session: Session, actor: Actor, customer_ids: list[int], path: Path | str) -> int:
    """The contacts of those of ``customer_ids`` the actor may see; audited."""
    require(actor, "customers.export")
    customer_ids = list(dict.fromkeys(visible_ids(session, actor, customer_ids)))
    contacts: list[ContactInfo] = []
    for cid in customer_ids:
        contacts.extend(list_contacts(session, actor, cid))
    orgs = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))).all()) \
        if customer_ids else {}
    # Plain UTF-8 without BOM: phones and mail programs read vCard 3.0 as UTF-8.
    Path(path).write_text(contacts_to_vcard(contacts, orgs), encoding="utf-8", newline="")
    audit.record(session, actor, "customers", 0, "export", "vcard", None,
                 f"{len(contacts)} contacts of {len(customer_ids)} customers → {Path(path).name}")
    return len(contacts)


def _first(card, name: str) -> str:
    items = card.contents.get(name) or []
    for item in items:
        value = item.value
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v)
        if value:
            return str(value).strip()
    return ""


def _phones(card) -> tuple[str, str]:
    phone = mobile = ""
    for tel in card.contents.get("tel", []):
        # 3.0 writes TYPE=CELL; 2.1 writes a bare ;CELL (vobject keeps it as a singleton parameter).
        types = {t.upper() for t in tel.params.get("TYPE", [])} | {t.upper() for t in tel.singletonparams}
        number = str(tel.value).strip()
        if number.lower().startswith("tel:"):
            number = number[4:]
        if "CELL" in types and not mobile:
            mobile = number
        elif not phone:
            phone = number
        elif not mobile:
            mobile = number
    return phone, mobile


def _name(card) -> str:
    fn = _first(card, "fn")
    if fn:
        return fn
    n = card.contents.get("n")
    if n:
        v = n[0].value
        family, given = (v.family or ""), (v.given or "")
        family = " ".join(family) if isinstance(family, list) else family
        given = " ".join(given) if isinstance(given, list) else given
        if _CJK.match(f"{family}{given}" or "x"):
            return f"{family}{given}"
        return f"{given} {family}".strip()
    return ""


def parse_vcards(text: str) -> tuple[list[ContactInput], list[str]]:
    contacts: list[ContactInput] = []
    problems: list[str] = []
    for number, block in enumerate(_CARD.findall(text.replace("\r\n", "\n").replace("\n", "\r\n")), start=1):
        try:
            card = vobject.readOne(block)
        except Exception as exc:  # noqa: BLE001 - vobject raises several error types for bad input
            problems.append(_("card {n}: unreadable ({error})").format(n=number, error=exc))
            continue
        name = _name(card)
        if not name:
            problems.append(_("card {n}: no name").format(n=number))
            continue
        birthday = None
        raw_bday = _first(card, "bday")
        if raw_bday:
            try:
                birthday = parse_one_date(raw_bday.replace("--", "1900-") if raw_bday.startswith("--") else raw_bday)
            except ValueError:
                problems.append(_("card {n}: birthday {value} is not a date; left empty").format(n=number,
                                                                                                value=raw_bday))
        phone, mobile = _phones(card)
        email = _first(card, "email")
        if email.lower().startswith("mailto:"):
            email = email[7:]
        contacts.append(ContactInput(name=name, role=_first(card, "title") or _first(card, "role"), phone=phone,
                                     mobile=mobile, email=email,
                                     wechat=_first(card, "x-wechat") or _first(card, "x-weixin"),
                                     birthday=birthday if isinstance(birthday, dt.date) else None,
                                     notes=_first(card, "note")))
    return contacts, problems


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CustomerError(_("{file}: not a text file").format(file=path.name))


def import_vcards(session: Session, actor: Actor, customer_id: int, source: Path | str) -> VCardImportResult:
    require_customer(session, actor, customer_id, "customers.contacts")
    path = Path(source)
    if not path.is_file():
        raise CustomerError(_("File not found: {path}").format(path=path))
    contacts, problems = parse_vcards(_read_text(path))
    result = VCardImportResult(problems=problems)
    existing = {(c.name, c.phone, c.mobile) for c in session.scalars(
        select(Contact).where(Contact.customer_id == customer_id))}
    for data in contacts:
        key = (data.name, data.phone, data.mobile)
        if key in existing:
            result.skipped += 1
            continue
        add_contact(session, actor, customer_id, data)
        existing.add(key)
        result.added += 1
    return result
