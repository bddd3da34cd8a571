"""``python -m crmdesk.ui.screenshots OUT_DIR`` (``make screenshots``): the app
in Chinese on a small demo shop, one PNG per page plus the login dialog and a
sample chart. Runs offscreen in a temporary CRMDESK_HOME, so the user's own
settings and data are never touched; a page that fails does not stop the rest."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("crmdesk.ui.screenshots")

WINDOW_SIZE = (1280, 800)
# Feature screenshots each page package makes itself: (name, "module:function", what it takes).
# The import one goes last because it imports a small file into the demo database.
EXTRA_SHOTS: list[tuple[str, str, str]] = [
    ("customers_detail", "crmdesk.ui.customers.screenshots:save_customer_screenshots", "ctx"),
    ("analysis_detail", "crmdesk.ui.analysis.screenshots:save_analysis_screenshots", "window"),
    ("settings_detail", "crmdesk.ui.settings.screenshots:save_settings_screenshots", "ctx"),
    ("rules_detail", "crmdesk.ui.rules.screenshots:save_rules_screenshots", "ctx"),
    ("profit_detail", "crmdesk.ui.analysis.profit_shots:save_profit_screenshots", "ctx"),
    # customers_list_1024, customer_form_1024, analysis_dashboard_1024: a shop monitor's 1024×700.
    ("small_screens", "crmdesk.ui.small_screen_shots:save_small_screen_shots", "window"),
    ("import_detail", "crmdesk.ui.importing.screenshots:save_import_screenshots", "ctx"),
]
SETTLE_TIMEOUT_S = 30.0
SETTLE_MS = 400  # after showing a page: time for its first paint and for it to start loading


def _settle(min_ms: int | None = None, widget=None) -> None:
    """Let background jobs finish and the GUI repaint. With ``widget``, also wait until
    its picture stops changing (pages that draw their charts one at a time on timers)."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtTest import QTest

    QTest.qWait(SETTLE_MS if min_ms is None else min(min_ms, SETTLE_MS))
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    pool = QThreadPool.globalInstance()
    previous = None
    stable = 0
    while time.monotonic() < deadline:
        if pool.activeThreadCount():
            QTest.qWait(50)
            continue
        if widget is None:
            break
        picture = widget.grab().toImage()
        stable = stable + 1 if previous is not None and picture == previous else 0
        if stable >= 2:
            break
        previous = picture
        QTest.qWait(min(250, SETTLE_MS))
    QTest.qWait(min(150, SETTLE_MS))


def _fit_page(window, page) -> None:
    """Screenshots at WINDOW_SIZE, unless a page needs more room (then it is said in the log)."""
    holder = page.parentWidget().parentWidget() if page.parentWidget() else None  # viewport → scroll area
    needed_w = page.minimumSizeHint().width() + (window.width() - (holder.width() if holder else window.width()))
    width = max(WINDOW_SIZE[0], needed_w)
    if width != window.width():
        if width > WINDOW_SIZE[0]:
            log.warning("page %s needs %d px, wider than %d", page.objectName() or type(page).__name__,
                        width, WINDOW_SIZE[0])
        window.resize(width, WINDOW_SIZE[1])


def _silence_modal_boxes() -> None:
    """A page that reports a problem with a message box must not block an unattended run."""
    from PySide6.QtWidgets import QMessageBox

    def logged(kind: str):
        def show(_parent, title, text, *args, **kwargs):
            log.warning("%s dialog suppressed: %s: %s", kind, title, text)
            return QMessageBox.StandardButton.Ok
        return show

    for kind in ("critical", "warning", "information", "question"):
        setattr(QMessageBox, kind, staticmethod(logged(kind)))
    sys.excepthook = lambda *exc: log.error("uncaught error while taking screenshots", exc_info=exc)


def build_demo_database(path: Path):
    """A migrated database with the demo shop when crmdesk.demo is available, else empty."""
    from crmdesk.db import open_database

    db = open_database(path)
    try:
        from crmdesk.demo import generate
    except ImportError as exc:
        log.warning("crmdesk.demo is not available (%s); screenshots show an empty database", exc)
        return db
    try:
        # Ending today: open opportunities, due tasks and overdue cases are counted from today, so a
        # history that ended months ago shows every card as stale and every task as overdue.
        generate(db, customers=300, lines=6000, seed=7, end_date=dt.date.today())
    except Exception:  # noqa: BLE001 - an empty database still gives useful screenshots
        log.exception("demo data could not be generated; screenshots show an empty database")
    return db


def owner_actor(db):
    """The demo's owner, or a new one in an empty database (its password only has to meet the
    rules: the screenshots never log in through the dialog)."""
    from crmdesk.services.actor import Actor, actor_for_username
    from crmdesk.services.users import create_first_owner, has_login_users

    with db.sessions.begin() as session:
        if not has_login_users(session):
            return Actor.from_user(create_first_owner(session, "owner", "screenshots", "店主"), session)
        return actor_for_username(session, None)


def demo_monthly_revenue(db, end: dt.date = dt.date(2026, 6, 30)):
    """The demo shop's last 12 months of revenue for the sample chart; the built-in sample if it has none."""
    import pandas as pd
    from sqlalchemy import select

    from crmdesk.charts.sample import sample_monthly_revenue
    from crmdesk.db.models import SalesLine
    from crmdesk.money import to_yuan_2

    start = (pd.Period(end, freq="M") - 11).start_time.date()
    with db.sessions() as session:
        rows = session.execute(select(SalesLine.order_date, SalesLine.amount)
                               .where(SalesLine.order_date >= start, SalesLine.order_date <= end)).all()
    if not rows:
        return sample_monthly_revenue(end)
    frame = pd.DataFrame(rows, columns=["order_date", "amount"])
    frame["month"] = pd.to_datetime(frame["order_date"]).dt.to_period("M").astype(str)
    units = frame.groupby("month")["amount"].sum()  # integer money units: exact sums
    return pd.DataFrame({"month": units.index, "revenue_yuan": [float(to_yuan_2(int(u))) for u in units]})


def take_screenshots(out_dir: Path) -> dict[str, Path | Exception]:
    from PySide6.QtWidgets import QWidget

    from crmdesk.charts.sample import monthly_revenue_figure
    from crmdesk.ui.app import create_application, prepare_application
    from crmdesk.ui.context import AppContext
    from crmdesk.ui.login_dialog import LoginDialog
    from crmdesk.ui.main_window import MainWindow
    from crmdesk.ui.pages import PAGES
    from crmdesk.ui.widgets.chart_canvas import ChartCanvas
    from crmdesk.ui.widgets.grab import save_grab

    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application([sys.argv[0]])
    prepare_application(app, "zh_CN")
    _silence_modal_boxes()
    results: dict[str, Path | Exception] = {}

    def attempt(name: str, make) -> None:
        try:
            results[name] = make()
            log.info("saved %s", results[name])
        except Exception as exc:  # noqa: BLE001 - one failure must not stop the other shots
            log.exception("screenshot %s failed", name)
            results[name] = exc

    db = build_demo_database(Path(os.environ["CRMDESK_HOME"]) / "demo.db")
    try:
        ctx = AppContext(db=db, actor=owner_actor(db))

        def login_shot() -> Path:
            dialog = LoginDialog(db)
            dialog.username.setText(ctx.actor.username)
            dialog.password.setText("demo")
            dialog.show()
            _settle(200)
            try:
                return save_grab(dialog, out_dir / "login.png")
            finally:
                dialog.close()

        attempt("login", login_shot)

        window = MainWindow(ctx)
        window.resize(*WINDOW_SIZE)
        window.show()
        _settle()
        for entry in PAGES:
            def page_shot(key: str = entry.key) -> Path:
                page = window.show_page(key)
                if not isinstance(page, QWidget):
                    raise RuntimeError(f"page {key} could not be shown")
                _settle()
                _fit_page(window, page)
                _settle(widget=window)
                return save_grab(window, out_dir / f"{key}.png")

            attempt(entry.key, page_shot)

        def chart_shot() -> Path:
            canvas = ChartCanvas()
            canvas.resize(900, 520)
            canvas.set_figure(monthly_revenue_figure(demo_monthly_revenue(db)))
            canvas.show()
            _settle(200)
            try:
                return canvas.export(out_dir / "chart_sample.png", dpi=110)
            finally:
                canvas.close()

        attempt("chart_sample", chart_shot)
        for name, spec, takes in EXTRA_SHOTS:
            def extra_shot(spec: str = spec, takes: str = takes):
                from crmdesk.ui.pages import load_factory

                _settle()
                saved = load_factory(spec)(window if takes == "window" else ctx, out_dir)
                _settle(100)
                return saved

            attempt(name, extra_shot)
        window.close()
        _settle(100)
    finally:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(int(SETTLE_TIMEOUT_S * 1000))
        db.dispose()
    return results


def run_alone(save: Callable[[Any, Path], dict[str, Path]], argv: Sequence[str] | None, expected: int) -> int:
    """``main`` of a page package's own screenshot script: ``save(ctx, out_dir)`` over a temporary
    demo shop in Chinese; 1 unless at least ``expected`` shots were saved."""
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = Path(args[0] if args else "docs/screenshots").resolve()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="crmdesk-shots-") as home:
        os.environ["CRMDESK_HOME"] = home
        os.environ["CRMDESK_LANG"] = "zh_CN"
        from PySide6.QtCore import QThreadPool

        from crmdesk.ui.app import create_application, prepare_application
        from crmdesk.ui.context import AppContext

        app = create_application([sys.argv[0]])
        prepare_application(app, "zh_CN")
        db = build_demo_database(Path(home) / "demo.db")
        try:
            saved = save(AppContext(db=db, actor=owner_actor(db)), out_dir)
        finally:
            QThreadPool.globalInstance().waitForDone(int(SETTLE_TIMEOUT_S * 1000))
            db.dispose()
    for name, path in saved.items():
        print(f"{name}: {path}")
    return 0 if len(saved) >= expected else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = Path(args[0] if args else "docs/screenshots").resolve()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A fixed folder name, so the path in the status bar (and so the PNGs) only change when
    # the app does; wiped before and after.
    home = Path(tempfile.gettempdir()) / "crmdesk-screenshots"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    try:
        # Before anything reads a path or a setting: the user's real files stay untouched.
        os.environ["CRMDESK_HOME"] = str(home)
        os.environ["CRMDESK_LANG"] = "zh_CN"
        results = take_screenshots(out_dir)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    failed = {name: err for name, err in results.items() if isinstance(err, Exception)}
    for name, result in results.items():
        print(f"{name}: {'FAILED ' + str(result) if name in failed else result}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
