"""Who may do what, and which rows they see: enforced in the core, not by hiding buttons.

- ``ACTIONS``: action → roles. Every service checks ``require(actor, action)``.
- Customers: owners, managers and counter staff see every customer; a salesperson sees the
  customers they own plus every customer of their territories (``scope_customers``,
  ``require_customer``). The scheduler identity sees none.
- Sales lines: a salesperson's figures cover, per territory, that territory's customers'
  lines in its product lines (categories, brands), plus their own customers' lines in the
  product lines of all their territories (``LineScope``).
- Cost, gross profit and margin: hidden from counter staff (``sees_cost``); reports drop
  those columns and refuse the reports that are nothing else (``reports.access``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, Product, TerritoryRule, customer_territories
from crmdesk.i18n import _
from crmdesk.services.actor import SCHEDULER_ROLE, Actor

if TYPE_CHECKING:  # numpy is imported where line masks are made: the login window does not wait for it
    import numpy as np

OWNER, MANAGER, SALES, COUNTER, SCHEDULER = "owner", "manager", "sales", "counter", SCHEDULER_ROLE
ROLES = (OWNER, MANAGER, SALES, COUNTER)


class PermissionDenied(PermissionError):
    def __init__(self, action: str, detail: str = "") -> None:
        message = _("Permission denied: {action}").format(action=action)
        super().__init__(f"{message} ({detail})" if detail else message)
        self.action = action


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


_ALL_STAFF = _roles(OWNER, MANAGER, SALES, COUNTER)
_OFFICE = _roles(OWNER, MANAGER)
_SELLERS = _roles(OWNER, MANAGER, SALES)

# action → roles allowed. The README's "Roles and territories" table is this table.
ACTIONS: dict[str, frozenset[str]] = {
    "customers.view": _ALL_STAFF,
    "customers.create": _ALL_STAFF,
    "customers.update": _ALL_STAFF,
    "customers.contacts": _ALL_STAFF,
    "customers.interactions": _ALL_STAFF,
    "customers.tasks": _ALL_STAFF,
    "customers.attachments": _ALL_STAFF,
    "customers.cases": _ALL_STAFF,
    "customers.opportunities": _SELLERS,
    "customers.relations": _SELLERS,
    "customers.archive": _SELLERS,
    "customers.export": _SELLERS,
    "customers.delete": _OFFICE,
    "customers.merge": _OFFICE,
    "customers.types": _OFFICE,
    "customers.assign": _OFFICE,  # set an owner or territory by hand
    "pipeline.view": _SELLERS,  # the board and list: a salesperson's own customers' opportunities
    "service.view": _ALL_STAFF,  # the case queue
    "rules.view": _SELLERS,
    "rules.manage": _SELLERS,  # a salesperson's rules run with their rights, on their customers
    "rules.run": _roles(OWNER, MANAGER, SALES, SCHEDULER),
    "alerts.dismiss": _ALL_STAFF,
    "expenses.view": _SELLERS,  # like cost: never counter staff; a salesperson their customers'
    "expenses.edit": _SELLERS,  # typed expenses; a salesperson only on their customers
    "reports.view": _ALL_STAFF,
    "reports.cost": _SELLERS,  # cost, gross profit, margin
    "reports.export": _SELLERS,
    "import.run": _roles(OWNER, MANAGER, SCHEDULER),
    "import.undo": _OFFICE,  # take a whole import back out (after a backup)
    "settings.edit": _OFFICE,
    "territories.manage": _OFFICE,
    "database.backup": _roles(OWNER, MANAGER, SCHEDULER),
    "database.restore": _roles(OWNER),
    "users.manage": _roles(OWNER),
    "audit.view": _roles(OWNER),
}


def can(actor: Actor, action: str) -> bool:
    try:
        return actor.role in ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None


def require(actor: Actor, action: str) -> None:
    if not can(actor, action):
        raise PermissionDenied(action)


def sees_cost(actor: Actor) -> bool:
    return can(actor, "reports.cost")


def sees_all_customers(actor: Actor) -> bool:
    return actor.role in (OWNER, MANAGER, COUNTER)


# --- customers ---------------------------------------------------------------------------------

def customer_condition(actor: Actor, id_column: ColumnElement | None = None,
                       owner_column: ColumnElement | None = None) -> ColumnElement[bool] | None:
    """WHERE condition limiting customers to the actor's (None: all). The columns default to
    ``customers.id`` / ``customers.owner_id``; pass another table's customer id column to scope
    rows that only refer to a customer."""
    if sees_all_customers(actor):
        return None
    if actor.role != SALES or actor.user_id is None:
        return false()
    c = Customer.__table__.c
    in_territories = select(customer_territories.c.customer_id).where(
        customer_territories.c.territory_id.in_(sorted(actor.territory_ids)))
    if id_column is not None and owner_column is None:
        owned = select(c.id).where(c.owner_id == actor.user_id)
        return or_(id_column.in_(owned), id_column.in_(in_territories))
    ids = c.id if id_column is None else id_column
    owners = c.owner_id if owner_column is None else owner_column
    return or_(owners == actor.user_id, ids.in_(in_territories))


def scope_customers(stmt: Select, actor: Actor) -> Select:
    """Limit a query over ``customers`` to what the actor may see (unchanged when all)."""
    cond = customer_condition(actor)
    return stmt if cond is None else stmt.where(cond)


def scope_by_customer(stmt: Select, actor: Actor, customer_id_column: ColumnElement) -> Select:
    """Limit a query over rows that belong to a customer (contacts, tasks, cases …)."""
    cond = customer_condition(actor, customer_id_column)
    return stmt if cond is None else stmt.where(cond)


def can_see_customer(session: Session, actor: Actor, customer_id: int) -> bool:
    if sees_all_customers(actor):
        return True
    stmt = scope_customers(select(Customer.id).where(Customer.id == customer_id), actor)
    return session.scalar(stmt) is not None


def require_customer(session: Session, actor: Actor, customer_id: int, action: str = "customers.view") -> None:
    """The actor may do ``action`` and the customer is theirs to see; else PermissionDenied."""
    require(actor, action)
    if not can_see_customer(session, actor, customer_id):
        raise PermissionDenied(action, _("customer {id} is not in your territories").format(id=customer_id))


# --- sales lines -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reach:
    """One territory of a salesperson: its customers, and the product lines of theirs it covers
    (empty = all products)."""

    territory_id: int
    categories: tuple[str, ...]
    brands: tuple[str, ...]

    @property
    def all_products(self) -> bool:
        return not (self.categories or self.brands)


@dataclass(frozen=True)
class LineScope:
    """The sales lines a salesperson may count (see the module docstring)."""

    user_id: int | None
    reaches: tuple[Reach, ...]

    @property
    def key(self) -> tuple:
        return (self.user_id, self.reaches)

    def own_customers_all_products(self) -> bool:
        return not self.reaches or any(r.all_products for r in self.reaches)

    def condition(self, customer_column: ColumnElement, product_column: ColumnElement) -> ColumnElement[bool]:
        if self.user_id is None:
            return false()
        parts = []
        for r in self.reaches:
            members = select(customer_territories.c.customer_id).where(
                customer_territories.c.territory_id == r.territory_id)
            parts.append(and_(customer_column.in_(members), _product_condition(r, product_column)))
        owned = select(Customer.id).where(Customer.owner_id == self.user_id)
        own_products = (true() if self.own_customers_all_products()
                        else or_(*(_product_condition(r, product_column) for r in self.reaches)))
        parts.append(and_(customer_column.in_(owned), own_products))
        return or_(*parts)

    def mask(self, session: Session, customers: np.ndarray, products: np.ndarray) -> np.ndarray:
        """Boolean mask over line arrays (customer ids, product ids)."""
        import numpy as np

        from crmdesk.db.columnar import fetch_ids as _ids

        out = np.zeros(len(customers), dtype=bool)
        if self.user_id is None:
            return out
        for r in self.reaches:
            members = _ids(session, select(customer_territories.c.customer_id).where(
                customer_territories.c.territory_id == r.territory_id))
            out |= _flags(members, customers)[customers] & _product_flags(session, [r], products)
        owned = _ids(session, select(Customer.id).where(Customer.owner_id == self.user_id))
        own = _flags(owned, customers)[customers]
        if not self.own_customers_all_products():
            own &= _product_flags(session, list(self.reaches), products)
        return out | own


def line_scope(session: Session, actor: Actor) -> LineScope | None:
    """None when the actor counts every line."""
    if sees_all_customers(actor):
        return None
    if actor.role != SALES or actor.user_id is None:
        return LineScope(None, ())
    ids = sorted(actor.territory_ids)
    rules = session.execute(select(TerritoryRule.territory_id, TerritoryRule.field, TerritoryRule.value)
                            .where(TerritoryRule.territory_id.in_(ids),
                                   TerritoryRule.field.in_(("category", "brand")))).all()
    reaches = tuple(Reach(t, tuple(sorted(v for tid, f, v in rules if tid == t and f == "category")),
                          tuple(sorted(v for tid, f, v in rules if tid == t and f == "brand"))) for t in ids)
    return LineScope(actor.user_id, reaches)


def _product_condition(reach: Reach, product_column: ColumnElement) -> ColumnElement[bool]:
    if reach.all_products:
        return true()
    p = Product.__table__.c
    cond = []
    if reach.categories:
        cond.append(p.category.in_(reach.categories))
    if reach.brands:
        cond.append(p.brand.in_(reach.brands))
    return product_column.in_(select(p.id).where(*cond))


def _product_flags(session: Session, reaches: list[Reach], products: np.ndarray) -> np.ndarray:
    """Per line: its product is in the product lines of any of ``reaches``."""
    import numpy as np

    if any(r.all_products for r in reaches):
        return np.ones(len(products), dtype=bool)
    ids: set[int] = set()
    for r in reaches:
        ids.update(session.scalars(select(Product.id).where(_product_condition(r, Product.__table__.c.id))).all())
    return _flags(ids, products)[products]


def _flags(ids, like: np.ndarray) -> np.ndarray:
    """A dense boolean table id → member, wide enough for every id in ``like`` and ``ids``."""
    import numpy as np

    ids = ids if isinstance(ids, np.ndarray) else np.fromiter((int(i) for i in ids), dtype="int64")
    size = int(max(like.max(initial=0), ids.max(initial=0))) + 1
    ok = np.zeros(size, dtype=bool)
    ok[ids] = True
    return ok
