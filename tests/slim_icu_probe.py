"""Run as a script: print, as JSON, what Qt answers through ICU for a zh_CN/en shop (sorting, case
mapping, converters, time-zone names). tests/test_slim_icu.py runs it once with the wheel's full ICU
data and once with the slim library preloaded, and compares."""

from __future__ import annotations

import ctypes
import json
import sys
from functools import cmp_to_key
from pathlib import Path

import PySide6
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QStringEncoder, QTimeZone

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "广州华通文具店", "佛山南海办公批发部", "深圳第一小学", "重庆", "长沙", "厦门",
         "中山", "中国", "Zeta", "alpha", "Äpfel", "apple", "Bob", "bob", "a10", "a2", "１２３", "éclair", "ß", "ss", "Ωmega"]
LOCALES = ["zh_CN", "zh_TW", "zh_HK", "en_US", "en_GB", "C"]
CONVERTERS = ["GB18030", "GBK", "GB2312", "EUC-CN", "cp936", "windows-936", "Big5", "Big5-HKSCS", "HZ",
              "windows-1252", "ISO-8859-15", "ISO-8859-1", "UTF-8", "UTF-16LE", "UTF-32"]
TEXT = "合计 客户 广州华通 €£ é ü 鿿 😀 㐀 丂 喆 堃 碁 槪 Ⅷ"
ZONES = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Urumqi", "America/New_York", "Europe/London", "UTC"]


def _icu_roundtrip(name: str) -> list:
    """Encode and decode TEXT with ICU's converter of that name (PySide6 has no encode call)."""
    lib = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicuuc.so.*"))
    icu, version = ctypes.CDLL(str(lib)), lib.name.rsplit(".", 1)[1]
    fn = {n: getattr(icu, f"{n}_{version}") for n in ("ucnv_open", "ucnv_fromUChars", "ucnv_toUChars", "ucnv_close")}
    fn["ucnv_open"].restype = ctypes.c_void_p
    fn["ucnv_open"].argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    for f in ("ucnv_fromUChars", "ucnv_toUChars"):
        fn[f].argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                          ctypes.POINTER(ctypes.c_int)]
    fn["ucnv_close"].argtypes = [ctypes.c_void_p]
    error = ctypes.c_int(0)
    converter = fn["ucnv_open"](name.encode(), ctypes.byref(error))
    if not converter:
        return [f"ucnv_open error {error.value}"]
    units = TEXT.encode("utf-16-le")
    out = ctypes.create_string_buffer(4096)
    n = fn["ucnv_fromUChars"](converter, out, 4096, units, len(units) // 2, ctypes.byref(error))
    encoded = out.raw[:n]
    back = ctypes.create_string_buffer(8192)
    m = fn["ucnv_toUChars"](converter, back, 4096, encoded, len(encoded), ctypes.byref(error))
    fn["ucnv_close"](converter)
    return [encoded.hex(), back.raw[:2 * m].decode("utf-16-le"), error.value]


def answers() -> dict:
    out: dict = {}
    for name in LOCALES:
        collator = QCollator(QLocale(name))
        out[f"sort {name}"] = sorted(NAMES, key=cmp_to_key(collator.compare))
        collator.setNumericMode(True)
        out[f"numeric sort {name}"] = sorted(NAMES, key=cmp_to_key(collator.compare))
        out[f"upper {name}"] = QLocale(name).toUpper("straße ǆ ﬁ ΣΑΣ İ")
        out[f"lower {name}"] = QLocale(name).toLower("STRASSE ǅ ΣΑΣ İ")
    for name in CONVERTERS:
        out[f"converter {name}"] = [QStringEncoder(name).isValid(), QStringDecoder(name).isValid(), *_icu_roundtrip(name)]
    for zone_id in ZONES:
        zone = QTimeZone(zone_id.encode())
        names = [zone.displayName(kind, style, QLocale(loc)) for loc in ("zh_CN", "en_US")
                 for kind in (QTimeZone.TimeType.StandardTime, QTimeZone.TimeType.DaylightTime)
                 for style in (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName)]
        out[f"zone {zone_id}"] = [zone.isValid(), zone.id().data().decode(), *names]
    return out


if __name__ == "__main__":
    json.dump(answers(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
