"""Territory definitions: the rule fields, ``TerritoryDef``, reading and storing them (audited),
and the values the rule editor offers. Assignment of customers lives in ``territories``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from crmdesk.db.models import (Branch, Customer, CustomerType, Product, Tag, Territory, TerritoryRule, User,
                               user_territories)
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor

CUSTOMER_FIELDS = ("province", "city", "district", "customer_type", "grade", "tag")
PRODUCT_FIELDS = ("category", "brand")
# Which branches' orders, receipts and stock the territory's salespeople see (values: branch codes).
BRANCH_FIELDS = ("branch",)
RULE_FIELDS = CUSTOMER_FIELDS + PRODUCT_FIELDS + BRANCH_FIELDS


class TerritoryError(ValueError):
    pass


@dataclass(frozen=True)
class TerritoryDef:
    """A territory as edited: ``rules`` maps a field of RULE_FIELDS to its allowed values."""

    id: int | None
    name: str
    priority: int = 100
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    salesperson_ids: tuple[int, ...] = ()
    notes: str = ""

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(self.rules.get(name, ()))

    @property
    def places_customers(self) -> bool:
        """Has a customer rule: may be a customer's main territory and give it an owner."""
        return any(self.values(f) for f in CUSTOMER_FIELDS)

    def describe(self) -> str:
        """"广东省, 广西壮族自治区 · dealer · 得力" — for lists and audit."""
        parts = [", ".join(self.values(f)) for f in RULE_FIELDS if self.values(f)]
        return " · ".join(parts) or _("all customers, all products")


# --- definitions -------------------------------------------------------------------------------

def list_territories(session: Session) -> list[TerritoryDef]:
    rules = session.execute(select(TerritoryRule.territory_id, TerritoryRule.field, TerritoryRule.value)
                            .order_by(TerritoryRule.id)).all()
    people = session.execute(select(user_territories.c.territory_id, user_territories.c.user_id)
                             .order_by(user_territories.c.user_id)).all()
    out = []
    for t in session.scalars(select(Territory).order_by(Territory.priority, Territory.id)):
        r: dict[str, list[str]] = {}
        for tid, name, value in rules:
            if tid == t.id and name in RULE_FIELDS:
                r.setdefault(name, []).append(value)
        out.append(TerritoryDef(t.id, t.name, t.priority, {k: tuple(v) for k, v in r.items()},
                                tuple(u for tid, u in people if tid == t.id), t.notes or ""))
    return out


def clean_def(tdef: TerritoryDef) -> TerritoryDef:
    name = tdef.name.strip()
    if not name:
        raise TerritoryError(_("A territory needs a name"))
    unknown = set(tdef.rules) - set(RULE_FIELDS)
    if unknown:
        raise TerritoryError(_("Unknown rule field: {fields}").format(fields=", ".join(sorted(unknown))))
    rules = {}
    for key in RULE_FIELDS:
        values = tuple(dict.fromkeys(v.strip() for v in tdef.values(key) if v and v.strip()))
        if values:
            rules[key] = values
    return TerritoryDef(tdef.id, name, int(tdef.priority), rules, tuple(sorted(set(tdef.salesperson_ids))),
                        tdef.notes)


def store_def(session: Session, actor: Actor, tdef: TerritoryDef) -> int:
    """Write one definition (no reassignment); returns its id."""
    clash = session.scalar(select(Territory.id).where(Territory.name == tdef.name))
    if clash is not None and clash != tdef.id:
        raise TerritoryError(_("A territory named {name} exists already").format(name=tdef.name))
    if tdef.salesperson_ids:
        found = set(session.scalars(select(User.id).where(User.id.in_(tdef.salesperson_ids))).all())
        missing = set(tdef.salesperson_ids) - found
        if missing:
            raise TerritoryError(_("No such user: {ids}").format(ids=", ".join(map(str, sorted(missing)))))
    if tdef.values("branch"):
        known = set(session.scalars(select(Branch.code)).all())
        unknown = [c for c in tdef.values("branch") if c not in known]
        if unknown:
            raise TerritoryError(_("No branch with code {codes} (Settings → Branches)").format(
                codes=", ".join(unknown)))
    if tdef.id is None:
        territory = Territory(name=tdef.name, priority=tdef.priority, notes=tdef.notes)
        session.add(territory)
        session.flush()
        before = ""
        audit.record(session, actor, "territories", territory.id, "create", "name", None, tdef.name)
    else:
        territory = session.get(Territory, tdef.id)
        if territory is None:
            raise TerritoryError(_("Territory {id} does not exist (any more)").format(id=tdef.id))
        old = next(t for t in list_territories(session) if t.id == tdef.id)
        before = f"{old.describe()} | {list(old.salesperson_ids)} | {old.priority}"
        territory.name, territory.priority, territory.notes = tdef.name, tdef.priority, tdef.notes
    session.execute(delete(TerritoryRule).where(TerritoryRule.territory_id == territory.id))
    rows = [{"territory_id": territory.id, "field": k, "operator": "equals", "value": v, "priority": tdef.priority}
            for k, values in tdef.rules.items() for v in values]
    if rows:
        session.execute(insert(TerritoryRule), rows)
    session.execute(delete(user_territories).where(user_territories.c.territory_id == territory.id))
    if tdef.salesperson_ids:
        session.execute(insert(user_territories), [{"user_id": u, "territory_id": territory.id}
                                                   for u in tdef.salesperson_ids])
    after = f"{tdef.describe()} | {list(tdef.salesperson_ids)} | {tdef.priority}"
    if before != after:
        audit.record(session, actor, "territories", territory.id, "update", "rules", before or None, after)
    session.flush()
    return territory.id


def rule_choices(session: Session) -> dict[str, list[str]]:
    """Values each rule field takes in the data, for the editor's pick lists."""
    def distinct(col) -> list[str]:
        return [v for v in session.scalars(select(col).distinct().order_by(col)).all() if v]

    return {"province": distinct(Customer.province), "city": distinct(Customer.city),
            "district": distinct(Customer.district), "grade": distinct(Customer.grade),
            "customer_type": [n for n in session.scalars(select(CustomerType.name).order_by(CustomerType.sort_order))],
            "tag": distinct(Tag.name), "category": distinct(Product.category), "brand": distinct(Product.brand),
            "branch": [c for c in session.scalars(select(Branch.code).order_by(Branch.sort_order, Branch.code))]}


def branch_limit(session: Session, actor: Actor) -> tuple[int, ...] | None:
    """The branches a salesperson's territories limit them to (None: no limit). A territory
    without a branch rule covers every branch, so one such territory lifts the limit; a limited
    salesperson with no territory at all keeps none (their own customers, every branch)."""
    from crmdesk.services.permissions import SALES

    if actor.role != SALES or not actor.territory_ids:
        return None
    ids = sorted(actor.territory_ids)
    rules = session.execute(select(TerritoryRule.territory_id, TerritoryRule.value)
                            .where(TerritoryRule.territory_id.in_(ids), TerritoryRule.field == "branch")).all()
    if {tid for tid, _v in rules} != set(ids):
        return None
    codes = {v for _tid, v in rules}
    return tuple(sorted(session.scalars(select(Branch.id).where(Branch.code.in_(codes))).all())) or (-1,)
