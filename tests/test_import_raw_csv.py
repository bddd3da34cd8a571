"""The byte-level CSV body reader (importers/raw_csv.py), which took over from pyarrow's reader
with the same results: row numbers, 合计/blank lines, quotes, broken bytes, and None (the careful
reader takes over) for whatever it cannot vouch for."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmdesk.importers.cleaning import FOOTER
from crmdesk.importers.raw_csv import STRING, line_offset, read_body

HEAD = "h1,h2,h3\n"


def _read(body: str | bytes, usecols=None, encoding="utf-8", width=3, delimiter=","):
    data = (HEAD.replace(",", delimiter) + body).encode(encoding) if isinstance(body, str) else HEAD.encode() + body
    got = read_body(data, line_offset(data, 1), delimiter, width, usecols, 1, encoding)
    if got is None:
        return None
    frame, numbers = got
    assert all(frame[c].dtype == STRING for c in frame.columns)
    return {c: frame[c].tolist() for c in frame.columns}, numbers.tolist()


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "cp1252"])
def test_rows_keep_their_line_numbers_and_an_empty_line_is_a_row_of_empty_cells(encoding):
    assert _read("a,b,c\n\n1,2,3\n", encoding=encoding) == (
        {0: ["a", "", "1"], 1: ["b", "", "2"], 2: ["c", "", "3"]}, [2, 3, 4])
    assert _read("a,b,c\r\n\r\n", [0, 2], encoding) == ({0: ["a", ""], 2: ["c", ""]}, [2, 3])


def test_short_footer_and_blank_lines_are_left_out_in_utf8_only():
    assert _read("a,b,c\n合计,,\n  \n1,2,3\n小计\n") == (
        {0: ["a", "合计", "1"], 1: ["b", "", "2"], 2: ["c", "", "3"]}, [2, 3, 5])
    assert _read("a,b,c\n  \n1,2,3\n", encoding="gb18030") is None  # GBK: the careful reader
    assert _read("a,b,c\n合计,1,2,3\n") == ({0: ["a"], 1: ["b"], 2: ["c"]}, [2])  # a longer 合计 line too


def test_a_blank_line_whose_text_came_earlier_keeps_the_right_row_numbers():
    # Arrow's reader looked such a line up by its text and found the spaces inside an earlier row
    assert _read("1.5,  ,1.5\n\n ") == ({0: ["1.5", ""], 1: ["  ", ""], 2: ["1.5", ""]}, [2, 3])


@pytest.mark.parametrize("body", ["a,b,c\n1,2\n", "a,b,c\n1,2,3,4\n", "a,b,c\n1,2,3,\n", 'a,"b\nx",c\n',
                                  "a,b\r,c\n", 'a,b,"c\n'])
def test_other_rows_of_another_width_and_quoted_line_breaks_go_to_the_careful_reader(body):
    assert _read(body) is None
    assert _read(body, [0]) is None  # also when the odd field is not one of the columns read


def test_quotes_as_the_parser_reads_them():
    assert _read('"a,x",b,"c""d"\n1,"",3\n') == ({0: ["a,x", "1"], 1: ["b", ""], 2: ['c"d', "3"]}, [2, 3])
    assert _read('a,b"c,d\n') == ({0: ["a"], 1: ['b"c'], 2: ["d"]}, [2])  # a quote inside a value is a character
    assert _read('a, "b,c\n') == ({0: ["a"], 1: [' "b'], 2: ["c"]}, [2])  # after a space a quote is text too


def test_gbk_columns_are_decoded_and_a_broken_byte_counts_only_in_a_column_that_is_read():
    data = "中,文,字\n".encode("gbk") + b"a,\xff\xfe,c\nd,e,f\n"
    assert _read(data, [0, 2], "gb18030") == ({0: ["中", "a", "d"], 2: ["字", "c", "f"]}, [2, 3, 4])
    assert _read(data, None, "gb18030") is None
    assert _read(data, [0, 2], "utf-8") is None  # UTF-8: the whole body must be valid


def test_tabs_semicolons_pipes_and_a_first_line_shorter_than_the_columns_read():
    assert _read("中\t文\tx\n".encode("gbk").decode("gbk"), None, "gbk", delimiter="\t") == (
        {0: ["中"], 1: ["文"], 2: ["x"]}, [2])
    assert _read("1;2;3\n\n", delimiter=";") == ({0: ["1", ""], 1: ["2", ""], 2: ["3", ""]}, [2, 3])
    assert _read("中|文|x\n", delimiter="|") == ({0: ["中"], 1: ["文"], 2: ["x"]}, [2])
    assert _read("\n1,2,3\n", [2]) == ({2: ["", "3"]}, [2, 3])


def test_an_empty_body_and_a_long_body_read_in_chunks(monkeypatch):
    assert _read("") == ({0: [], 1: [], 2: []}, [])
    from crmdesk.importers import raw_csv

    monkeypatch.setattr(raw_csv, "_CHUNK", 64)  # many chunks, lines across their ends
    body = "".join(f'{i},"名{i},x",{i % 7}\n' for i in range(500)) + "合计\n"
    frame, numbers = _read(body, [0, 1])
    assert numbers == list(range(2, 502)) and frame[1][499] == "名499,x" and frame[0][-1] == "499"


def _expected(body: str, width: int):
    """What Arrow's reader gave, from the csv module: None where it could not vouch for the rows."""
    lines = body.split("\n") if body else []
    if body.endswith("\n"):
        lines.pop()
    try:
        rows = list(csv.reader(io.StringIO(body, newline=""), strict=False))
    except csv.Error:
        return None
    if len(rows) != len(lines):
        return None  # a quoted line break
    keep, out = [], []
    for i, (line, row) in enumerate(zip(lines, rows, strict=True)):
        if line == "":
            row = [""] * width
        elif len(row) != width:
            if line.strip() and not FOOTER.match(line.split(",")[0].strip()):
                return None
            continue
        keep.append(i + 2)
        out.append(row)
    return {c: [r[c] for r in out] for c in range(width)}, keep


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "中", "", " ", '"', '""', '"x,y"', "合计", "1.5"]),
                         min_size=0, max_size=4), max_size=8))
def test_the_reader_agrees_with_the_csv_module_or_hands_over(rows):
    body = "".join(",".join(r) + "\n" for r in rows)
    expected = _expected(body, 3)
    got = _read(body)
    if expected is None:
        assert got is None
    elif got is not None:  # None is allowed: the careful reader then reads the file
        assert got == expected
