"""Reading export files into rows of text: CSV/TXT (encoding and delimiter detected), XLSX and XLS.

Readers: ``python-calamine`` (Rust, reads .xlsx and legacy BIFF8 .xls including codepage 936
fast, without a Python-level cell loop), pandas' C CSV parser on text decoded by Python's codecs
(GB18030 is a superset of GBK/GB2312), ``charset-normalizer`` only as the last resort for odd
encodings (on its own it mistakes cp1252 for cp775/cp1250 on sparse Western text).

Everything is returned as text; typing happens in ``cleaning`` so one set of rules covers
CSV and Excel alike. Row numbers are kept as the user sees them (1-based line or sheet row).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers.encoding_detect import detect_encoding
from crmdesk.importers.raw_csv import DELIMITERS, STRING, is_utf8, line_offset, read_body, splits_raw
from crmdesk.importers.xlsx_guard import WorkbookRefused, check_sheet

log = logging.getLogger(__name__)

# The csv module refuses fields over 131,072 characters; an export with a long note (or a broken
# one with no line breaks) must be read, and a value too long for its column rejected with a reason.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
HEAD_ROWS = 80


class ReadError(Exception):
    """The file cannot be read at all; the message names the file and says why — on one line:
    a header or value it quotes may hold control characters that would break it."""

    def __init__(self, message: object = "") -> None:
        super().__init__(one_line(str(message)))


_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters (also those ``splitlines`` breaks at: \\x1c, \\x85 …) escaped."""
    return _BREAKING.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", text)


@dataclass
class Source:
    """An opened file: format, encoding/delimiter or sheet, and access to its rows as text."""

    path: Path
    format: str  # csv, excel
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    _raw: bytes | None = field(default=None, repr=False)  # the bytes, when they can be split undecoded
    _text: str | None = field(default=None, repr=False)
    _rows: list[list[str]] | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)  # what reading changed or could not read, said to the user
    bad_lines: dict[int, str] = field(default_factory=dict)  # row number → start of a line that did not decode
    uncached: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based column) of formulas with no value
    limits: object = None  # crmdesk.importers.limits.Limits for this import (None: the defaults)

    def head(self, n: int = HEAD_ROWS) -> list[list[str]]:
        """The first ``n`` rows (index i is row i+1 of the file), cells as stripped text."""
        if self.format == "excel":
            return self._excel_rows()[:n]
        lines = self._text_lines(n)
        if self.delimiter == " ":
            return [line.split() for line in lines]
        try:
            return [[c.strip() for c in row] for row in csv.reader(lines, delimiter=self.delimiter)]
        except csv.Error as exc:
            raise ReadError(_("{file}: cannot split the first rows into columns ({error})").format(
                file=self.path.name, error=exc)) from exc

    def body(self, header_row: int, usecols: list[int] | None = None) -> tuple[list[str], pd.DataFrame, np.ndarray]:
        """(headers, rows below the header as text, their 1-based row numbers).

        Columns of the frame are positions; ``usecols`` limits them to the positions needed.
        Blank rows are kept (as empty strings) so row numbers stay true.
        """
        if self.format == "excel":
            rows = self._excel_rows()
            if header_row > len(rows):
                raise ReadError(_("{file}: the header row {row} is past the end").format(
                    file=self.path.name, row=header_row))
            headers = rows[header_row - 1]
            width = len(headers)
            body = [r[:width] + [""] * (width - len(r)) for r in rows[header_row:]]
            frame = pd.DataFrame(body, columns=range(width), dtype=STRING) if body else pd.DataFrame(
                columns=range(width), dtype=STRING)
            if usecols is not None:
                frame = frame[usecols]
            numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
            return [str(h).strip() for h in headers], frame, numbers
        return self._csv_body(header_row, usecols)

    def release(self) -> None:
        """Drop the file's bytes, decoded text or cells once the body has been read (memory)."""
        self._raw = None
        self._text = None
        self._rows = None

    # -- text files ---------------------------------------------------------------------
    def _decoded(self) -> str:
        if self._text is None:
            assert self._raw is not None
            self._text = _decode(self.path, self._raw, self.encoding, self.bad_lines)
        return self._text

    def _text_lines(self, n: int) -> list[str]:
        if self._text is None:  # only the first lines are decoded: the body may never need the rest
            assert self._raw is not None
            end = line_offset(self._raw, n)
            text = _decode(self.path, self._raw[:end], self.encoding, self.bad_lines)
        else:
            text = self._text
        out: list[str] = []
        start = 0
        while len(out) < n:
            end = text.find("\n", start)
            if end < 0:
                if start < len(text):
                    out.append(text[start:].rstrip("\r"))
                break
            out.append(text[start:end].rstrip("\r"))
            start = end + 1
        return out

    def _csv_body(self, header_row: int, usecols: list[int] | None):
        headers = self.head(header_row)[header_row - 1] if header_row else []
        raw_utf8 = False
        if self._raw is not None and splits_raw(self.encoding, self.delimiter):
            fast = read_body(self._raw, line_offset(self._raw, header_row), self.delimiter, len(headers), usecols,
                             header_row, self.encoding)
            if fast is not None:
                return headers, fast[0], fast[1]
            raw_utf8 = is_utf8(self.encoding)  # the same bytes again would fail the same way
        text = self._decoded()
        if self.delimiter != " " and not raw_utf8:
            data = text.encode("utf-8")
            fast = read_body(data, line_offset(data, header_row), self.delimiter, len(headers), usecols, header_row)
            del data
            if fast is not None:
                return headers, fast[0], fast[1]
        sep = r"\s+" if self.delimiter == " " else self.delimiter
        kwargs = dict(sep=sep, header=None, skiprows=header_row, dtype=STRING, keep_default_na=False,
                      na_filter=False, skip_blank_lines=False, quotechar='"', names=list(range(len(headers))),
                      index_col=False)
        if usecols is not None:
            kwargs["usecols"] = usecols
        engine = "c" if sep != r"\s+" else "python"
        try:
            with warnings.catch_warnings():
                # pandas drops fields beyond the header with only a warning on stderr: make it an error
                # here and look at what those fields hold (a trailing comma is empty and harmless).
                warnings.simplefilter("error", pd.errors.ParserWarning)
                try:
                    frame = pd.read_csv(io.StringIO(text), engine=engine, **kwargs)
                except pd.errors.ParserWarning:
                    frame = self._csv_with_extra_fields(text, engine, kwargs, len(headers), header_row)
        except (pd.errors.ParserError, ValueError) as exc:
            raise ReadError(_("{file}: cannot split the rows into columns ({error})").format(
                file=self.path.name, error=exc)) from exc
        numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
        return headers, frame, numbers

    def _csv_with_extra_fields(self, text: str, engine: str, kwargs: dict, width: int, header_row: int):
        """Rows with more fields than the header: kept when every extra field is empty (a trailing
        separator, as Thunderbird writes), else the file is refused naming the first such row."""
        sep = kwargs["sep"] if kwargs["sep"] != r"\s+" else None
        widest = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=sep or ",")), default=width) \
            if sep else width
        wide = dict(kwargs, names=list(range(max(widest, width))))
        wide.pop("usecols", None)
        frame = pd.read_csv(io.StringIO(text), engine=engine, **wide)
        extra = frame.iloc[:, width:]
        filled = extra.ne("").any(axis=1).to_numpy() if extra.shape[1] else np.zeros(len(frame), dtype=bool)
        if filled.any():
            row = header_row + 1 + int(np.flatnonzero(filled)[0])
            raise ReadError(_("{file}, row {row}: more fields than the header has columns ({width}); the extra "
                              "values would be lost").format(file=self.path.name, row=row, width=width))
        frame = frame.iloc[:, :width]
        usecols = kwargs.get("usecols")
        return frame[usecols] if usecols is not None else frame

    # -- Excel ----------------------------------------------------------------------------
    def _excel_rows(self) -> list[list[str]]:
        if self._rows is None:
            from python_calamine import CalamineWorkbook

            try:
                if self.path.suffix.lower() not in {".xlsb", ".ods"} and zipfile.is_zipfile(self.path):
                    self.uncached = check_sheet(self.path, self.sheet)  # before calamine allocates
                book = CalamineWorkbook.from_path(str(self.path))
                sheet = book.get_sheet_by_name(self.sheet)
                raw = sheet.to_python(skip_empty_area=False)
            except WorkbookRefused as exc:
                raise ReadError(_("{file}: {reason}").format(file=self.path.name, reason=exc)) from exc
            except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
                raise ReadError(_("{file}: not a readable Excel workbook ({error})").format(
                    file=self.path.name, error=exc)) from exc
            except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
                if type(exc).__name__ != "PanicException":
                    raise
                raise ReadError(_("{file}: not a readable Excel workbook ({error})").format(
                    file=self.path.name, error=str(exc)[:200])) from None
            self._rows = [[_cell_text(v) for v in row] for row in raw]
        return self._rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


# -- opening ----------------------------------------------------------------------------------
def open_source(path: str | Path, encoding: str | None = None, sheet: str | int | None = None,
                delimiter: str | None = None) -> Source:
    """Open ``path`` for reading; raises ReadError when it is not a file we can read."""
    path = Path(path)
    if path.is_dir():
        raise ReadError(_("{file}: is a directory, not a file").format(file=path))
    if not path.is_file():
        raise ReadError(_("{file}: no such file").format(file=path))
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        magic = fh.read(8)
    if suffix in EXCEL_SUFFIXES or magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_excel(path, sheet)
    return _open_text(path, encoding, delimiter)


def _open_excel(path: Path, sheet: str | int | None) -> Source:
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() in {".xlsx", ".xlsm"} and not zipfile.is_zipfile(path):
        raise ReadError(_("{file}: not a readable Excel workbook (damaged or truncated)").format(file=path.name))
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(_("{file}: not a readable Excel workbook ({error})").format(file=path.name, error=exc)) from exc
    except BaseException as exc:  # pyo3's PanicException (a Rust panic) is no Exception
        if type(exc).__name__ != "PanicException":
            raise
        raise ReadError(_("{file}: not a readable Excel workbook ({error})").format(
            file=path.name, error=str(exc)[:200])) from None
    if not names:
        raise ReadError(_("{file}: the workbook has no sheets").format(file=path.name))
    if sheet is None or sheet == "":
        chosen = names[0]
    elif isinstance(sheet, int) or str(sheet).isdigit() and str(sheet) not in names:
        index = int(sheet)
        if not 0 <= index - 1 < len(names):
            raise ReadError(_("{file}: no sheet number {sheet}").format(file=path.name, sheet=sheet))
        chosen = names[index - 1]
    elif sheet in names:
        chosen = str(sheet)
    else:
        raise ReadError(_("{file}: no sheet named {sheet} (sheets: {names})").format(
            file=path.name, sheet=sheet, names=", ".join(names)))
    return Source(path=path, format="excel", sheet=chosen, sheets=names)


def _open_text(path: Path, encoding: str | None, delimiter: str | None) -> Source:
    data = path.read_bytes()
    enc = encoding or detect_encoding(data)
    try:
        codecs.lookup(enc)
    except LookupError as exc:
        raise ReadError(_("{file}: unknown encoding {encoding}").format(file=path.name, encoding=enc)) from exc
    if data.startswith(b"\xef\xbb\xbf") and codecs.lookup(enc).name in ("utf-8", "utf-8-sig"):
        data = data[3:]
    source = Source(path=path, format="csv", encoding=enc)
    if splits_raw(enc, delimiter or ","):  # ASCII-safe bytes: decoded later, column by column
        data = _line_breaks(_without_nul(path, data, b"\x00", source.notes), b"\r", b"\n")
        source._raw = data
    else:
        text = _decode(path, data, enc, source.bad_lines if _by_lines(enc) else None)
        del data
        if text.startswith("\ufeff"):
            text = text[1:]
        source._text = _line_breaks(_without_nul(path, text, "\x00", source.notes), "\r", "\n")
    source.delimiter = delimiter or sniff_delimiter(source._text_lines(HEAD_ROWS))
    return source


def _without_nul(path: Path, data, nul, notes: list[str]):
    """A stray NUL (a broken export) is removed and said; a file of them is not text at all."""
    count = data.count(nul)
    if not count:
        return data
    if count > max(16, len(data) // 1000):  # random bytes hold one in 256
        raise ReadError(_("{file}: not a text export (binary content)").format(file=path.name))
    notes.append(_("{n} NUL characters removed from the file").format(n=count))
    return data.replace(nul, nul[:0])


def _line_breaks(data, cr, lf):
    """Old Mac files end lines with CR alone: made LF, so rows split and keep their numbers."""
    if lf not in data and cr in data:
        return data.replace(cr, lf)
    return data


def _by_lines(encoding: str) -> bool:
    """True when the byte 0x0A is a line break and nothing else in ``encoding`` (not UTF-16/32)."""
    return not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def _decode(path: Path, data: bytes, encoding: str, bad_lines: dict[int, str] | None = None) -> str:
    """The text of ``data``. With ``bad_lines``, lines that do not decode become empty lines
    (row numbers stay true) and are listed there, to be rejected with their row number; when
    most lines fail the encoding is wrong and the file is refused."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        first = data.count(b"\n", 0, exc.start) + 1
        failure = ReadError(_("{file}: not valid {encoding} text at line {line}; give the right encoding").format(
            file=path.name, encoding=encoding, line=first))
        if bad_lines is None:
            raise failure from exc
    lines = data.split(b"\n")
    out: list[str] = []
    bad = 0
    for number, line in enumerate(lines, start=1):
        try:
            out.append(line.decode(encoding))
        except UnicodeDecodeError:
            bad += 1
            bad_lines[number] = line[:60].decode(encoding, errors="replace").strip()
            out.append("")
    if bad * 2 > sum(1 for line in lines if line.strip()):
        raise failure
    return "\n".join(out)


def _fields(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):  # a stray CR or quote: this line casts no vote
        return 0


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number (>1) of fields."""
    lines = [ln for ln in lines if ln.strip()]
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        counts = [_fields(ln, delim) for ln in lines]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=lambda c: (multi.count(c), c))
        score = (multi.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    if best_score == (0, 0) and any(len(ln.split()) > 1 for ln in lines):
        return " "  # whitespace-separated columns (fixed-width style exports)
    return best
