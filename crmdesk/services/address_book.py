"""A phone's whole address book matched to customers: each card goes to the customer it belongs
to (by a phone, an email, or its company name with the fuzzy rules of duplicate detection), is
offered as a new customer (its ORG names a company not known yet), or stays unmatched. The plan
is shown first; applying it creates a customer only for the cards the user ticked.

The actor's customer scope applies: a salesperson's cards match only customers they may see.
Applying twice adds nothing the second time (a contact is the same person when the name is equal
and a phone or email is shared, services.vcard.merge_into_customer)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.address_book_apply import ApplyResult, apply_plan
from crmdesk.services.address_book_match import CustomerMatcher, Match, PlannedContacts, matching_keys
from crmdesk.services.contact_csv_layouts import CsvBook
from crmdesk.services.contact_io import TableFile
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.permissions import require
from crmdesk.services.vcard import card_input, card_problems
from crmdesk.services.vcard_read import Card, ReadResult

OUTCOMES = ("matched", "new_customer", "unmatched")
ACTIONS = ("add", "update", "same", "")  # "" : nothing (an unmatched card, a card without a name)


@dataclass
class BookFile:
    """One address-book file as read (a .vcf, or a Google/Outlook/Chinese CSV): its cards, what
    could not be read, and ``error`` when the file as a whole is not an address book."""

    name: str
    cards: list[Card] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file, line 3: …" outside any card
    ignored: dict[str, int] = field(default_factory=dict)  # property or column → count
    lines_skipped: int = 0
    layout: str = "vcard"  # vcard, google, outlook, chinese
    error: str = ""


def book_from_vcards(name: str, read: ReadResult) -> BookFile:
    return BookFile(name=name, cards=list(read.cards), problems=[f"{name}, {p}" for p in read.problems],
                    ignored=dict(read.ignored), lines_skipped=read.lines_skipped)


def book_from_csv(table: TableFile, book: CsvBook | None) -> BookFile:
    if book is None:
        return BookFile(name=table.name, layout="", error=_(
            "{file}: not a known address book (Google, Outlook or 姓名/手机 headers)").format(file=table.name))
    return BookFile(name=table.name, cards=list(book.cards), ignored={h: 1 for h in book.ignored}, layout=book.layout)


@dataclass(frozen=True)
class CardMatch:
    """One card of the address book and what applying the plan does with it."""

    index: int  # position in AddressBookPlan.cards; what ``create_customers_for`` names
    file: str
    card_no: int  # 1-based within its file
    name: str
    organisation: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    outcome: str  # matched | new_customer | unmatched
    customer_id: int | None  # matched: the customer; otherwise None
    customer_name: str  # matched: the customer's name; new_customer: the name it would get (the ORG)
    matched_by: str  # "phone" | "email" | "company" | "" (not matched)
    why: str  # in words, translated: "phone 138 0013 8000", "company name ~93%", "same name"
    contact_action: str  # add | update | same | "" (nothing: unmatched, or no name)
    problems: tuple[str, ...]  # "file, card 3 (王伟), line 7: …" and matching doubts

    @property
    def importable(self) -> bool:
        return bool(self.name) and self.outcome != "unmatched"


@dataclass
class AddressBookPlan:
    cards: list[CardMatch] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # of the files: unreadable files, lines outside cards
    files: list[str] = field(default_factory=list)
    failed_files: list[str] = field(default_factory=list)  # files that are not address books (see problems)
    ignored: dict[str, int] = field(default_factory=dict)  # property/column → count, all files
    lines_skipped: int = 0
    # The cards read, index-aligned with ``cards`` (apply writes them; not for display).
    source_cards: list[Card] = field(default_factory=list, repr=False)
    # new_customer card index → the first card offering the same company (one customer for both).
    company_group: dict[int, int] = field(default_factory=dict, repr=False)

    def counts(self) -> dict[str, int]:
        """cards, matched, new_customer, unmatched, add, update, same, problems."""
        c = Counter(m.outcome for m in self.cards)
        a = Counter(m.contact_action for m in self.cards if m.outcome == "matched")
        return {"cards": len(self.cards), "matched": c["matched"], "new_customer": c["new_customer"],
                "unmatched": c["unmatched"], "add": a["add"], "update": a["update"], "same": a["same"],
                "problems": len(self.problems) + sum(len(m.problems) for m in self.cards)}


def _phones(card: Card) -> tuple[str, ...]:
    return tuple(p.value for p in card.points if p.kind == "phone")


def _emails(card: Card) -> tuple[str, ...]:
    return tuple(p.value for p in card.points if p.kind == "email")


def plan_address_book(session: Session, actor: Actor, books: list[BookFile]) -> AddressBookPlan:
    """Match every card of the files; changes nothing. Read the files with
    crmdesk.importers.address_book_file.read_address_books (or plan_files there)."""
    require(actor, "customers.contacts")
    plan = AddressBookPlan(files=[b.name for b in books])
    matcher = CustomerMatcher(session, actor)
    planned = PlannedContacts(session)
    new_orgs: dict[str, tuple[int, str, int]] = {}  # org key → first card offering it
    matcher.prefetch([card.points for book in books for card in book.cards])
    for book in books:
        if book.error:
            plan.problems.append(book.error)
            plan.failed_files.append(book.name)
            continue
        plan.problems += book.problems
        plan.lines_skipped += book.lines_skipped
        for prop, n in book.ignored.items():
            plan.ignored[prop] = plan.ignored.get(prop, 0) + n
        for card in book.cards:
            match = _match_card(len(plan.cards), book.name, card, matcher, planned, new_orgs)
            plan.cards.append(match)
            plan.source_cards.append(card)
            if match.outcome == "new_customer":
                plan.company_group[match.index] = new_orgs[matcher.org_key(card.organisation.strip())][0]
    _join_new_companies_by_points(plan)
    return plan


def _join_new_companies_by_points(plan: AddressBookPlan) -> None:
    """A card without a company that shares a phone or email with a card of a new company goes
    with that company (else importing the book again would find it there and add it then)."""
    group_of: dict[str, int] = {}
    for m, card in zip(plan.cards, plan.source_cards, strict=True):
        if m.outcome == "new_customer":
            for key in matching_keys(card.points):
                group_of.setdefault(key, m.index)
    for i, (m, card) in enumerate(zip(plan.cards, plan.source_cards, strict=True)):
        if m.outcome != "unmatched" or not m.name or m.organisation.strip():
            continue
        via = next((group_of[k] for k in matching_keys(card.points) if k in group_of), None)
        if via is None:
            continue
        first = plan.cards[via]
        plan.cards[i] = replace(m, outcome="new_customer", customer_name=first.customer_name, contact_action="add",
                                why=_("same phone or email as {file}, card {n} (new company)").format(
                                    file=first.file, n=first.card_no))
        plan.company_group[i] = plan.company_group.get(via, via)


def _match_card(index: int, file: str, card: Card, matcher: CustomerMatcher, planned: PlannedContacts,
                new_orgs: dict[str, tuple[int, str, int]]) -> CardMatch:
    problems = card_problems(file, card)
    label = _("{file}, card {n} ({name})").format(file=file, n=card.number, name=card.name or "?")
    base = dict(index=index, file=file, card_no=card.number, name=card.name, organisation=card.organisation,
                phones=_phones(card), emails=_emails(card))
    match: Match | None = matcher.match(card.points, card.organisation, card.name)
    problems += [f"{label}: {doubt}" for doubt in (match.doubts if match else matcher.last_doubts)]
    if not card.name:
        problems.append(_("{label}: no name (FN, N or ORG); not imported").format(label=label))
    if match is not None:
        action = planned.action(match.customer_id, card_input(card)) if card.name else ""
        return CardMatch(**base, outcome="matched", customer_id=match.customer_id, customer_name=match.customer_name,
                         matched_by=match.by, why=match.why, contact_action=action, problems=tuple(problems))
    org = card.organisation.strip()
    if org and card.name and not matcher.org_hidden:
        first, first_file, first_no = new_orgs.setdefault(matcher.org_key(org), (index, file, card.number))
        if first == index:
            why = _("new company")
        elif first_file == file:
            why = _("same new company as card {n}").format(n=first_no)
        else:
            why = _("same new company as {file}, card {n}").format(file=first_file, n=first_no)
        return CardMatch(**base, outcome="new_customer", customer_id=None, customer_name=org, matched_by="",
                         why=why, contact_action="add", problems=tuple(problems))
    return CardMatch(**base, outcome="unmatched", customer_id=None, customer_name="", matched_by="", why="",
                     contact_action="", problems=tuple(problems))


def apply_address_book(session: Session, actor: Actor, plan: AddressBookPlan,
                       create_customers_for: set[int] | frozenset[int] = frozenset()) -> ApplyResult:
    """Write the plan in the caller's transaction: matched cards into their customers; a new
    customer (named by the card's ORG) only for the card indexes in ``create_customers_for`` (one
    customer per company, shared by its ticked cards); nothing else is created."""
    require(actor, "customers.contacts")
    if create_customers_for:
        require(actor, "customers.create")
    wrong = [i for i in create_customers_for if not 0 <= i < len(plan.cards)
             or plan.cards[i].outcome != "new_customer"]
    if wrong:
        raise CustomerError(_("Cards {cards} offer no new customer").format(
            cards=", ".join(str(i + 1) for i in sorted(wrong))))
    return apply_plan(session, actor, plan, set(create_customers_for))


__all__ = ["BookFile", "CardMatch", "AddressBookPlan", "ApplyResult", "plan_address_book", "apply_address_book",
           "book_from_vcards", "book_from_csv", "OUTCOMES", "ACTIONS"]
