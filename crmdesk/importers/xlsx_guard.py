"""Checks on an .xlsx before calamine reads it: size, cell area, and formulas without a value.

calamine allocates the whole rectangle up to the farthest cell a sheet names, in Rust, before
returning a row: a 5 KB workbook with one cell at XFD1048576 asks for 17 billion cells and the
process aborts (SIGABRT — in the GUI the app just closes). A compression bomb (1 MB that inflates
to hundreds of MB of XML) eats gigabytes. So the sheet's XML is inflated here first, as a stream
and from the raw bytes (the sizes in the zip directory can lie), counting what comes out, and
scanned for the farthest row and column its cells name; a sheet over the limits is refused with
a message before calamine sees it.

The same pass finds formula cells whose file keeps no computed value (written by a program, never
opened in Excel): calamine reads them as empty, which would import as 0; their rows are rejected.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib

import numpy as np
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from crmdesk.i18n import _

MAX_CELLS = 30_000_000  # rows × columns of the used area: ~1M lines of 30 columns
MAX_SHEET_BYTES = 1 << 30  # inflated XML of one sheet (or of its shared strings)
BOMB_RATIO = 200  # real sheets inflate 5–30×; a bomb hundreds of times
BOMB_FLOOR = 32 << 20  # the ratio is only held against members that inflate past this
MAX_SMALL_PART = 32 << 20  # workbook.xml and its relations
_CHUNK = 1 << 22
_MAX_ROW_XML = 64 << 20  # one <row> element: 16,384 cells of 4 KB


class WorkbookRefused(Exception):
    """The workbook is refused before reading; the message says why (without the file name)."""


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


def check_sheet(path: Path, sheet: str) -> set[tuple[int, int]]:
    """Raise WorkbookRefused when the sheet named ``sheet`` of the .xlsx ``path`` is too big to read
    safely; returns (row, 0-based column) of its formula cells that hold no computed value."""
    try:
        with zipfile.ZipFile(path) as book:
            infos = {i.filename: i for i in book.infolist()}
            target = _sheet_member(book, infos, sheet)
            shared = infos.get("xl/sharedStrings.xml")
            if shared is not None:
                for _chunk in _inflate(path, shared):
                    pass
            if target is None:  # not found by name: every sheet is held to the limits
                found: set[tuple[int, int]] = set()
                for name, info in infos.items():
                    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                        found |= _scan(path, info)
                return found
            return _scan(path, target)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, struct.error, ElementTree.ParseError) as exc:
        raise WorkbookRefused(_("not a readable Excel workbook ({error})").format(error=exc)) from exc


def _sheet_member(book: zipfile.ZipFile, infos: dict, sheet: str) -> zipfile.ZipInfo | None:
    """The zip member of the sheet called ``sheet`` (workbook.xml → its relationship → the part)."""
    wb, rels = infos.get("xl/workbook.xml"), infos.get("xl/_rels/workbook.xml.rels")
    if wb is None or rels is None or wb.file_size > MAX_SMALL_PART or rels.file_size > MAX_SMALL_PART:
        return None
    rid = None
    for el in ElementTree.fromstring(book.read(wb)).iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet" and el.get("name") == sheet:
            rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            break
    if rid is None:
        return None
    for el in ElementTree.fromstring(book.read(rels)).iter():
        if el.tag.rsplit("}", 1)[-1] == "Relationship" and el.get("Id") == rid:
            target = el.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            parts: list[str] = []
            for part in name.split("/"):  # resolve "xl/../x" the way zip readers do
                if part == "..":
                    parts = parts[:-1]
                elif part not in ("", "."):
                    parts.append(part)
            return infos.get("/".join(parts))
    return None


def _inflate(path: Path, info: zipfile.ZipInfo):
    """The member's bytes as they inflate, from the raw compressed data (whatever sizes the
    directory claims), refused once they pass MAX_SHEET_BYTES or inflate like a bomb."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise WorkbookRefused(_("the workbook uses an unsupported compression ({method})").format(
            method=info.compress_type))
    with path.open("rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local file header")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        left = info.compress_size
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        out = consumed = 0
        while left > 0:
            raw = fh.read(min(_CHUNK >> 4, left))
            if not raw:
                break
            left -= len(raw)
            consumed += len(raw)
            pending = raw
            while pending:
                if inflater is None:
                    data, pending = pending, b""
                else:
                    data = inflater.decompress(pending, _CHUNK)
                    pending = inflater.unconsumed_tail
                out += len(data)
                # the ratio so far: a bomb is refused after its first 32 MB, not at its end
                _hold_size(out, max(1, consumed - len(pending)))
                if data:
                    yield data
                if inflater is not None and inflater.eof:
                    return


def _hold_size(size: int, packed: int) -> None:
    if size > MAX_SHEET_BYTES:
        raise WorkbookRefused(_("a sheet inflates to more than {mb} MB of XML; export it as CSV instead").format(
            mb=MAX_SHEET_BYTES >> 20))
    if size > BOMB_FLOOR and size > BOMB_RATIO * packed:
        raise WorkbookRefused(_("a sheet inflates {ratio}-fold ({packed:,} bytes to more than {size:,}): "
                                "refused as a compression bomb").format(
            ratio=size // packed, packed=packed, size=size))


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_REF = re.compile(rb"([A-Za-z]{1,3})(\d{1,7})")
_ROW_R = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_CELL_R = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"')
_CELL_ANY = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_ANY = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_PLAIN = re.compile(rb'<row r="(\d+)"')
_WIDE_COL = re.compile(rb'<c r="([A-Z]{2,3})\d')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_START = re.compile(rb"<(?:\w+:)?c\b")
_CELL_END = re.compile(rb"</(?:\w+:)?c>|/>")


def _hold_area(rows: int, cols: int) -> None:
    if rows > 1_048_576 or cols > 16_384:
        raise WorkbookRefused(_("a sheet names row {rows:,}, column {cols:,}: past Excel's last cell "
                                "(1,048,576 × 16,384), so the file is damaged or not a real workbook").format(
            rows=rows, cols=cols))
    if rows * cols > MAX_CELLS:
        raise WorkbookRefused(_("a sheet spans {rows:,} rows × {cols:,} columns, more than {cells:,} cells; "
                                "remove the empty area or export it as CSV").format(rows=rows, cols=cols,
                                                                                    cells=MAX_CELLS))


def _scan(path: Path, info: zipfile.ZipInfo) -> set[tuple[int, int]]:
    """Hold one sheet to the limits; the uncached formula cells it names."""
    max_row = max_col = 0
    uncached: set[tuple[int, int]] = set()
    buffer = b""
    first = True
    for data in _inflate(path, info):
        buffer += data
        if first:
            first = False
            if m := _DIMENSION.search(buffer[:65536]):  # the declared area, refused before anything else
                refs = _REF.findall(m[1])
                if refs:
                    _hold_area(max(int(r) for _c, r in refs), max(column_number(c) for c, _r in refs))
        cut = buffer.rfind(b"row>")  # only whole rows are scanned; the rest waits for more data
        if cut < 0:
            if len(buffer) > _MAX_ROW_XML:
                raise WorkbookRefused(_("a sheet row holds more than {mb} MB of XML").format(mb=_MAX_ROW_XML >> 20))
            continue
        whole, buffer = buffer[: cut + 4], buffer[cut + 4:]
        max_row, max_col = _extent(whole, max_row, max_col)
        _hold_area(max_row, max_col)
        if b"<f" in whole or b":f" in whole:
            uncached |= _uncached(whole)
    if buffer:
        max_row, max_col = _extent(buffer, max_row, max_col)
        _hold_area(max_row, max_col)
        uncached |= _uncached(buffer)
    return uncached


def _extent(xml: bytes, max_row: int, max_col: int) -> tuple[int, int]:
    """The farthest row and column ``xml`` (whole rows of a sheet) names, or a bound on them.

    Exact values cost a Python object per cell, so the common forms are bounded with C-speed
    searches and counts, and only what a search cannot bound is listed: cells with two- or
    three-letter columns, and everything in a file that writes cells unusually."""
    plain_cells = xml.count(b'<c r="')
    if plain_cells != xml.count(b"<c ") + xml.count(b"<c>") or b":c " in xml or b":row" in xml:
        return _extent_exact(xml, max_row, max_col)
    rows = _ROW_PLAIN.findall(xml)
    if len(rows) != xml.count(b"<row"):
        return _extent_exact(xml, max_row, max_col)
    if rows:
        max_row = max(max_row, max(map(int, rows)))
    if plain_cells:
        wide = set(_WIDE_COL.findall(xml))
        # one-letter columns are bounded by Z: 26 × 1,048,576 rows is under MAX_CELLS anyway
        max_col = max(max_col, max((column_number(c) for c in wide), default=26))
        # a cell may name a row beyond its <row>: one with more digits than the last row has
        if re.search(rb'<c r="[A-Z]{1,3}\d{%d,}"' % (len(str(max_row)) + 1), xml):
            max_row = max(max_row, max(int(r) for r in _CELL_ROW.findall(xml)))
    return max_row, max_col


def _extent_exact(xml: bytes, max_row: int, max_col: int) -> tuple[int, int]:
    rows = _ROW_R.findall(xml)
    if rows:
        max_row = max(max_row, max(map(int, rows)))
    cells = _CELL_R.findall(xml)
    if cells:
        max_col = max(max_col, max(column_number(c) for c in set(c for c, _r in cells)))
        max_row = max(max_row, max(map(int, (r for _c, r in cells))))
    anywhere = np.fromiter((m.start() for m in _CELL_ANY.finditer(xml)), dtype=np.int64)
    if len(cells) < len(anywhere):  # cells without a reference: count them per row
        starts = np.fromiter((m.start() for m in _ROW_ANY.finditer(xml)), dtype=np.int64)
        if len(anywhere):
            max_col = max(max_col, int(np.bincount(np.searchsorted(starts, anywhere)).max()))
        max_row = max(max_row, len(starts))
    return max_row, max_col


def _uncached(xml: bytes) -> set[tuple[int, int]]:
    """(row, 0-based column) of cells that hold a formula and no (or an empty) value."""
    found = set()
    for m in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", 0, m.start())
        alt = xml.rfind(b":c ", 0, m.start())
        start = max(start, alt)
        if start < 0:
            continue
        end = xml.find(b"c>", m.end())
        cell = xml[start: end if end >= 0 else len(xml)]
        value = re.search(rb"<(?:\w+:)?v>([^<]+)</", cell)
        if value is not None:
            continue
        ref = re.search(rb'\sr="([A-Z]{1,3})(\d+)"', cell[:200])
        if ref is not None:
            found.add((int(ref[2]), column_number(ref[1]) - 1))
    return found
