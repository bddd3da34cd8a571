"""Logging in at start, where the login dialog may switch to a shop server first."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QWidget

from crmdesk.db import Database
from crmdesk.services.actor import Actor
from crmdesk.ui.login_dialog import RECONNECT, LoginDialog

log = logging.getLogger(__name__)


def log_in_or_connect(db: Database, parent: QWidget | None = None) -> tuple[Database, Actor | None]:
    """The login dialog until someone logs in or cancels. When the user saves a shop server in it
    ("Shop server…"), that database is opened (set up or upgraded as usual) and the login asked
    there; the database left behind is closed. Returns the database logged in to and the user
    (None: cancelled)."""
    from crmdesk.ui.app import open_database_or_explain

    while True:
        dialog = LoginDialog(db, parent)
        code = dialog.exec()
        if code == RECONNECT and dialog.reconnect_url:
            opened = open_database_or_explain(dialog.reconnect_url, parent)
            if opened is not None:
                log.info("switched to the shop server %s", opened.describe())
                db.dispose()
                db = opened
            continue
        if code != QDialog.DialogCode.Accepted:
            return db, None
        return db, dialog.actor
