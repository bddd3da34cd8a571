"""Import history: batches listed, a batch's rejected rows in a table, export to xlsx;
problems without a batch shown on top."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from data_import.helpers import GJP_HEADER, write

from crmdesk.importers import import_file
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.history_view import HistoryView
from crmdesk.ui.importing.sync_controller import Problem, SyncController
from crmdesk.ui.widgets import file_dialogs

BAD_ROWS = "\n".join([
    GJP_HEADER,
    "2024-03-07,XS-001,销售单,C001,广州文具店,张三,总店,P001,得力中性笔,支,10,2.50,25.00,10",
    "不是日期,XS-002,销售单,C001,广州文具店,张三,总店,P001,得力中性笔,支,1,2.50,2.50,1",
    "2024-03-09,XS-003,销售单,C001,广州文具店,张三,总店,P002,晨光笔记本,本,abc,3.00,,1",
]) + "\n"


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


@pytest.fixture
def history(qtbot, ctx):
    view = HistoryView(ctx, SyncController(ctx))
    qtbot.addWidget(view)
    yield view
    view.controller.shutdown()


def test_history_lists_batches_and_shows_and_exports_rejected_rows(qtbot, history, ctx, db, owner, tmp_path,
                                                                   monkeypatch):
    result = import_file(db, owner, write(tmp_path, "三月销售.csv", BAD_ROWS))
    assert result.status == "done" and result.rejected == 2
    ctx.bus.announce("import_batches")
    history.refresh()
    model = history.model
    assert model.rowCount() == 1
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[1] == "三月销售.csv" and row[2] == "Sales lines" and row[3] == "Imported"
    assert row[5] == str(result.added) and row[8] == "2"
    assert history.rejected.model.rowCount() == 0 and not history.rejected.export_button.isEnabled()

    history.select_batch(result.batch_id)
    rejected = history.rejected.model
    assert rejected.rowCount() == 2
    cells = sorted(tuple(rejected.index(r, c).data() for c in range(4)) for r in range(2))
    assert cells == [("三月销售.csv", "3", "录单日期", "不是日期"), ("三月销售.csv", "4", "数量", "abc")]
    assert all(rejected.index(r, 4).data() for r in range(2))  # a reason for each
    assert "2 rejected rows" in history.rejected.title.text()

    out = tmp_path / "out" / "rejected"
    out.parent.mkdir()
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: (str(out), ""))
    messages: list[str] = []
    ctx.bus.status_message.connect(messages.append)
    assert history.rejected.export_button.isEnabled()
    history.rejected.export_button.click()
    written = out.with_suffix(".xlsx")
    assert written.is_file()
    sheet = openpyxl.load_workbook(written).active
    assert sheet.max_row == 3  # header + two rejected rows
    assert messages and "2 rejected rows written" in messages[-1]


def test_problems_without_a_batch_are_listed_first_in_red(qtbot, history, ctx, db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "ok.csv", BAD_ROWS))
    history.controller.add_problems([Problem(dt.datetime(2026, 5, 1, 14, 5), "坏文件.xlsx", "坏文件.xlsx: cannot read")])
    history.refresh()
    model = history.model
    assert model.rowCount() == 2
    assert model.index(0, 1).data() == "坏文件.xlsx" and model.index(0, 3).data() == "Failed"
    assert model.index(0, 0).data() == "2026-05-01 14:05"
    assert model.index(0, 9).data() == "坏文件.xlsx: cannot read"
    assert model.index(0, 0).data(9) is not None  # ForegroundRole: shown in red
    history.table.selectRow(0)
    assert history.rejected.model.rowCount() == 0
