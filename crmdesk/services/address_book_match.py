"""Which customer a card of an address book belongs to: a phone (digits, +86 ignored) or an email
(any case) of one of the customer's contacts or of the customer itself, else the card's company
name (ORG) with the name rules of duplicate detection (services.duplicates: same name, same name
key, rapidfuzz ratio ≥ duplicates.SIMILAR = 90 of the keys, or one key ending the other).
Only customers the actor may see are matched; and what a card would do to the customer's
contacts (add, update, same) for the plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from crmdesk.core.name_keys import places_agree, split_name
from crmdesk.db.models import Contact, ContactPoint, Customer
from crmdesk.db.search import customer_text_condition
from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.contact_points import PointInput, match_key
from crmdesk.services.contacts import ContactInput, stored_points
from crmdesk.services.duplicates import STRENGTH, name_reason, shop_places
from crmdesk.services.permissions import customer_condition

MIN_PHONE_DIGITS = 6  # shorter "numbers" (an extension, 110) match too much
MAX_NAME_CANDIDATES = 3000
CHUNK = 500


@dataclass(frozen=True)
class Match:
    customer_id: int
    customer_name: str
    by: str  # phone | email | company
    why: str  # in words
    doubts: tuple[str, ...] = ()


def _phone_keys(points: list[PointInput] | tuple[PointInput, ...]) -> list[str]:
    keys = [match_key("phone", p.value) for p in points if p.kind == "phone"]
    return [k for k in dict.fromkeys(keys) if k.isdigit() and len(k) >= MIN_PHONE_DIGITS]


def _email_keys(points) -> list[str]:
    return list(dict.fromkeys(match_key("email", p.value) for p in points if p.kind == "email" and "@" in p.value))


def matching_keys(points) -> list[str]:
    """The phone and email keys a card is matched by (phones of 6 digits or more; emails)."""
    return _phone_keys(points) + _email_keys(points)


class CustomerMatcher:
    """Matches cards for one actor; reads the customers' own phones and emails once."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.cond = customer_condition(actor)
        self._places = shop_places(session)
        self._own: dict[tuple[str, str], set[int]] | None = None
        self._fetched: set[str] = set()  # phone/email keys whose contact points were read
        self._names: dict[int, str] = {}
        self._org_cache: dict[str, tuple[list[tuple[int, str, str, str]], bool]] = {}
        self.last_doubts: tuple[str, ...] = ()
        self.org_hidden = False  # the last ORG looked up names only customers the actor may not see

    # -- phones and emails -----------------------------------------------------------------
    def _scoped(self, stmt):
        return stmt if self.cond is None else stmt.where(self.cond)

    def _own_points(self) -> dict[tuple[str, str], set[int]]:
        """(kind, key) → customers, from the customers' own phone/mobile/email and the summary
        columns of their contacts (contacts written before their points existed)."""
        if self._own is None:
            own: dict[tuple[str, str], set[int]] = defaultdict(set)
            rows = self.session.execute(self._scoped(
                select(Customer.id, Customer.phone, Customer.mobile, Customer.email).where(
                    or_(Customer.phone != "", Customer.mobile != "", Customer.email != ""))))
            contact_rows = self.session.execute(self._scoped(
                select(Contact.customer_id, Contact.phone, Contact.mobile, Contact.email)
                .join(Customer, Customer.id == Contact.customer_id)
                .where(or_(Contact.phone != "", Contact.mobile != "", Contact.email != ""))))
            for cid, phone, mobile, email in [*rows, *contact_rows]:
                for value in (phone, mobile):
                    if value:
                        own[("phone", match_key("phone", value))].add(cid)
                if email:
                    own[("email", match_key("email", email))].add(cid)
            self._own = own
        return self._own

    def prefetch(self, cards_points) -> None:
        """Read the contact points holding any phone or email of the cards, in a few queries
        (an address book has hundreds of cards)."""
        own = self._own_points()
        for kind, keys_of in (("phone", _phone_keys), ("email", _email_keys)):
            keys = sorted({k for points in cards_points for k in keys_of(points)} - self._fetched)
            self._fetched.update(keys)
            for start in range(0, len(keys), CHUNK):
                stmt = (select(Contact.customer_id, ContactPoint.match_key)
                        .join(Contact, Contact.id == ContactPoint.contact_id)
                        .join(Customer, Customer.id == Contact.customer_id)
                        .where(ContactPoint.kind == kind, ContactPoint.match_key.in_(keys[start:start + CHUNK])))
                for cid, key in self.session.execute(self._scoped(stmt)):
                    own[(kind, key)].add(cid)

    def _point_hits(self, kind: str, keys: list[str]) -> dict[int, list[str]]:
        """customer id → the keys of ``kind`` it holds."""
        self.prefetch([[PointInput(kind, k) for k in keys]])
        hits: dict[int, list[str]] = defaultdict(list)
        for key in keys:
            for cid in sorted(self._own_points().get((kind, key), ())):
                hits[cid].append(key)
        return hits

    def _name(self, cid: int) -> str:
        if cid not in self._names:
            self._names[cid] = self.session.scalar(select(Customer.name).where(Customer.id == cid)) or ""
        return self._names[cid]

    def _by_points(self, kind: str, keys: list[str], values: dict[str, str], name: str,
                   org_ids: frozenset[int]) -> tuple[Match | None, list[str]]:
        """Of the customers holding one of the keys, the one where the card's person already is
        (a contact of the same name), else the one its company names, else the one holding the
        most keys — so that a book imported again lands where it landed before."""
        hits = self._point_hits(kind, keys)
        if not hits:
            return None, []
        same_name = self._with_contact(name, list(hits)) if len(hits) > 1 else set()
        ranked = sorted(hits.items(), key=lambda kv: (kv[0] not in same_name, kv[0] not in org_ids, -len(kv[1]),
                                                       kv[0]))
        cid, found = ranked[0]
        why = (_("phone {value}") if kind == "phone" else _("email {value}")).format(value=values[found[0]])
        doubts = [_("{what} also belongs to customer {name}").format(what=values[k], name=self._name(other))
                  for other, ks in ranked[1:4] for k in ks[:1]]
        return Match(cid, self._name(cid), kind, why), doubts

    def _with_contact(self, name: str, customer_ids: list[int]) -> set[int]:
        if not name.strip():
            return set()
        return set(self.session.scalars(select(Contact.customer_id).where(
            Contact.name == name.strip(), Contact.customer_id.in_(customer_ids))))

    # -- company names ---------------------------------------------------------------------
    def org_key(self, org: str) -> str:
        return split_name(org, self._places)[1] or org.strip().casefold()

    def _org_hits(self, org: str) -> tuple[list[tuple[int, str, str, str]], bool]:
        """(visible hits as (id, name, kind, words) strongest first, whether hidden ones exist)."""
        org = org.strip()
        if org not in self._org_cache:
            where, key = split_name(org, self._places)
            if not key.strip():
                return [], False
            parts = [key] if len(key) < 3 else list(dict.fromkeys(key[i:i + 3] for i in range(len(key) - 2)))
            cond = or_(*(customer_text_condition(self.session, [p]) for p in parts))
            rows = self.session.execute(select(Customer.id, Customer.name).where(cond, Customer.archived.is_(False))
                                        .limit(MAX_NAME_CANDIDATES)).all()
            found = []
            for cid, cname in rows:
                other_where, other_key = split_name(cname, self._places)
                reason = name_reason(org, key, cname, other_key) if places_agree(where, other_where) else None
                if reason:
                    found.append((cid, cname, *reason))
            visible = set(self.session.scalars(self._scoped(select(Customer.id).where(
                Customer.id.in_([f[0] for f in found]))))) if found else set()
            hits = sorted((f for f in found if f[0] in visible), key=lambda f: (-STRENGTH[f[2]], f[1], f[0]))
            self._org_cache[org] = (hits, len(visible) < len(found))
        return self._org_cache[org]

    def _by_org(self, org: str) -> tuple[Match | None, list[str], bool]:
        if not org.strip():
            return None, [], False
        hits, hidden = self._org_hits(org)
        if not hits:
            return None, [], hidden
        cid, cname, _kind, words = hits[0]
        doubts = [_("company {org} is also like customer {name} ({why})").format(org=org, name=n, why=w)
                  for _c, n, _k, w in hits[1:4]]
        return Match(cid, cname, "company", _("company name: {why}").format(why=words)), doubts, hidden

    # -- a card --------------------------------------------------------------------------------
    def match(self, points, org: str, name: str = "") -> Match | None:
        """The customer of a card: by phone, else email, else company name. ``last_doubts`` and
        ``org_hidden`` say what else was seen."""
        org_ids = frozenset(h[0] for h in self._org_hits(org)[0]) if org.strip() else frozenset()
        phones = {match_key("phone", p.value): p.value for p in points if p.kind == "phone"}
        emails = {match_key("email", p.value): p.value for p in points if p.kind == "email"}
        doubts: list[str] = []
        chosen: Match | None = None
        for kind, keys, values in (("phone", _phone_keys(points), phones), ("email", _email_keys(points), emails)):
            match, more = self._by_points(kind, keys, values, name, org_ids)
            if match is not None and chosen is None:
                chosen = match
                doubts += more
            elif match is not None and match.customer_id != chosen.customer_id:
                doubts.append(_("{why} belongs to customer {name}").format(why=match.why, name=match.customer_name))
        by_org, more, hidden = self._by_org(org)
        self.org_hidden = hidden and by_org is None and chosen is None
        if chosen is None:
            chosen, doubts = by_org, doubts + more
        elif by_org is not None and by_org.customer_id != chosen.customer_id:
            doubts.append(_("company {org} looks like customer {name}, but the card matched {chosen} by {why}")
                          .format(org=org, name=by_org.customer_name, chosen=chosen.customer_name, why=chosen.why))
        if self.org_hidden:
            doubts.append(_("company {org} is a customer outside your territories; not offered as new").format(
                org=org))
        self.last_doubts = tuple(doubts)
        if chosen is not None:
            chosen = Match(chosen.customer_id, chosen.customer_name, chosen.by, chosen.why, tuple(doubts))
        return chosen


@dataclass
class _Known:
    name: str
    keys: set[tuple[str, str]]
    role: str = ""
    notes: str = ""
    has_birthday: bool = False


@dataclass
class PlannedContacts:
    """The contacts of the matched customers as they are, plus those the plan adds, so a card
    repeated in the book is planned once (as apply will do)."""

    session: Session
    _by_customer: dict[int, list[_Known]] = field(default_factory=dict)

    def _contacts(self, customer_id: int) -> list[_Known]:
        if customer_id not in self._by_customer:
            rows = self.session.scalars(select(Contact).where(Contact.customer_id == customer_id)
                                        .options(selectinload(Contact.points)).order_by(Contact.id))
            self._by_customer[customer_id] = [
                _Known(c.name, {p.key() for p in stored_points(c)}, c.role or "", c.notes or "",
                       c.birthday is not None or c.birthday_month is not None) for c in rows]
        return self._by_customer[customer_id]

    def action(self, customer_id: int, data: ContactInput) -> str:
        """add, update or same — the rules of services.vcard.merge_into_customer."""
        known = self._contacts(customer_id)
        theirs = {p.key() for p in data.all_points()}
        name = data.name.strip()
        existing = next((k for k in known if k.name == name and (not k.keys or not theirs or k.keys & theirs)), None)
        if existing is None:
            known.append(_Known(name, theirs, data.role, data.notes,
                                bool(data.birthday or data.birthday_month)))
            return "add"
        changed = bool(theirs - existing.keys)
        changed |= bool(data.role and not existing.role)
        changed |= bool(data.notes and data.notes not in existing.notes)
        changed |= bool((data.birthday or data.birthday_month) and not existing.has_birthday)
        existing.keys |= theirs
        existing.role = existing.role or data.role
        if data.notes and data.notes not in existing.notes:
            existing.notes = f"{existing.notes}\n{data.notes}".strip()
        existing.has_birthday |= bool(data.birthday or data.birthday_month)
        return "update" if changed else "same"
