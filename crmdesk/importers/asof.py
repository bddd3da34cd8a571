"""The as-of date of a stock balance: from its title lines (截止日期:2025-12-31, 查询期间 …) or its file name.

A 库存余额表 has no date column: the day it describes is in a title line above the header,
in any form (2025-12-31, 2025/12/31, 2025.12.31, 2025年12月31日, 20251231, a month 2025年12月,
a period "2025-12-01 至 2025-12-31" meaning its end), or in the file name
(库存余额表_20251231.xlsx). Print and export dates (打印日期, 制表日期, 系统日期 …) say when
the report was made, not what day it describes, and are never taken.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

# The label in front of a date, strongest first. A period's end date follows its start after
# a connector (至, 到, ~, -, —) and keeps the period's label.
_LABELS = (
    re.compile(r"(截止|截至|结存|库存日期|盘点日期|as\s*of|as\s*at|ending|end\s*date)", re.I),
    re.compile(r"(统计日期|统计期间|查询期间|查询日期|会计期间|报表日期|期间|日期|期末|date|period)", re.I),
)
_NOT_THE_DAY = re.compile(r"(打印|制表|导出|生成|系统|创建|print|export|generated|created|run\s*on)", re.I)
_CONNECTOR = re.compile(r"^\s*(至|到|~|～|-|—|–|to|until|bis)\s*$", re.I)
_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?|月(?!\s*\d))"
    r"|(?P<m8>0[1-9]|1[0-2])(?P<d8>0[1-9]|[12]\d|3[01]))(?!\d)")


@dataclass(frozen=True)
class AsOf:
    date: dt.date
    source: str  # the title line or file name it was read from


def _dates(text: str) -> list[tuple[int, int, dt.date]]:
    """(start, end, date) of every date in ``text``; a month alone means its last day."""
    out = []
    for m in _DATE.finditer(text):
        try:
            if m.group("m8"):
                day = dt.date(int(m.group("y")), int(m.group("m8")), int(m.group("d8")))
            elif m.group("d"):
                day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            else:
                year, month = int(m.group("y")), int(m.group("m"))
                day = dt.date(year, month, calendar.monthrange(year, month)[1])
        except ValueError:  # 2025-13-45: not a date
            continue
        out.append((m.start(), m.end(), day))
    return out


def _rank(before: str) -> int | None:
    """Strength of the label in ``before`` (the text between the previous date and this one):
    0 strongest, len(_LABELS) for a bare date; None for a print/export date."""
    if _NOT_THE_DAY.search(before):
        return None
    for rank, label in enumerate(_LABELS):
        if label.search(before):
            return rank
    return len(_LABELS)


def from_lines(lines: list[list[str]] | list[str]) -> AsOf | None:
    """The as-of date the title lines state, else None. The strongest label wins; of equal ones
    the latest date (a period's end)."""
    best: tuple[int, dt.date, str] | None = None
    for line in lines:
        text = line if isinstance(line, str) else " ".join(c for c in line if c)
        last_end, last_rank = 0, None
        for start, end, day in _dates(text):
            before = text[last_end:start]
            rank = last_rank if last_rank is not None and _CONNECTOR.match(before) else _rank(before)
            last_end, last_rank = end, rank
            if rank is None:
                continue
            if best is None or (rank, -day.toordinal()) < (best[0], -best[1].toordinal()):
                best = (rank, day, text.strip())
    return AsOf(best[1], best[2]) if best else None


def from_file_name(name: str) -> AsOf | None:
    """The date in a file name such as 库存余额表_20251231.xlsx or stock 2025-12-31.csv, else None."""
    stem = name.rsplit(".", 1)[0]
    found = [day for _s, _e, day in _dates(stem)]
    return AsOf(found[-1], name) if found else None


def stock_as_of(title_lines: list[list[str]], file_name: str) -> AsOf | None:
    """A stock file's as-of date: its title lines first, then its file name; None when neither says."""
    return from_lines(title_lines) or from_file_name(file_name)
