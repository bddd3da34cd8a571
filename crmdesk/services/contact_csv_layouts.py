"""Address books as CSV: Google Contacts (old and new header sets), Outlook (English and German
headers), Thunderbird, and Chinese phone exporters (姓名, 手机, 电话, 邮箱, 公司 …), recognised by
their headers and read as vCard cards, so one import path serves both. Every column is mapped or
reported as ignored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crmdesk.i18n import _
from crmdesk.services.contact_points import EMAIL, PointInput, clean_points
from crmdesk.services.vcard_read import Card, parse_bday

_NUMBERED = re.compile(r"^(phone|e-mail|email|im|website|organization|relation|address|event|custom field) "
                       r"(\d+) - (type|value|label|name|title|department|.*)$", re.IGNORECASE)
_OUTLOOK_PHONES = {"business phone": "work", "business phone 2": "work", "home phone": "home", "home phone 2": "home",
                   "mobile phone": "mobile", "business fax": "fax", "home fax": "fax", "other fax": "fax",
                   "pager": "pager", "other phone": "other", "primary phone": "other", "company main phone": "work",
                   "car phone": "other", "assistant's phone": "other", "callback": "other", "radio phone": "other",
                   "telex": "other", "tty/tdd phone": "other", "isdn": "other"}
_OUTLOOK_EMAILS = ("e-mail address", "e-mail 2 address", "e-mail 3 address")
# A German Outlook writes its own header names (Outlook 2013 "Exportieren → CSV"); read as the English ones.
_OUTLOOK_DE = {"vorname": "first name", "weitere vornamen": "middle name", "nachname": "last name",
               "firma": "company", "position": "job title", "notizen": "notes", "geburtstag": "birthday",
               "webseite": "web page", "telefon geschäftlich": "business phone",
               "telefon geschäftlich 2": "business phone 2", "fax geschäftlich": "business fax",
               "telefon firma": "company main phone", "telefon (privat)": "home phone",
               "telefon (privat 2)": "home phone 2", "fax privat": "home fax", "mobiltelefon": "mobile phone",
               "mobiltelefon 2": "other phone", "weiteres fax": "other fax", "weiteres telefon": "other phone",
               "pager": "pager", "haupttelefon": "primary phone", "autotelefon": "car phone",
               "telefon assistent": "assistant's phone", "rückmeldung": "callback", "isdn": "isdn", "telex": "telex",
               "telefon für hörbehinderte": "tty/tdd phone", "e-mail-adresse": "e-mail address",
               "e-mail 2: adresse": "e-mail 2 address", "e-mail 3: adresse": "e-mail 3 address"}
_THUNDERBIRD_PHONES = {"work phone": "work", "home phone": "home", "fax number": "fax", "pager number": "pager",
                       "mobile number": "mobile"}
_NO_DATE = re.compile(r"^0+([./-]0+){2}$")  # Outlook's empty birthday: 0/0/00, 0.0.00
_CHINESE = {"姓名": "name", "名字": "name", "联系人": "name", "手机": "mobile", "手机号": "mobile", "手机号码": "mobile",
            "移动电话": "mobile", "电话": "work", "办公电话": "work", "工作电话": "work", "座机": "work",
            "住宅电话": "home", "家庭电话": "home", "传真": "fax", "邮箱": "email", "电子邮件": "email",
            "电子邮箱": "email", "公司": "org", "单位": "org", "公司名称": "org", "职位": "title", "职务": "title",
            "生日": "birthday", "备注": "notes", "微信": "wechat", "微信号": "wechat", "qq": "qq", "QQ": "qq",
            # English words in Chinese contact-manager exports (姓名,手机,电话,WeChat,QQ,E-mail,工作单位 …)
            "工作单位": "org", "e-mail": "email", "email": "email", "wechat": "wechat"}
_GOOGLE_TYPES = {"mobile": "mobile", "work": "work", "home": "home", "work fax": "fax", "home fax": "fax",
                 "fax": "fax", "pager": "pager", "main": "work", "other": "other"}


@dataclass
class CsvBook:
    layout: str  # google, outlook, chinese
    cards: list[Card] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of non-empty columns not read


def detect_layout(headers: list[str]) -> str | None:
    keys = {h.strip().lower() for h in headers}
    if {"given name", "first name"} & keys and any(_NUMBERED.match(h.strip()) for h in headers):
        return "google"
    if "first name" in keys and {"primary email", "display name", "mobile number"} & keys:
        return "thunderbird"
    keys |= {_OUTLOOK_DE[k] for k in keys if k in _OUTLOOK_DE}
    if "first name" in keys and ({"mobile phone", "business phone", "e-mail address", "last name"} & keys):
        return "outlook"
    if {"姓名", "名字", "联系人"} & {h.strip() for h in headers} and \
            ({"手机", "手机号", "手机号码", "电话", "邮箱", "电子邮件"} & {h.strip() for h in headers}):
        return "chinese"
    return None


def read_csv_book(headers: list[str], rows: list[tuple[int, list[str]]]) -> CsvBook | None:
    layout = detect_layout(headers)
    if layout is None:
        return None
    book = CsvBook(layout=layout)
    used: set[int] = set()
    for number, (line, cells) in enumerate(rows, start=1):
        row = {i: (cells[i].strip() if i < len(cells) else "") for i in range(len(headers))}
        card = Card(number=number, line=line)
        {"google": _google, "outlook": _outlook, "thunderbird": _thunderbird, "chinese": _chinese}[layout](
            headers, row, card, used)
        card.points = clean_points(card.points)
        book.cards.append(card)
    filled = {i for _line, cells in rows for i, c in enumerate(cells) if c.strip()}
    book.mapped = [h for i, h in enumerate(headers) if i in used]
    book.ignored = [h for i, h in enumerate(headers) if i not in used and i in filled]
    return book


def _canonical(header: str) -> str:
    key = header.strip().lower()
    return _OUTLOOK_DE.get(key, key)


def _get(headers: list[str], row: dict[int, str], used: set[int], *names: str) -> str:
    wanted = {n.lower() for n in names}
    for i, h in enumerate(headers):
        if _canonical(h) in wanted:
            used.add(i)
            if row.get(i):
                return row[i]
    return ""


def _date_text(text: str) -> str:
    """ISO from what address books write: 1980-05-06, --05-06, 5/6/1980 (Outlook, month first unless
    the first number cannot be a month), 6.5.1980 (German), 1980/5/6."""
    m = re.match(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})$", text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        month, day = (b, a) if m.group(2) == "." or a > 12 else (a, b)
        return f"{year}-{month:02d}-{day:02d}"
    m = re.match(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$", text)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return text


def _birthday(card: Card, text: str, column: str) -> None:
    if not text or _NO_DATE.match(text):
        return
    try:
        card.birthday, card.birthday_month, card.birthday_day = parse_bday(_date_text(text))
    except ValueError:
        card.problems.append(_("column {column}: birthday {value} is not a date; left empty").format(
            column=column, value=text))


def _email(card: Card, value: str, type_: str, column: str, label: str = "") -> None:
    for one in (v.strip() for v in value.split(":::") if v.strip()):
        if EMAIL.match(one):
            card.points.append(PointInput("email", one, type_, False, label))
        else:
            card.problems.append(_("column {column}: {value} is not an email address; kept as other text").format(
                column=column, value=one))
            card.points.append(PointInput("other", one, "other", False, "email"))


def _google(headers, row, card, used) -> None:
    given = _get(headers, row, used, "Given Name", "First Name")
    middle = _get(headers, row, used, "Additional Name", "Middle Name")
    family = _get(headers, row, used, "Family Name", "Last Name")
    card.name = _get(headers, row, used, "Name") or " ".join(p for p in (given, middle, family) if p)
    card.notes = _get(headers, row, used, "Notes")
    _birthday(card, _get(headers, row, used, "Birthday"), "Birthday")
    groups: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
    for i, h in enumerate(headers):
        m = _NUMBERED.match(h.strip())
        if m:
            groups.setdefault((m.group(1).lower(), m.group(2)), {})[m.group(3).lower()] = (i, h)
    for (what, _n), parts in sorted(groups.items(), key=lambda kv: (kv[0][0], int(kv[0][1]))):
        value_col = parts.get("value")
        type_text = row.get(parts["type"][0], "") if "type" in parts else ""
        preferred = type_text.startswith("* ")
        type_text = type_text.lstrip("* ").strip()
        if what == "organization":
            for key in ("name", "title"):
                if key in parts:
                    used.add(parts[key][0])
            card.organisation = card.organisation or row.get(parts.get("name", (-1, ""))[0], "")
            card.title = card.title or row.get(parts.get("title", (-1, ""))[0], "")
            continue
        if value_col is None or what not in ("phone", "e-mail", "email", "im", "website"):
            continue
        used.add(value_col[0])
        if "type" in parts:
            used.add(parts["type"][0])
        for value in (v.strip() for v in row.get(value_col[0], "").split(":::") if v.strip()):
            type_key = type_text.lower()
            if what == "phone":
                type_ = _GOOGLE_TYPES.get(type_key, "other")
                label = "" if type_key in _GOOGLE_TYPES or not type_key else type_text
                card.points.append(PointInput("phone", value, type_, preferred, label))
            elif what in ("e-mail", "email"):
                type_ = type_key if type_key in ("work", "home") else "other"
                label = "" if type_key in ("work", "home", "other", "") else type_text
                _email(card, value, type_, value_col[1], label)
            elif what == "im":
                card.points.append(PointInput("im", value, "other", preferred, type_text))
            else:
                card.points.append(PointInput("url", value, "other", preferred))
    if not card.name:
        card.name = card.organisation


def _outlook(headers, row, card, used) -> None:
    given = _get(headers, row, used, "First Name")
    middle = _get(headers, row, used, "Middle Name")
    family = _get(headers, row, used, "Last Name")
    card.name = " ".join(p for p in (given, middle, family) if p)
    card.organisation = _get(headers, row, used, "Company")
    card.title = _get(headers, row, used, "Job Title")
    card.notes = _get(headers, row, used, "Notes")
    _birthday(card, _get(headers, row, used, "Birthday"), "Birthday")
    for i, h in enumerate(headers):
        key = _canonical(h)
        if key in _OUTLOOK_PHONES:
            used.add(i)
            if row.get(i):
                card.points.append(PointInput("phone", row[i], _OUTLOOK_PHONES[key], False,
                                              "" if _OUTLOOK_PHONES[key] != "other" else h.strip()))
        elif key in _OUTLOOK_EMAILS:
            used.add(i)
            if row.get(i):
                _email(card, row[i], "other", h)
        elif key == "web page":
            used.add(i)
            if row.get(i):
                card.points.append(PointInput("url", row[i], "other"))
    if not card.name:
        card.name = card.organisation


def _thunderbird(headers, row, card, used) -> None:
    given = _get(headers, row, used, "First Name")
    family = _get(headers, row, used, "Last Name")
    card.name = _get(headers, row, used, "Display Name") or " ".join(p for p in (given, family) if p)
    card.organisation = _get(headers, row, used, "Organization")
    card.title = _get(headers, row, used, "Job Title")
    card.notes = _get(headers, row, used, "Notes")
    year, month, day = (_get(headers, row, used, f"Birth {part}") for part in ("Year", "Month", "Day"))
    if month and day:
        _birthday(card, f"{year}-{int(month):02d}-{int(day):02d}" if year else f"--{int(month):02d}-{int(day):02d}"
                  if month.isdigit() and day.isdigit() else f"{year}-{month}-{day}", "Birth Month/Day")
    for i, h in enumerate(headers):
        key = h.strip().lower()
        value = row.get(i, "")
        if key in _THUNDERBIRD_PHONES:
            used.add(i)
            if value:
                card.points.append(PointInput("phone", value, _THUNDERBIRD_PHONES[key]))
        elif key in ("primary email", "secondary email"):
            used.add(i)
            if value:
                _email(card, value, "other", h)
        elif key in ("web page 1", "web page 2"):
            used.add(i)
            if value:
                card.points.append(PointInput("url", value, "work" if key == "web page 1" else "home"))
        elif key == "screen name":
            used.add(i)
            if value:
                card.points.append(PointInput("im", value, "other"))
    if not card.name:
        card.name = card.organisation


def _chinese(headers, row, card, used) -> None:
    for i, h in enumerate(headers):
        key = _CHINESE.get(h.strip()) or _CHINESE.get(h.strip().lower())
        if key is None:
            continue
        used.add(i)
        value = row.get(i, "")
        if not value:
            continue
        if key == "name":
            card.name = card.name or value
        elif key == "org":
            card.organisation = card.organisation or value
        elif key == "title":
            card.title = card.title or value
        elif key == "notes":
            card.notes = value
        elif key == "birthday":
            _birthday(card, value, h)
        elif key == "email":
            _email(card, value, "other", h)
        elif key in ("wechat", "qq"):
            card.points.append(PointInput("im", value, key))
        else:
            for number in re.split(r"[;；,，/、\s]+", value):
                if number:
                    card.points.append(PointInput("phone", number, key))
    if not card.name:
        card.name = card.organisation
