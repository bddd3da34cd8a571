"""Backups and restores asked for by a person or the scheduler are checked and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmdesk.db.models import AuditLog
from crmdesk.services.actor import Actor
from crmdesk.services.backups import back_up, restore
from crmdesk.services.permissions import PermissionDenied


def _audit_actions(db) -> list[tuple[str, str]]:
    with db.sessions() as s:
        return [(a.action, a.old_value) for a in s.scalars(select(AuditLog).where(AuditLog.entity == "database"))]


def test_backup_and_restore_are_audited_and_checked(db, owner, tmp_path):
    copy = back_up(db, tmp_path / "copy.db", actor=Actor.scheduler()).path
    assert copy.exists()
    assert ("backup", "scheduler") in _audit_actions(db)
    counter = Actor(user_id=None, username="clerk", role="counter")
    with pytest.raises(PermissionDenied):
        back_up(db, tmp_path / "no.db", actor=counter)
    assert not (tmp_path / "no.db").exists()
    manager = Actor(user_id=None, username="boss2", role="manager")
    with pytest.raises(PermissionDenied):
        restore(db, copy, actor=manager)
    restore(db, copy, actor=owner)
    # The restored data holds the restore's own record (the copy was made before it).
    assert ("restore", owner.username) in _audit_actions(db)


def test_a_backup_onto_the_open_database_itself_is_refused(db, owner):
    from crmdesk.db.backup import BackupNotSupportedError

    size = db.file_path.stat().st_size
    for target in (db.file_path, db.file_path.with_name(db.file_path.name + "-wal")):
        with pytest.raises(BackupNotSupportedError, match="open database itself"):
            back_up(db, target, actor=owner)
    assert db.file_path.stat().st_size == size
    assert not list(db.file_path.parent.glob("*.part"))
