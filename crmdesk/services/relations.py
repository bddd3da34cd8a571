"""Typed links between customers, listed from both sides with the inverse label."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerRelation
from crmdesk.i18n import N_, _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError, NotFound
from crmdesk.services.customers import get_customer
from crmdesk.services.permissions import customer_condition, require, require_customer

# relation type → (what "to" is for "from", what "from" is for "to"); translate with _ when shown.
RELATION_LABELS: dict[str, tuple[str, str]] = {
    "branch_of": (N_("Head office"), N_("Branch")),
    "buys_through": (N_("Dealer"), N_("Buys through us")),
    "referred_by": (N_("Referred by"), N_("Referred")),
    "partner": (N_("Partner"), N_("Partner")),
    "competitor": (N_("Competitor"), N_("Competitor")),
}
SYMMETRIC = frozenset({"partner", "competitor"})


@dataclass(frozen=True)
class RelationInfo:
    id: int
    relation_type: str
    label: str  # translated, from this customer's point of view ("Head office" / "Branch")
    other_id: int
    other_code: str
    other_name: str
    outgoing: bool  # this customer is the relation's "from"
    notes: str


def relation_label(relation_type: str, outgoing: bool) -> str:
    forward, inverse = RELATION_LABELS.get(relation_type, (relation_type, relation_type))
    return _(forward if outgoing else inverse)


def find_relation(session: Session, from_id: int, to_id: int, relation_type: str) -> CustomerRelation | None:
    same = and_(CustomerRelation.from_customer_id == from_id, CustomerRelation.to_customer_id == to_id)
    if relation_type in SYMMETRIC:
        same = or_(same, and_(CustomerRelation.from_customer_id == to_id, CustomerRelation.to_customer_id == from_id))
    return session.scalar(select(CustomerRelation).where(same, CustomerRelation.relation_type == relation_type))


def add_relation(session: Session, actor: Actor, from_id: int, to_id: int, relation_type: str,
                 notes: str = "") -> CustomerRelation:
    require(actor, "customers.relations")
    if relation_type not in RELATION_LABELS:
        raise CustomerError(_("Unknown relation type {type}").format(type=relation_type))
    if from_id == to_id:
        raise CustomerError(_("A customer cannot be linked to itself"))
    a, b = get_customer(session, from_id), get_customer(session, to_id)
    require_customer(session, actor, from_id, "customers.relations")
    require_customer(session, actor, to_id, "customers.relations")
    if find_relation(session, from_id, to_id, relation_type) is not None:
        raise CustomerError(_("{a} and {b} are linked like this already").format(a=a.name, b=b.name))
    rel = CustomerRelation(from_customer_id=from_id, to_customer_id=to_id, relation_type=relation_type,
                           notes=notes.strip())
    session.add(rel)
    session.flush()
    audit.record(session, actor, "customers", from_id, "update", f"relation:{relation_type}", None, b.code)
    audit.record(session, actor, "customers", to_id, "update", f"relation:{relation_type}", None, a.code)
    return rel


def remove_relation(session: Session, actor: Actor, relation_id: int) -> None:
    rel = session.get(CustomerRelation, relation_id)
    if rel is None:
        raise NotFound(_("Relation {id} does not exist (any more)").format(id=relation_id))
    require_customer(session, actor, rel.from_customer_id, "customers.relations")
    require_customer(session, actor, rel.to_customer_id, "customers.relations")
    codes = dict(session.execute(select(Customer.id, Customer.code)
                                 .where(Customer.id.in_([rel.from_customer_id, rel.to_customer_id]))).all())
    field = f"relation:{rel.relation_type}"
    audit.record(session, actor, "customers", rel.from_customer_id, "update", field, codes.get(rel.to_customer_id), None)
    audit.record(session, actor, "customers", rel.to_customer_id, "update", field, codes.get(rel.from_customer_id), None)
    session.delete(rel)
    session.flush()


def list_relations(session: Session, actor: Actor, customer_id: int) -> list[RelationInfo]:
    """The customer's links to customers the actor may see too (a salesperson does not learn of
    the other side's customers through a link)."""
    require_customer(session, actor, customer_id)
    cond = customer_condition(actor)
    out: list[RelationInfo] = []
    for outgoing, mine, other in ((True, CustomerRelation.from_customer_id, CustomerRelation.to_customer_id),
                                  (False, CustomerRelation.to_customer_id, CustomerRelation.from_customer_id)):
        stmt = (select(CustomerRelation, Customer.code, Customer.name)
                .join(Customer, Customer.id == other).where(mine == customer_id))
        rows = session.execute(stmt if cond is None else stmt.where(cond)).all()
        for rel, code, name in rows:
            out.append(RelationInfo(id=rel.id, relation_type=rel.relation_type,
                                    label=relation_label(rel.relation_type, outgoing),
                                    other_id=rel.to_customer_id if outgoing else rel.from_customer_id,
                                    other_code=code, other_name=name, outgoing=outgoing, notes=rel.notes))
    out.sort(key=lambda r: (r.relation_type, r.other_name, r.id))
    return out
