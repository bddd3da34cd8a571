"""The fast CSV body reader: pandas' C parser straight on the file's bytes.

A GBK/GB18030 export need not be decoded as a whole before it is split: its multi-byte
characters never contain the bytes of a comma, tab, semicolon, quote or line break, so the
parser can split the raw bytes and only the columns that are read get decoded, each
*distinct* value once (a million lines hold a few thousand names). The parser hands its
fields over as UTF-8 with ``surrogateescape``, which keeps every byte (a GBK byte that is no
UTF-8 becomes a lone surrogate): such a field goes back to its exact bytes and is decoded in
the file's encoding. A column with nothing but ASCII is taken as it is, and a broken byte in
a column that is not imported never stops its row. UTF-8 bodies are validated first, in chunks.

pandas pads a row with fewer fields and drops the extra fields of a longer row without a
word when only some columns are read, so the fields of every line are counted on the bytes
(numpy, a chunk at a time). Whatever this reader cannot vouch for — rows with another number
of fields that are not 合计/blank lines (or any such row outside UTF-8), quoted line breaks, a
value that does not decode — makes it return None, and the caller decodes the whole text and
reads it carefully.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings

import numpy as np
import pandas as pd

# The text dtype of every column read: Python strings. pandas' "python" string storage needs no
# pyarrow; its ``.str`` methods loop in Python, so the cleaning step works per distinct value.
STRING = pd.StringDtype("python")
_UTF8 = {"utf-8", "utf-8-sig"}
_GB = {"gb18030", "gbk", "gb2312", "cp936"}
_SINGLE_BYTE = {"cp1252", "latin-1", "iso8859-1", "ascii"}
# GBK trail bytes run 0x40–0xFE (and 0x30–0x39 in GB18030's four-byte form): "|" (0x7C) can be
# half of a Chinese character, these cannot.
_GB_SAFE_DELIMITERS = {",", "\t", ";"}
DELIMITERS = (",", "\t", ";", "|")  # sniffed in this order; a space ("runs of whitespace") goes to pandas
_CHUNK = 1 << 22  # bytes counted (and UTF-8 validated) at a time: bounded temporary arrays
_LF, _CR, _QUOTE = 0x0A, 0x0D, 0x22


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


class _Bytes:
    """The body as a file whose ``read`` returns bytes. pandas' C parser takes bytes as they come
    and decodes its fields itself; a ``mode`` without "b" keeps pandas from wrapping the object in a
    TextIOWrapper (a BytesIO would be wrapped: the body decoded to text and encoded again, 25% slower)."""

    mode = "r"

    def __init__(self, data: bytes, start: int) -> None:
        self._view = memoryview(data)
        self._pos = start

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        out = bytes(self._view[self._pos:end])
        self._pos = end
        return out

    def __iter__(self):  # pandas' file-like test asks for it; the C parser only calls read()
        return iter(())


def read_body(data: bytes, start: int, delimiter: str, width: int, usecols: list[int] | None, header_row: int,
              encoding: str = "utf-8") -> tuple[pd.DataFrame, np.ndarray] | None:
    """(frame of text columns, 1-based row numbers) of the lines from byte ``start`` on, or None.

    Rows with a different number of fields are accepted only when they are 合计/blank lines, whose
    line numbers are then left out so the other rows keep theirs (UTF-8 only)."""
    if width == 0:
        return None
    utf8 = is_utf8(encoding)
    names = usecols if usecols is not None else list(range(width))
    counted = _count_fields(data, start, ord(delimiter), width, utf8)
    if counted is None:
        return None
    lines, odd = counted
    if not lines:
        return pd.DataFrame({name: pd.Series([], dtype=STRING) for name in names}), np.zeros(0, dtype=np.int64)
    if len(odd) and (not utf8 or not _all_blank_or_footer(data, odd, delimiter)):
        return None
    frame = _parse(data, start, delimiter, width, names)
    if frame is None:
        # pandas refuses ``usecols`` past the first line's fields (a short or empty first line): all then
        frame = _parse(data, start, delimiter, width, None)
    if frame is None:
        return None
    if len(frame) != lines:
        return None  # a lone CR or a quote the counting read otherwise: let the careful reader number the rows
    numbers = np.arange(header_row + 1, header_row + 1 + lines, dtype=np.int64)
    if len(odd):
        keep = np.ones(lines, dtype=bool)
        keep[odd[:, 0]] = False
        frame, numbers = frame.iloc[keep], numbers[keep]
    columns = {}
    for name in names:
        values = frame[name].to_numpy(dtype=object)
        if not utf8:
            values = _decoded(values, encoding)
            if values is None:
                return None
        columns[name] = pd.Series(pd.array(values, dtype=STRING, copy=False), copy=False)
    return pd.DataFrame(columns, copy=False), numbers


def _parse(data: bytes, start: int, delimiter: str, width: int, usecols: list[int] | None) -> pd.DataFrame | None:
    """The body's fields as surrogate-escaped text (None: pandas refused it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a row pandas would cut: not ours to read
            return pd.read_csv(_Bytes(data, start), sep=delimiter, header=None, names=list(range(width)),
                               usecols=usecols, dtype=object, encoding="utf-8", encoding_errors="surrogateescape",
                               na_filter=False, keep_default_na=False, skip_blank_lines=False, quotechar='"',
                               doublequote=True, index_col=False, engine="c")
    except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError, UnicodeError, ValueError):
        return None


def _count_fields(data: bytes, start: int, delimiter: int, width: int, utf8: bool
                  ) -> tuple[int, np.ndarray] | None:
    """(number of lines, [line index, start, end] of each line whose field count is not ``width``),
    counted on the bytes a chunk at a time; None when a UTF-8 body does not decode. An empty line
    is a row of empty fields (as Arrow's reader had it), not a short row."""
    decoder = codecs.getincrementaldecoder("utf-8")() if utf8 else None
    view = memoryview(data)
    total, pos = len(data), start
    lines = 0
    odd: list[np.ndarray] = []
    while pos < total:
        end = total if pos + _CHUNK >= total else data.rfind(b"\n", pos, pos + _CHUNK) + 1
        if end <= pos:  # a line longer than a chunk: up to its end
            end = data.find(b"\n", pos + _CHUNK) + 1 or total
        if decoder is not None:
            try:
                decoder.decode(view[pos:end], final=end == total)
            except UnicodeDecodeError:
                return None  # the careful reader says which line
        chunk = np.frombuffer(view[pos:end], dtype=np.uint8)
        returns = np.flatnonzero(chunk == _CR)
        if end == total and len(returns) and returns[-1] == len(chunk) - 1:
            returns = returns[:-1]  # the file's last byte: the end of the last line either way
        if len(returns) and (returns[-1] == len(chunk) - 1 or (chunk[returns + 1] != _LF).any()):
            return None  # a CR that ends no CRLF: a line break to the parser, none to this count
        breaks = np.flatnonzero(chunk == _LF)
        if not len(breaks) or breaks[-1] != len(chunk) - 1:
            breaks = np.append(breaks, len(chunk))  # the last line has no line break
        starts = np.append(0, breaks[:-1] + 1)
        fields = _fields_per_line(chunk, delimiter, starts, breaks)
        if fields is None:
            return None
        length = breaks - starts
        empty = (length == 0) | ((length == 1) & (chunk[np.minimum(starts, len(chunk) - 1)] == _CR))
        wrong = np.flatnonzero((fields != width) & ~empty)
        if len(wrong):
            odd.append(np.column_stack([wrong + lines, starts[wrong] + pos, breaks[wrong] + pos]))
        lines += len(breaks)
        pos = end
    return lines, (np.concatenate(odd) if odd else np.zeros((0, 3), dtype=np.int64))


def _fields_per_line(chunk: np.ndarray, delimiter: int, starts: np.ndarray, breaks: np.ndarray
                     ) -> np.ndarray | None:
    """Fields of each line (``starts``/``breaks``: where lines start and end). A delimiter between
    quotes is no field break: a quote opens at the start of a field and closes before a delimiter
    or the line's end (``""`` inside is one quote), as the C parser reads it; a line whose quotes
    do not keep to that (a stray quote in a value, a line break inside quotes) is split by the csv
    module, which reads such quotes as the parser does (None: it cannot split the line)."""
    splits = np.flatnonzero(chunk == delimiter)
    quotes = np.flatnonzero(chunk == _QUOTE)
    if not len(quotes):
        return np.diff(np.searchsorted(splits, breaks), prepend=0) + 1
    line_of = np.searchsorted(breaks, quotes)  # the line each quote is on
    first = np.searchsorted(quotes, starts)  # index of each line's first quote
    k = np.arange(len(quotes)) - first[line_of]  # the quote's number on its line
    before = np.where(quotes > 0, chunk[np.maximum(quotes - 1, 0)], _LF)
    after = np.where(quotes + 1 < len(chunk), chunk[np.minimum(quotes + 1, len(chunk) - 1)], _LF)
    at_start = (quotes == starts[line_of]) | (before == delimiter)
    at_end = (after == delimiter) | (after == _LF) | (after == _CR)
    paired = np.zeros(len(quotes), dtype=bool)  # "" : this quote and its neighbour are one escaped quote
    paired[1:] |= (quotes[1:] == quotes[:-1] + 1) & (line_of[1:] == line_of[:-1])
    paired[:-1] |= paired[1:].copy()
    opening = k % 2 == 0
    fine = np.where(opening, at_start | (paired & (k > 0)), at_end | paired)
    count = np.diff(np.append(first, len(quotes)))
    bad_line = (count % 2 == 1)
    np.logical_or.at(bad_line, line_of[~fine], True)
    inside = np.zeros(len(splits), dtype=bool)
    if len(splits):
        split_line = np.searchsorted(breaks, splits)
        inside = (np.searchsorted(quotes, splits) - first[split_line]) % 2 == 1
    fields = np.diff(np.searchsorted(splits[~inside], breaks), prepend=0) + 1
    for line in np.flatnonzero(bad_line):
        text = chunk[starts[line]:breaks[line]].tobytes().decode("latin-1")
        try:
            rows = list(csv.reader(io.StringIO(text + "\n", newline=""), delimiter=chr(delimiter), strict=False))
        except csv.Error:
            return None
        if len(rows) != 1 or any("\n" in value for value in rows[0]):
            return None  # the line ends between quotes: a quoted line break
        fields[line] = len(rows[0])
    return fields


def _all_blank_or_footer(data: bytes, odd: np.ndarray, delimiter: str) -> bool:
    """Whether every line of ``odd`` ([index, start, end] rows) is blank or a 合计 line."""
    from crmdesk.importers.cleaning import FOOTER

    for _index, begin, end in odd.tolist():
        text = data[begin:end].decode("utf-8")
        if text.strip() and not FOOTER.match(text.split(delimiter)[0].strip()):
            return False
    return True


def _decoded(values: np.ndarray, encoding: str) -> np.ndarray | None:
    """A column of surrogate-escaped fields as text in ``encoding``: as it is when it is all ASCII,
    else each distinct value turned back into its bytes and decoded once (rows of a value share its
    one string); None when one does not decode. The distinct values are found by a dict: pandas'
    factorize is ten times slower on strings that hold surrogates (and holds the GIL meanwhile)."""
    if "".join(values[:1000]).isascii() and "".join(values).isascii():
        return values  # codes, numbers, dates: the whole column checked only when its start is ASCII
    distinct = dict.fromkeys(values.tolist())
    try:
        text = {u: u if u.isascii() else u.encode("utf-8", "surrogateescape").decode(encoding) for u in distinct}
    except UnicodeError:
        return None
    return np.fromiter(map(text.__getitem__, values), dtype=object, count=len(values))
