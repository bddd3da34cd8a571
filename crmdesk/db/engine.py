"""Engine and sessions. The only module (with migrate/backup) that knows the
database may be SQLite; everything else sees a SQLAlchemy URL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crmdesk.db import change_feed

BUSY_TIMEOUT_MS = 10_000
PAGE_SIZE = 16_384


def to_url(db: str | Path) -> str:
    """A path (existing or not) becomes a SQLite URL; anything with ``://`` is a URL already."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    # Python's sqlite3 opens implicit transactions itself; let SQLAlchemy issue BEGIN
    # so that one import is one real transaction.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # Only a new, empty file takes it (it must precede WAL mode): 16 KiB pages write a million
    # imported lines with a quarter of the system calls, and reports scan fewer pages.
    cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache: reports scan a million lines
    cur.close()


def _on_sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def _guard_file(engine: Engine, path: Path) -> None:
    """While a connection is open, nothing else in this process may open the file: closing
    any descriptor of it would drop SQLite's locks (see ``file_guard``)."""
    from crmdesk.db import file_guard

    event.listen(engine, "connect", lambda *_: file_guard.connection_opened(path))
    event.listen(engine, "close", lambda *_: file_guard.connection_closed(path))
    event.listen(engine, "close_detached", lambda *_: file_guard.connection_closed(path))


def make_engine(db: str | Path, echo: bool = False) -> Engine:
    url = to_url(db)
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        if path is not None:
            _guard_file(engine, path)
        change_feed.watch(engine)
        return engine
    # The saved shop server's password comes from the system keyring, so that no URL (a log
    # line, an error message, a shortcut) ever holds it.
    from crmdesk.db.server_profile import password_for

    password = password_for(url)
    engine = create_engine(url, echo=echo, pool_pre_ping=True,
                           connect_args={"password": password} if password else {})
    change_feed.watch(engine)  # every writing transaction bumps the committed change feed
    return engine


@dataclass
class Database:
    """An open database: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def file_path(self) -> Path | None:
        return sqlite_path(self.url)

    def describe(self) -> str:
        """The data file's location, or the URL without its password."""
        path = self.file_path
        return str(path) if path else make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def connect(db: str | Path, echo: bool = False) -> Database:
    """Open a database without touching its schema (see ``migrate.open_database``)."""
    url = to_url(db)
    engine = make_engine(url, echo=echo)
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
