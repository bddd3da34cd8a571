"""Who is acting: every service call runs for one, so permission checks and
data scoping live in one place (``permissions``) instead of in every screen."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Role, User, user_territories

# The identity of unattended jobs (Task Scheduler): may import and back up, nothing else.
SCHEDULER_ROLE = "scheduler"


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
        """The in-process actor with owner rights, for code that works for the shop itself
        (tests, a fresh file before any account exists). Never handed to a CLI caller once
        the database has a login account."""
        return cls(user_id=None, username="system", role=Role.OWNER.value, display_name="system")

    @classmethod
    def scheduler(cls) -> Actor:
        """``sync`` and ``backup`` run unattended without ``--user``: import and backup rights only."""
        return cls(user_id=None, username="scheduler", role=SCHEDULER_ROLE, display_name="scheduler")

    @classmethod
    def from_user(cls, user: User, session: Session | None = None) -> Actor:
        territories: frozenset[int] = frozenset()
        if session is not None and user.id is not None:
            territories = frozenset(session.scalars(select(user_territories.c.territory_id)
                                                    .where(user_territories.c.user_id == user.id)).all())
        return cls(
            user_id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name or user.username,
            territory_ids=territories,
        )


def reload_actor(session: Session, actor: Actor) -> Actor:
    """The same user with their current role and territories (after an owner changed them)."""
    if actor.user_id is None:
        return actor
    user = session.get(User, actor.user_id)
    return actor if user is None else Actor.from_user(user, session)


def actor_for_user(session: Session, username: str) -> Actor:
    """The named active user (no password check: the caller authenticated them)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise LookupError(f"no active user named {username!r}")
    return Actor.from_user(user, session)


def actor_for_username(session: Session, username: str | None) -> Actor:
    """For in-process callers (screenshots, tests): the named user, else the first active owner,
    else ``system``. The CLI authenticates instead (``services.login``)."""
    if username:
        return actor_for_user(session, username)
    owner = session.scalar(
        select(User).where(User.role == Role.OWNER.value, User.active.is_(True)).order_by(User.id)
    )
    return Actor.from_user(owner, session) if owner else Actor.system()
