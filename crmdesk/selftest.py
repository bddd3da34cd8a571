"""``crmdesk --self-test``: does this installation work? In a temporary folder (the user's data is
never touched): a new database migrated to the newest schema, the import of a small GBK sales
export with a title line and a 合计 row (package data), one report, one chart with Chinese labels
drawn offscreen with every glyph present, the login dialog built and closed, and what Qt asks
ICU for (pinyin sorting, case mapping, Chinese converters, time-zone names: the Linux package's
ICU data is slimmed to these).

One line per step; exit code 0 only when every step passed, else 1. Works the same from a
source tree, a pip install and the frozen app (PyInstaller).
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from crmdesk.cjk_font import _resources_dir
from crmdesk.i18n import _

SAMPLE = _resources_dir() / "selftest" / "sales_gbk.csv"
SAMPLE_TOTAL = Decimal("2730.00")  # the file's 合计 row: the import must land exactly this much
CHART_TITLE = "自检：客户销售额"


class StepFailed(Exception):
    """A check of a step did not hold; the message says which."""


@dataclass
class SelfTest:
    folder: Path
    db: object = None
    actor: object = None
    report: object = None
    lines: list[str] = field(default_factory=list)

    # --- the steps: each returns what it proved, or raises ---------------------------------------
    def database(self) -> str:
        from crmdesk.db.migrate import SCHEMA_HEAD, current_revision, head_revision, open_database

        self.db = open_database(self.folder / "selftest.db")
        current, head = current_revision(self.db), head_revision()
        if head != SCHEMA_HEAD or current != head:  # None: the migration files are missing
            raise StepFailed(_("schema {current}, expected {head}").format(current=current, head=SCHEMA_HEAD))
        return _("new database migrated to schema {head}").format(head=head)

    def account(self) -> str:
        from crmdesk.services.actor import Actor
        from crmdesk.services.users import create_first_owner

        with self.db.sessions.begin() as session:
            self.actor = Actor.from_user(create_first_owner(session, "selftest", os.urandom(12).hex(), "自检"))
        return _("owner account created")

    def import_sample(self) -> str:
        from sqlalchemy import func, select

        from crmdesk.db.models import SalesLine
        from crmdesk.importers import import_file
        from crmdesk.money import to_units

        result = import_file(self.db, self.actor, SAMPLE, kind="sales", backup=False, run_rules=False)
        if result.status != "done" or result.rejected or result.footer_rows != 1:
            raise StepFailed(_("{file}: status {status}, {rejected} rejected, {footer} total rows; {message}").format(
                file=SAMPLE.name, status=result.status, rejected=result.rejected, footer=result.footer_rows,
                message=result.message))
        with self.db.sessions() as session:
            landed = session.scalar(select(func.sum(SalesLine.amount)))
        if landed != to_units(SAMPLE_TOTAL):
            raise StepFailed(_("{file}: {landed} units imported, the file's total row says {total}").format(
                file=SAMPLE.name, landed=landed, total=SAMPLE_TOTAL))
        return _("{file} ({encoding}): {added} lines, total row skipped, sum {total} yuan").format(
            file=SAMPLE.name, encoding=result.encoding, added=result.added, total=SAMPLE_TOTAL)

    def run_report(self) -> str:
        from crmdesk.reports.access import run_report

        with self.db.sessions() as session:
            self.report = run_report(session, self.actor, "purchases")
        if len(self.report) != 3:
            raise StepFailed(_("report purchases: {n} rows, expected 3 customers").format(n=len(self.report)))
        return _("report purchases: {n} customers").format(n=len(self.report))

    def chart(self) -> str:
        from matplotlib import font_manager
        from matplotlib.figure import Figure

        from crmdesk.charts.fonts import configure_matplotlib

        configure_matplotlib()
        names = ["广州华通文具店", "佛山南海办公批发部", "深圳第一小学"]
        fig = Figure(figsize=(6, 3), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        ax.barh(names, [250 + 500, 1500 + 480, 500])
        ax.set_title(CHART_TITLE)
        ax.set_xlabel("金额（元）")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            buffer = BytesIO()
            fig.savefig(buffer, format="png")
        complaints = [str(w.message) for w in caught if "Glyph" in str(w.message) or "findfont" in str(w.message)]
        texts = [ax.title, ax.xaxis.label, *ax.get_yticklabels()]
        missing = set()
        for text in texts:
            font = font_manager.get_font(font_manager.findfont(text.get_fontproperties()))
            missing |= {c for c in text.get_text() if not c.isspace() and not font.get_char_index(ord(c))}
        if complaints or missing or buffer.getvalue()[:4] != b"\x89PNG":
            raise StepFailed(_("missing glyphs: {chars} {complaints}").format(
                chars="".join(sorted(missing)), complaints="; ".join(complaints)))
        used = font_manager.FontProperties(fname=font_manager.findfont(ax.title.get_fontproperties())).get_name()
        return _("chart with Chinese labels drawn in {font}, no missing glyph").format(font=used)

    def login_dialog(self) -> str:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from crmdesk.ui.selftest_window import open_and_close_login

        title, families = open_and_close_login(self.db)
        return _("login dialog “{title}” opened and closed (fonts: {fonts})").format(
            title=title, fonts=", ".join(families))

    def text_services(self) -> str:
        from crmdesk.ui.selftest_icu import check_text_services  # Qt's collation, case, converters, zones

        return check_text_services()


def run(out=None) -> int:
    """Run every step; print one line each; 0 when all passed, else 1."""
    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="crmdesk-selftest-") as tmp:
        test = SelfTest(Path(tmp))
        steps: list[tuple[str, Callable[[], str]]] = [
            (_("database"), test.database), (_("owner account"), test.account), (_("GBK import"), test.import_sample),
            (_("report"), test.run_report), (_("chart"), test.chart), (_("login window"), test.login_dialog),
            (_("Qt text services"), test.text_services)]
        failed = 0
        for name, step in steps:
            try:
                line = f"ok    {name}: {step()}"
            except Exception as exc:  # noqa: BLE001 - every failure is reported, the next step still runs
                failed += 1
                detail = str(exc) if isinstance(exc, StepFailed) else "".join(
                    traceback.format_exception_only(type(exc), exc)).strip()
                line = f"FAIL  {name}: {detail}"
            print(line, file=out, flush=True)
        if test.db is not None:
            test.db.dispose()
        print(_("self-test passed") if not failed else _("self-test FAILED: {n} of {total} steps").format(
            n=failed, total=len(steps)), file=out, flush=True)
    return 0 if not failed else 1
