"""Customers that may be the same shop: the warning when one is entered, and the "find
duplicates" pass over the whole base.

Two customers match on the same name, the same name key (crmdesk.core.name_keys: place names
and legal/shop forms taken away), a similar name key (rapidfuzz's ratio ≥ ``SIMILAR``, or one
key ending the other), the same phone or mobile (their own or a contact's) or the same tax id.
A name match needs the places the names start with to agree (佛山市南海 and 南海 do;
中山市 and 广州市 do not: 中山市中医院 is not 广州市中医院). Every match says why. The whole-base pass compares only within blocks — customers sharing a
key, a phone, a tax id, or the first two or last three characters of the key — so it stays
fast on 100,000 customers.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crmdesk.core.name_keys import place_names, places_agree, split_name
from crmdesk.db.models import Contact, Customer
from crmdesk.db.search import customer_text_condition
from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import customer_condition, require, scope_customers

SIMILAR = 90  # rapidfuzz ratio (0–100) of two name keys: one character in ten may differ (晨明/晨星 教育咨询 are two)
MIN_FUZZY = 4  # shorter keys must be equal: 华通文具 and 华强文具 are two shops
MAX_CANDIDATES = 3000  # rows read for one name
MAX_BLOCK = 2000  # a fuzzy block larger than this is skipped (and counted)
MAX_GROUP = 50  # customers sharing one phone, tax id or key beyond this are a placeholder, not duplicates
MAX_PAIRS = 5000  # pairs returned by the whole-base pass (the total is counted)
STRENGTH = {"tax_id": 5, "name": 4, "phone": 3, "name_key": 2, "similar": 1}


_NON_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class DuplicateHit:
    """An existing customer that looks like the one being entered. ``reason`` is the strongest
    kind of match (name, name_key, similar, phone, tax_id); ``why`` says every reason in words."""

    id: int
    code: str
    name: str
    reason: str
    matched: str  # the name, key, phone or tax id that matched
    why: str = ""


@dataclass(frozen=True)
class DuplicatePair:
    a_id: int
    a_code: str
    a_name: str
    b_id: int
    b_code: str
    b_name: str
    reasons: tuple[str, ...]  # in words, strongest first
    strength: int


@dataclass
class PairScan:
    pairs: list[DuplicatePair] = field(default_factory=list)
    total: int = 0  # pairs found; more than len(pairs) when capped at MAX_PAIRS
    customers: int = 0
    skipped_blocks: int = 0  # fuzzy blocks too large to compare (their exact matches still count)


def normalize_name(name: str) -> str:
    """Trimmed, full-width → half-width (NFKC), case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def phone_digits(phone: str | None) -> str:
    """Digits only, without a leading +86 / 0086 country code."""
    phone = phone or ""
    digits = _NON_DIGIT.sub("", phone if phone.isascii() else unicodedata.normalize("NFKC", phone))
    for cc in ("0086", "86"):
        if digits.startswith(cc) and len(digits) - len(cc) >= 11:
            digits = digits[len(cc):]
            break
    return digits


def tax_key(tax_id: str | None) -> str:
    """统一社会信用代码 as letters and digits, upper case; shorter than 8: no key."""
    key = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", tax_id or "").upper())
    return key if len(key) >= 8 else ""


def shop_places(session: Session) -> frozenset[str]:
    """The provinces, cities and districts the customers are in (place_names)."""
    values: set[str] = set()
    for column in (Customer.province, Customer.city, Customer.district):
        values.update(v for v in session.scalars(select(column).distinct()) if v)
    return place_names(values)


def name_reason(name_a: str, key_a: str, name_b: str, key_b: str) -> tuple[str, str] | None:
    """(kind, words) when two names match, else None."""
    if normalize_name(name_a) == normalize_name(name_b):
        return "name", _("same name")
    if key_a == key_b:
        return "name_key", _("same name without place and company form ({key})").format(key=key_a)
    short, long_ = sorted((key_a, key_b), key=len)
    if len(short) < MIN_FUZZY:
        return None
    score = fuzz.ratio(key_a, key_b)
    if score >= SIMILAR:
        return "similar", similar_words(score)
    if long_.endswith(short):
        return "similar", contains_words(long_, short)
    return None


def similar_words(score: float) -> str:
    return _similar_words(int(score))


@lru_cache(maxsize=128)
def _similar_words(score: int) -> str:
    return _("similar name ({score}%)").format(score=score)


def contains_words(long_: str, short: str) -> str:
    """One key ends the other: an unknown place name in front (南海华通文具 / 华通文具)."""
    return _("{short} with {extra} in front").format(short=short, extra=long_[:len(long_) - len(short)])


def _name_candidates(session: Session, key: str, exclude_id: int | None):
    """Customers whose name holds the key, or (for keys of 3+) any three characters of it."""
    parts = [key] if len(key) < 3 else list(dict.fromkeys(key[i:i + 3] for i in range(len(key) - 2)))
    # The search index (FTS5 trigram on SQLite) answers each part; the name is in the search key.
    cond = or_(*(customer_text_condition(session, [p]) for p in parts))
    stmt = select(Customer.id, Customer.code, Customer.name).where(cond).limit(MAX_CANDIDATES)
    return [row for row in session.execute(stmt) if row[0] != exclude_id]


def _phone_hits(session: Session, phones, exclude_id: int | None) -> dict[int, tuple[str, str, str]]:
    """Customers with this phone or mobile, their own or a contact's. The search key holds every
    phone also as bare digits, so its index finds the candidates; the digits then must be equal."""
    found: dict[int, tuple[str, str, str]] = {}
    for phone in phones:
        digits = phone_digits(phone)
        if len(digits) < 6:
            continue
        ids = select(Customer.id).where(customer_text_condition(session, [digits]))
        own = select(Customer.id, Customer.code, Customer.name, Customer.phone, Customer.mobile).where(
            Customer.id.in_(ids))
        via_contacts = select(Customer.id, Customer.code, Customer.name, Contact.phone, Contact.mobile).join(
            Contact, Contact.customer_id == Customer.id).where(Customer.id.in_(ids))
        for stmt in (own, via_contacts):
            for cid, code, cname, p1, p2 in session.execute(stmt):
                if cid != exclude_id and cid not in found and digits in (phone_digits(p1), phone_digits(p2)):
                    found[cid] = (code, cname, phone)
    return found


def find_similar(session: Session, name: str, phones=(), tax_id: str = "", exclude_id: int | None = None,
                 actor: Actor | None = None) -> list[DuplicateHit]:
    """Customers that look like the one being entered, strongest match first. For an ``actor``
    who sees only some customers, a hit outside their reach is still reported (a duplicate is a
    duplicate) but without its code and name, and with id 0."""
    reasons: dict[int, list[tuple[str, str, str]]] = defaultdict(list)  # id → (kind, words, matched)
    names: dict[int, tuple[str, str]] = {}
    if (name or "").strip():
        places = shop_places(session)
        where, key = split_name(name, places)
        for cid, code, cname in _name_candidates(session, key, exclude_id):
            other_where, other = split_name(cname, places)
            found = name_reason(name, key, cname, other) if places_agree(where, other_where) else None
            if found:
                reasons[cid].append((*found, cname))
                names[cid] = (code, cname)
    for cid, (code, cname, phone) in _phone_hits(session, phones, exclude_id).items():
        reasons[cid].append(("phone", _("same phone {phone}").format(phone=phone), phone))
        names[cid] = (code, cname)
    tkey = tax_key(tax_id)
    if tkey:
        for cid, code, cname, stored in session.execute(select(Customer.id, Customer.code, Customer.name,
                                                               Customer.tax_id).where(Customer.tax_id != "")):
            if cid != exclude_id and tax_key(stored) == tkey:
                reasons[cid].append(("tax_id", _("same tax id {tax_id}").format(tax_id=stored), stored))
                names[cid] = (code, cname)
    hits = []
    for cid, found in reasons.items():
        found.sort(key=lambda r: -STRENGTH[r[0]])
        kind, _words, matched = found[0]
        hits.append(DuplicateHit(cid, names[cid][0], names[cid][1], kind, matched, "; ".join(r[1] for r in found)))
    hits.sort(key=lambda h: (-STRENGTH[h.reason], h.code))
    return _hide_unreachable(session, hits, actor)


def _hide_unreachable(session: Session, hits: list[DuplicateHit], actor: Actor | None) -> list[DuplicateHit]:
    if actor is None or not hits:
        return hits
    cond = customer_condition(actor)
    if cond is None:
        return hits
    visible = set(session.scalars(select(Customer.id).where(Customer.id.in_([h.id for h in hits]), cond)))
    hidden = _("a customer outside your territories")
    return [h if h.id in visible else replace(h, id=0, code="", name=hidden) for h in hits]


# -- the whole base ------------------------------------------------------------------------------
def find_duplicate_pairs(session: Session, actor: Actor, progress=None) -> PairScan:
    """Candidate pairs among the customers the actor sees (archived ones left out), strongest
    first. ``progress`` (crmdesk.core.progress.Progress, optional) is told how far it got."""
    require(actor, "customers.merge")
    rows = session.execute(scope_customers(
        select(Customer.id, Customer.code, Customer.name, Customer.phone, Customer.mobile, Customer.tax_id)
        .where(Customer.archived.is_(False)), actor)).all()
    scan = PairScan(customers=len(rows))
    places = shop_places(session)
    info = {r[0]: (r[1], r[2]) for r in rows}
    memo: dict[str, tuple[frozenset[str], str]] = {}
    keys: dict[int, str] = {}
    where: dict[int, frozenset[str]] = {}
    for cid, _code, name, *_rest in rows:
        split = memo.get(name)
        if split is None:
            split = memo[name] = split_name(name, places)
        where[cid], keys[cid] = split
    _report(progress, 0.3)
    found: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)

    def add(a: int, b: int, kind: str, words: str) -> None:
        pair = (a, b) if a < b else (b, a)
        found[pair].setdefault(kind, words)

    def add_name(a: int, b: int, kind: str, words: str) -> None:
        """A name match counts unless the names say different places (中山市 / 广州市 中医院)."""
        if places_agree(where[a], where[b]):
            add(a, b, kind, words)

    by_key: dict[str, list[int]] = defaultdict(list)
    for cid, key in keys.items():
        by_key[key].append(cid)
    scan.skipped_blocks += _same_keys(by_key, info, add_name)
    scan.skipped_blocks += _exact_blocks(session, rows, add)
    _report(progress, 0.6)
    scan.skipped_blocks += _fuzzy_blocks(keys, add_name)
    _key_endings(by_key, add_name)
    _report(progress, 0.9)
    scan.total = len(found)
    strongest = heapq.nsmallest(MAX_PAIRS, found.items(), key=lambda item: (
        -sum(STRENGTH[k] for k in item[1]), info[item[0][0]][0], info[item[0][1]][0]))
    for (a, b), kinds in strongest:
        ordered = sorted(kinds.items(), key=lambda kv: -STRENGTH[kv[0]])
        scan.pairs.append(DuplicatePair(a, *info[a], b, *info[b], tuple(w for _k, w in ordered),
                                        sum(STRENGTH[k] for k in kinds)))
    return scan


def _same_keys(by_key: dict[str, list[int]], info, add) -> int:
    """Pairs with the same key: "same name" when the names are equal too."""
    skipped = 0
    same_name = _("same name")
    for key, ids in by_key.items():
        if len(ids) < 2:
            continue
        if len(ids) > MAX_GROUP:
            skipped += 1
            continue
        same_key = _("same name without place and company form ({key})").format(key=key)
        norms = {cid: normalize_name(info[cid][1]) for cid in ids}
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if norms[a] == norms[b]:
                    add(a, b, "name", same_name)
                else:
                    add(a, b, "name_key", same_key)
    return skipped


def _report(progress, fraction: float) -> None:
    if progress is not None:
        progress.update(fraction, _("Comparing customers…"))


def _exact_blocks(session: Session, rows, add) -> int:
    """Same phone or mobile (the customer's own or a contact's) and same tax id."""
    visible = {r[0] for r in rows}
    by_phone: dict[str, set[int]] = defaultdict(set)
    by_tax: dict[str, set[int]] = defaultdict(set)
    shown: dict[str, str] = {}
    contacts = session.execute(select(Contact.customer_id, Contact.phone, Contact.mobile)
                               .where(or_(Contact.phone != "", Contact.mobile != "")))
    for cid, *phones in [(r[0], r[3], r[4]) for r in rows] + [tuple(c) for c in contacts]:
        if cid not in visible:
            continue
        for phone in phones:
            digits = phone_digits(phone)
            if len(digits) >= 7:
                by_phone[digits].add(cid)
                shown.setdefault(digits, phone)
    for cid, *_rest, tax in rows:
        if tax_key(tax):
            by_tax[tax_key(tax)].add(cid)
    skipped = 0
    for groups, kind, label in ((by_phone, "phone", _("same phone {phone}")),
                                (by_tax, "tax_id", _("same tax id {tax_id}"))):
        for value, ids in groups.items():
            if len(ids) > MAX_GROUP:
                skipped += 1
                continue
            ids = sorted(ids)
            words = label.format(phone=shown.get(value, value), tax_id=value)
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    add(a, b, kind, words)
    return skipped


def _fuzzy_blocks(keys: dict[int, str], add) -> int:
    """Similar keys among customers whose keys share their first two or last three characters."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for cid, key in keys.items():
        if len(key) >= MIN_FUZZY:
            blocks["^" + key[:2]].append(cid)
            blocks["$" + key[-3:]].append(cid)
    skipped = 0
    for ids in blocks.values():
        if len(ids) < 2:
            continue
        if len(ids) > MAX_BLOCK:
            skipped += 1
            continue
        block_keys = [keys[i] for i in ids]
        scores = process.cdist(block_keys, block_keys, scorer=fuzz.ratio, score_cutoff=SIMILAR, workers=1)
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j and block_keys[i] != block_keys[j]:
                add(ids[i], ids[j], "similar", similar_words(scores[i, j]))
    return skipped


def _key_endings(by_key: dict[str, list[int]], add) -> None:
    """One key ending another (an unknown place name in front): 华通文具 / 南海华通文具."""
    for key, ids in by_key.items():
        if len(ids) > MAX_GROUP:
            continue
        for start in range(1, len(key) - MIN_FUZZY + 1):
            others = by_key.get(key[start:])
            if others and len(others) <= MAX_GROUP:
                words = contains_words(key, key[start:])
                for a in ids:
                    for b in others:
                        add(a, b, "similar", words)
