"""Saved customer-list filters: a name and the JSON of a CustomerQuery, per user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import SavedFilter
from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import NotFound, ValidationError
from crmdesk.services.customer_query import CustomerQuery
from crmdesk.services.permissions import require

SCOPE = "customers"


@dataclass(frozen=True)
class SavedFilterInfo:
    id: int
    name: str
    query: CustomerQuery


def _mine(actor: Actor):
    owner = SavedFilter.user_id == actor.user_id if actor.user_id is not None else SavedFilter.user_id.is_(None)
    return (SavedFilter.scope == SCOPE, owner)


def save_filter(session: Session, actor: Actor, name: str, query: CustomerQuery) -> SavedFilter:
    """Save under ``name`` for the actor (replacing one of the same name)."""
    require(actor, "customers.view")
    name = name.strip()
    if not name:
        raise ValidationError(_("A saved filter needs a name"))
    existing = session.scalar(select(SavedFilter).where(*_mine(actor), SavedFilter.name == name))
    if existing is None:
        existing = SavedFilter(user_id=actor.user_id, scope=SCOPE, name=name)
        session.add(existing)
    existing.definition = query.to_json()
    session.flush()
    return existing


def list_filters(session: Session, actor: Actor) -> list[SavedFilterInfo]:
    rows = session.scalars(select(SavedFilter).where(*_mine(actor)).order_by(SavedFilter.name))
    return [SavedFilterInfo(id=f.id, name=f.name, query=CustomerQuery.from_json(f.definition)) for f in rows]


def delete_filter(session: Session, actor: Actor, filter_id: int) -> None:
    f = session.get(SavedFilter, filter_id)
    if f is None or f.scope != SCOPE or f.user_id != actor.user_id:
        raise NotFound(_("Saved filter {id} does not exist (any more)").format(id=filter_id))
    session.delete(f)
    session.flush()
