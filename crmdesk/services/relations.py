"""Typed links between customers, listed from both sides with the inverse label."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crmdesk.db.models import CustomerRelation
from crmdesk.i18n import N_
from crmdesk.services.actor import Actor

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


def add_relation(session: Session, actor: Actor, from_id: int, to_id: int, relation_type: str,
                 notes: str = "") -> CustomerRelation:
    """Refuses self-links, unknown types and duplicates (symmetric types in either direction)."""
    raise NotImplementedError


def remove_relation(session: Session, actor: Actor, relation_id: int) -> None:
    raise NotImplementedError


def list_relations(session: Session, customer_id: int) -> list[RelationInfo]:
    raise NotImplementedError
