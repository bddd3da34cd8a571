"""The user's own preferences (language, last user name, sections added by
features such as sync): a small TOML file in the config folder. Qt-free so
that the CLI and scheduled jobs read the same settings as the GUI.

Window geometry is not kept here; that is Qt's business (QSettings).
"""

from __future__ import annotations

import logging
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from crmdesk.i18n import SUPPORTED
from crmdesk.paths import config_dir

log = logging.getLogger(__name__)

FILE_NAME = "settings.toml"
LANGUAGE = "language"  # "en", "zh_CN"; absent means follow the system
LAST_USERNAME = "last_username"


def config_path() -> Path:
    return config_dir() / FILE_NAME


def load() -> dict[str, Any]:
    """All settings; an unreadable or missing file counts as empty (and is logged)."""
    path = config_path()
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("ignoring unreadable settings file %s: %s", path, exc)
        return {}


def save(data: dict[str, Any]) -> None:
    """Write all settings at once (through a temporary file, so a crash never leaves half a file)."""
    path = config_path()
    text = tomli_w.dumps(data)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def get(key: str, default: Any = None) -> Any:
    return load().get(key, default)


def set_value(key: str, value: Any) -> None:
    """Set one top-level value; None removes it (TOML has no null)."""
    data = load()
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    save(data)


def section(name: str) -> dict[str, Any]:
    """A feature's own table, e.g. ``section("sync")``; empty if not set yet."""
    value = load().get(name, {})
    return dict(value) if isinstance(value, dict) else {}


def update_section(name: str, values: dict[str, Any]) -> None:
    """Merge ``values`` into a feature's table; keys with None are removed."""
    data = load()
    table = dict(data.get(name, {})) if isinstance(data.get(name), dict) else {}
    for key, value in values.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    data[name] = table
    save(data)


def language() -> str | None:
    """The chosen language, or None to follow the system."""
    value = get(LANGUAGE)
    return value if value in SUPPORTED else None


def set_language(value: str | None) -> None:
    if value is not None and value not in SUPPORTED:
        raise ValueError(f"unsupported language {value!r}; use one of {', '.join(SUPPORTED)}")
    set_value(LANGUAGE, value)


def last_username() -> str:
    value = get(LAST_USERNAME, "")
    return value if isinstance(value, str) else ""


def set_last_username(name: str) -> None:
    set_value(LAST_USERNAME, name.strip() or None)
