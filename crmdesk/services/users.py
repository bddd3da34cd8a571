"""Accounts: the first owner, logging in (with lock-out), adding and editing users.

Every change an owner makes to someone else's account (role, active, territories, password)
goes to the audit log, and so do failed logins and lock-outs. A login that fails must leave
its trace even though the caller's transaction is rolled back by the exception: callers use
``authenticate_in``, which commits the bookkeeping in a transaction of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import Role, Territory, User, user_territories
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.passwords import hash_password, needs_rehash, verify_password
from crmdesk.services.permissions import ROLES, require

MIN_PASSWORD = 8
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5

# Naive UTC "now", like every DateTime column. Tests replace it to let a lock run out without sleeping.
clock: Callable[[], dt.datetime] = utcnow


class AuthError(ValueError):
    pass


class AccountLocked(AuthError):
    def __init__(self, username: str, until: dt.datetime) -> None:
        super().__init__(_("account {user} is locked until {time} after {n} failed logins").format(
            user=username, time=local_time(until), n=MAX_FAILED_LOGINS))
        self.username = username
        self.until = until


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    can_login: bool  # False: a salesperson that arrived by import ("no login yet")
    locked_until: dt.datetime | None  # only while the lock lasts
    territory_ids: tuple[int, ...]
    last_login_at: dt.datetime | None


def local_time(moment: dt.datetime) -> str:
    """A stored naive-UTC time as the PC's local wall-clock time, to the minute."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def check_password_rules(password: str | None) -> None:
    if password is None or len(password) < MIN_PASSWORD:
        raise AuthError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))


def has_login_users(session: Session) -> bool:
    """True once someone can log in (a first start must create the owner)."""
    count = session.scalar(select(func.count()).select_from(User).where(User.password_hash.is_not(None)))
    return bool(count)


def user_by_name(session: Session, name: str) -> User | None:
    """The user with this user name, else the only one with this display name."""
    name = name.strip()
    user = session.scalar(select(User).where(User.username == name))
    if user is not None:
        return user
    matches = session.scalars(select(User).where(User.display_name == name)).all()
    return matches[0] if len(matches) == 1 else None


def _territories_of(session: Session, user_ids: Sequence[int] | None = None) -> dict[int, tuple[int, ...]]:
    stmt = select(user_territories.c.user_id, user_territories.c.territory_id).order_by(
        user_territories.c.user_id, user_territories.c.territory_id)
    if user_ids is not None:
        stmt = stmt.where(user_territories.c.user_id.in_(list(user_ids)))
    out: dict[int, list[int]] = {}
    for uid, tid in session.execute(stmt):
        out.setdefault(uid, []).append(tid)
    return {uid: tuple(tids) for uid, tids in out.items()}


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, "users.manage")
    now = clock()
    territories = _territories_of(session)
    return [UserRow(u.id, u.username, u.display_name or u.username, u.role, bool(u.active),
                    u.password_hash is not None, u.locked_until if _locked(u, now) else None,
                    territories.get(u.id, ()), u.last_login_at)
            for u in session.scalars(select(User).order_by(User.id))]


# --- creating accounts ------------------------------------------------------------------------

def create_first_owner(session: Session, username: str, password: str, display_name: str = "") -> User:
    """The owner account of a first start (no one can log in yet), so no actor to check."""
    if has_login_users(session):
        raise AuthError(_("an owner account already exists"))
    user = _create(session, username, password, Role.OWNER.value, display_name)
    audit.record(session, Actor.from_user(user), "users", user.id, "create", "username", None, user.username)
    return user


def create_user(session: Session, actor: Actor, username: str, password: str | None, role: str,
                display_name: str = "") -> User:
    """A new account, or — when an imported salesperson (no password) has this user name or display
    name — that record turned into the account, so their customers and orders stay theirs."""
    require(actor, "users.manage")
    user = _create(session, username, password, role, display_name)
    audit.record(session, actor, "users", user.id, "create", "username", None, user.username)
    return user


def _create(session: Session, username: str, password: str | None, role: str, display_name: str) -> User:
    username, display_name = username.strip(), display_name.strip()
    if not username:
        raise AuthError(_("a user name is required"))
    _check_role(role)
    if password is not None:
        check_password_rules(password)
    new_hash = hash_password(password) if password is not None else None
    stub = _imported_stub(session, username, display_name)
    if stub is None:
        user = User(username=username, display_name=display_name or username, role=role,
                    password_hash=new_hash, active=True)
        session.add(user)
        session.flush()
        return user
    # The import named them by their (display) name; the owner may give a different login name.
    if stub.username != username:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise AuthError(_("user {name!r} exists already").format(name=username))
        stub.username = username
    if display_name:
        stub.display_name = display_name
    stub.role, stub.password_hash, stub.active = role, new_hash, True
    stub.failed_logins, stub.locked_until = 0, None
    session.flush()
    return stub


def _imported_stub(session: Session, username: str, display_name: str) -> User | None:
    """The no-login user that ``username`` (or ``display_name``) names; AuthError when the name
    belongs to a login account or to several imported people."""
    same = session.scalar(select(User).where(User.username == username))
    if same is not None:
        if same.password_hash is not None:
            raise AuthError(_("user {name!r} exists already").format(name=username))
        return same
    names = {username, display_name} - {""}
    candidates = session.scalars(select(User).where(
        User.password_hash.is_(None), or_(User.display_name.in_(names), User.username.in_(names)))).all()
    if len(candidates) > 1:
        raise AuthError(_("several imported salespeople are called {name!r}; use their user name").format(
            name=display_name or username))
    return candidates[0] if candidates else None


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AuthError(_("unknown role {role!r}; use one of {roles}").format(role=role, roles=", ".join(ROLES)))


# --- changing accounts ------------------------------------------------------------------------

def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AuthError(_("no user with id {id}").format(id=user_id))
    return user


def _other_active_owners(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.OWNER.value, User.active.is_(True), User.password_hash.is_not(None),
        User.id != user_id)) or 0


def update_user(session: Session, actor: Actor, user_id: int, *, display_name: str | None = None,
                role: str | None = None, active: bool | None = None,
                territory_ids: Sequence[int] | None = None) -> None:
    """Change what is given (None: keep). Refuses to leave the shop without an active owner;
    a change of territories, role or active re-assigns the customers by the territory rules."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    if role is not None:
        _check_role(role)
    demoted = role is not None and role != Role.OWNER.value
    if (user.role == Role.OWNER.value and user.active and (demoted or active is False)
            and not _other_active_owners(session, user.id)):
        raise AuthError(_("{name} is the last active owner: make someone else owner first").format(
            name=user.display_name or user.username))
    reassign = False
    if display_name is not None and display_name.strip() != user.display_name:
        audit.record(session, actor, "users", user.id, "update", "display_name", user.display_name,
                     display_name.strip())
        user.display_name = display_name.strip()
    if role is not None and role != user.role:
        audit.record(session, actor, "users", user.id, "role", "role", user.role, role)
        user.role, reassign = role, True
    if active is not None and bool(active) != bool(user.active):
        audit.record(session, actor, "users", user.id, "activate" if active else "deactivate", "active",
                     user.active, bool(active))
        user.active, reassign = bool(active), True
    if territory_ids is not None:
        reassign = _set_territories(session, actor, user, territory_ids) or reassign
    session.flush()
    if reassign:
        from crmdesk.services import territories  # pandas: loaded only when customers move

        territories.reassign(session, actor)


def _set_territories(session: Session, actor: Actor, user: User, territory_ids: Sequence[int]) -> bool:
    new = sorted({int(t) for t in territory_ids})
    if new:
        found = set(session.scalars(select(Territory.id).where(Territory.id.in_(new))).all())
        missing = sorted(set(new) - found)
        if missing:
            raise AuthError(_("no territory with id {id}").format(id=missing[0]))
    old = list(_territories_of(session, [user.id]).get(user.id, ()))
    if old == new:
        return False
    names = dict(session.execute(select(Territory.id, Territory.name).where(Territory.id.in_(old + new))).all())
    session.execute(delete(user_territories).where(user_territories.c.user_id == user.id))
    if new:
        session.execute(insert(user_territories), [{"user_id": user.id, "territory_id": t} for t in new])
    audit.record(session, actor, "users", user.id, "territories", "territories",
                 ", ".join(names.get(t, str(t)) for t in old), ", ".join(names.get(t, str(t)) for t in new))
    return True


def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> None:
    """The owner sets someone's password (an imported salesperson thereby gets a login); clears a lock."""
    require(actor, "users.manage")
    check_password_rules(new_password)
    user = _get(session, user_id)
    had_login = user.password_hash is not None
    user.password_hash = hash_password(new_password)
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, actor, "users", user.id, "password_reset", "password",
                 "set" if had_login else "no login", "set")
    session.flush()


def change_own_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not verify_password(user.password_hash, old_password):
        raise AuthError(_("the current password is wrong"))
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    audit.record(session, actor, "users", user.id, "password", "password", "set", "set")
    session.flush()


# --- logging in -------------------------------------------------------------------------------

def _locked(user: User, now: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _failed(session: Session, user_id: int, username: str, action: str, reason: str) -> None:
    # Nobody is logged in: the row names the account tried (entity_id; 0 for an unknown name).
    audit.record(session, Actor(None, username, ""), "users", user_id, action, "login", None, reason)


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """The actor for a right password of an active login account. Otherwise AuthError with one
    message for every reason (unknown, inactive, no login, wrong password), counting the failure;
    the 5th in a row locks the account for 5 minutes (AccountLocked, also while it lasts).
    Raises after writing: callers that roll back on errors use ``authenticate_in``."""
    now = now or clock()
    name = username.strip()
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        _failed(session, 0, name, "login_failed", f"unknown user {name!r}")
        session.flush()
        raise AuthError(_("wrong user name or password"))
    if _locked(user, now):
        _failed(session, user.id, name, "login_refused", f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC")
        session.flush()
        raise AccountLocked(name, user.locked_until)
    if user.locked_until is not None:  # the lock ran out: a fresh count
        user.locked_until, user.failed_logins = None, 0
    if user.password_hash is None or not user.active or not verify_password(user.password_hash, password):
        reason = ("no login" if user.password_hash is None else "inactive" if not user.active
                  else "wrong password")
        user.failed_logins = (user.failed_logins or 0) + 1
        _failed(session, user.id, name, "login_failed", f"{reason} ({user.failed_logins} in a row)")
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            _failed(session, user.id, name, "locked", f"until {user.locked_until:%Y-%m-%d %H:%M} UTC")
            session.flush()
            raise AccountLocked(name, user.locked_until)
        session.flush()
        raise AuthError(_("wrong user name or password"))
    user.failed_logins, user.last_login_at = 0, now
    if needs_rehash(user.password_hash):  # made with older parameters: today's, while the password is at hand
        user.password_hash = hash_password(password)
    session.flush()
    return Actor.from_user(user, session)


def authenticate_in(db, username: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """``authenticate`` in a transaction of its own (``db``: crmdesk.db.Database) that is committed
    whether the login succeeds or not, so failures count and stay in the audit log."""
    with db.sessions() as session:
        try:
            actor = authenticate(session, username, password, now=now)
        except AuthError:
            session.commit()
            raise
        session.commit()
        return actor
