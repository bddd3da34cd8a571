"""The contact log: visits, calls, WeChat messages, emails and store visits. A next
follow-up date creates a task for the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crmdesk.db.models import Interaction
from crmdesk.i18n import N_
from crmdesk.services.actor import Actor

# channel value → English label (translate with _ when shown)
CHANNEL_LABELS: dict[str, str] = {
    "visit": N_("Visit"),
    "call": N_("Phone call"),
    "wechat": N_("WeChat"),
    "email": N_("Email"),
    "store": N_("Store visit"),
}


@dataclass
class InteractionInput:
    channel: str = "call"
    occurred_at: dt.datetime | None = None  # None: now
    contact_id: int | None = None
    subject: str = ""
    notes: str = ""
    outcome: str = ""
    next_follow_up: dt.date | None = None
    follow_up_title: str = ""  # the task's title; default "Follow up <customer>"


@dataclass(frozen=True)
class InteractionInfo:
    id: int
    customer_id: int
    channel: str
    channel_label: str
    occurred_at: dt.datetime
    contact_id: int | None
    contact_name: str
    user_id: int | None
    user_name: str
    subject: str
    notes: str
    outcome: str
    next_follow_up: dt.date | None
    task_id: int | None


def channel_from_text(text: str) -> str | None:
    """'拜访', '电话', '微信', 'E-mail', 'store' … → channel value, or None."""
    raise NotImplementedError


def log_interaction(session: Session, actor: Actor, customer_id: int, data: InteractionInput) -> Interaction:
    """Add a contact-log entry; with ``next_follow_up`` also an open task assigned to the actor."""
    raise NotImplementedError


def list_interactions(session: Session, customer_id: int, limit: int = 200) -> list[InteractionInfo]:
    """Newest first."""
    raise NotImplementedError


def delete_interaction(session: Session, actor: Actor, interaction_id: int) -> None:
    raise NotImplementedError
