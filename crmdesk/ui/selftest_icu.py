"""The self-test's check of what Qt asks ICU for. The Linux package carries a slim ICU data library
(installer/slim_icu.py: root/en/zh locales, Chinese converters, time zones); a missing item would
not fail loudly — ICU falls back to root order, GMT offsets, or no converter — so this step asks
for each kind of data and checks the answer is the localised one.

Where Qt does not use a bundled ICU (Windows, macOS) there is nothing of ours to check."""

from __future__ import annotations

import sys
from functools import cmp_to_key
from pathlib import Path

from PySide6.QtCore import QCollator, QDate, QDateTime, QLocale, QStringDecoder, QStringEncoder, QTime, QTimeZone

from crmdesk.i18n import _
from crmdesk.selftest import StepFailed

# Hanzi with their pinyin: zh_CN collation orders by the pinyin; without the zh data ICU falls
# back to code-point order, which differs (北 U+5317 < 安 U+5B89).
PINYIN = {"张": "zhang", "安": "an", "陈": "chen", "北京": "beijing", "王": "wang", "广州": "guangzhou", "李": "li"}
CONVERTERS = ("GB18030", "GBK", "Big5")  # names Qt has no codec of its own for: ICU's tables
ZONE = b"Asia/Shanghai"
CASE_SAMPLE = "straße ǆ ﬁ"


def qt_uses_bundled_icu() -> bool:
    """True when this process has ICU's data library loaded (Linux: Qt Core links it)."""
    maps = Path("/proc/self/maps")
    return sys.platform == "linux" and maps.is_file() and "libicudata" in maps.read_text(errors="replace")


def _has_han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def check_text_services() -> str:
    if not qt_uses_bundled_icu():
        return _("Qt uses the system's own text services here (no bundled ICU)")
    collator = QCollator(QLocale("zh_CN"))
    order = sorted(PINYIN, key=cmp_to_key(collator.compare))
    if order != sorted(PINYIN, key=PINYIN.get):
        raise StepFailed(_("zh_CN sorting is not in pinyin order: {order}").format(order=" ".join(order)))
    upper = QLocale("zh_CN").toUpper(CASE_SAMPLE)
    if upper != CASE_SAMPLE.upper():
        raise StepFailed(_("upper case of “{text}” is “{got}”, expected “{want}”").format(
            text=CASE_SAMPLE, got=upper, want=CASE_SAMPLE.upper()))
    missing = [name for name in CONVERTERS if not (QStringEncoder(name).isValid() and QStringDecoder(name).isValid())]
    if missing:
        raise StepFailed(_("no converter for {names}").format(names=", ".join(missing)))
    zone = QTimeZone(ZONE)
    noon = QDateTime(QDate(2026, 7, 1), QTime(12, 0), zone)
    zh_name = zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale("zh_CN"))
    en_name = zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale("en_US"))
    if not zone.isValid() or zone.offsetFromUtc(noon) != 8 * 3600 or not _has_han(zh_name) or "GMT" in en_name:
        raise StepFailed(_("time zone {zone}: valid {valid}, offset {offset} s, names “{zh}” / “{en}”").format(
            zone=ZONE.decode(), valid=zone.isValid(), offset=zone.offsetFromUtc(noon), zh=zh_name, en=en_name))
    return _("pinyin order {order}; case mapping; {converters} converters; {zone} “{name}”").format(
        order=" ".join(order), converters="/".join(CONVERTERS), zone=ZONE.decode(), name=zh_name)
