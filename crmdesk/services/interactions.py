"""The contact log: visits, calls, WeChat messages, emails and store visits. A next
follow-up date creates a task — by default for the customer's owning salesperson (see
``crmdesk.services.assignees``), or for whoever the person logging it picked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import Contact, Interaction, Task, User
from crmdesk.i18n import N_, _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.assignees import check_assignee, default_assignee
from crmdesk.services.customer_errors import CustomerError, NotFound, ValidationError
from crmdesk.services.customers import get_customer
from crmdesk.services.permissions import require_customer
from crmdesk.services.tasks import create_task

# channel value → English label (translate with _ when shown)
CHANNEL_LABELS: dict[str, str] = {
    "visit": N_("Visit"),
    "call": N_("Phone call"),
    "wechat": N_("WeChat"),
    "email": N_("Email"),
    "store": N_("Store visit"),
}


# Words people write for each channel, Chinese and English (lower case).
_CHANNEL_WORDS: dict[str, tuple[str, ...]] = {
    "visit": ("visit", "拜访", "上门", "走访", "面访", "外出拜访", "上门拜访", "meeting", "会面"),
    "call": ("call", "phone", "phone call", "telephone", "tel", "电话", "来电", "去电", "致电", "通话", "电话联系"),
    "wechat": ("wechat", "weixin", "微信", "wx", "微信消息", "微信联系"),
    "email": ("email", "e-mail", "mail", "邮件", "电子邮件", "邮箱"),
    "store": ("store", "store visit", "shop", "walk-in", "门店", "到店", "来店", "进店", "门市", "店内"),
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
    assignee_id: int | None = None  # who follows up; None: the owning salesperson, else the actor


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
    t = (text or "").strip().lower()
    if not t:
        return None
    for channel, words in _CHANNEL_WORDS.items():
        if t == channel or t in words:
            return channel
    for channel, words in _CHANNEL_WORDS.items():
        if any(w in t for w in words if len(w) >= 2 and not w.isascii()):
            return channel
    return None


def log_interaction(session: Session, actor: Actor, customer_id: int, data: InteractionInput) -> Interaction:
    customer = get_customer(session, customer_id)
    require_customer(session, actor, customer_id, "customers.interactions")
    if data.channel not in CHANNEL_LABELS:
        raise ValidationError(_("Unknown channel {channel}").format(channel=data.channel))
    if data.contact_id is not None:
        contact = session.get(Contact, data.contact_id)
        if contact is None or contact.customer_id != customer_id:
            raise CustomerError(_("That contact does not belong to {name}").format(name=customer.name))
    if data.next_follow_up is not None and data.assignee_id is not None:
        check_assignee(session, data.assignee_id, customer_id)
    occurred = data.occurred_at or utcnow()
    if data.next_follow_up is not None and data.next_follow_up < occurred.date():
        raise ValidationError(_("The next follow-up cannot be before the contact itself"))
    entry = Interaction(customer_id=customer_id, contact_id=data.contact_id, user_id=actor.user_id,
                        channel=data.channel, occurred_at=occurred, subject=data.subject.strip(),
                        notes=data.notes.strip(), outcome=data.outcome.strip(), next_follow_up=data.next_follow_up)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "interactions", entry.id, "create", "channel", None, data.channel)
    if data.next_follow_up is not None:
        title = data.follow_up_title.strip() or _("Follow up {name}").format(name=customer.name)
        assignee = data.assignee_id if data.assignee_id is not None \
            else default_assignee(session, actor, customer_id)
        create_task(session, actor, customer_id, title, data.next_follow_up, assignee_id=assignee,
                    notes=data.outcome.strip(), interaction_id=entry.id)
    return entry


def list_interactions(session: Session, actor: Actor, customer_id: int, limit: int = 200) -> list[InteractionInfo]:
    require_customer(session, actor, customer_id)
    stmt = (select(Interaction, Contact.name, User.display_name)
            .outerjoin(Contact, Contact.id == Interaction.contact_id)
            .outerjoin(User, User.id == Interaction.user_id)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit))
    rows = session.execute(stmt).all()
    ids = [r[0].id for r in rows]
    tasks = dict(session.execute(select(Task.interaction_id, Task.id).where(Task.interaction_id.in_(ids))).all()) \
        if ids else {}
    return [InteractionInfo(id=i.id, customer_id=i.customer_id, channel=i.channel,
                            channel_label=_(CHANNEL_LABELS.get(i.channel, i.channel)), occurred_at=i.occurred_at,
                            contact_id=i.contact_id, contact_name=cname or "", user_id=i.user_id,
                            user_name=uname or "", subject=i.subject, notes=i.notes, outcome=i.outcome,
                            next_follow_up=i.next_follow_up, task_id=tasks.get(i.id))
            for i, cname, uname in rows]


def delete_interaction(session: Session, actor: Actor, interaction_id: int) -> None:
    entry = session.get(Interaction, interaction_id)
    if entry is None:
        raise NotFound(_("Contact-log entry {id} does not exist (any more)").format(id=interaction_id))
    require_customer(session, actor, entry.customer_id, "customers.interactions")
    audit.record(session, actor, "interactions", entry.id, "delete", "notes", entry.notes, None)
    session.delete(entry)
    session.flush()
