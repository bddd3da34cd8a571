"""The hooks other services call so process rules run when something happens.

STUB written by the lead so callers can be wired now; the rules-core helper replaces the bodies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor


def after_import(session: Session, actor: Actor) -> list:
    return []


def after_customer_saved(session: Session, actor: Actor, customer_id: int) -> None:
    return None


def after_case_closed(session: Session, actor: Actor, case_id: int) -> None:
    return None


def daily_if_due(session: Session, actor: Actor, today: dt.date | None = None) -> list | None:
    return None
