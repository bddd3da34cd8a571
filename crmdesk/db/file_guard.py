"""Keep everything but SQLite away from an open database file in this process.

SQLite's locks on POSIX are ``fcntl`` locks, which belong to the process: closing *any*
descriptor of the database file drops all of them. A process that opened and closed the file
for any reason (copying it, hashing it, a file dialog sniffing its type) looks to the next
``crmdesk`` command like a process that is gone; that command then checkpoints and deletes the
``-wal`` file, and this process's next writes land in a deleted file (lost).

While this process holds a SQLite connection to a file, wrappers around Python's ``open`` refuse every
Python-level ``open`` (``open()``, ``os.open``, ``Path.read_bytes``, ``shutil.copy``, pandas,
openpyxl, numpy …) of that file or its ``-wal``/``-shm``/``-journal``, and every rename onto it,
with :class:`DatabaseFileInUseError` (an ``OSError``, so callers that report unreadable files
report this one too). C++ code such as Qt's file dialog does not pass through the hook: the UI
keeps its file dialogs from reading files (``crmdesk/ui/widgets/file_dialogs.py``).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

from crmdesk.i18n import _

SIDE_SUFFIXES = ("", "-wal", "-shm", "-journal")

_lock = threading.Lock()
_open_counts: Counter[str] = Counter()  # real path of a database file → open SQLite connections
_names: frozenset[str] = frozenset()  # real paths of the guarded files and their side files
_inodes: frozenset[tuple[int, int]] = frozenset()  # (device, inode) of the guarded database files
_hook_installed = False
_busy = threading.local()


class DatabaseFileInUseError(PermissionError):
    """Something other than SQLite tried to open (or replace) an open database file."""


def _real(path: str | Path) -> str:
    return os.path.realpath(os.fspath(path))


def _rebuild() -> None:
    global _names, _inodes
    names, inodes = set(), set()
    for path in _open_counts:
        names.update(path + suffix for suffix in SIDE_SUFFIXES)
        try:
            st = os.stat(path)
            inodes.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    _names, _inodes = frozenset(names), frozenset(inodes)


def connection_opened(path: str | Path) -> None:
    """A SQLite connection to ``path`` was opened (called by the engine's connect event)."""
    global _hook_installed
    real = _real(path)
    with _lock:
        _open_counts[real] += 1
        _rebuild()
        if not _hook_installed:
            _install_wrappers()
            _hook_installed = True


def connection_closed(path: str | Path) -> None:
    real = _real(path)
    with _lock:
        _open_counts[real] -= 1
        if _open_counts[real] <= 0:
            del _open_counts[real]
        _rebuild()


def guarded_files() -> list[Path]:
    """The database files this process has open through SQLite now."""
    return [Path(p) for p in sorted(_open_counts)]


def is_database_file(path: str | Path) -> bool:
    """True when ``path`` is (a link to) an open database file or one of its side files."""
    names, inodes = _names, _inodes
    if not names:
        return False
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    absolute = os.path.abspath(text)
    if absolute in names:
        return True
    base = os.path.basename(absolute)
    if any(os.path.basename(n) == base for n in names) and _real(absolute) in names:
        return True  # the same file reached through a symlinked folder
    try:
        st = os.stat(absolute)
    except (OSError, ValueError):
        return False
    return (st.st_dev, st.st_ino) in inodes  # a hard link or symlink under another name


def refuse_database_file(path: str | Path) -> None:
    """Raise when ``path`` is an open database file (for code that wants to say so early)."""
    if is_database_file(path):
        raise DatabaseFileInUseError(
            _("{path} is the open crmdesk database: only crmdesk's database engine may read or "
              "write it; choose another file").format(path=os.fspath(path)))


def _check(path) -> None:
    if not _names or getattr(_busy, "on", False) or path is None or isinstance(path, int):
        return
    _busy.on = True
    try:
        refuse_database_file(path)
    finally:
        _busy.on = False


def _install_wrappers() -> None:
    """Wrap Python's ways of opening or replacing a file by name: ``open``/``io.open`` (pathlib,
    shutil, zipfile, pandas and openpyxl reach files through these at call time), ``os.open`` and
    the renames and links onto a name.

    Why not a ``sys.addaudithook``: it sees more (C-level ``FileIO``), but every audited event of
    the whole process then pays a Python call — many thousands per repaint in the GUI, about
    40 ms per customer-list keystroke at 100,000 customers (bench/customers_bench.py)."""
    import builtins
    import io

    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, *args, **kwargs):
        _check(file)
        return real_open(file, *args, **kwargs)

    def guarded_os_open(path, *args, **kwargs):
        _check(path)
        return real_os_open(path, *args, **kwargs)

    def onto(real):
        def guarded(src, dst, *args, **kwargs):
            _check(dst)
            return real(src, dst, *args, **kwargs)
        return guarded

    builtins.open = io.open = guarded_open
    os.open = guarded_os_open
    for name in ("rename", "replace", "link", "symlink"):
        setattr(os, name, onto(getattr(os, name)))
