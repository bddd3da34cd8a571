"""The branch screens: Settings → Branches adds, edits, refuses and deletes branches and sets the
inbox's branch; the analysis filter bar and the import wizard show a branch picker only once the
shop has two branches, and what is picked reaches the filters and the imported orders; the
territory editor offers the branch rule."""

from __future__ import annotations

import pytest
from data_import.helpers import GJP_SALES, scalar, write
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from crmdesk.importers import get_setting
from crmdesk.services.branches import BranchInfo, list_branches, save_branch
from crmdesk.ui.analysis.filter_bar import FilterBar
from crmdesk.ui.analysis.filter_choices import load_choices
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings import SETTINGS_SECTIONS
from crmdesk.ui.settings.branches_section import BranchesSection
from crmdesk.ui.settings.territory_editor import TerritoryEditor
from crmdesk.ui.widgets import file_dialogs

TIMEOUT = 30_000


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a, **k: seen.append(text)))
    return seen


def _add(ctx, code: str, name: str) -> int:
    with ctx.write("branches") as s:
        return save_branch(s, ctx.actor, BranchInfo(None, code, name))


def test_settings_section_adds_edits_and_deletes_branches(qtbot, ctx, warnings):
    assert any(s.key == "branches" and s.factory.endswith("branches_section:create") for s in SETTINGS_SECTIONS)
    section = BranchesSection(ctx)
    qtbot.addWidget(section)
    assert section.table.rowCount() == 0
    assert section.add_branch("B1", "总店") and section.add_branch("B2", "二店")
    assert not section.add_branch("b1", "again") and "exists already" in warnings[-1]
    assert section.table.rowCount() == 2
    section.table.item(1, 1).setText("二店（东门）")
    section.table.item(1, 2).setCheckState(Qt.CheckState.Unchecked)
    section.inbox_branch.setCurrentIndex(section.inbox_branch.findData("B2"))
    assert section.save()
    with ctx.read() as s:
        b2 = next(b for b in list_branches(s) if b.code == "B2")
        assert (b2.name, b2.active) == ("二店（东门）", False)
        assert get_setting(s, "sync.branch") == "B2"
    section.table.selectRow(0)
    assert section.delete_branch()
    assert [section.table.item(r, 0).text() for r in range(section.table.rowCount())] == ["B2"]


def test_filter_bar_branch_picker_only_for_a_chain(qtbot, ctx):
    bar = FilterBar()
    qtbot.addWidget(bar)
    _add(ctx, "B1", "总店")
    with ctx.read() as s:
        bar.set_choices(load_choices(s))
    assert bar.branches.isHidden()  # one branch: nothing to choose
    b2 = _add(ctx, "B2", "二店")
    with ctx.read() as s:
        bar.set_choices(load_choices(s))
    assert not bar.branches.isHidden()
    bar.branches.set_selected([b2])
    assert bar.filters().branch_ids == (b2,)
    assert "B2 二店" in bar.describe()
    bar.set_filters(bar.filters().with_(branch_ids=()))
    assert bar.filters().branch_ids == ()


def test_import_wizard_branch_picker_stamps_the_orders(qtbot, ctx, db, tmp_path, monkeypatch):
    from crmdesk.ui.importing.page import ImportPage

    page = ImportPage(ctx)
    qtbot.addWidget(page)
    wizard = page.wizard
    assert wizard.branch_box.isHidden()
    _add(ctx, "B1", "总店")
    b2 = _add(ctx, "B2", "二店")
    wizard.refresh_branches()
    assert not wizard.branch_box.isHidden()
    wizard.branch_box.setCurrentIndex(wizard.branch_box.findData("B2"))
    path = write(tmp_path, "sales.csv", GJP_SALES)
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(path)], ""))
    qtbot.mouseClick(wizard.step.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.step.pending and wizard.step.current is not None, timeout=TIMEOUT)
    qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.job is None, timeout=TIMEOUT)
    assert [r.status for r in wizard.results] == ["done"]
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders WHERE branch_id IS NOT :b OR branch_id IS NULL", b=b2) == 0
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders") > 0


def test_territory_editor_offers_the_branch_rule(qtbot, ctx):
    editor = TerritoryEditor()
    qtbot.addWidget(editor)
    editor.set_choices({"branch": []}, [])
    assert not editor._sales_form.isRowVisible(editor.pickers["branch"])  # no branches: no row
    editor.set_choices({"branch": ["B1", "B2"]}, [])
    assert editor._sales_form.isRowVisible(editor.pickers["branch"])
    editor.load(None)
    editor.setEnabled(True)
    editor.name.setText("东门")
    editor.set_values("branch", ["B2"])
    assert editor.definition().rules == {"branch": ("B2",)}


def test_reports_without_branches_show_no_branch_picker(qtbot, ctx):
    from crmdesk.reports.registry import REPORTS
    from crmdesk.ui.analysis.report_panel import ReportPanel

    _add(ctx, "B1", "总店")
    _add(ctx, "B2", "二店")
    with ctx.read() as s:
        choices = load_choices(s)
    margin, pipeline = ReportPanel(ctx, REPORTS["margin"], choices), ReportPanel(ctx, REPORTS["pipeline"], choices)
    qtbot.addWidget(margin)
    qtbot.addWidget(pipeline)
    assert not margin.filter_bar.branches.isHidden()
    assert pipeline.filter_bar.branches.isHidden()
    by = margin.options_bar.editors["by"]
    assert "branch" in [by.itemData(i) for i in range(by.count())]
