"""Fuzz: broken and hostile files through ``crmdesk import`` (issue 10, build item 4).

For every file — a generated corpus of the ways exports break (truncated, random bytes, wrong
encodings, huge fields, bad numbers and dates, empty, header only, xlsx bombs built here with
zipfile) plus byte-level mutations of good files drawn by hypothesis — the command exits 0, 1 or
2 with at most one line on stderr and no traceback, the process never dies, and a refused file
writes nothing. Runs in-process (``cli_support.run_cli``) on a fresh database where no account
exists, so the CLI acts as the system identity. Kept under a minute on CI.
"""

from __future__ import annotations

import io
import random
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from cli_support import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from crmdesk.db import open_database

# An exception Python could only print ("Exception ignored in …", e.g. inside a pyarrow callback)
# is a traceback on the user's terminal: it fails the test.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
H = "单据编号,录单日期,往来单位全名,商品编号,商品全名,数量,含税单价,含税金额"
GOOD = "\n".join([H, *(f"XS-{i},2024-03-0{i % 9 + 1},客户{i % 3},P{i % 5},商品{i % 5},{i % 4 + 1},2.50,"
                         f"{(i % 4 + 1) * 2.5}" for i in range(30))]) + "\n"


def _xlsx(rows: list[list], change=None) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    if change is None:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


GOOD_XLSX_ROWS = [H.split(","), *[["XS-1", "2024-03-01", "甲", "P1", "笔", 1, 2.5, 2.5]] * 3]


def _corpus() -> dict[str, bytes]:
    rnd = random.Random(10)
    good = GOOD.encode("utf-8")
    gbk = GOOD.encode("gb18030")
    big_row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    files = {
        "empty.csv": b"",
        "bom_only.csv": b"\xef\xbb\xbf",
        "header_only.csv": (H + "\n").encode(),
        "header_blank_lines.csv": (H + "\n\n\n\n").encode(),
        "only_footer.csv": (H + "\n合计,,,,,3,,7.5\n").encode(),
        "one_column.csv": b"a\nb\nc\n",
        "random_1.csv": bytes([rnd.randrange(256)]),
        "random_100.csv": rnd.randbytes(100),
        "random_20k.txt": rnd.randbytes(20_000),
        "random_pk.xlsx": b"PK\x03\x04" + rnd.randbytes(3000),
        "random_ole.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rnd.randbytes(3000),
        "truncated_utf8.csv": good[: good.index("商品3".encode()) + 4],
        "truncated_gbk.csv": gbk[: len(gbk) // 2 + 1],
        "utf16_no_bom.csv": GOOD.encode("utf-16-le"),
        "utf32.csv": GOOD.encode("utf-32"),
        "mojibake.csv": GOOD.encode("utf-8").decode("latin-1").encode("utf-8"),
        "gbk_with_utf8_lines.csv": gbk + "XS-99,2024-03-01,甲,P9,笔,1,1,1\n".encode("utf-8"),
        "cr_only.csv": good.replace(b"\n", b"\r"),
        "mixed_line_ends.csv": good.replace(b"\n", b"\r", 5),
        "stray_cr_in_field.csv": good.replace("客户1".encode(), b"\xe5\xae\xa2\r\xe6\x88\xb7"),
        "unbalanced_quote.csv": good.replace(b"XS-3,", b'"XS-3,'),
        "nul_bytes.csv": good.replace(b"2.50", b"2.\x0050", 2),
        "many_nuls.csv": good.replace(b",", b"\x00,"),
        "huge_field.csv": (H + "\n" + "XS-1,2024-03-01,甲,P1," + "名" * 300_000 + ",1,2,2\n").encode(),
        "huge_order.csv": (H + "\n" + "X" * 100_000 + ",2024-03-01,甲,P1,笔,1,2,2\n").encode(),
        "no_line_breaks.csv": ("a," * 200_000).encode(),
        "wide_header.csv": (",".join(f"col{i}" for i in range(3000)) + "\n" + "1," * 2999 + "1\n").encode(),
        "long_header.csv": ("订单号," + "x" * 200_000 + "\n1,2\n").encode(),
        "bad_numbers.csv": (H + "\n" + "\n".join(
            f"XS-{i},2024-03-01,甲,P1,笔,{q},{p},{a}" for i, (q, p, a) in enumerate([
                ("1e308", "1", "1"), ("nan", "1", "1"), ("inf", "-inf", "1"), ("1", "1e15", "1e15"),
                ("1", "1", "1e308"), ("1.2.3", "--5", "¥¥"), ("1", "1", "99999999999999999999999"),
                ("1", '"1.234,50"', '"1,234.50"'), ("1", "(100.00)", "(100.00)"), ("0x10", "1e-400", "1")])) + "\n"
                        ).encode(),
        "bad_dates.csv": (H + "\n" + "\n".join(
            f"XS-{i},{d},甲,P1,笔,1,1,1" for i, d in enumerate(
                ["0000-00-00", "2024-13-45", "99999", "-1", "9999-12-31", "1900-02-29", "2024/02/30", "1e9",
                 "2958466", "20241399", "1980-01-01", "公元前"])) + "\n").encode(),
        "only_garbage_rows.csv": (H + "\n" + "\n".join(",".join(["\x01"] * 8) for _ in range(5)) + "\n").encode(),
        "xlsx_good.xlsx": _xlsx(GOOD_XLSX_ROWS),
        "xlsx_empty_sheet.xlsx": _xlsx([]),
        "xlsx_header_only.xlsx": _xlsx(GOOD_XLSX_ROWS[:1]),
        "xlsx_truncated.xlsx": _xlsx(GOOD_XLSX_ROWS)[:2000],
        "xlsx_formula.xlsx": _xlsx([*GOOD_XLSX_ROWS, ["XS-2", "2024-03-01", "甲", "P1", "笔", 1, 2, "=F5*G5"]]),
        "xlsx_xfd_dimension.xlsx": _xlsx(GOOD_XLSX_ROWS, lambda d: d.replace(
            b'<dimension ref="A1:H4"', b'<dimension ref="A1:XFD1048576"')),
        "xlsx_xfd_cell.xlsx": _xlsx(GOOD_XLSX_ROWS, lambda d: d.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')),
        "xlsx_past_the_grid.xlsx": _xlsx(GOOD_XLSX_ROWS, lambda d: d.replace(
            b"</sheetData>", b'<row r="99999999"><c r="ZZZZ99999999"><v>1</v></c></row></sheetData>')),
        "xlsx_bomb.xlsx": _xlsx(GOOD_XLSX_ROWS, lambda d: d.replace(b"</sheetData>", big_row * 1_000_000
                                                                    + b"</sheetData>")),
        "xlsx_bad_xml.xlsx": _xlsx(GOOD_XLSX_ROWS, lambda d: d[: len(d) // 2]),
        "xlsx_huge_number.xlsx": _xlsx([H.split(","), ["XS-1", "2024-03-01", "甲", "P1", "笔", 1e308, 1e300, 1e308]]),
    }
    xls = SHARED / "guanjiapo_T3_mrp_report.xls"
    if xls.exists():
        data = xls.read_bytes()
        files["xls_truncated.xls"] = data[: len(data) // 3]
        files["xls_corrupted.xls"] = data[:4096] + rnd.randbytes(4096) + data[8192:]
    return files


CORPUS = _corpus()

_DATA_TABLES = ("customers", "products", "sales_orders", "sales_lines", "receipts", "stock_snapshots", "users",
                "import_batches", "import_rejected_rows", "audit_log")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    open_database(path).dispose()
    return path


def _counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _DATA_TABLES if t in names}
    finally:
        con.close()


def _import(capsys, template: Path, folder: Path, name: str, data: bytes) -> None:
    db = folder / "shop.db"
    shutil.copyfile(template, db)
    path = folder / name
    path.write_bytes(data)
    before = _counts(db)
    code, out, err = run_cli(capsys, "--db", str(db), "import", str(path))
    assert code in (0, 1, 2), (name, code, err)
    assert "Traceback" not in out + err, (name, err)
    lines = err.strip().splitlines()
    assert len(lines) <= 1, (name, err)
    if lines:
        assert lines[0].startswith("crmdesk import: "), (name, err)
    if code != 0 and not out.strip():  # refused: nothing written at all
        assert _counts(db) == before, (name, err)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_broken_file_gets_one_line_and_writes_nothing_when_refused(capsys, template, tmp_path, name):
    _import(capsys, template, tmp_path, name, CORPUS[name])


_SEEDS = [GOOD.encode("utf-8"), GOOD.encode("gb18030"), _xlsx(GOOD_XLSX_ROWS)]


@st.composite
def _mutated(draw) -> tuple[str, bytes]:
    seed = draw(st.sampled_from(range(len(_SEEDS))))
    data = bytearray(_SEEDS[seed])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at: at + draw(st.integers(1, 256))]
        else:
            data[at:at] = bytes(data[at: at + 40]) * draw(st.integers(1, 50))
    return ("mutated.xlsx" if seed == 2 else "mutated.csv"), bytes(data)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=_mutated())
def test_mutated_exports_never_crash(capsys, template, tmp_path_factory, case):
    name, data = case
    _import(capsys, template, tmp_path_factory.mktemp("m"), name, data)
