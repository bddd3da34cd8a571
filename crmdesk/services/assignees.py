"""Who a follow-up goes to. By default the customer's owning salesperson — the person who
looks after the customer, whoever typed the contact (the counter clerk's quick log
included) — else the one who logged it; anyone else must be an active account that may
see the customer, or the task would sit where nobody ever finds it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, User
from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import can_see_customer, require


@dataclass(frozen=True)
class Assignee:
    id: int
    name: str  # display name, else the login name
    role: str


def assignable_users(session: Session, actor: Actor) -> list[Assignee]:
    """Active accounts, for the follow-up chooser."""
    require(actor, "customers.tasks")
    rows = session.execute(select(User.id, User.display_name, User.username, User.role)
                           .where(User.active.is_(True)).order_by(User.display_name, User.username, User.id))
    return [Assignee(uid, display or username, role) for uid, display, username, role in rows]


def default_assignee(session: Session, actor: Actor, customer_id: int | None) -> int | None:
    """The customer's owning salesperson if that account is active, else the actor."""
    if customer_id is not None:
        owner_id = session.scalar(select(Customer.owner_id).where(Customer.id == customer_id))
        if owner_id is not None and session.scalar(select(User.active).where(User.id == owner_id)):
            return owner_id
    return actor.user_id


def check_assignee(session: Session, user_id: int, customer_id: int | None) -> None:
    """Refuse an inactive or unknown account, or one that may not see the customer."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationError(_("A follow-up can only go to an active user"))
    if customer_id is not None and not can_see_customer(session, Actor.from_user(user, session), customer_id):
        raise ValidationError(_("{name} does not look after this customer and would never see the follow-up")
                              .format(name=user.display_name or user.username))
