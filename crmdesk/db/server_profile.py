"""The shop server this PC connects to: host, port, database and user in the user config folder
(``server.json``), the password in the operating system's keyring (``keyring``: Windows
Credential Manager, macOS Keychain, Secret Service on Linux) — never in a file or on a command
line. ``crmdesk`` without ``--db`` opens this server when a profile is saved.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from crmdesk import paths

log = logging.getLogger(__name__)
PROFILE_FILE = "server.json"
KEYRING_SERVICE = "crmdesk"
DEFAULT_PORT = 5432
DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 5


class ProfileError(RuntimeError):
    """The profile cannot be used (no password stored, the keyring is not available)."""


@dataclass(frozen=True)
class ServerProfile:
    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT

    @property
    def keyring_name(self) -> str:
        """The keyring entry's user name: one password per role on each server and database."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL; without a password the engine takes it from the keyring (see
        ``password_for``), so the URL can be logged and shown."""
        host, query = self.host, {"connect_timeout": str(CONNECT_TIMEOUT_S)}
        if host.startswith("/"):  # a Unix socket folder (a server on this machine)
            host, query = None, {**query, "host": self.host}
        return URL.create(DRIVER, username=self.user, password=password or None, host=host,
                          port=self.port if host else None, database=self.database,
                          query=query).render_as_string(hide_password=False)


def _profile_path() -> Path:
    return paths.config_dir() / PROFILE_FILE


def load_profile() -> ServerProfile | None:
    path = _profile_path()
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServerProfile(host=str(data["host"]), database=str(data["database"]), user=str(data["user"]),
                             port=int(data.get("port", DEFAULT_PORT)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the unreadable server profile %s: %s", path, exc)
        return None


def save_profile(profile: ServerProfile, password: str) -> None:
    """The profile into the config folder, the password into the keyring."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, profile.keyring_name, password)
    except KeyringError as exc:
        raise ProfileError(f"the password could not be stored in the system keyring: {exc}") from exc
    path = _profile_path()
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(asdict(profile), ensure_ascii=False, indent=2), encoding="utf-8")
    part.replace(path)


def forget_profile() -> None:
    """Back to the shop file on this PC: the profile and its stored password go."""
    profile = load_profile()
    if profile is not None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, profile.keyring_name)
        except (PasswordDeleteError, KeyringError):
            pass
    _profile_path().unlink(missing_ok=True)


def stored_password(profile: ServerProfile) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, profile.keyring_name)
    except KeyringError as exc:
        log.warning("the system keyring could not be read: %s", exc)
        return None


def saved_server_url() -> str | None:
    """The saved server's URL (no password in it); None when no profile is saved."""
    profile = load_profile()
    return profile.url() if profile is not None else None


def password_for(url: str) -> str | None:
    """The keyring's password for a URL without one that names the saved server, else None.
    Only the saved profile's server is looked up: other URLs never touch the keyring."""
    parsed = make_url(url)
    if parsed.password is not None:
        return None
    profile = load_profile()
    if profile is None or parsed.database != profile.database or parsed.username != profile.user:
        return None
    if parsed.host is None:
        if parsed.query.get("host") != profile.host:
            return None
    elif parsed.host != profile.host or (parsed.port or DEFAULT_PORT) != profile.port:
        return None
    return stored_password(profile)


@dataclass(frozen=True)
class ProbeResult:
    server_version: str
    revision: str | None  # the crmdesk schema revision; None: an empty database
    can_write: bool  # the role may change shop data (or, on an empty database, create the schema)


def probe(url: str) -> ProbeResult:
    """Connect once and report what "Test connection" shows. Raises the driver's error."""
    engine = create_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            tables = set(inspect(conn).get_table_names())
            revision = None
            if "alembic_version" in tables:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if "customers" in tables:
                can_write = bool(conn.execute(text(
                    "SELECT has_table_privilege(current_user, 'customers', 'INSERT, UPDATE, DELETE')")).scalar())
            else:
                can_write = bool(conn.execute(text(
                    "SELECT has_schema_privilege(current_user, current_schema(), 'CREATE')")).scalar())
        return ProbeResult(server_version=str(version), revision=revision, can_write=can_write)
    finally:
        engine.dispose()
