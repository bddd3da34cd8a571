"""Starting the GUI: the QApplication (language, Qt translations, CJK font),
the database, the login, then the main window. Split into steps so tests can
build the main window for an AppContext without an event loop."""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from crmdesk import __version__, userconfig
from crmdesk.commands.base import EXIT_NO_DATABASE, EXIT_OK
from crmdesk.db import Database, open_database
from crmdesk.i18n import _, language_from_environment, set_language
from crmdesk.logsetup import setup_logging
from crmdesk.paths import log_file
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import can
from crmdesk.ui.context import AppContext
from crmdesk.ui.error_hook import install_error_hook
from crmdesk.ui.login_dialog import LoginDialog
from crmdesk.ui.qt_fonts import apply_cjk_font
from crmdesk.ui.qt_translations import install_qt_translations
from crmdesk.ui.single_instance import bring_forward
from crmdesk.ui.widgets.icons import icon
from crmdesk.ui.widgets.table_copy import install_table_copy

if TYPE_CHECKING:
    from crmdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# The open main windows: a window made by "Switch user…" has no other Python owner.
_windows: set[MainWindow] = set()


# Qt 6's xcb plugin needs libraries a minimal Linux install may lack.
PLATFORM_HINT = ("on Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 "
                 "libxcb-keysyms1 libxcb-shape0 libegl1 fonts-noto-cjk (or run scripts/install-system-deps.sh --gui)")


def _forward_qt_messages(mode: QtMsgType, context, message: str) -> None:
    """Qt's own warnings go to crmdesk's log file, where support looks."""
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(mode, logging.ERROR)
    logging.getLogger("qt").log(level, "%s", message)
    if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        # Qt aborts right after a fatal message: say why on the terminal too, not only in the log.
        print(f"crmdesk: {message}", file=sys.stderr)
        if "platform plugin" in message:
            print(f"crmdesk: {PLATFORM_HINT}", file=sys.stderr)


def setup_gui_logging() -> None:
    """The rotating log file, with Qt's messages in it too."""
    setup_logging()
    qInstallMessageHandler(_forward_qt_messages)


def choose_language(lang: str | None) -> str:
    """The --lang argument, else CRMDESK_LANG, else the user's setting, else the system's."""
    return set_language(lang or language_from_environment() or userconfig.language())


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("crmdesk")
    app.setOrganizationName("crmdesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("crmdesk"))
    return app


def prepare_application(app: QApplication, lang: str | None) -> str:
    """Language, Qt's own translations, the CJK font for widgets (charts set theirs up when they
    draw, crmdesk.charts.fonts). Returns the language."""
    language = choose_language(lang)
    install_qt_translations(app, language)
    apply_cjk_font(app)
    return language


# What the main window and the rest of the session need, in that order; ~1 s of imports the login
# window does not need. Fine steps, so the thread can give way between them (``pause_ahead``).
AHEAD_STEPS = ("crmdesk.services.customer_query", "crmdesk.services.customers", "numpy", "pandas",
               "crmdesk.importers.detect", "crmdesk.importers", "crmdesk.services.backups", "crmdesk.rules",
               "matplotlib", "crmdesk.charts.fonts")
HEAVY_FROM = "numpy"
# The heavy steps start once the login dialog has been on screen this long, so that its first
# paint and keystrokes, and a login confirmed at once (a remembered user, Enter), do not share the
# GIL with pandas' import (a step cannot stop halfway): a typed password takes longer than this.
HEAVY_AFTER_LOGIN_SHOWN_MS = 250
_HEAVY_WAIT_AT_MOST_S = 2.0  # no dialog with an event loop (a path without login): go on anyway
_heavy_may_start = threading.Event()
_ahead: threading.Thread | None = None
_ahead_may_run = threading.Event()
_ahead_may_run.set()


def _import_main_window_needs() -> None:
    """A worker thread does the imports while the login dialog is built (its password hashing frees
    the GIL) and waits for the user, so neither window waits for them (bench/startup_bench.py).
    Only modules without Qt: Qt objects belong to the GUI thread."""
    import importlib

    try:
        for name in AHEAD_STEPS:
            if name == HEAVY_FROM:
                _heavy_may_start.wait(_HEAVY_WAIT_AT_MOST_S)
            _ahead_may_run.wait()  # the GUI thread is building the main window: it gets the GIL alone
            importlib.import_module(name)
        from crmdesk.charts.fonts import configure_matplotlib

        configure_matplotlib()
    except Exception:  # noqa: BLE001 - the main thread imports them again and reports a real failure
        log.exception("importing ahead of the main window failed")


def pause_ahead(paused: bool) -> None:
    """While the GUI thread builds and first paints the main window, the import-ahead thread waits
    (after the step it is in): two threads taking turns at the GIL made a login confirmed at once
    wait 0.3 s longer for its customer list. Whatever the window needs that was not loaded yet, the
    GUI thread imports itself."""
    if paused:
        _ahead_may_run.clear()
    else:
        _ahead_may_run.set()


def import_ahead() -> threading.Thread:
    global _ahead
    _ahead_may_run.set()
    _heavy_may_start.clear()
    # fires in the login dialog's event loop, i.e. once it is shown
    QTimer.singleShot(HEAVY_AFTER_LOGIN_SHOWN_MS, _heavy_may_start.set)
    _ahead = threading.Thread(target=_import_main_window_needs, name="crmdesk-import-ahead", daemon=True)
    _ahead.start()
    return _ahead


def open_database_or_explain(location: str, parent: QWidget | None = None) -> Database | None:
    """Open (and if needed upgrade) the database; on failure explain it in a dialog and return None."""
    try:
        return open_database(location)
    except Exception as exc:  # noqa: BLE001 - any driver or migration error ends in the same dialog
        log.exception("cannot open database %s", location)
        QMessageBox.critical(parent, _("Cannot open the database"),
                             _("crmdesk could not open its database:\n{location}\n\n{error}\n\n"
                               "Nothing was changed. Details are in the log file:\n{log}")
                             .format(location=location, error=exc, log=log_file()))
        return None


def log_in(db: Database, parent: QWidget | None = None) -> Actor | None:
    """Show the login (or first-start) dialog; None if the user cancelled."""
    dialog = LoginDialog(db, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor


def build_main_window(ctx: AppContext) -> MainWindow:
    from crmdesk.ui.main_window import MainWindow  # pandas and the pages: not before the login window

    window = MainWindow(ctx)
    install_error_hook(lambda: window)
    install_table_copy()  # Ctrl+C in a table goes through the one safe table writer
    if can(ctx.actor, "import.run"):  # the periodic inbox sync and its status
        when_loaded(window, lambda: _install_sync(window, ctx))
    window.switch_user_requested.connect(lambda: switch_user(window))
    _windows.add(window)
    window.destroyed.connect(lambda _obj=None: _windows.discard(window))
    return window


def when_loaded(window: MainWindow, fn) -> None:
    """``fn`` now, or — while the import-ahead thread is still loading pandas, the importers and the
    rules (a login confirmed at once) — once it is done, so the window and its first page neither
    wait for those imports nor take them over on the GUI thread."""
    if _ahead is None or not _ahead.is_alive():
        fn()
    else:
        QTimer.singleShot(20, window, lambda: when_loaded(window, fn))


def _install_sync(window: MainWindow, ctx: AppContext) -> None:
    from crmdesk.ui.importing.sync_controller import install_sync  # the importers: not before the first page

    install_sync(window, ctx)


def start_rules(ctx: AppContext):
    """After login: subscribe the process rules to the services' events (a customer saved, a
    case closed) and run the daily rules if this is the day's first start — off the GUI
    thread, so the window opens at once. Returns the background job (None if none started)."""
    import crmdesk.rules  # noqa: F401 - importing subscribes the rules to crmdesk.services.events
    from crmdesk.ui.background import run_in_background
    from crmdesk.ui.rules.run_now import CHANGED_BY_RUN, daily_job

    if not can(ctx.actor, "rules.run"):  # counter staff: the next seller's start (or the scheduler) runs them
        return None

    def done(results) -> None:
        if results and any(r.fired or r.cleared for r in results):
            ctx.bus.announce(*CHANGED_BY_RUN)
            fired = sum(r.fired for r in results)
            ctx.bus.status_message.emit(_("Daily rules: {n} new firings").format(n=fired))

    def failed(exc: Exception, _trace: str) -> None:
        log.warning("the daily rules did not run: %s", exc)

    return run_in_background(daily_job, ctx.db, ctx.actor, on_success=done, on_error=failed)


def switch_user(window: MainWindow) -> MainWindow | None:
    """File → Switch user…: log someone in, close ``window`` (its pages ask about unsaved
    forms) and open a new one for them. None, and ``window`` stays, when the login is
    cancelled or a form keeps the window open."""
    dialog = LoginDialog(window.ctx.db, window, switching=True)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
        return None
    app = QApplication.instance()
    quits = app.quitOnLastWindowClosed() if app is not None else False
    if app is not None:
        app.setQuitOnLastWindowClosed(False)  # between the two windows none is open
    try:
        if not window.close_for_switch():
            return None
        _retire(window)
        new = build_main_window(AppContext(db=window.ctx.db, actor=dialog.actor))
        new.show()
        start_rules(new.ctx)
    finally:
        if app is not None:
            app.setQuitOnLastWindowClosed(quits)
    log.info("switched user: %s → %s", window.ctx.actor.username, dialog.actor.username)
    return new


def _retire(window: MainWindow) -> None:
    """The old user's window goes, with its sync timer: nothing keeps working as them."""
    from crmdesk.ui.importing.sync_controller import SyncController

    for controller in window.ctx.bus.findChildren(SyncController):
        controller.shutdown()
    _windows.discard(window)
    window.deleteLater()


def run_gui(db_location: str, lang: str | None) -> int:
    setup_gui_logging()
    app = create_application()
    from crmdesk.ui.startup_probe import install_startup_probe  # bench/startup_bench.py; off unless asked

    install_startup_probe(app)
    language = prepare_application(app, lang)
    install_error_hook()
    log.info("crmdesk %s starting (language %s, database %s)", __version__, language, db_location)
    # One window per database file; intact before it is opened (or migrated); a backup each day.
    from crmdesk.ui.startup_checks import (begin_check, claim_instance, closed_cleanly, daily_backup,
                                           must_wait_before_open, settle_check)

    guard = claim_instance(db_location)
    if guard is None:
        return EXIT_OK
    guard.raise_requested.connect(bring_forward(lambda: next(iter(_windows), None)))
    check = begin_check(db_location)  # a quick check runs on while the user logs in
    intact = settle_check(check) if not check.pending or must_wait_before_open(check) else True
    db = open_database_or_explain(db_location) if intact else None
    if db is None:
        closed_cleanly(db_location, guard, intact)
        return EXIT_NO_DATABASE
    try:
        if check.settled:
            daily_backup(db)  # never a copy of a file not yet known to be intact
        from crmdesk.ui.connect_flow import log_in_or_connect  # "Shop server…" may switch the database

        import_ahead()  # while the login dialog is built (its password hashing frees the GIL) and waits
        db, actor = log_in_or_connect(db)
        if actor is None:
            return EXIT_OK
        if not check.settled and db.file_path is not None:
            if not check.wait_ok():
                db.dispose()  # a backup may be restored onto the file: no connection of ours stays open
                db = None
            intact = settle_check(check)
            if db is None:
                db = open_database_or_explain(db_location) if intact else None
                if db is None:
                    return EXIT_NO_DATABASE
            daily_backup(db)
        pause_ahead(True)
        try:
            window = build_main_window(AppContext(db=db, actor=actor))
            window.show()
            app.processEvents()  # its first paint, the customer list's rows included
        finally:
            pause_ahead(False)
        when_loaded(window, lambda: start_rules(window.ctx))
        code = app.exec()
        QThreadPool.globalInstance().waitForDone(10_000)  # let a running backup or import finish cleanly
        return code
    finally:
        QThreadPool.globalInstance().waitForDone(60_000)  # the day's backup, when the login was cancelled
        if db is not None:
            db.dispose()
        # A check still running (the login was cancelled) decides whether this close counts as clean.
        closed_cleanly(db_location, guard, intact and check.wait_ok())
