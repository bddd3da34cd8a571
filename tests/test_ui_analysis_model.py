"""The analysis page's building blocks: the DataFrame table model, the xlsx
writer, date presets, KPI change text, drill targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from crmdesk.ui.analysis.dataframe_model import RAW_ROLE, DataFrameModel
from crmdesk.ui.analysis.drill_targets import target_for_key, target_for_row
from crmdesk.ui.analysis.export import MONEY_FORMAT, PCT_FORMAT, write_dataframe_xlsx
from crmdesk.ui.analysis.filter_choices import preset_range
from crmdesk.ui.analysis.kpi_tile import BAD, GOOD, KpiValue, change_text

pytestmark = pytest.mark.gui


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_code": ["C1", "C2", "C3", "C4"],
        "customer_name": ["甲", "乙", "丙", "丁"],
        "revenue": [1234.5, 99.999, np.nan, 100000.0],
        "profit": [Decimal("10.005"), Decimal("-3"), Decimal("200"), Decimal("7")],
        "margin_pct": [25.0, 3.333, None, 100.0],
        "orders": [3, 12, 1, 2],
        "segment": ["champions", "lost", "at risk", "new"],
    })


def _texts(model: DataFrameModel, column: int) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_money_and_percent_formatting(qtbot, frame):
    model = DataFrameModel()
    model.set_frame(frame, money_columns=("revenue", "profit"), pct_columns=("margin_pct",))
    assert model.rowCount() == 4 and model.columnCount() == 7
    assert _texts(model, 2) == ["1,234.50", "100.00", "", "100,000.00"]
    assert _texts(model, 3) == ["10.01", "-3.00", "200.00", "7.00"]  # Decimal rounds half up
    assert _texts(model, 4) == ["25.0%", "3.3%", "", "100.0%"]
    assert _texts(model, 5) == ["3", "12", "1", "2"]
    assert model.data(model.index(0, 2), Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(model.index(1, 5), RAW_ROLE) == 12


def test_sort_is_numeric_with_missing_last(qtbot, frame):
    model = DataFrameModel()
    model.set_frame(frame, money_columns=("revenue", "profit"))
    model.sort(5, Qt.SortOrder.AscendingOrder)  # 12 must not sort before 2 as text would
    assert _texts(model, 5) == ["1", "2", "3", "12"]
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert list(model.frame["customer_code"]) == ["C4", "C1", "C2", "C3"]  # NaN stays last
    model.sort(2, Qt.SortOrder.AscendingOrder)
    assert list(model.frame["customer_code"]) == ["C2", "C1", "C4", "C3"]
    model.sort(3, Qt.SortOrder.DescendingOrder)  # Decimals as numbers
    assert list(model.frame["customer_code"]) == ["C3", "C1", "C4", "C2"]


def test_headers_and_segment_values_are_translated(qtbot, frame):
    from crmdesk.i18n import set_language

    set_language("zh_CN")
    try:
        model = DataFrameModel()
        model.set_frame(frame.assign(kind="collection"))
        assert model.headerData(0, Qt.Orientation.Horizontal) == "客户编号"
        assert model.headerData(0, Qt.Orientation.Vertical) == "1"
        assert model.data(model.index(0, 7)) == "回款"  # code-like values are shown translated
        assert model.data(model.index(0, 1)) == "甲"  # names are data, left alone
    finally:
        set_language("en")


def test_xlsx_has_bold_frozen_header_and_number_formats(tmp_path, frame):
    path = write_dataframe_xlsx(frame, tmp_path / "out", money_columns=("revenue", "profit"),
                                pct_columns=("margin_pct",), sheet_title="重点客户: A/B",
                                header_labels={"customer_code": "客户编号"})
    assert path.suffix == ".xlsx" and path.exists()
    ws = load_workbook(path).active
    assert ws.title == "重点客户_ A_B"
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:3] == ["客户编号", "customer_name", "revenue"]
    assert all(c.font.bold for c in ws[1])
    assert ws["C2"].value == pytest.approx(1234.5) and ws["C2"].number_format == MONEY_FORMAT
    assert ws["C4"].value is None  # NaN → empty cell
    assert ws["D2"].value == pytest.approx(10.005) and ws["D2"].number_format == MONEY_FORMAT
    assert ws["E2"].value == pytest.approx(0.25) and ws["E2"].number_format == PCT_FORMAT
    assert ws["F3"].value == 12
    assert ws.max_row == 5


@pytest.mark.parametrize("preset, expected", [
    ("this_month", (dt.date(2026, 6, 1), dt.date(2026, 6, 20))),
    ("this_quarter", (dt.date(2026, 4, 1), dt.date(2026, 6, 20))),
    ("this_year", (dt.date(2026, 1, 1), dt.date(2026, 6, 20))),
    ("last_12_months", (dt.date(2025, 6, 21), dt.date(2026, 6, 20))),
    ("all", (None, None)),
])
def test_presets_end_on_the_anchor(preset, expected):
    assert preset_range(preset, dt.date(2026, 6, 20)) == expected


@pytest.mark.parametrize("anchor, start", [
    (dt.date(2026, 12, 4), dt.date(2025, 12, 5)),  # in December it is not "this year" (issue 14, item 10)
    (dt.date(2024, 2, 29), dt.date(2023, 3, 1)),
    (dt.date(2026, 1, 1), dt.date(2025, 1, 2)),
])
def test_last_12_months_is_the_year_up_to_the_anchor(anchor, start):
    assert preset_range("last_12_months", anchor) == (start, anchor)
    assert preset_range("last_12_months", anchor) != preset_range("this_year", anchor)


def test_kpi_change_arrow_and_colour():
    up = KpiValue("revenue", "Revenue", 120.0, 100.0, "money")
    assert change_text(up) == ("▲ +20.0%", GOOD)
    owed_more = KpiValue("receivables", "Receivables", 120.0, 100.0, "money", higher_is_better=False)
    assert change_text(owed_more) == ("▲ +20.0%", BAD)
    down = KpiValue("revenue", "Revenue", 80.0, 100.0, "money")
    assert change_text(down) == ("▼ -20.0%", BAD)
    margin = KpiValue("margin_pct", "Margin", 31.5, 30.0, "pct")
    assert change_text(margin)[0] == "▲ +1.5 pts"


def test_drill_targets_from_chart_keys_and_rows():
    brands = pd.DataFrame({"brand": ["得力", "晨光"], "revenue": [1.0, 2.0]})
    assert target_for_key(brands, "晨光").kind == "brand"
    assert target_for_key(brands, "nothing") is None
    rfm = pd.DataFrame({"customer_code": ["C1", "C2", "C3"], "customer_name": ["甲", "乙", "丙"],
                        "segment": ["lost", "champions", "lost"], "frequency": [1, 2, 3]})
    segment = target_for_key(rfm, "lost")
    assert segment.kind == "rows" and list(segment.rows["customer_code"]) == ["C1", "C3"]
    assert target_for_key(rfm, "乙") == target_for_row({"customer_code": "C2", "customer_name": "乙"})
    assert target_for_row({"product": "P01", "product_name": "笔"}).kind == "product"


def test_receivables_ageing_bar_targets_its_bucket():
    owed = pd.DataFrame({"customer_code": ["C1"], "customer_name": ["甲"], "balance": [10.0], "age_0_30": [10.0],
                         "age_over_90": [0.0]})
    target = target_for_key(owed, "> 90")
    assert (target.kind, target.value) == ("ageing", "age_over_90")


def test_products_without_brand_keep_a_clickable_bar():
    from crmdesk.ui.analysis.dashboard_charts import NO_BRAND_GID, brand_margin_chart

    fig = brand_margin_chart(pd.DataFrame({"brand": ["得力", ""], "revenue": [10.0, 5.0],
                                           "gross_profit": [3.0, 1.0], "margin_pct": [30.0, 20.0]}))
    assert {p.get_gid() for p in fig.axes[0].patches} == {"得力", NO_BRAND_GID}


def test_a_superseded_workers_sql_is_interrupted(db):
    import threading
    import time

    from sqlalchemy import text

    from crmdesk.core.progress import Progress
    from crmdesk.ui.analysis.worker_session import interrupt, worker_session

    progress, outcome = Progress(), {}
    endless = text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")

    def work():
        with worker_session(db, progress) as session:
            outcome["started"] = time.monotonic()
            try:
                session.execute(endless).scalar()
            except Exception as exc:  # noqa: BLE001 - the interrupt is what we test
                outcome["error"] = str(exc)
        outcome["stopped"] = time.monotonic()

    worker = threading.Thread(target=work)
    worker.start()
    while "started" not in outcome:
        time.sleep(0.01)
    time.sleep(0.2)
    assert interrupt(progress)
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert "interrupted" in outcome["error"]
    assert not interrupt(progress)  # the connection went back to the pool: nothing to stop any more
    with db.sessions() as s:  # and it still works for the next user
        assert s.execute(text("SELECT 1")).scalar() == 1


def _endless_query(db, progress):
    from sqlalchemy import text

    from crmdesk.ui.analysis.worker_session import worker_session

    with worker_session(db, progress) as session:
        return session.execute(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                    "SELECT count(*) FROM n")).scalar()


def _answer(value, progress):
    return value


def test_a_new_request_stops_the_running_one(qtbot, db):
    from crmdesk.ui.analysis.runner import LatestRunner

    runner = LatestRunner()
    results, failures = [], []
    runner.finished.connect(results.append)
    runner.failed.connect(failures.append)
    runner.run(_endless_query, db)
    first = runner._job
    qtbot.wait(300)  # the query is running now
    assert first.running
    with qtbot.waitSignals([first.cancelled, runner.finished], timeout=10_000):
        runner.run(_answer, 42)
    assert results == [42] and not failures and not runner.busy
