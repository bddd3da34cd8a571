"""What the Territories section reads besides the territory service: who may be picked as a
salesperson, and how many customers each territory holds. Plain functions over a session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, Role, User, customer_territories


@dataclass(frozen=True)
class Person:
    id: int
    name: str  # display name (user name)
    can_login: bool


def salespeople(session: Session, also: set[int] | frozenset[int] = frozenset()) -> list[Person]:
    """Active salespeople, plus the users ``also`` names (already in a territory, whatever their role now)."""
    cond = (User.role == Role.SALES.value) & User.active.is_(True)
    if also:
        cond = or_(cond, User.id.in_(sorted(also)))
    rows = session.execute(select(User.id, User.username, User.display_name, User.password_hash.is_not(None))
                           .where(cond).order_by(User.id)).all()
    return [Person(i, f"{d} ({u})" if d and d != u else u, bool(login)) for i, u, d, login in rows]


def customer_counts(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """(members per territory, customers whose main territory it is)."""
    ct = customer_territories.c
    members = dict(session.execute(select(ct.territory_id, func.count()).group_by(ct.territory_id)).all())
    main = dict(session.execute(select(Customer.territory_id, func.count())
                                .where(Customer.territory_id.is_not(None))
                                .group_by(Customer.territory_id)).all())
    return {int(k): int(v) for k, v in members.items()}, {int(k): int(v) for k, v in main.items()}
