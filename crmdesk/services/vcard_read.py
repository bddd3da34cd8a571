"""Reading vCard 2.1/3.0/4.0 files as phones and mail programs write them, from the raw bytes.

vobject parses each line's group, name and parameters (``vobject.base.parseLine``); the layer
below it is ours because vobject decodes a whole file with one charset, while real 2.1 cards
declare a CHARSET per property (Big5, Shift_JIS, GB2312 in one file), fold lines inside a UTF-8
character, break quoted-printable values with soft line breaks and end photo lines with CR CR LF.
Every card is kept unless it has no name at all; a line that cannot be read is skipped and said.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import quopri
import re
from collections import Counter
from dataclasses import dataclass, field

import vobject

from crmdesk.i18n import _
from crmdesk.services.contact_points import EMAIL, PointInput, clean_points

_BREAK = re.compile(rb"\r*\n|\r")
_PROPERTY = re.compile(rb"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?\s*[;:]")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·]+$")
# Charset names as files write them → Python codecs (GB2312 files are in practice GBK/GB18030).
_CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs", "shift_jis": "cp932",
             "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
             "utf8": "utf-8", "iso-2022-jp": "iso2022_jp"}
_IM_PROPS = {"x-qq": "qq", "x-wechat": "wechat", "x-weixin": "wechat", "x-aim": "other", "x-icq": "other",
             "x-jabber": "other", "x-msn": "other", "x-yahoo": "other", "x-skype": "other",
             "x-skype-username": "other", "x-gtalk": "other", "x-google-talk": "other", "x-twitter": "other",
             "x-gadugadu": "other", "x-groupwise": "other", "x-qq-number": "qq"}
_AB_LABELS = {"mobile": "mobile", "iphone": "mobile", "cell": "mobile", "手机": "mobile", "work": "work",
              "home": "home", "fax": "fax", "workfax": "fax", "homefax": "fax", "pager": "pager", "main": "work",
              "other": "other"}
# Read and used; anything else is listed as ignored (with its count), never dropped silently.
USED = {"begin", "end", "version", "fn", "n", "org", "title", "role", "note", "bday", "tel", "email", "impp", "url",
        "x-sip", "x-ablabel", "x-crmdesk-other", *_IM_PROPS}


@dataclass
class Card:
    number: int  # 1-based position in the file
    line: int  # line of its BEGIN:VCARD
    name: str = ""
    organisation: str = ""
    title: str = ""
    notes: str = ""
    birthday: dt.date | None = None
    birthday_month: int | None = None
    birthday_day: int | None = None
    points: list[PointInput] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: …"
    version: str = "3.0"
    has_fn: bool = False


@dataclass
class ReadResult:
    cards: list[Card] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # of the file, outside any card
    ignored: Counter = field(default_factory=Counter)  # property name → count
    lines_skipped: int = 0


@dataclass
class _Line:
    number: int
    raw: bytes


def _logical_lines(data: bytes) -> list[_Line]:
    """Unfolded lines: a line starting with a space or tab continues the previous one (RFC 6350
    folding, which may split a UTF-8 character: we join bytes, not text); a quoted-printable value
    ending in ``=`` continues on the next line (2.1 soft line break); base64 data of 2.1 runs until
    a blank line or the next property."""
    out: list[_Line] = []
    in_base64 = False
    for number, raw in enumerate(_BREAK.split(data), start=1):
        if raw[:1] in (b" ", b"\t") and out:
            out[-1].raw += raw[1:]
            continue
        if not raw.strip():
            in_base64 = False
            continue
        if out and _continues_qp(out[-1].raw):
            out[-1].raw = out[-1].raw[:-1] + raw
            continue
        if in_base64 and out and not _PROPERTY.match(raw):
            out[-1].raw += raw.strip()
            continue
        out.append(_Line(number, raw))
        head = raw.split(b":", 1)[0].upper()
        in_base64 = b"BASE64" in head or b"ENCODING=B" in head
    return out


def _continues_qp(raw: bytes) -> bool:
    head, sep, value = raw.partition(b":")
    return bool(sep) and b"QUOTED-PRINTABLE" in head.upper() and value.endswith(b"=")


def _decode_bytes(value: bytes, charset: str | None, fallback: str) -> tuple[str, str]:
    """(text, problem)."""
    if charset:
        codec = _CHARSETS.get(charset.lower(), charset.lower())
        try:
            codecs.lookup(codec)
        except LookupError:
            codec = ""
        if codec:
            try:
                return value.decode(codec), ""
            except UnicodeDecodeError:
                return value.decode(codec, errors="replace"), _(
                    "bytes that are not {charset}; replaced by \ufffd").format(charset=charset)
        charset_problem = _("unknown CHARSET {charset}").format(charset=charset)
        try:
            return value.decode("utf-8"), charset_problem + "; " + _("read as UTF-8")
        except UnicodeDecodeError:
            return value.decode(fallback, errors="replace"), charset_problem + "; " + _("read as {codec}").format(
                codec=fallback)
    try:
        return value.decode("utf-8"), ""
    except UnicodeDecodeError:
        return value.decode(fallback, errors="replace"), _("not UTF-8 and no CHARSET; read as {codec}").format(
            codec=fallback)


def _unescape(text: str, version: str) -> str:
    if version == "2.1":  # 2.1 escapes only semicolons; a comma or backslash is text
        return text.replace("\\;", ";")
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _split(text: str) -> list[str]:
    """Components of N/ORG/ADR: split at semicolons not escaped."""
    return [part for part in re.split(r"(?<!\\);", text)]


def _params(params: dict) -> tuple[set[str], dict[str, list[str]]]:
    """(types, all parameters by upper-case name); 2.1's bare ``;CELL`` counts as a type."""
    types: set[str] = set()
    upper = params
    for key, values in upper.items():
        if key == "TYPE":
            for v in values:
                types.update(t.strip().upper() for t in v.split(",") if t.strip())
    return types, upper


def _tel_type(types: set[str], label: str) -> str:
    if "PAGER" in types:
        return "pager"
    if "FAX" in types:
        return "fax"
    if types & {"CELL", "MOBILE", "IPHONE"}:
        return "mobile"
    found = _AB_LABELS.get(re.sub(r"[_$!<>]", "", label).strip().lower()) if label else None
    if found:
        return found
    if "WORK" in types:
        return "work"
    if "HOME" in types:
        return "home"
    return "other"


def parse_bday(text: str) -> tuple[dt.date | None, int | None, int | None]:
    """(full date, month, day); a date without a year gives only month and day."""
    text = text.strip()
    m = re.match(r"^--(\d{2})-?(\d{2})$", text)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        dt.date(2000, month, day)  # raises ValueError when not a day of the year
        return None, month, day
    m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$", text)
    if not m:
        raise ValueError(text)
    d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return d, d.month, d.day


def _name_from_n(parts: list[str]) -> str:
    family, given = (parts + ["", ""])[:2]
    middle = parts[2] if len(parts) > 2 else ""
    if _CJK.match(f"{family}{given}" or "x"):
        return f"{family}{given}"
    return " ".join(p for p in (given, middle, family) if p.strip()).strip()


def read_vcards(data: bytes, fallback_charset: str = "gb18030") -> ReadResult:
    result = ReadResult()
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        data = data.decode("utf-16").encode("utf-8")
    elif data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    card_lines: list[_Line] | None = None
    depth = 0
    begin_line = 0
    for line in _logical_lines(data):
        upper = line.raw.strip().upper()
        if upper.startswith(b"BEGIN:VCARD") or upper.startswith(b"AGENT:BEGIN:VCARD"):
            if card_lines is None:
                card_lines, depth, begin_line = [], 1, line.number
                continue
            depth += 1
        if card_lines is None:
            result.problems.append(_("line {line}: outside any card; skipped").format(line=line.number))
            result.lines_skipped += 1
            continue
        if upper.startswith(b"END:VCARD"):
            depth -= 1
            if depth == 0:
                result.cards.append(_card(card_lines, len(result.cards) + 1, begin_line, fallback_charset, result))
                card_lines = None
                continue
        card_lines.append(line)
    if card_lines is not None:
        card = _card(card_lines, len(result.cards) + 1, begin_line, fallback_charset, result)
        card.problems.append(_("the file ends inside this card (no END:VCARD); read what is there"))
        result.cards.append(card)
    return result


def _card(lines: list[_Line], number: int, begin: int, fallback: str, result: ReadResult) -> Card:
    card = Card(number=number, line=begin)
    version = next((ln.raw.split(b":", 1)[1].strip().decode("ascii", "replace") for ln in lines
                    if ln.raw.upper().startswith(b"VERSION:")), "3.0")
    card.version = version
    labels: dict[str, str] = {}  # item1 → X-ABLabel
    props: list[tuple[int, str, str, dict, str]] = []  # line, group, name, params, text
    nested = 0
    for ln in lines:
        if ln.raw.strip().upper().startswith((b"BEGIN:VCARD", b"AGENT:")):
            nested += 1
        if nested:
            if ln.raw.strip().upper().startswith(b"END:VCARD"):
                nested -= 1
            if nested == 0 or ln.raw.strip().upper().startswith((b"BEGIN:VCARD", b"AGENT:")):
                card.problems.append(_("line {line}: a card nested in this one (AGENT) is not read").format(
                    line=ln.number))
            result.lines_skipped += 1
            continue
        parsed = _parse_line(ln, fallback, card, result)
        if parsed is None:
            continue
        group, name, params, text = parsed
        if name == "x-ablabel" and group:
            labels[group] = text
        props.append((ln.number, group, name, params, text))
    for number_, group, name, params, text in props:
        _use(card, number_, name, params, text, labels.get(group, ""), version, result)
    if not card.name:
        card.name = card.organisation
    card.points = clean_points(card.points)
    return card


def _parse_line(ln: _Line, fallback: str, card: Card, result: ReadResult):
    head, sep, value = _split_head(ln.raw)
    if not sep:
        card.problems.append(_("line {line}: not a property (no colon); skipped").format(line=ln.number))
        result.lines_skipped += 1
        return None
    try:
        # vobject reads the line's group, name and parameters (quoted values, 2.1's bare ones).
        name, params, _v, group = vobject.base.parseLine(head.decode("latin-1").rstrip("; ") + ":x", ln.number)
    except Exception as exc:  # noqa: BLE001 - vobject raises several kinds for bad lines
        card.problems.append(_("line {line}: unreadable ({error}); skipped").format(line=ln.number, error=exc))
        result.lines_skipped += 1
        return None
    name = name.lower()
    params = _param_dict(params)
    upper_params = params
    encoding = (upper_params.get("ENCODING", [""])[0]).upper()
    singles = {str(v).upper() for v in upper_params.get("TYPE", [])}
    if not encoding and "QUOTED-PRINTABLE" in singles:
        encoding = "QUOTED-PRINTABLE"
    if encoding in ("B", "BASE64") or "BASE64" in singles:
        if name not in USED:
            result.ignored[name.upper()] += 1
            return None
        try:
            value = base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            card.problems.append(_("line {line}: bad base64 data; skipped").format(line=ln.number))
            result.lines_skipped += 1
            return None
    elif encoding == "QUOTED-PRINTABLE":
        value = quopri.decodestring(value)
    if name not in USED:
        result.ignored[name.upper()] += 1
        return None
    charset = upper_params.get("CHARSET", [None])[0]
    text, problem = _decode_bytes(value, charset, fallback)
    if problem:
        card.problems.append(_("line {line}: {reason}").format(line=ln.number, reason=problem))
    return (group or "").lower(), name, params, text


def _param_dict(raw_params: list[list[str]]) -> dict[str, list[str]]:
    """vobject's ``[[name, value…], [bare]]`` as upper-case name → values; 2.1's bare ``CELL`` or
    ``QUOTED-PRINTABLE`` count as TYPE values."""
    out: dict[str, list[str]] = {}
    for item in raw_params:
        if len(item) == 1:
            out.setdefault("TYPE", []).append(str(item[0]))
        else:
            out.setdefault(str(item[0]).upper(), []).extend(str(v) for v in item[1:])
    return out


def _split_head(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """Split at the first colon outside a quoted parameter value."""
    quoted = False
    for i, ch in enumerate(raw):
        if ch == 0x22:
            quoted = not quoted
        elif ch == 0x3A and not quoted:
            return raw[:i], b":", raw[i + 1:]
    return raw, b"", b""


def _use(card: Card, line: int, name: str, params: dict, text: str, label: str, version: str,
         result: ReadResult) -> None:
    types, upper = _params(params)
    preferred = "PREF" in types or bool(upper.get("PREF"))
    value = text.strip()
    if name in ("fn", "title", "role", "note"):
        value = _unescape(value, version).replace("\r\n", "\n").strip()
        if name == "fn" and value:
            card.name = card.name if card.has_fn else value
            card.has_fn = True
        elif name == "title" and value:
            card.title = card.title or value
        elif name == "role" and value:
            card.title = card.title or value
        elif name == "note" and value:
            card.notes = f"{card.notes}\n{value}".strip()
    elif name == "n":
        if not card.has_fn and not card.name:
            card.name = _name_from_n([_unescape(p, version).strip() for p in _split(value)])
    elif name == "org":
        parts = [_unescape(p, version).strip() for p in _split(value)]
        card.organisation = card.organisation or " ".join(p for p in parts if p)
    elif name == "bday":
        if not value:
            return
        try:
            card.birthday, card.birthday_month, card.birthday_day = parse_bday(value)
        except ValueError:
            card.problems.append(_("line {line}: birthday {value} is not a date; left empty").format(
                line=line, value=value))
    elif name == "tel":
        if not value:
            return
        if value.lower().startswith("sip:"):
            card.points.append(PointInput("sip", value[4:], "other", preferred, label))
            return
        if value.lower().startswith("tel:"):
            value = value[4:]
        card.points.append(PointInput("phone", _unescape(value, version), _tel_type(types, label), preferred,
                                      _clean_label(label)))
    elif name == "email":
        if value.lower().startswith("mailto:"):
            value = value[7:]
        if not value:
            return
        if not EMAIL.match(value):
            card.problems.append(_("line {line}: {value} is not an email address; kept as other text").format(
                line=line, value=value))
            card.points.append(PointInput("other", value, "other", False, "email"))
            return
        kind_type = "work" if "WORK" in types else "home" if "HOME" in types else "other"
        card.points.append(PointInput("email", value, kind_type, preferred, _clean_label(label)))
    elif name in ("impp", "x-sip") or name in _IM_PROPS:
        if not value:
            return
        scheme, _sep, rest = value.partition(":") if ":" in value else ("", "", value)
        if name == "x-sip" or scheme.lower() == "sip":
            card.points.append(PointInput("sip", rest if scheme.lower() == "sip" else value, "other", preferred))
        elif name == "impp":
            im_type = {"wechat": "wechat", "weixin": "wechat", "qq": "qq"}.get(scheme.lower(), "other")
            card.points.append(PointInput("im", rest or value, im_type, preferred, scheme.lower()[:50]))
        else:
            card.points.append(PointInput("im", value, _IM_PROPS[name], preferred,
                                          "" if _IM_PROPS[name] != "other" else name[2:]))
    elif name == "x-crmdesk-other":
        if value:
            card.points.append(PointInput("other", _unescape(value, version), "other", preferred, _clean_label(label)))
    elif name == "url":
        if value:
            card.points.append(PointInput("url", _unescape(value, version), "other", preferred))


def _clean_label(label: str) -> str:
    """X-ABLabel ``_$!<Mobile>!$_`` is Apple's own label; a custom one is kept as written."""
    if not label:
        return ""
    stripped = re.sub(r"^_\$!<(.*)>!\$_$", r"\1", label.strip())
    return "" if stripped.lower() in _AB_LABELS else stripped
