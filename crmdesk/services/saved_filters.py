"""Saved customer-list filters: a name and the JSON of a CustomerQuery, per user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crmdesk.db.models import SavedFilter
from crmdesk.services.actor import Actor
from crmdesk.services.customer_query import CustomerQuery

SCOPE = "customers"


@dataclass(frozen=True)
class SavedFilterInfo:
    id: int
    name: str
    query: CustomerQuery


def save_filter(session: Session, actor: Actor, name: str, query: CustomerQuery) -> SavedFilter:
    """Save under ``name`` for the actor (replacing one of the same name)."""
    raise NotImplementedError


def list_filters(session: Session, actor: Actor) -> list[SavedFilterInfo]:
    raise NotImplementedError


def delete_filter(session: Session, actor: Actor, filter_id: int) -> None:
    raise NotImplementedError
