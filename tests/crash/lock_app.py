"""The app in a process of its own, driven line by line over stdin, for the lock test.

    python tests/crash/lock_app.py DB MODE

MODE ``safe`` opens the app's file dialogs the way the app does (crmdesk/ui/widgets/
file_dialogs.py); ``qt-default`` opens a plain QFileDialog (what the app did before, Qt sniffing
the files it lists); ``c-open`` does what ``safe`` does and then opens and closes the database
file from C, as any library in the process could. The last two must lose writes: they prove
the test can fail.

Commands (one per line; each answers one line of JSON):
    log TEXT   save a contact-log entry with subject TEXT, as the owner, through the service
    dialogs    open every kind of file dialog the app has, point it at the database folder, close
    seen       the subjects of the contact-log entries this process sees
    quit
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog  # noqa: E402
from sqlalchemy import select  # noqa: E402

from crmdesk.db import open_database  # noqa: E402
from crmdesk.db.models import Customer, Interaction  # noqa: E402
from crmdesk.services.actor import actor_for_user  # noqa: E402
from crmdesk.services.interactions import InteractionInput, log_interaction  # noqa: E402
from crmdesk.ui.context import AppContext  # noqa: E402
from crmdesk.ui.main_window import MainWindow  # noqa: E402
from crmdesk.ui.widgets import backup_action, file_dialogs  # noqa: E402

LISTING_MS = 700  # long enough for the dialog's file-system model to list the folder


def close_dialogs_in(folder: Path, app: QApplication, opened: list[str]) -> None:
    """Whenever a file dialog is up: show it the database folder, let it list it, close it."""

    def poll() -> None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QFileDialog) and widget.isVisible() and widget.property("driven") is None:
                widget.setProperty("driven", True)
                widget.setDirectory(str(folder))
                opened.append(widget.windowTitle())
                QTimer.singleShot(LISTING_MS, widget.reject)
        QTimer.singleShot(30, poll)

    QTimer.singleShot(0, poll)


def open_every_dialog(window: MainWindow, ctx: AppContext, mode: str, db_file: Path) -> list[str]:
    opened: list[str] = []
    folder = db_file.parent
    close_dialogs_in(folder, QApplication.instance(), opened)
    if mode == "qt-default":
        for accept in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
            dialog = QFileDialog(window, "plain", str(folder))
            dialog.setAcceptMode(accept)
            dialog.exec()
        return opened
    # Every file dialog in crmdesk/ui goes through these four (tests/test_db_locks_dialogs.py
    # checks that no other code in crmdesk/ui makes one); the backup one through its real action.
    backup_action.back_up_with_dialog(window, ctx)
    file_dialogs.get_save_file_name(window, "export", str(folder / "customers.xlsx"), "Excel (*.xlsx)")
    file_dialogs.get_open_file_name(window, "import contacts", str(folder), "All files (*)")
    file_dialogs.get_open_file_names(window, "attach", str(folder), "All files (*)")
    file_dialogs.get_existing_directory(window, "statements", str(folder))
    if mode == "c-open":
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.open(str(db_file).encode(), os.O_RDONLY)
        libc.close(fd)
    return opened


def main() -> int:
    db_file, mode = Path(sys.argv[1]), sys.argv[2]
    app = QApplication([])
    db = open_database(db_file)
    with db.sessions() as s:
        actor = actor_for_user(s, "owner")
        customer_id = s.scalars(select(Customer.id).order_by(Customer.id)).first()
    ctx = AppContext(db=db, actor=actor)
    window = MainWindow(ctx)
    window.show()
    app.processEvents()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command, _sp, arg = line.strip().partition(" ")
        if command == "log":
            with db.sessions.begin() as s:
                log_interaction(s, actor, customer_id, InteractionInput(channel="call", subject=arg))
            answer = {"ok": True}
        elif command == "dialogs":
            answer = {"opened": open_every_dialog(window, ctx, mode, db_file)}
        elif command == "seen":
            with db.sessions() as s:
                answer = {"seen": sorted(s.scalars(select(Interaction.subject).where(
                    Interaction.subject.like("lock-%"))))}
        elif command == "quit":
            window.close()
            db.dispose()
            print(json.dumps({"bye": True}), flush=True)
            return 0
        else:
            answer = {"error": f"unknown command {command}"}
        app.processEvents()
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
