"""Codes for new customers that continue the shop's own numbering.

A code is a prefix and a zero-padded number: KH000123 is ``KH`` + 6 digits, written as the
pattern ``KH######``. Automatic (the default) continues the dominant pattern of the existing
codes — of the customer's type when that type's codes show one (dealers JX####, schools
XX####), else of all customers — and falls back to ``C######`` in an empty database. Settings
can fix the pattern per type (``customer_codes.pattern.<type code>``) or for all
(``customer_codes.pattern``); the number is always the highest one in use plus one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerType, Setting
from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import require
from crmdesk.services.settings_store import read_setting, write_setting

AUTOMATIC = ""  # stored value meaning "continue what the data shows"
FALLBACK = "C######"
KEY = "customer_codes.pattern"
SAMPLE = 2000  # the newest codes looked at: the numbering in use now, not a scheme long given up
DOMINANT = 0.6  # a type's own pattern counts when it covers this share of its codes
MIN_TYPE_CODES = 5
_CODE = re.compile(r"^(.*?)(\d+)$")
_PATTERN = re.compile(r"^([^#]*)(#{3,12})$")


@dataclass(frozen=True)
class Pattern:
    prefix: str
    width: int

    @property
    def text(self) -> str:
        return self.prefix + "#" * self.width

    def code(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"


def parse_pattern(text: str) -> Pattern:
    """``KH######`` → Pattern("KH", 6); ValidationError for anything else."""
    found = _PATTERN.match((text or "").strip())
    if not found or not found.group(1).strip() == found.group(1):
        raise ValidationError(_("A code pattern is a prefix and 3 to 12 # for the number, e.g. KH######: {text}")
                              .format(text=text))
    return Pattern(found.group(1), len(found.group(2)))


def pattern_of(code: str) -> Pattern | None:
    """The pattern a code follows; None unless it ends in at least 3 digits (a numbering, not
    a name such as VIP-1)."""
    found = _CODE.match(code or "")
    return Pattern(found.group(1), len(found.group(2))) if found and len(found.group(2)) >= 3 else None


def dominant_pattern(codes: list[str]) -> tuple[Pattern | None, float]:
    """The most common pattern among ``codes`` and the share of codes it covers."""
    counts = Counter(p for p in map(pattern_of, codes) if p is not None)
    if not counts:
        return None, 0.0
    pattern, n = counts.most_common(1)[0]
    return pattern, n / len(codes)


def detected_pattern(session: Session, type_id: int | None = None) -> Pattern:
    """What automatic numbering continues for a customer of ``type_id``."""
    newest = select(Customer.code).order_by(Customer.id.desc()).limit(SAMPLE)
    if type_id is not None:
        own = list(session.scalars(newest.where(Customer.type_id == type_id)))
        pattern, share = dominant_pattern(own)
        if pattern is not None and len(own) >= MIN_TYPE_CODES and share >= DOMINANT:
            return pattern
    pattern, _share = dominant_pattern(list(session.scalars(newest)))
    return pattern or parse_pattern(FALLBACK)


def stored_patterns(session: Session) -> dict[str, str]:
    """Setting key → pattern text of every fixed pattern (absent or empty: automatic)."""
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.like(f"{KEY}%"))).all()
    return {k: v for k, v in rows if v}


def _type_key(type_code: str | None) -> str:
    return f"{KEY}.{type_code}" if type_code else KEY


def pattern_for(session: Session, type_id: int | None) -> Pattern:
    """The fixed pattern of the type, else the fixed one for all, else the detected one."""
    stored = stored_patterns(session)
    type_code = session.scalar(select(CustomerType.code).where(CustomerType.id == type_id)) if type_id else None
    for key in (_type_key(type_code), KEY) if type_code else (KEY,):
        if stored.get(key):
            return parse_pattern(stored[key])
    return detected_pattern(session, type_id)


def next_code(session: Session, type_id: int | None = None) -> str:
    """The highest number in use under the pattern, plus one; never a code that exists."""
    pattern = pattern_for(session, type_id)
    size = len(pattern.prefix) + pattern.width
    candidates = session.scalars(select(Customer.code).where(
        Customer.code.like(pattern.prefix.replace("%", r"\%").replace("_", r"\_") + "%", escape="\\"),
        func.length(Customer.code) == size).order_by(Customer.code.desc()))
    number = 0
    for code in candidates:  # same width, zero-padded: the first all-digit one is the highest
        tail = code[len(pattern.prefix):]
        if code.startswith(pattern.prefix) and tail.isdigit():
            number = int(tail)
            break
    while True:
        number += 1
        code = pattern.code(number)
        if session.scalar(select(Customer.id).where(Customer.code == code)) is None:
            return code


@dataclass(frozen=True)
class TypeNumbering:
    """One line of the Settings section: a type (None: all customers / no type)."""

    type_code: str | None
    type_name: str
    pattern: str  # fixed pattern text, or "" for automatic
    detected: str  # what automatic would use
    next_code: str  # what the next new customer of this type gets


def numbering_overview(session: Session) -> list[TypeNumbering]:
    stored = stored_patterns(session)
    rows = [(None, None, _("All customers (and those without a type)"))]
    rows += [(t.id, t.code, t.name) for t in session.scalars(select(CustomerType).order_by(CustomerType.sort_order,
                                                                                          CustomerType.id))]
    return [TypeNumbering(code, name, stored.get(_type_key(code), ""), detected_pattern(session, tid).text,
                          next_code(session, tid)) for tid, code, name in rows]


def save_patterns(session: Session, actor: Actor, patterns: dict[str | None, str]) -> int:
    """Type code (None: all) → pattern text ("" or "automatic": automatic). Audited; returns
    how many changed."""
    require(actor, "settings.edit")
    problems = []
    for text in patterns.values():
        if text.strip() and text.strip().lower() != "automatic":
            try:
                parse_pattern(text)
            except ValidationError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    changed = 0
    for type_code, text in patterns.items():
        value = "" if text.strip().lower() in ("", "automatic") else text.strip()
        key = _type_key(type_code)
        if read_setting(session, key) == value:
            continue
        write_setting(session, actor, key, value)
        changed += 1
    session.flush()
    return changed
