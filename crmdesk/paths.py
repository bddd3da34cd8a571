"""Where crmdesk keeps its files (platformdirs), overridable for tests and
portable installs with the CRMDESK_HOME environment variable."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "crmdesk"


def _home_override() -> Path | None:
    home = os.environ.get("CRMDESK_HOME")
    return Path(home) if home else None


def data_dir() -> Path:
    base = _home_override()
    path = base / "data" if base else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    base = _home_override()
    path = base / "logs" if base else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    base = _home_override()
    path = base / "config" if base else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "crmdesk.db"


def log_file() -> Path:
    return log_dir() / "crmdesk.log"
