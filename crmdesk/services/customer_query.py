"""The customer list: which customer ids match a query (ordered), and the display
rows for a batch of ids. The list view holds only ids and fetches rows in batches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import unicodedata
from dataclasses import asdict, dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerStatus, CustomerType, CustomFieldDef, CustomFieldValue, FieldType, \
    Tag, Territory, User, customer_tags
from crmdesk.core.search_text import pinyin_sort_key, sparse_initials_pattern
from crmdesk.db.search import customer_name_order, customer_text_condition, customer_word_or_pattern_condition
from crmdesk.i18n import _
from crmdesk.services import balances
from crmdesk.services.actor import Actor
from crmdesk.services.custom_fields import FieldValueError, field_info, parse_value
from crmdesk.services.permissions import require, scope_customers

log = logging.getLogger(__name__)

# Sortable columns of the list; "balance" and "overdue" aggregate the ledger, the rest are plain columns.
SORT_KEYS = ("code", "name", "type", "grade", "status", "city", "owner", "territory", "updated_at", "balance",
             "overdue")


@dataclass
class CustomerQuery:
    """What the customer list shows. Empty lists mean "no restriction"."""

    text: str = ""  # words ANDed; matches name, code, phones, contacts, pinyin (full and initials)
    type_codes: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    territory_ids: list[int] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # tag names; a customer with any of them matches
    incomplete_only: bool = False
    overdue_only: bool = False
    custom_fields: dict[int, str] = field(default_factory=dict)  # field id → value as typed (parsed per field)
    include_archived: bool = False
    sort_key: str = "name"
    descending: bool = False

    def to_json(self) -> str:
        data = asdict(self)
        data["custom_fields"] = {str(k): v for k, v in self.custom_fields.items()}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CustomerQuery:
        """Tolerant: unknown keys are ignored, missing ones take their defaults."""
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        if "custom_fields" in kwargs:
            kwargs["custom_fields"] = {int(k): str(v) for k, v in dict(kwargs["custom_fields"]).items()
                                       if str(k).isdigit()}
        return cls(**kwargs)


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list. Money in integer units (crmdesk.money)."""

    id: int
    code: str
    name: str
    type_name: str
    grade: str
    status: str
    city: str
    phone: str
    mobile: str
    owner_name: str
    territory_name: str
    tags: tuple[str, ...]
    is_incomplete: bool
    archived: bool
    balance: int
    overdue: int
    updated_at: object = None  # datetime.datetime


@dataclass(frozen=True)
class Option:
    """A choice for a filter or form combo box: stored value and shown label."""

    value: object
    label: str


@dataclass(frozen=True)
class ListOptions:
    """Everything the filter bar and the customer form offer to choose from."""

    types: list[Option]  # value = type code
    type_ids: list[Option]  # value = type id
    grades: list[str]
    statuses: list[Option]
    territories: list[Option]  # value = territory id
    owners: list[Option]  # value = user id
    tags: list[str]


def search_words(text: str) -> list[str]:
    """The query's words: lower case, split on spaces (full-width ones too)."""
    return (text or "").lower().split()


def _text_condition(session: Session, words: list[str]) -> ColumnElement[bool]:
    """Every word must match. A word typed with full-width characters (an IME's "１３８" or "（")
    matches either as typed or in half-width form, since stored names keep whichever they had."""
    plain = [w for w in words if unicodedata.normalize("NFKC", w).lower() == w]
    # A plain abbreviation (gzwj) may also skip characters of the name: 广州市天河区晨星文具店.
    sparse = [w for w in plain if sparse_initials_pattern(w)]
    plain = [w for w in plain if w not in sparse]
    conds = [customer_text_condition(session, plain)] if plain else []
    for w in sparse:
        conds.append(customer_word_or_pattern_condition(session, w, sparse_initials_pattern(w)))
    for w in words:
        half = unicodedata.normalize("NFKC", w).lower()
        if half != w:
            conds.append(or_(customer_text_condition(session, [w]), customer_text_condition(session, [half])))
    return and_(*conds)


def _custom_field_condition(session: Session, field_id: int, value: str) -> ColumnElement[bool] | None:
    f = session.get(CustomFieldDef, field_id)
    if f is None or not str(value).strip():
        return None
    info = field_info(f)
    base = select(CustomFieldValue.customer_id).where(CustomFieldValue.field_id == field_id)
    if info.field_type == FieldType.TEXT.value:
        return Customer.id.in_(base.where(CustomFieldValue.value.contains(str(value).strip(), autoescape=True)))
    try:
        canonical = parse_value(info, value)
    except FieldValueError:
        return Customer.id.in_(select(CustomFieldValue.customer_id).where(False))
    return Customer.id.in_(base.where(CustomFieldValue.value == canonical))


def _filtered(session: Session, actor: Actor, query: CustomerQuery, stmt: Select) -> Select:
    if not query.include_archived:
        if _is_plain_list(query) and _sort_key(query) == "name":
            # "= false" lets SQLite read ix_customers_archived_sort alone, already in name order.
            stmt = stmt.where(Customer.archived == False)  # noqa: E712
        else:
            # "IS false" keeps SQLite from picking that index over the selective conditions below.
            stmt = stmt.where(Customer.archived.is_(False))
    words = search_words(query.text)
    if words:
        stmt = stmt.where(_text_condition(session, words))
    if query.type_codes:
        stmt = stmt.where(Customer.type_id.in_(select(CustomerType.id).where(CustomerType.code.in_(query.type_codes))))
    if query.grades:
        stmt = stmt.where(Customer.grade.in_(query.grades))
    if query.statuses:
        stmt = stmt.where(Customer.status.in_(query.statuses))
    if query.territory_ids:
        stmt = stmt.where(Customer.territory_id.in_(query.territory_ids))
    if query.owner_ids:
        stmt = stmt.where(Customer.owner_id.in_(query.owner_ids))
    if query.tags:
        stmt = stmt.where(Customer.id.in_(select(customer_tags.c.customer_id)
                                          .join(Tag, Tag.id == customer_tags.c.tag_id)
                                          .where(Tag.name.in_(query.tags))))
    if query.incomplete_only:
        stmt = stmt.where(Customer.is_incomplete.is_(True))
    if query.overdue_only:
        stmt = stmt.where(balances.overdue_condition(Customer.id, correlated=bool(words)))
    for field_id, value in query.custom_fields.items():
        cond = _custom_field_condition(session, int(field_id), value)
        if cond is not None:
            stmt = stmt.where(cond)
    return scope_customers(stmt, actor)


def _is_plain_list(query: CustomerQuery) -> bool:
    """No search text and no filter: the whole (non-archived) list."""
    return not (search_words(query.text) or query.type_codes or query.grades or query.statuses
                or query.territory_ids or query.owner_ids or query.tags or query.incomplete_only
                or query.overdue_only or any(str(v).strip() for v in query.custom_fields.values()))


def _sort_key(query: CustomerQuery) -> str:
    return query.sort_key if query.sort_key in SORT_KEYS else "name"


def _sorted(stmt: Select, query: CustomerQuery) -> Select:
    key = _sort_key(query)
    if key == "name":
        # Pinyin order (安 … 张), not character code; for the whole list ix_customers_archived_sort
        # gives the order without a sort.
        col = customer_name_order()
    elif key == "type":
        stmt = stmt.outerjoin(CustomerType, CustomerType.id == Customer.type_id)
        col = func.coalesce(CustomerType.sort_order, 1_000_000)
    elif key == "owner":
        stmt = stmt.outerjoin(User, User.id == Customer.owner_id)
        col = func.coalesce(User.display_name, "")
    elif key == "territory":
        stmt = stmt.outerjoin(Territory, Territory.id == Customer.territory_id)
        col = func.coalesce(Territory.name, "")
    elif key == "balance":
        as_of = dt.date.today()
        sales = balances.sales_subquery(as_of)
        paid = balances.receipts_subquery(as_of)
        stmt = (stmt.outerjoin(sales, sales.c.customer_id == Customer.id)
                .outerjoin(paid, paid.c.customer_id == Customer.id))
        col = func.coalesce(sales.c.sales, 0) - func.coalesce(paid.c.paid, 0)
    elif key == "overdue":
        as_of = dt.date.today()
        due = balances.due_subquery(as_of)
        paid = balances.receipts_subquery(as_of)
        stmt = (stmt.outerjoin(due, due.c.customer_id == Customer.id)
                .outerjoin(paid, paid.c.customer_id == Customer.id))
        # Below zero means nothing is overdue; ordering by the raw difference is close enough.
        col = func.coalesce(due.c.due, 0) - func.coalesce(paid.c.paid, 0)
    elif key == "updated_at":
        col = Customer.updated_at
    else:
        # coalesce() keeps SQLite from walking the column's index and fetching every row in index
        # order, which is slower than scanning once and sorting (measured at 100k customers).
        col = func.coalesce(getattr(Customer, key), "")
    if query.descending:
        return stmt.order_by(col.desc(), Customer.id.desc())
    return stmt.order_by(col.asc(), Customer.id.asc())


def search_customer_ids(session: Session, actor: Actor, query: CustomerQuery, limit: int | None = None) -> list[int]:
    require(actor, "customers.view")
    stmt = _sorted(_filtered(session, actor, query, select(Customer.id)), query)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_customers(session: Session, actor: Actor, query: CustomerQuery) -> int:
    require(actor, "customers.view")
    inner = _filtered(session, actor, query, select(Customer.id)).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def fetch_customer_rows(session: Session, actor: Actor, ids: list[int]) -> list[CustomerRow]:
    """Display rows for ``ids`` in their order; ids the actor may not see are left out."""
    require(actor, "customers.view")
    if not ids:
        return []
    found: dict[int, tuple] = {}
    tags: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        stmt = (select(Customer.id, Customer.code, Customer.name, CustomerType.name, Customer.grade,
                       Customer.status, Customer.city, Customer.phone, Customer.mobile, User.display_name,
                       Territory.name, Customer.is_incomplete, Customer.archived, Customer.updated_at)
                .outerjoin(CustomerType, CustomerType.id == Customer.type_id)
                .outerjoin(User, User.id == Customer.owner_id)
                .outerjoin(Territory, Territory.id == Customer.territory_id)
                .where(Customer.id.in_(chunk)))
        for row in session.execute(scope_customers(stmt, actor)):
            found[row[0]] = tuple(row)
        for cid, name in session.execute(select(customer_tags.c.customer_id, Tag.name)
                                         .join(Tag, Tag.id == customer_tags.c.tag_id)
                                         .where(customer_tags.c.customer_id.in_(chunk)).order_by(Tag.name)):
            if cid in found:
                tags.setdefault(cid, []).append(name)
    ledger = balances.balances_for(session, list(found))
    rows: list[CustomerRow] = []
    for cid in ids:
        r = found.get(cid)
        if r is None:
            continue
        bal = ledger.get(cid)
        rows.append(CustomerRow(id=r[0], code=r[1], name=r[2], type_name=r[3] or "", grade=r[4] or "",
                                status=r[5], city=r[6] or "", phone=r[7] or "", mobile=r[8] or "",
                                owner_name=r[9] or "", territory_name=r[10] or "", tags=tuple(tags.get(cid, ())),
                                is_incomplete=bool(r[11]), archived=bool(r[12]),
                                balance=bal.balance if bal else 0, overdue=bal.overdue if bal else 0,
                                updated_at=r[13]))
    return rows


STATUS_LABELS = {"active": "active", "dormant": "dormant", "lost": "lost"}  # translated with _ when shown


def list_options(session: Session, actor: Actor) -> ListOptions:
    types = session.execute(select(CustomerType.id, CustomerType.code, CustomerType.name)
                            .order_by(CustomerType.sort_order, CustomerType.id)).all()
    grades = [g for g in session.scalars(select(Customer.grade).distinct().order_by(Customer.grade)) if g]
    territories = session.execute(select(Territory.id, Territory.name).order_by(Territory.name)).all()
    owners = session.execute(select(User.id, User.display_name, User.username)
                             .where(User.active.is_(True)).order_by(User.display_name)).all()
    tags = list(session.scalars(select(Tag.name).order_by(Tag.name)))
    # Names by pinyin (王 after 李), as the list itself.
    return ListOptions(
        types=[Option(code, name) for _id, code, name in types],
        type_ids=[Option(tid, name) for tid, _code, name in types],
        grades=grades,
        statuses=[Option(s.value, _(STATUS_LABELS[s.value])) for s in CustomerStatus],
        territories=sorted((Option(tid, name) for tid, name in territories), key=_by_label),
        owners=sorted((Option(uid, display or username) for uid, display, username in owners), key=_by_label),
        tags=sorted(tags, key=pinyin_sort_key),
    )


def _by_label(option: Option) -> str:
    return pinyin_sort_key(option.label)
