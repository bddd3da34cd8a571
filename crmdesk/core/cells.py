"""One cell of an export, as text and as a date: what the importers and the services that read
files (contacts, vCards, contact logs) share. Qt-free, pandas-free."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

NA_TOKENS = {"na", "n/a", "#n/a", "nan", "null", "none", "-", "--", "—"}
SPACES = " \t\r\n\u3000\u00a0\ufeff"
EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_SEP = re.compile(r"[/.年月\-]")
MDY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4}|\d{2})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SERIAL = re.compile(r"^(\d{4,6}(\.\d+)?|\d{8})$")


def plain(text: object) -> str:
    """NFKC (full-width digits/letters/spaces → ASCII) and stripped; NA tokens become empty."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip(SPACES)
    return "" if s.lower() in NA_TOKENS else s


def parse_one_date(raw: object, fmt: str | None = None, dayfirst: bool = False) -> dt.date | None:
    """One date cell in any of the forms exports use; None when empty; ValueError when not a date."""
    s = plain(raw)
    if not s:
        return None
    if fmt:
        return dt.datetime.strptime(s, fmt).date()
    if _SERIAL.match(s):  # Excel day numbers (also with a time fraction) and YYYYMMDD
        if len(s) == 8 and s.isdigit():
            return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
        return EXCEL_EPOCH + dt.timedelta(days=int(float(s)))
    s = s.split(" ")[0].split("T")[0] if not s.endswith("日") else s
    if s.endswith("日"):
        s = s[:-1]
    s = DATE_SEP.sub("-", s)
    if m := _YMD.match(s):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := MDY.match(s):
        a, b = int(m[1]), int(m[2])
        month, day = (b, a) if dayfirst else (a, b)
        return dt.date(_full_year(m[3]), month, day)
    if s.isdigit() and len(s) == 8:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    try:
        serial = float(s)
    except ValueError:
        raise ValueError(raw) from None
    if 1 <= serial < 2958466:  # Excel's serial day numbers (1900 date system)
        return EXCEL_EPOCH + dt.timedelta(days=int(serial))
    raise ValueError(raw)


def _full_year(text: str) -> int:
    """A two-digit year (``04-30-22``) is 20yy unless that is more than a year ahead, then 19yy
    (the usual pivot; the plausibility limits reject what is still wrong)."""
    year = int(text)
    if len(text) > 2:
        return year
    year += 2000
    return year if year <= dt.date.today().year + 1 else year - 100
