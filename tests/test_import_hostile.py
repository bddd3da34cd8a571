"""Issue 10 case 9: hostile or broken files — one clear line or a rejected row, never a traceback,
a crash, a wrapped sum or a value that does not fit its column."""

from __future__ import annotations

import re
import sqlite3
import zipfile

import pytest
from cli_support import run_cli
from data_import.helpers import dump, rows, scalar, write
from openpyxl import Workbook

from crmdesk.db import open_database
from crmdesk.importers import import_file, list_rejected
from crmdesk.importers.limits import (
    INT64_MAX,
    MAX_LINE_AMOUNT,
    MAX_LINES,
    SAFE_LINE_UNITS,
    Limits,
    limits_from_settings,
)
from crmdesk.importers.encoding_detect import detect_encoding
from crmdesk.money import MONEY_SCALE

H = "单据编号,录单日期,商品编号,商品全名,数量,含税单价,含税金额\n"


def _line(order: str, qty="1", price="2", amount="2", date="2024-03-01", code=None, name="笔") -> str:
    return f"{order},{date},{code or 'P' + order},{name},{qty},{price},{amount}\n"


def _rejected(db, batch_id) -> list[tuple[int, str, str, str]]:
    with db.sessions() as s:
        return [(r.row_number, r.column, r.value[:30], r.reason) for r in list_rejected(s, batch_id)]


@pytest.fixture
def shop(tmp_path):
    """A fresh database file nobody can log in to: the CLI runs as the system identity."""
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    return str(path)


def _cli_one_line(capsys, shop, *args) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, "--db", shop, "import", *args)
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) <= 1, err
    return code, out, err


# -- one line instead of a traceback ---------------------------------------------------------------
def test_a_field_over_the_csv_module_limit_is_read_and_its_row_rejected_by_length(db, owner, tmp_path):
    path = write(tmp_path, "huge.csv", H + _line("XS-1") + _line("XS-2", name="x" * 200_000))
    r = import_file(db, owner, path)
    assert (r.status, r.added, r.rejected) == ("done", 1, 1)
    assert _rejected(db, r.batch_id)[0][1:] == ("商品全名", "x" * 30, "longer than 200 characters")


def test_cr_only_line_endings(db, owner, tmp_path):
    path = write(tmp_path, "mac.csv", (H + _line("XS-1") + _line("XS-2", amount="3")).replace("\n", "\r"))
    r = import_file(db, owner, path)
    assert (r.status, r.added, r.rejected) == ("done", 2, 0)
    assert scalar(db, "SELECT SUM(amount) FROM sales_lines") == 5 * MONEY_SCALE


@pytest.mark.parametrize("amount", ["1e15", "1e308", "600000000000000", "-1e308", "99999999999999999999999"])
def test_a_huge_amount_rejects_its_row_not_the_file(db, owner, tmp_path, amount):
    path = write(tmp_path, "big.csv", H + _line("XS-1", amount=amount, price="") + _line("XS-2", amount="3"))
    r = import_file(db, owner, path)
    assert (r.status, r.added, r.rejected) == ("done", 1, 1)
    (row, column, value, reason), = _rejected(db, r.batch_id)
    assert (row, column, value) == (2, "含税金额", amount)
    assert reason.startswith("amount over the limit of 10,000,000 yuan")


def test_two_lines_of_6e14_do_not_wrap_the_months_revenue(db, owner, tmp_path):
    big = "600000000000000"
    path = write(tmp_path, "wrap.csv", H + _line("XS-1", price=big, amount=big) + _line("XS-2", price=big, amount=big)
                 + _line("XS-3", amount="10"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (1, 2)
    assert scalar(db, "SELECT SUM(amount) FROM sales_lines") == 10 * MONEY_SCALE


def test_the_line_limit_keeps_ten_million_lines_summable():
    # the cap on a line times the lines a database is meant to hold still fits in int64
    assert SAFE_LINE_UNITS * MAX_LINES <= INT64_MAX
    assert Limits().max_line_amount * MAX_LINES < INT64_MAX
    # a setting cannot lift the limit past the cap
    assert limits_from_settings({MAX_LINE_AMOUNT: "1e20"}).max_line_amount == SAFE_LINE_UNITS
    assert limits_from_settings({MAX_LINE_AMOUNT: "junk"}) == Limits()


@pytest.mark.parametrize("qty, reason", [("nan", "not a number"), ("NaN", "not a number"), ("inf", "not a number"),
                                         ("-Infinity", "not a number"), ("1e308", "quantity over the limit")])
def test_a_nan_or_infinite_quantity_is_rejected_not_0(db, owner, tmp_path, qty, reason):
    path = write(tmp_path, "q.csv", H + _line("XS-1", qty=qty) + _line("XS-2"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (1, 1)
    assert _rejected(db, r.batch_id)[0][1] == "数量" and _rejected(db, r.batch_id)[0][3].startswith(reason)
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines WHERE quantity = 0 OR quantity > 1e6") == 0


@pytest.mark.parametrize("date, reason", [("9999-12-31", "date more than 366 days ahead"),
                                          ("99999", "date more than 366 days ahead"),
                                          ("1980-01-01", "date before 1990-01-01")])
def test_implausible_dates_are_rejected(db, owner, tmp_path, date, reason):
    path = write(tmp_path, "d.csv", H + _line("XS-1", date=date) + _line("XS-2"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (1, 1)
    assert _rejected(db, r.batch_id)[0][1:] == ("录单日期", date, _rejected(db, r.batch_id)[0][3])
    assert _rejected(db, r.batch_id)[0][3].startswith(reason)


def test_limits_are_shop_settings(db, owner, tmp_path):
    from crmdesk.importers.sync import set_setting

    with db.sessions.begin() as s:
        set_setting(s, owner, MAX_LINE_AMOUNT, "100")
        set_setting(s, owner, "import.min_date", "2024-01-01")
    path = write(tmp_path, "s.csv", H + _line("XS-1", amount="150", price="150") + _line("XS-2", date="2023-12-31")
                 + _line("XS-3", amount="99"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (1, 2)
    reasons = [x[3] for x in _rejected(db, r.batch_id)]
    assert reasons[0].startswith("amount over the limit of 100 yuan") and reasons[1].startswith("date before 2024")


def test_a_directory_given_as_the_file(db, owner, tmp_path, shop, capsys):
    folder = tmp_path / "exports.csv"
    folder.mkdir()
    r = import_file(db, owner, folder)
    assert r.status == "failed" and "is a directory" in r.message.lower()
    code, _out, err = _cli_one_line(capsys, shop, str(folder))
    assert code == 2 and "is a directory" in err and "no such file" not in err


def test_a_second_import_while_the_database_is_locked_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    import crmdesk.db.engine as engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    shop = tmp_path / "busy.db"
    open_database(shop).dispose()
    path = write(tmp_path, "s.csv", H + _line("XS-1"))
    holder = sqlite3.connect(shop, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another import holds the write lock
        code, _out, err = _cli_one_line(capsys, str(shop), str(path))
        assert code == 1 and "database is busy" in err and "nothing was written" in err
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sqlite3.connect(shop).execute("SELECT COUNT(*) FROM sales_lines").fetchone() == (0,)


# -- encodings ----------------------------------------------------------------------------------------
def _gbk_lines(n: int) -> bytes:
    return (H + "".join(_line(f"XS-{i}", name="中性笔") for i in range(n))).encode("gb18030")


def test_a_gbk_file_with_a_few_utf8_lines_is_gbk_and_only_those_lines_are_rejected(db, owner, tmp_path):
    data = _gbk_lines(50) + _line("XS-U", name="笔记本").encode("utf-8") + _gbk_lines(20).split(b"\n", 1)[1]
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    assert detect_encoding(path.read_bytes()) == "gb18030"
    r = import_file(db, owner, path)
    assert (r.status, r.encoding, r.rejected) == ("done", "gb18030", 1)
    assert _rejected(db, r.batch_id)[0][0] == 52 and _rejected(db, r.batch_id)[0][3] == "not valid gb18030 text"
    assert any("not valid gb18030 text" in n and "rows 52" in n for n in r.notes)
    assert scalar(db, "SELECT COUNT(*) FROM products WHERE name = '中性笔'") > 0


def test_one_bad_byte_in_the_first_rows_does_not_make_it_cp1252(db, owner, tmp_path):
    lines = _gbk_lines(50).split(b"\n")
    lines[2] += b"\xff"
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    r = import_file(db, owner, path)
    assert (r.status, r.encoding, r.rejected) == ("done", "gb18030", 1)
    assert _rejected(db, r.batch_id)[0][0] == 3  # the row number, not a byte offset


def test_a_nul_byte_is_stripped_with_a_note(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "nul.csv", H + _line("XS-1", name="笔\x00记本")))
    assert (r.status, r.added) == ("done", 1)
    assert any("1 NUL characters removed" in n for n in r.notes)
    assert scalar(db, "SELECT name FROM products") == "笔记本"


# -- smaller ------------------------------------------------------------------------------------------
def test_decimal_comma_is_detected_per_column(db, owner, tmp_path):
    path = write(tmp_path, "eu.csv", H + _line("XS-1", price='"1.234,50"', amount='"1.234,50"')
                 + _line("XS-2", price='"2,5"', amount='"2,50"') + _line("XS-3", price="1.000", amount="1.000"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (3, 0)
    assert rows(db, "SELECT amount FROM sales_lines ORDER BY id") == [(12_345_000,), (25_000,), (10_000_000,)]


def test_a_column_mixing_both_decimal_styles_is_refused_cell_by_cell(db, owner, tmp_path):
    path = write(tmp_path, "mix.csv", H + _line("XS-1", amount='"1.234,50"') + _line("XS-2", amount='"1,234.50"')
                 + _line("XS-3", amount="7"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (1, 2)
    assert scalar(db, "SELECT amount FROM sales_lines") == 7 * MONEY_SCALE  # never 1.2345


def test_a_bracketed_negative_amount_makes_a_return(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "p.csv", H + _line("XS-1", price="100.00", amount="(100.00)")))
    assert r.added == 1
    assert rows(db, "SELECT quantity, amount FROM sales_lines") == [(-1.0, -100 * MONEY_SCALE)]
    assert any("negative amount and a positive quantity" in n for n in r.notes)


def test_duplicate_header_names_are_reported(db, owner, tmp_path):
    text = "单据编号,录单日期,商品编号,商品全名,数量,含税金额,含税金额\n" "XS-1,2024-03-01,P1,笔,1,2,3\n"
    r = import_file(db, owner, write(tmp_path, "dup.csv", text))
    assert any("duplicate column name 含税金额 (columns 6, 7)" in n for n in r.notes)


def test_an_order_number_longer_than_its_column_is_rejected(db, owner, tmp_path, shop, capsys):
    path = write(tmp_path, "long.csv", H + _line("X" * 100_000) + _line("XS-2"))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (1, 1)
    assert _rejected(db, r.batch_id)[0][1::2] == ("单据编号", "longer than 50 characters")
    assert scalar(db, "SELECT MAX(LENGTH(number)) FROM sales_orders") == 4


# -- Excel ----------------------------------------------------------------------------------------
def _workbook(tmp_path, name="book.xlsx", formula=False):
    wb = Workbook()
    ws = wb.active
    ws.append(H.strip().split(","))
    ws.append(["XS-1", "2024-03-01", "P1", "笔", 1, 2, 2])
    ws.append(["XS-2", "2024-03-01", "P2", "本", 1, 3, "=E3*F3" if formula else 3])
    path = tmp_path / name
    wb.save(path)
    return path


def _patched(src, dst, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def test_a_formula_cell_without_a_saved_value_is_rejected_not_0(db, owner, tmp_path):
    r = import_file(db, owner, _workbook(tmp_path, formula=True))
    assert (r.added, r.rejected) == (1, 1)
    assert _rejected(db, r.batch_id)[0][0:2] == (3, "含税金额")
    assert _rejected(db, r.batch_id)[0][3].startswith("formula without a saved value")


@pytest.mark.parametrize("change", [
    lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d),
    lambda d: d.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'),
])
def test_a_sheet_claiming_the_whole_grid_is_refused_before_reading(db, owner, tmp_path, shop, capsys, change):
    path = tmp_path / "xfd.xlsx"
    _patched(_workbook(tmp_path), path, change)
    assert path.stat().st_size < 10_000
    before = dump(db)
    r = import_file(db, owner, path)  # without the check calamine aborts the process here
    assert r.status == "failed" and "xfd.xlsx" in r.message and "1,048,576" in r.message
    assert dump(db) == before
    code, _out, err = _cli_one_line(capsys, shop, str(path))
    assert code == 1


def test_a_compression_bomb_is_refused_with_a_message(db, owner, tmp_path):
    path = tmp_path / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    _patched(_workbook(tmp_path), path, lambda d: d.replace(b"</sheetData>", row * 1_500_000 + b"</sheetData>"))
    assert path.stat().st_size < 1_000_000
    r = import_file(db, owner, path)
    assert r.status == "failed" and "compression bomb" in r.message


def test_real_workbooks_still_import(db, owner, tmp_path):
    r = import_file(db, owner, _workbook(tmp_path))
    assert (r.status, r.added, r.rejected) == ("done", 2, 0)


@pytest.mark.parametrize("values, style", [
    (["1.234,50", "2,5"], "eu"), (["1,234.50", "1,234"], "us"), (["¥1,234.50"], "us"), (["7", "8.5"], "us"),
    (["1.234,50", "1,234.50"], "mixed"), (["1,234", "3,5"], "mixed"),
])
def test_decimal_style_of_a_column(values, style):
    import pandas as pd

    from crmdesk.importers.cleaning import decimal_style
    from crmdesk.importers.raw_csv import STRING

    assert decimal_style(pd.Series(values, dtype=STRING)) == style


def test_a_header_with_control_characters_is_refused_in_one_line(tmp_path, shop, capsys):
    # UTF-8 read as Latin-1 and saved again: the headers hold \x85 and \x1c, where splitlines() breaks
    text = (H + _line("XS-1")).encode("utf-8").decode("latin-1").encode("utf-8")
    path = tmp_path / "mojibake.csv"
    path.write_bytes(text)
    code, _out, err = _cli_one_line(capsys, shop, str(path))
    assert code == 1 and err.startswith("crmdesk import: mojibake.csv: ")
