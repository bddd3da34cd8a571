"""Issue 14, items 9–11 without a screen: exports say what they hold, one number format per
column, readable restock ticks, and the lifetime model's parameters and horizon."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from cli_support import run_cli
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from crmdesk.charts.report_charts import cover_chart, tick_decimals
from crmdesk.reports.column_format import column_formats, decimals_of
from crmdesk.reports.output import write_png
from crmdesk.reports.provenance import ExportInfo
from crmdesk.reports.registry import REPORTS

PERIOD = ("--from", "2026-01-01", "--to", "2026-06-30")


def _about(path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] != "About this export"  # the data stay first, readers find them where they were
    return {row[0].value: row[1].value for row in wb["About this export"].iter_rows()}


def test_cli_xlsx_names_period_filters_options_time_and_user(demo_db, capsys, tmp_path):
    out = tmp_path / "margin.xlsx"
    rc, _o, err = run_cli(capsys, "--db", str(demo_db.file_path), "report", "margin", *PERIOD,
                          "--customer-type", "dealer", "--by", "brand", "--out", str(out), user="owner")
    assert rc == 0, err
    about = _about(out)
    assert about["Report"] == REPORTS["margin"].title
    assert about["Period"] == "2026-01-01 to 2026-06-30"
    assert "Filter: customer type" in about and about["Option: By"] == "brand"
    assert about["Made by"] and len(about["Made at"]) == 16  # YYYY-MM-DD HH:MM
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "brand"  # the table itself is unchanged


def test_cli_statement_files_say_when_and_by_whom(demo_db, capsys, tmp_path):
    from crmdesk.db.models import Customer, Receipt

    with demo_db.sessions() as s:
        code = s.get(Customer, s.query(Receipt.customer_id).first()[0]).code
    out = tmp_path / "st.xlsx"
    rc, _o, err = run_cli(capsys, "--db", str(demo_db.file_path), "report", "statement", "--customer", code,
                          *PERIOD, "--out", str(out), user="owner")
    assert rc == 0, err
    text = " ".join(str(c.value) for row in openpyxl.load_workbook(out).active.iter_rows(max_row=10)
                    for c in row if c.value)
    assert "Statement made " in text and " by " in text


def test_png_gets_a_caption_under_the_chart(tmp_path):
    spec = REPORTS["restock"]
    df = pd.DataFrame({"product_name": ["签字笔", "订书机"], "days_of_cover": [0.3, 1.1]})
    bare, captioned = tmp_path / "bare.png", tmp_path / "captioned.png"
    write_png(df, bare, spec, {})
    info = ExportInfo(report="补货", period="2026-01-01 to 2026-06-30", filters=(("brand", "得力"),), made_by="店主")
    write_png(df, captioned, spec, {}, info)
    with Image.open(bare) as a, Image.open(captioned) as b:
        assert b.height > a.height  # the caption's lines
    assert "得力" in info.caption() and "店主" in info.caption()


def test_one_number_format_per_column():
    assert decimals_of([1.0, 1.1, 12.0]) == 1
    assert decimals_of([3, 12]) == 0
    assert decimals_of([0.1234567]) == 4  # capped
    frame = pd.DataFrame({"days_of_cover": [1.0, 1.1], "stock": [3.0, 12.0], "balance": [1.0, 2.5],
                          "name": ["a", "b"]})
    formats = column_formats(frame, money_columns=("balance",))
    assert [formats["days_of_cover"].text(v) for v in frame["days_of_cover"]] == ["1.0", "1.1"]
    assert formats["days_of_cover"].excel() == "#,##0.0"
    assert formats["stock"].excel() == "#,##0" and formats["balance"].kind == "money"
    assert formats["name"].kind == ""


def test_cli_restock_xlsx_formats_days_of_cover_per_column(demo_db, capsys, tmp_path):
    out = tmp_path / "restock.xlsx"
    rc, _o, err = run_cli(capsys, "--db", str(demo_db.file_path), "report", "restock", *PERIOD, "--out", str(out),
                          user="owner")
    assert rc == 0, err
    ws = openpyxl.load_workbook(out)["restock"]
    col = [c.value for c in ws[1]].index("days_of_cover") + 1
    formats = {ws.cell(row=r, column=col).number_format for r in range(2, ws.max_row + 1)
               if ws.cell(row=r, column=col).value is not None}
    assert formats == {"#,##0.0"}


def test_restock_chart_ticks_are_told_apart():
    assert (tick_decimals([0, 0.2, 0.4]), tick_decimals([0, 0.25, 0.5]), tick_decimals([0, 5, 10])) == (1, 2, 0)
    fig = cover_chart(pd.DataFrame({"product_name": list("ABCDE"), "days_of_cover": [0.1, 0.3, 0.5, 0.9, 1.2]}), {})
    FigureCanvasAgg(fig).draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) == len(set(labels)) > 2, labels  # never "0 0 0 1 1 1 1"


def test_lifetime_params_table_and_horizon(demo_db, capsys):
    db = str(demo_db.file_path)
    rc, out, err = run_cli(capsys, "--db", db, "report", "lifetime", "--to", "2026-06-30", "--params", user="owner")
    assert rc == 0, err
    rows = {r["parameter"]: r for r in csv.DictReader(io.StringIO(out))}
    assert {"r", "α", "a", "b", "p", "q", "γ"} <= set(rows)
    assert all(float(rows[k]["value"]) > 0 for k in ("r", "α", "a", "b", "p", "q", "γ"))
    assert float(rows["horizon_weeks"]["value"]) == pytest.approx(52.18, abs=0.01)

    rc, year, err = run_cli(capsys, "--db", db, "report", "lifetime", "--to", "2026-06-30", user="owner")
    assert rc == 0, err
    rc, half, err = run_cli(capsys, "--db", db, "report", "lifetime", "--to", "2026-06-30", "--horizon-weeks", "26",
                            user="owner")
    assert rc == 0, err
    year, half = pd.read_csv(io.StringIO(year)), pd.read_csv(io.StringIO(half))
    assert "expected_value_12m" in year.columns  # the default keeps the contract's names
    assert {"expected_purchases_26w", "expected_value_26w"} <= set(half.columns)
    both = year.merge(half, on="customer_code")
    assert (both["expected_purchases_26w"] <= both["expected_purchases_12m"] + 1e-9).all()
    assert (both["expected_purchases_26w"] < both["expected_purchases_12m"]).any()

    rc, _o, err = run_cli(capsys, "--db", db, "report", "lifetime", "--horizon-weeks", "0", user="owner")
    assert rc == 2 and "horizon" in err


def test_lifetime_summary_names_every_parameter(demo_db):
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.lifetime import lifetime, model_summary
    from crmdesk.services.actor import Actor

    with demo_db.sessions() as s:
        df = lifetime(s, Actor.system(), ReportFilters(), {"horizon_weeks": 13})
    text = model_summary(df)
    for name in ("r =", "α =", "a =", "b =", "p =", "q =", "γ =", "13 weeks"):
        assert name in text
    assert df.attrs["money_columns"] == ("expected_value_13w",)
