"""Accounts in the core (services.users): password rules, imported salespeople becoming accounts,
the last owner, lock-out after failed logins (with an injected clock) and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crmdesk.db.models import AuditLog, Customer, Territory, User, user_territories
from crmdesk.services import users
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied
from crmdesk.services.users import (AccountLocked, AuthError, authenticate, authenticate_in, change_own_password,
                                    check_password_rules, create_user, list_users, reset_password, update_user)

T0 = dt.datetime(2026, 3, 2, 9, 0)


def _audit(session, action: str, user_id: int | None = None) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.entity == "users", AuditLog.action == action)
    if user_id is not None:
        stmt = stmt.where(AuditLog.entity_id == user_id)
    return list(session.scalars(stmt))


def test_password_rules():
    with pytest.raises(AuthError, match="at least 8"):
        check_password_rules("1234567")
    check_password_rules("12345678")


def test_create_user_needs_the_owner_and_a_long_password(session, owner):
    with pytest.raises(AuthError, match="at least 8"):
        create_user(session, owner, "xiaoli", "short", "counter")
    manager = create_user(session, owner, "lao-zhao", "manager-pw", "manager")
    with pytest.raises(PermissionDenied):
        create_user(session, Actor.from_user(manager), "xiaoli", "counter-pw", "counter")
    with pytest.raises(AuthError, match="exists already"):
        create_user(session, owner, "lao-zhao", "another-pw", "sales")
    assert _audit(session, "create", manager.id)


def test_an_imported_salesperson_becomes_the_account_with_the_same_id(session, owner):
    stub = User(username="王芳", display_name="王芳", role="sales", password_hash=None)  # as the importer makes it
    session.add(stub)
    session.flush()
    session.add(Customer(code="K1", name="华南文具", owner_id=stub.id))
    session.flush()
    assert not next(r for r in list_users(session, owner) if r.id == stub.id).can_login
    user = create_user(session, owner, "王芳", "wangfang-1", "sales")
    assert user.id == stub.id and user.password_hash and user.active
    assert session.scalar(select(Customer.owner_id).where(Customer.code == "K1")) == stub.id
    assert authenticate(session, "王芳", "wangfang-1").user_id == stub.id


def test_an_imported_salesperson_found_by_display_name_gets_the_login_name(session, owner):
    stub = User(username="李雷", display_name="李雷", role="sales", password_hash=None)
    session.add(stub)
    session.flush()
    user = create_user(session, owner, "lilei", "lilei-pw-1", "counter", display_name="李雷")
    assert (user.id, user.username, user.role) == (stub.id, "lilei", "counter")


def test_the_last_active_owner_cannot_be_deactivated_or_demoted(session, owner):
    with pytest.raises(AuthError, match="last active owner"):
        update_user(session, owner, owner.user_id, active=False)
    with pytest.raises(AuthError, match="last active owner"):
        update_user(session, owner, owner.user_id, role="manager")
    second = create_user(session, owner, "laoban2", "second-pw", "owner")
    update_user(session, owner, owner.user_id, role="manager")  # someone else is owner now
    assert session.get(User, owner.user_id).role == "manager"
    with pytest.raises(AuthError, match="last active owner"):
        update_user(session, owner, second.id, active=False)
    assert [(a.old_value, a.new_value) for a in _audit(session, "role", owner.user_id)] == [("owner", "manager")]


def test_sensitive_changes_are_audited(session, owner):
    east, west = Territory(name="华东"), Territory(name="华南")
    session.add_all([east, west])
    session.flush()
    seller = create_user(session, owner, "sales9", "sales9-pw", "sales")
    update_user(session, owner, seller.id, territory_ids=[east.id, west.id])
    assert set(session.scalars(select(user_territories.c.territory_id)
                               .where(user_territories.c.user_id == seller.id))) == {east.id, west.id}
    update_user(session, owner, seller.id, active=False)
    reset_password(session, owner, seller.id, "new-pass-9")
    with pytest.raises(AuthError):
        update_user(session, owner, seller.id, territory_ids=[99999])
    (terr,) = _audit(session, "territories", seller.id)
    assert terr.user_id == owner.user_id and set(terr.new_value.split(", ")) == {"华东", "华南"}
    assert _audit(session, "deactivate", seller.id) and _audit(session, "password_reset", seller.id)
    row = next(r for r in list_users(session, owner) if r.id == seller.id)
    assert not row.active and row.territory_ids == tuple(sorted((east.id, west.id)))


def test_inactive_and_no_login_users_cannot_log_in(session, owner):
    seller = create_user(session, owner, "sales8", "sales8-pw", "sales")
    update_user(session, owner, seller.id, active=False)
    session.add(User(username="张三", display_name="张三", role="sales", password_hash=None))
    session.flush()
    for name, password in (("sales8", "sales8-pw"), ("张三", ""), ("nobody", "x")):
        with pytest.raises(AuthError, match="^wrong user name or password$"):
            authenticate(session, name, password)
    reasons = [a.new_value for a in _audit(session, "login_failed")]
    assert any(r.startswith("inactive") for r in reasons) and any(r.startswith("no login") for r in reasons)
    assert any("unknown user 'nobody'" in r for r in reasons)


def test_lock_out_after_five_failures_in_a_row_for_five_minutes(session, owner):
    for k in range(4):
        with pytest.raises(AuthError) as exc:
            authenticate(session, "owner", "wrong", now=T0 + dt.timedelta(seconds=k))
        assert not isinstance(exc.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        authenticate(session, "owner", "wrong", now=T0 + dt.timedelta(seconds=5))
    assert locked.value.until == T0 + dt.timedelta(seconds=5, minutes=5)
    assert "locked until" in str(locked.value)
    with pytest.raises(AccountLocked):  # the right password does not help while it lasts
        authenticate(session, "owner", "secret-pw", now=T0 + dt.timedelta(minutes=5))
    assert authenticate(session, "owner", "secret-pw", now=T0 + dt.timedelta(minutes=5, seconds=6)).user_id \
        == owner.user_id
    user = session.get(User, owner.user_id)
    assert user.failed_logins == 0 and user.locked_until is None
    assert len(_audit(session, "login_failed", owner.user_id)) == 5
    assert len(_audit(session, "locked", owner.user_id)) == 1
    assert len(_audit(session, "login_refused", owner.user_id)) == 1


def test_a_success_resets_the_count(session, owner):
    for _ in range(4):
        with pytest.raises(AuthError):
            authenticate(session, "owner", "wrong", now=T0)
    authenticate(session, "owner", "secret-pw", now=T0)
    with pytest.raises(AuthError) as exc:
        authenticate(session, "owner", "wrong", now=T0)
    assert not isinstance(exc.value, AccountLocked)


def test_reset_password_clears_a_lock(session, owner, monkeypatch):
    monkeypatch.setattr(users, "clock", lambda: T0)
    seller = create_user(session, owner, "sales7", "sales7-pw", "sales")
    for _ in range(5):
        with pytest.raises(AuthError):
            authenticate(session, "sales7", "wrong")
    assert next(r for r in list_users(session, owner) if r.id == seller.id).locked_until == T0 + dt.timedelta(minutes=5)
    reset_password(session, owner, seller.id, "sales7-new")
    assert authenticate(session, "sales7", "sales7-new", now=T0).user_id == seller.id


def test_authenticate_in_commits_the_failure(db, owner, monkeypatch):
    monkeypatch.setattr(users, "clock", lambda: T0)
    with pytest.raises(AuthError):
        authenticate_in(db, "owner", "wrong")
    with db.sessions() as s:
        assert s.get(User, owner.user_id).failed_logins == 1
        assert len(_audit(s, "login_failed", owner.user_id)) == 1
    actor = authenticate_in(db, "owner", "secret-pw")
    assert actor.user_id == owner.user_id
    with db.sessions() as s:
        user = s.get(User, owner.user_id)
        assert user.failed_logins == 0 and user.last_login_at == T0


def test_change_own_password(session, owner):
    with pytest.raises(AuthError, match="current password"):
        change_own_password(session, owner, "not-it", "brand-new-1")
    with pytest.raises(AuthError, match="at least 8"):
        change_own_password(session, owner, "secret-pw", "short")
    change_own_password(session, owner, "secret-pw", "brand-new-1")
    assert authenticate(session, "owner", "brand-new-1").user_id == owner.user_id


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_login(session, owner):
    from argon2 import PasswordHasher

    from crmdesk.services.passwords import needs_rehash, verify_password

    users.create_user(session, owner, "older", "a long password 1", "sales")
    user = session.scalar(select(User).where(User.username == "older"))
    assert not needs_rehash(user.password_hash)
    user.password_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("a long password 1")
    session.flush()
    old = user.password_hash
    assert needs_rehash(old)
    authenticate(session, "older", "a long password 1")
    assert user.password_hash != old and not needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, "a long password 1")
    with pytest.raises(AuthError):  # a wrong password never rewrites the hash
        user.password_hash = old
        authenticate(session, "older", "wrong password here")
    assert user.password_hash == old
