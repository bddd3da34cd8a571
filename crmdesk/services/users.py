"""Accounts: the first owner, logging in, adding users."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import Role, User
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.passwords import hash_password, verify_password
from crmdesk.services.permissions import require


class AuthError(ValueError):
    pass


def has_login_users(session: Session) -> bool:
    """True once someone can log in (a first start must create the owner)."""
    count = session.scalar(select(func.count()).select_from(User).where(User.password_hash.is_not(None)))
    return bool(count)


def create_first_owner(session: Session, username: str, password: str, display_name: str = "") -> User:
    if has_login_users(session):
        raise AuthError("an owner account already exists")
    return _create(session, username, password, Role.OWNER.value, display_name)


def create_user(session: Session, actor: Actor, username: str, password: str | None, role: str,
                display_name: str = "") -> User:
    require(actor, "users.manage")
    user = _create(session, username, password, role, display_name)
    audit.record(session, actor, "users", user.id, "create", "username", None, username)
    return user


def _create(session: Session, username: str, password: str | None, role: str, display_name: str) -> User:
    username = username.strip()
    if not username:
        raise AuthError("a user name is required")
    if role not in {r.value for r in Role}:
        raise AuthError(f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}")
    if password is not None and len(password) < 4:
        raise AuthError("a password needs at least 4 characters")
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        raise AuthError(f"user {username!r} exists already")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password) if password else None, active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username.strip(), User.active.is_(True)))
    if user is None or not verify_password(user.password_hash, password):
        raise AuthError("wrong user name or password")
    user.last_login_at = utcnow()
    return Actor.from_user(user)
