"""What every screen is handed: the open database, the logged-in actor, and
the change bus. Screens are given this, never the main window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from crmdesk.db import Database
from crmdesk.services.actor import Actor


class ChangeBus(QObject):
    """A service call's caller announces what changed; screens refresh themselves.

    ``changed`` carries a set of entity names ("customers", "sales_lines",
    "tasks", "interactions", "settings", "import_batches", …).
    """

    changed = Signal(object)
    status_message = Signal(str)
    # Any screen may ask to show a customer's form (drill-down, search, Today page);
    # the main window switches to the Customers page and opens it.
    open_customer_requested = Signal(int)
    # Ask the main window to show a page by its key in crmdesk.ui.pages.
    show_page_requested = Signal(str)

    def announce(self, *entities: str) -> None:
        self.changed.emit(set(entities))


@dataclass
class AppContext:
    db: Database
    actor: Actor
    bus: ChangeBus = field(default_factory=ChangeBus)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only session on the GUI thread."""
        with self.db.sessions() as session:
            yield session

    @contextmanager
    def write(self, *entities: str) -> Iterator[Session]:
        """One transaction; on success announces ``entities`` as changed. On SQLite, waits first
        (a busy dialog with Cancel) while another process's import writes the file."""
        from crmdesk.ui.live_refresh import wait_for_other_writer

        wait_for_other_writer(self)
        with self.db.sessions.begin() as session:
            yield session
        if entities:
            self.bus.announce(*entities)
