"""The main window: navigation list on the left, the pages in a stack, menus,
status bar. Pages are built on first show from crmdesk.ui.pages; the window
knows nothing else about them (they refresh themselves from the change bus).
It shows only the pages and menu entries the logged-in role may use; "Switch user…"
asks for another login and the app builds a new window for that actor
(``switch_user_requested``; see ``crmdesk.ui.app``)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QScrollArea,
                               QStackedWidget, QWidget)

from crmdesk.i18n import _
from crmdesk.paths import config_dir, log_dir
from crmdesk.ui.context import AppContext
from crmdesk.services.permissions import can
from crmdesk.ui.pages import PageEntry, load_factory, pages_for
from crmdesk.ui.placeholder_page import ComingPage, ErrorPage
from crmdesk.ui.widgets.backup_action import back_up_with_dialog
from crmdesk.ui.widgets.icons import icon
from crmdesk.ui.widgets.screen_fit import fit_to_screen

log = logging.getLogger(__name__)

WINDOW_SETTINGS_FILE = "window.ini"
DEFAULT_SIZE = QSize(1280, 800)
NAV_STYLE = """
QListWidget#navigation { font-size: 11pt; border: none; outline: 0; border-right: 1px solid #d0d8e4; background: #eef2f7; }
QListWidget#navigation::item { padding: 8px 6px; border-radius: 4px; color: #1f2d3d; }
QListWidget#navigation::item:hover { background: #e0e8f3; }
QListWidget#navigation::item:selected { background: #cddcf0; color: #12325c; font-weight: bold; }
"""


def window_settings() -> QSettings:
    """Window geometry/state only, as an INI file in crmdesk's config folder (so tests,
    which set CRMDESK_HOME, never touch the user's real settings)."""
    return QSettings(str(config_dir() / WINDOW_SETTINGS_FILE), QSettings.Format.IniFormat)


def user_text(actor) -> str:
    """The status bar's "王老板 (店主)"."""
    return _("{user} ({role})").format(user=actor.display_name or actor.username, role=_(actor.role))


class MainWindow(QMainWindow):
    # File → Switch user…: the app logs the next user in and replaces this window.
    switch_user_requested = Signal()

    def __init__(self, ctx: AppContext, pages: Sequence[PageEntry] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # Only what the role may use (hiding is a convenience: the services refuse anyway).
        self.entries = pages_for(ctx.actor, pages)
        self._pages: dict[str, QWidget] = {}
        self._holders: dict[str, QScrollArea] = {}  # each page sits in a scroll area (see _hold)
        self.setWindowIcon(icon("crmdesk"))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setSpacing(2)
        self.nav.setFixedWidth(176)
        self.nav.setStyleSheet(NAV_STYLE)
        for entry in self.entries:
            item = QListWidgetItem(icon(entry.key), _(entry.title))
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setToolTip(f"{_(entry.title)} ({entry.shortcut})")
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        ctx.bus.show_page_requested.connect(self.show_page)
        ctx.bus.open_customer_requested.connect(self.open_customer)
        ctx.bus.status_message.connect(self._show_status)
        # Other PCs' imports and edits refresh the open screens (issue 13).
        from crmdesk.ui.live_refresh import LiveRefresh

        self.live_refresh = LiveRefresh(ctx, self)
        self.live_refresh.start()
        self.nav.currentRowChanged.connect(self._on_nav_row)
        self.restore_window_state()

    # --- pages ----------------------------------------------------------------------------------
    def entry(self, key: str) -> PageEntry:
        for entry in self.entries:
            if entry.key == key:
                return entry
        raise KeyError(key)

    def page_widget(self, key: str) -> QWidget | None:
        """The page if it was built already."""
        return self._pages.get(key)

    def current_page_key(self) -> str | None:
        current = self.stack.currentWidget()
        return next((k for k, w in self._holders.items() if w is current), None)

    def current_page(self) -> QWidget | None:
        key = self.current_page_key()
        return self._pages.get(key) if key else None

    def show_page(self, key: str) -> QWidget | None:
        """Show a page by key (building it on first use) and activate it."""
        try:
            entry = self.entry(key)
        except KeyError:
            log.warning("unknown page %r requested", key)
            return None
        widget = self._pages.get(key)
        if widget is None:
            widget = self._build_page(entry)
            self._pages[key] = widget
            self._holders[key] = self._hold(widget)
            self.stack.addWidget(self._holders[key])
        self.stack.setCurrentWidget(self._holders[key])
        row = self.entries.index(entry)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        self.setWindowTitle(f"{_(entry.title)} — crmdesk")
        self._activate(key, widget)
        return widget

    def _on_nav_row(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.show_page(self.entries[row].key)

    @staticmethod
    def _hold(page: QWidget) -> QScrollArea:
        """A page wider or taller than the screen scrolls instead of forcing the window
        beyond a small laptop's screen; otherwise it fills the space as usual."""
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QScrollArea.Shape.NoFrame)
        holder.setWidget(page)
        return holder

    def _build_page(self, entry: PageEntry) -> QWidget:
        title = _(entry.title)
        if entry.factory is None:
            return ComingPage(entry.key, title)
        try:
            widget = load_factory(entry.factory)(self.ctx)
            if not isinstance(widget, QWidget):
                raise TypeError(f"{entry.factory} returned {type(widget).__name__}, not a QWidget")
        except Exception as exc:  # noqa: BLE001 - a broken page must not take the app down
            log.exception("page %s (%s) could not be built", entry.key, entry.factory)
            return ErrorPage(entry.key, title, exc, traceback.format_exc())
        return widget

    def _activate(self, key: str, widget: QWidget) -> None:
        hook = getattr(widget, "activate", None)
        if not callable(hook) or isinstance(widget, (ComingPage, ErrorPage)):
            return
        try:
            hook()
        except Exception:  # noqa: BLE001 - reported by the error hook, the window stays usable
            log.error("page %s failed to activate", key)
            sys.excepthook(*sys.exc_info())

    def open_customer(self, customer_id: int) -> None:
        page = self.show_page("customers")
        hook = getattr(page, "open_customer", None)
        if callable(hook):
            hook(customer_id)
        else:
            self._show_status(_("The Customers page cannot open a customer yet."))

    # --- menus and status bar ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.backup_action = QAction(_("&Back up database…"), self)
        self.backup_action.triggered.connect(lambda: back_up_with_dialog(self, self.ctx))
        self.backup_action.setVisible(can(self.ctx.actor, "database.backup"))
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        self.password_action = QAction(_("&Change password…"), self)
        self.password_action.triggered.connect(self.change_password)
        self.password_action.setEnabled(self.ctx.actor.user_id is not None)
        file_menu.addAction(self.password_action)
        self.switch_user_action = QAction(_("S&witch user…"), self)
        self.switch_user_action.triggered.connect(self.switch_user_requested)
        file_menu.addAction(self.switch_user_action)
        file_menu.addSeparator()
        self.quit_action = QAction(_("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        go_menu = bar.addMenu(_("&Go"))
        self.page_actions: dict[str, QAction] = {}
        for entry in self.entries:
            action = QAction(icon(entry.key), _(entry.title), self)
            action.setShortcut(QKeySequence(entry.shortcut))
            action.triggered.connect(lambda _checked=False, key=entry.key: self.show_page(key))
            go_menu.addAction(action)
            self.page_actions[entry.key] = action

        help_menu = bar.addMenu(_("&Help"))
        self.about_action = QAction(_("&About crmdesk"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)
        self.log_action = QAction(_("Open &log folder"), self)
        self.log_action.triggered.connect(self.open_log_folder)
        help_menu.addAction(self.log_action)

    def _build_status_bar(self) -> None:
        self.user_label = QLabel(user_text(self.ctx.actor))
        self.user_label.setObjectName("user")
        self.db_label = QLabel(self.ctx.db.describe())
        self.db_label.setToolTip(_("Database file"))
        status = self.statusBar()
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.db_label)

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    def change_password(self):
        """File → Change password…: the dialog (returned for tests), shown modal."""
        from crmdesk.ui.password_dialog import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.ctx, self)
        dialog.open()
        return dialog

    def close_for_switch(self) -> bool:
        """Close this window for another user (pages ask about unsaved forms); False if one stays."""
        return self.close()

    def show_about(self) -> None:
        from crmdesk.ui.about_dialog import AboutDialog

        AboutDialog(self.ctx.db, self).exec()

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))

    # --- window state -------------------------------------------------------------------------------
    def restore_window_state(self) -> None:
        settings = window_settings()
        geometry = settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            # First start: 1280×800, but never larger than a small laptop's screen, frame included.
            fit_to_screen(self, DEFAULT_SIZE)
        state = settings.value("main/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        last = settings.value("main/page")
        keys = [e.key for e in self.entries]
        if keys:
            self.show_page(last if last in keys else keys[0])

    def save_window_state(self) -> None:
        settings = window_settings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        settings.setValue("main/page", self.current_page_key() or "")
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.live_refresh.stop()
        self.save_window_state()
        super().closeEvent(event)
