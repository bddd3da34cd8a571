"""The fast CSV body reader: pyarrow's multi-threaded parser straight on the file's bytes.

A GBK/GB18030 export need not be decoded as a whole before it is split: its multi-byte
characters never contain the bytes of a comma, tab, semicolon, quote or line break, so the
parser can split the raw bytes and only the columns that are read get decoded, each
*distinct* value once (a million lines hold a few thousand names). A column with nothing
but ASCII is taken as it is. UTF-8 bytes are parsed (and validated) by pyarrow directly.
Whatever this reader cannot vouch for — rows with another number of fields that are not
合计/blank lines, quoted line breaks, a value that does not decode — makes it return None,
and the caller decodes the whole text and reads it carefully.
"""

from __future__ import annotations

import codecs

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

STRING = pd.StringDtype("pyarrow")  # vectorised string kernels (pyarrow compute) for the cleaning step
_UTF8 = {"utf-8", "utf-8-sig"}
_GB = {"gb18030", "gbk", "gb2312", "cp936"}
_SINGLE_BYTE = {"cp1252", "latin-1", "iso8859-1", "ascii"}
# GBK trail bytes run 0x40–0xFE (and 0x30–0x39 in GB18030's four-byte form): "|" (0x7C) can be
# half of a Chinese character, these cannot.
_GB_SAFE_DELIMITERS = {",", "\t", ";"}
DELIMITERS = (",", "\t", ";", "|")  # sniffed in this order; a space ("runs of whitespace") goes to pandas


def splits_raw(encoding: str, delimiter: str) -> bool:
    """True when bytes in ``encoding`` can be split on ``delimiter`` without decoding them first."""
    name = codecs.lookup(encoding).name if encoding else ""
    if name in _UTF8 or name in _SINGLE_BYTE:
        return delimiter in DELIMITERS
    return name in _GB and delimiter in _GB_SAFE_DELIMITERS


def is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in _UTF8


def line_offset(data: bytes, lines: int) -> int:
    """Byte offset where line ``lines + 1`` starts."""
    pos = 0
    for _i in range(lines):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def read_body(data: bytes, start: int, delimiter: str, width: int, usecols: list[int] | None, header_row: int,
              encoding: str = "utf-8") -> tuple[pd.DataFrame, np.ndarray] | None:
    """(frame of text columns, 1-based row numbers) of the lines from byte ``start`` on, or None.

    Rows with a different number of fields are accepted only when they are 合计/blank lines, whose
    line numbers are then found so the other rows keep theirs (UTF-8 only)."""
    from crmdesk.importers.cleaning import FOOTER

    if width == 0:
        return None
    utf8 = is_utf8(encoding)
    odd: list[str] = []

    def invalid(row) -> str:
        odd.append(row.text)
        return "skip"

    if utf8 and not _valid_utf8(data, start):
        # pyarrow hands a bad row to the handler as UTF-8 text; bytes that are not would raise
        # inside it, where the error cannot be caught (it is printed): the careful reader takes it
        return None
    names = usecols if usecols is not None else list(range(width))
    kind = pa.large_string() if utf8 else pa.large_binary()
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pcsv.ReadOptions(column_names=[f"c{i}" for i in range(width)], block_size=1 << 22,
                                          skip_rows=header_row),
            # pyarrow shows a bad row to the handler as UTF-8 text: other bytes make such a row an error
            parse_options=pcsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                            invalid_row_handler=invalid if utf8 else None),
            convert_options=pcsv.ConvertOptions(
                # large_string is what pandas' Arrow strings hold: read as string, every column would be copied
                column_types={f"c{i}": kind for i in range(width)}, strings_can_be_null=False,
                include_columns=[f"c{i}" for i in names]))
    except (pa.ArrowInvalid, UnicodeError):
        return None
    lines = data.count(b"\n", start) + (0 if data.endswith(b"\n") or start >= len(data) else 1)
    if table.num_rows + len(odd) != lines:
        return None  # quoted line breaks: let the careful reader number the rows
    numbers = np.arange(header_row + 1, header_row + 1 + lines, dtype=np.int64)
    if odd:
        skipped = _odd_lines(data, start, delimiter, odd, FOOTER)
        if skipped is None:
            return None
        numbers = np.delete(numbers, skipped)
    columns = {}
    for i, name in enumerate(names):
        column = table.column(i) if utf8 else _decoded(table.column(i), encoding)
        if column is None:
            return None
        # Wrapping each column keeps pyarrow's chunks; to_pandas would copy every string into one piece.
        columns[name] = pd.Series(pd.array(column, dtype=STRING), copy=False)
    return pd.DataFrame(columns, copy=False), numbers


def _valid_utf8(data: bytes, start: int) -> bool:
    """Whether ``data[start:]`` is UTF-8, checked by Arrow's vectorised validation without a copy."""
    body = pa.py_buffer(data)[start:]
    offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, body]).cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return True


def _odd_lines(data: bytes, start: int, delimiter: str, odd: list[str], footer) -> list[int] | None:
    """Line indexes (from ``start``) of the skipped rows, when every one is a 合计 or blank line."""
    if not all(footer.match(t.split(delimiter)[0].strip() if t.strip() else "合计") or not t.strip() for t in odd):
        return None
    skipped, pos = [], start
    for t in odd:
        text = t.encode("utf-8")
        found = _whole_line(data, text, pos, start)
        if found < 0:
            return None
        skipped.append(data.count(b"\n", start, found))
        pos = found + len(text)
    return skipped


def _whole_line(data: bytes, text: bytes, pos: int, start: int) -> int:
    """Where ``text`` stands as a whole line from ``pos`` on, or -1. A blank line's spaces also
    stand inside earlier rows ("1.5,  ,2"): a match there would number the rows wrongly."""
    found = data.find(text, pos)
    while found >= 0:
        begins = found == start or data[found - 1:found] == b"\n"
        ends = data[found + len(text):found + len(text) + 1] in (b"", b"\n", b"\r")
        if begins and ends:
            return found
        found = data.find(text, found + 1)
    return -1


def _decoded(column: pa.ChunkedArray, encoding: str) -> pa.ChunkedArray | None:
    """A binary column as text: pure-ASCII chunks as they are, others decoded per distinct value."""
    chunks = []
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is None or len(data) == 0 or int(np.frombuffer(data, dtype=np.uint8).max()) < 0x80:
            chunks.append(chunk.view(pa.large_string()))
            continue
        coded = pc.dictionary_encode(chunk)
        try:
            words = [b.decode(encoding) for b in coded.dictionary.to_pylist()]
        except UnicodeDecodeError:
            return None
        chunks.append(pa.array(words, type=pa.large_string()).take(coded.indices))
    return pa.chunked_array(chunks, type=pa.large_string())
