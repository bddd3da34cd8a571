"""One crmdesk window per database file on one PC.

The first start takes a ``QLockFile`` in this PC's data folder (never a lock on the database
file: only SQLite may open that) and listens on a ``QLocalServer``; both are named by a hash of
the database's resolved location. A second start finds the lock taken, asks the first over a
``QLocalSocket`` to bring its window forward, says so and ends. A lock left by a crashed (killed)
instance is stale — its process is gone — and QLockFile takes it over.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from crmdesk import paths
from crmdesk.db.engine import to_url

log = logging.getLogger(__name__)

RAISE = b"raise\n"
_TIMEOUT_MS = 1000


def instance_key(location: str | Path) -> str:
    return "crmdesk-" + hashlib.sha256(to_url(location).encode("utf-8")).hexdigest()[:20]


def lock_path(location: str | Path) -> Path:
    folder = paths.data_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{instance_key(location)}.lock"


class InstanceGuard(QObject):
    """Held by the running app; ``raise_requested`` fires when a second start asks for the window."""

    raise_requested = Signal()

    def __init__(self, location: str | Path) -> None:
        super().__init__()
        self.key = instance_key(location)
        self._lock = QLockFile(str(lock_path(location)))
        # Stale means "its process is gone", never "old": a shop's app runs for weeks.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this process is now the database's one instance."""
        if not self._lock.tryLock(0):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                return False
            log.warning("cannot write the instance lock %s (%s); going on without it",
                        self._lock.fileName(), self._lock.error())
            return True
        self._listen()
        return True

    def _listen(self) -> None:
        QLocalServer.removeServer(self.key)  # a crashed instance's socket file (Unix)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            log.warning("cannot listen on %s: %s", self.key, server.errorString())
            return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll()).startswith(RAISE.strip()):
            self.raise_requested.emit()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()


def ask_first_instance_to_raise(location: str | Path) -> bool:
    """From a second start: ask the running instance to bring its window forward."""
    socket = QLocalSocket()
    socket.connectToServer(instance_key(location))
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(RAISE)
    socket.flush()
    socket.waitForBytesWritten(_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


def bring_forward(window_of: Callable[[], object | None]) -> Callable[[], None]:
    """A slot for ``raise_requested`` that shows, un-minimises and activates the current window."""
    def handler() -> None:
        window = window_of()
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
    return handler
