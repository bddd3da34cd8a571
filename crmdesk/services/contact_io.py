"""Contacts import from CSV/XLSX (Chinese or English headers), and the table reader the
contact-log import shares. Rejected rows are reported with row, column and reason; columns not
read are reported too. A Google, Outlook or Thunderbird address book (services.contact_csv_layouts)
goes into the one customer it is imported for, with all its phones and emails."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Contact, Customer
from crmdesk.i18n import _
from crmdesk.core.cells import parse_one_date
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.contact_csv_layouts import detect_layout, read_csv_book
from crmdesk.services.contact_points import PointInput, clean_points, match_key, points_from_legacy
from crmdesk.services.contacts import set_points, stored_points
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customers import refresh_search_text
from crmdesk.services.permissions import can_see_customer, require, require_customer

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RejectedRow:
    row: int  # as the user sees it: header is row 1, first data row is row 2
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    total: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0  # already there, unchanged
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # imported, but something was left out (said how)
    ignored: list[str] = field(default_factory=list)  # headers of non-empty columns that were not read


# Canonical key → accepted headers (case-insensitive, spaces ignored).
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_code": ("客户编号", "客户编码", "客户代码", "customer code", "customer_code", "code"),
    "customer_name": ("客户名称", "客户", "单位名称", "公司", "customer", "customer name", "company"),
    "name": ("联系人", "姓名", "联系人姓名", "contact", "name", "contact name"),
    "role": ("职务", "职位", "role", "title", "position"),
    "phone": ("电话", "座机", "办公电话", "phone", "tel", "telephone"),
    "mobile": ("手机", "手机号", "移动电话", "mobile", "cell", "cellphone"),
    "email": ("邮箱", "电子邮件", "email", "e-mail", "mail"),
    "wechat": ("微信", "微信号", "wechat", "weixin"),
    "birthday": ("生日", "出生日期", "birthday", "birth date", "dob"),
    "notes": ("备注", "notes", "note", "remarks"),
}


@dataclass(frozen=True)
class TableFile:
    """A contacts or contact-log file as read (``importers.table_file.read_table``): the services
    work on its rows and never open files themselves."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)


def _header_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", unicodedata.normalize("NFKC", text or "").strip().lower()).strip("*: ")


def map_headers(headers: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    wanted = {_header_key(alias): key for key, aliases in columns.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = wanted.get(_header_key(header))
        if key is not None and key not in found:
            found[key] = index
    return found


def _cell(cells: list[str], mapping: dict[str, int], key: str) -> str:
    index = mapping.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


class CustomerFinder:
    """Finds a customer by code, else by exact name (unique), caching both look-ups for one file.
    With an actor, customers they may not see are not found (the row is rejected, not written)."""

    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.session = session
        self.actor = actor
        self._by_code: dict[str, int | None] = {}
        self._by_name: dict[str, int | None | str] = {}
        self._visible: dict[int, bool] = {}

    def find(self, code: str, name: str) -> tuple[int | None, str]:
        """(customer id, reason when not found)."""
        cid, why = self._find(code, name)
        if cid is not None and self.actor is not None:
            if cid not in self._visible:
                self._visible[cid] = can_see_customer(self.session, self.actor, cid)
            if not self._visible[cid]:
                return None, _("customer {name} is not in your territories").format(name=code or name)
        return cid, why

    def _find(self, code: str, name: str) -> tuple[int | None, str]:
        if code:
            if code not in self._by_code:
                self._by_code[code] = self.session.scalar(select(Customer.id).where(Customer.code == code))
            if self._by_code[code] is not None:
                return self._by_code[code], ""
            if not name:
                return None, _("no customer with code {code}").format(code=code)
        if name:
            if name not in self._by_name:
                ids = list(self.session.scalars(select(Customer.id).where(Customer.name == name).limit(2)))
                self._by_name[name] = ids[0] if len(ids) == 1 else ("many" if ids else None)
            found = self._by_name[name]
            if found == "many":
                return None, _("several customers are named {name}; give the customer code").format(name=name)
            if found is not None:
                return int(found), ""
            return None, _("no customer named {name}").format(name=name)
        return None, _("the customer code or name is missing")


def import_contacts(session: Session, actor: Actor, table: TableFile,
                    customer_id: int | None = None) -> ImportResult:
    if customer_id is not None:
        require_customer(session, actor, customer_id, "customers.contacts")
    require(actor, "customers.contacts")
    headers, rows = table.headers, table.rows
    mapping = map_headers(headers, CONTACT_COLUMNS)
    if detect_layout(headers) in ADDRESS_BOOKS and "customer_code" not in mapping:
        return _import_address_book(session, actor, table, customer_id)
    result = ImportResult(total=len(rows))
    filled = {i for _n, cells in rows for i, c in enumerate(cells) if c.strip()}
    result.ignored = [h for i, h in enumerate(headers) if i in filled and i not in mapping.values()]
    if "name" not in mapping:
        raise CustomerError(_("{file}: no contact name column (联系人 / Contact)").format(file=table.name))
    if customer_id is None and "customer_code" not in mapping and "customer_name" not in mapping:
        raise CustomerError(_("{file}: no customer column (客户编号 / 客户名称 / Customer code)")
                            .format(file=table.name))
    header_of = {key: headers[i] for key, i in mapping.items()}
    finder = CustomerFinder(session, actor)
    touched: set[int] = set()
    for number, cells in rows:
        get = lambda key: _cell(cells, mapping, key)  # noqa: E731
        def reject(key: str, reason: str) -> None:
            result.rejected.append(RejectedRow(row=number, column=header_of.get(key, key), value=get(key),
                                               reason=reason))
        if customer_id is not None:
            cid: int | None = customer_id
        else:
            cid, why = finder.find(get("customer_code"), get("customer_name"))
            if cid is None:
                reject("customer_code" if get("customer_code") or "customer_name" not in mapping
                       else "customer_name", why)
                continue
        name = get("name")
        if not name:
            reject("name", _("the contact name is empty"))
            continue
        email = get("email")
        if email and not _EMAIL.match(email):
            reject("email", _("not an email address"))
            continue
        birthday = None
        if get("birthday"):
            try:
                birthday = parse_one_date(get("birthday"))
            except ValueError:
                reject("birthday", _("not a date"))
                continue
            if birthday and not dt.date(1900, 1, 1) <= birthday <= dt.date.today():
                reject("birthday", _("not a plausible birthday"))
                continue
        values = {k: get(k) for k in ("role", "phone", "mobile", "email", "wechat", "notes") if k in mapping}
        if birthday is not None:
            values["birthday"] = birthday
        contact = session.scalar(select(Contact).where(Contact.customer_id == cid, Contact.name == name))
        if contact is None:
            contact = Contact(customer_id=cid, name=name, **values)
            session.add(contact)
            set_points(contact, points_from_legacy(*(values.get(k, "") for k in LEGACY)))
            session.flush()
            audit.record(session, actor, "contacts", contact.id, "import", "name", None, name)
            result.added += 1
        else:
            before = {k: getattr(contact, k) for k in values}
            points = stored_points(contact)
            for k, v in values.items():
                if v not in ("", None):
                    setattr(contact, k, v)
            if any(values.get(k) and values[k] != before[k] for k in LEGACY):
                set_points(contact, _replace_legacy(points, before, values))
            if audit.record_changes(session, actor, "contacts", contact.id, before,
                                    {k: getattr(contact, k) for k in values}):
                result.updated += 1
        touched.add(cid)
    session.flush()
    for cid in touched:
        refresh_search_text(session, cid)
    return result


LEGACY = ("phone", "mobile", "email", "wechat")  # the columns of this import that are contact points
_SLOTS = {"phone": ("phone", "work"), "mobile": ("phone", "mobile"), "email": ("email", "other"),
          "wechat": ("im", "wechat")}
ADDRESS_BOOKS = ("google", "outlook", "thunderbird")  # layouts this file's own columns cannot read


def _replace_legacy(points: list[PointInput], before: dict, values: dict) -> list[PointInput]:
    """The contact's points with each changed column's old value replaced by the new one, which
    becomes the preferred of its kind (as the column showed it)."""
    new: list[PointInput] = []
    gone: set[tuple[str, str]] = set()
    for key in LEGACY:
        value = values.get(key) or ""
        if value and value != before.get(key):
            kind, type_ = _SLOTS[key]
            if before.get(key):
                gone.add((kind, match_key(kind, before[key])))
            new.append(PointInput(kind, value, type_, True))
    kept = [PointInput(p.kind, p.value, p.type, False, p.label) for p in points if p.key() not in gone]
    return clean_points(new + kept)


def _import_address_book(session: Session, actor: Actor, table: TableFile, customer_id: int | None) -> ImportResult:
    from crmdesk.services.vcard import VCardImportResult, import_cards

    book = read_csv_book(table.headers, table.rows)
    if customer_id is None:
        raise CustomerError(_("{file}: an address book ({layout}) has no customer column: import it into one "
                              "customer, or match it to the customers (crmdesk contacts import --match)").format(
            file=table.name, layout=book.layout))
    cards = import_cards(session, actor, customer_id, table.name, book.cards, VCardImportResult())
    return ImportResult(total=len(table.rows), added=cards.added, updated=cards.updated, skipped=cards.skipped,
                        warnings=cards.problems, ignored=list(book.ignored))


def count_contacts(session: Session, actor: Actor, customer_id: int) -> int:
    require_customer(session, actor, customer_id)
    return int(session.scalar(select(func.count()).select_from(Contact).where(Contact.customer_id == customer_id)) or 0)
