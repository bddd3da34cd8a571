"""Who is acting: every service call runs for one, so permission checks and
data scoping live in one place (``permissions``) instead of in every screen."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Role, User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    display_name: str = ""
    territory_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER.value

    @classmethod
    def system(cls) -> Actor:
        """The headless actor for scheduled jobs run before any user exists: owner rights."""
        return cls(user_id=None, username="system", role=Role.OWNER.value, display_name="system")

    @classmethod
    def from_user(cls, user: User) -> Actor:
        territories = frozenset({user.territory_id}) if user.territory_id else frozenset()
        return cls(
            user_id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name or user.username,
            territory_ids=territories,
        )


def actor_for_username(session: Session, username: str | None) -> Actor:
    """The acting user for a CLI run: the named user, else the first active owner, else ``system``."""
    if username:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise LookupError(f"no active user named {username!r}")
        return Actor.from_user(user)
    owner = session.scalar(
        select(User).where(User.role == Role.OWNER.value, User.active.is_(True)).order_by(User.id)
    )
    return Actor.from_user(owner) if owner else Actor.system()
