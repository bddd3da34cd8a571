"""Ctrl+C in any table view of the app copies the selected cells as tab-separated text through
``core.table_out`` — the one writer of tables that leave the app — so a customer named
``=HYPERLINK(…)`` pastes into Excel as text. (Qt's own Ctrl+C copies the current cell raw.)"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication

from crmdesk.core.table_out import tsv_text


def selection_text(view: QAbstractItemView) -> str | None:
    """The selected cells (their bounding rows × columns, hidden columns left out) as TSV with the
    column headers when more than one cell is copied; None when nothing is selected."""
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return None
    indexes = [i for i in selection.selectedIndexes() if i.isValid()]
    if not indexes and view.currentIndex().isValid():
        indexes = [view.currentIndex()]
    if not indexes:
        return None
    hidden = getattr(view, "isColumnHidden", lambda _c: False)
    rows = sorted({i.row() for i in indexes})
    columns = sorted({i.column() for i in indexes if not hidden(i.column())})
    if not columns:
        return None
    parent = indexes[0].parent()

    def shown(row: int, column: int) -> str:
        value = model.data(model.index(row, column, parent), Qt.ItemDataRole.DisplayRole)
        return "" if value is None else str(value)

    body = [[shown(r, c) for c in columns] for r in rows]
    if len(rows) * len(columns) == 1:
        return tsv_text(body[0], [])
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
               for c in columns]
    return tsv_text(headers, body)


class TableCopy(QObject):
    """Application-wide filter: the Copy shortcut on an item view (or its viewport)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not event.matches(
                QKeySequence.StandardKey.Copy):
            return False
        view = watched if isinstance(watched, QAbstractItemView) else None
        if view is None and isinstance(watched.parent(), QAbstractItemView):
            view = watched.parent()
        if view is None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not a window shortcut's
            return True
        text = selection_text(view)
        if text is not None:
            QGuiApplication.clipboard().setText(text)
        return True


_filter: TableCopy | None = None


def install_table_copy() -> None:
    """Install (once) the filter on the running application."""
    global _filter
    app = QApplication.instance()
    if app is None or _filter is not None:
        return
    _filter = TableCopy(app)
    app.installEventFilter(_filter)
