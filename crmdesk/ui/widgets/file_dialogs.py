"""Every file dialog of the app, in one place, kept away from the database.

Qt's file dialog reads the first bytes of each file it lists to pick an icon and a type
(QMimeDatabase). On POSIX that opens and closes the database file in this process, which drops
SQLite's locks on it (see ``crmdesk/db/file_guard.py``): another crmdesk process then deletes the
``-wal`` file that this one still writes into. So the dialogs here
- are Qt's own (on POSIX a native dialog runs GTK's file chooser in this process, which sniffs
  too; on Windows locks belong to handles, not to the process, and the native dialog stays),
- get icons and types from the file name only (``_NameOnlyIcons``),
- start in the folder last used, else Documents — never in the database's folder,
- refuse a file in the database's folder (or a folder that is it) and ask again.
The functions take and return what ``QFileDialog``'s static functions do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QFileInfo, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QMessageBox, QWidget

from crmdesk.db.file_guard import guarded_files, is_database_file
from crmdesk.i18n import _

_state = {"folder": ""}  # the folder the user last chose a file in (this run)


class _NameOnlyIcons(QFileIconProvider):
    """Icons and type names without reading the file (the default provider sniffs content)."""

    def icon(self, what):  # noqa: D401 - Qt override
        if isinstance(what, QFileInfo):
            kind = QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File
            return super().icon(kind)
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return _("Folder")
        suffix = info.suffix()
        return _("{ext} file").format(ext=suffix.upper()) if suffix else _("File")


_ICONS: list[_NameOnlyIcons] = []  # one provider for the process, kept alive for Qt


def _icons() -> _NameOnlyIcons:
    if not _ICONS:
        _ICONS.append(_NameOnlyIcons())
    return _ICONS[0]


def database_folders() -> list[Path]:
    return [p.parent for p in guarded_files()]


def in_database_folder(path: str | Path, is_folder: bool = False) -> bool:
    """A path the dialogs refuse: a database file, a file directly in a database's folder,
    or (for folder choosers) the database's folder itself. Sub-folders (backups) are fine."""
    if not path:
        return False
    if is_database_file(path):
        return True
    here = Path(path) if is_folder else Path(path).parent
    try:
        here = here.resolve()
    except OSError:
        return False
    return any(here == folder.resolve() for folder in database_folders())


def documents_folder() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and os.path.isdir(docs) else str(Path.home())


def start_folder(suggested: str = "") -> str:
    """Where a dialog opens: the suggested path when it is safe, else the last-used folder,
    else Documents. A bare file name is put into that folder."""
    base = _state["folder"] if _state["folder"] and os.path.isdir(_state["folder"]) else documents_folder()
    if not suggested:
        return base
    path = Path(suggested)
    if not path.is_absolute():
        return str(Path(base) / path)
    folder = path if path.is_dir() else path.parent
    if in_database_folder(folder, is_folder=True):
        return str(Path(base) / path.name) if not path.is_dir() else base
    return suggested


def _dialog(parent: QWidget | None, title: str, start: str, filters: str) -> QFileDialog:
    dialog = QFileDialog(parent, title, start, filters)
    if sys.platform != "win32":
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setIconProvider(_icons())
    dialog.setObjectName("crmdeskFileDialog")
    return dialog


def _ask(parent, title, start, filters, mode, accept, selected_filter="", folder_only=False):
    """Run the dialog until the user picks something outside the database's folder or cancels."""
    start = start_folder(start)
    while True:
        dialog = _dialog(parent, title, start, filters)
        dialog.setFileMode(mode)
        dialog.setAcceptMode(accept)
        if folder_only:
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        if selected_filter:
            dialog.selectNameFilter(selected_filter)
        ok = dialog.exec() == QFileDialog.DialogCode.Accepted
        chosen = dialog.selectedFiles() if ok else []
        chosen_filter = dialog.selectedNameFilter()
        dialog.deleteLater()
        if not chosen:
            return [], ""
        if not any(in_database_folder(p, is_folder=folder_only) for p in chosen):
            first = Path(chosen[0])
            _state["folder"] = str(first if folder_only else first.parent)
            return chosen, chosen_filter
        QMessageBox.warning(parent, title, _(
            "This folder holds the crmdesk database. Please choose a file in another folder "
            "(for example Documents); to copy the database, use File → Back up database."))
        start = documents_folder()


def get_save_file_name(parent=None, caption: str = "", dir: str = "", filter: str = "",
                       selectedFilter: str = "") -> tuple[str, str]:
    chosen, used = _ask(parent, caption, dir, filter, QFileDialog.FileMode.AnyFile,
                        QFileDialog.AcceptMode.AcceptSave, selectedFilter)
    return (chosen[0], used) if chosen else ("", "")


def get_open_file_name(parent=None, caption: str = "", dir: str = "", filter: str = "",
                       selectedFilter: str = "") -> tuple[str, str]:
    chosen, used = _ask(parent, caption, dir, filter, QFileDialog.FileMode.ExistingFile,
                        QFileDialog.AcceptMode.AcceptOpen, selectedFilter)
    return (chosen[0], used) if chosen else ("", "")


def get_open_file_names(parent=None, caption: str = "", dir: str = "", filter: str = "",
                        selectedFilter: str = "") -> tuple[list[str], str]:
    chosen, used = _ask(parent, caption, dir, filter, QFileDialog.FileMode.ExistingFiles,
                        QFileDialog.AcceptMode.AcceptOpen, selectedFilter)
    return list(chosen), used


def get_existing_directory(parent=None, caption: str = "", dir: str = "") -> str:
    chosen, _used = _ask(parent, caption, dir, "", QFileDialog.FileMode.Directory,
                         QFileDialog.AcceptMode.AcceptOpen, folder_only=True)
    return chosen[0] if chosen else ""
