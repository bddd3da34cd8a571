"""One rotating log file in the user log folder, set up once at start."""

from __future__ import annotations

import logging
import logging.handlers

from crmdesk.paths import log_file

_configured = False


def setup_logging(console: bool = False, level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(level)
    try:
        handler = logging.handlers.RotatingFileHandler(log_file(), maxBytes=2_000_000, backupCount=5,
                                                       encoding="utf-8")
    except OSError:  # a read-only profile must not stop the program
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if console:
        err = logging.StreamHandler()
        err.setLevel(logging.WARNING)
        err.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        root.addHandler(err)
