"""Comparison keys for customer names: what is left of a name once the place it is in and
its legal or shop form are taken away, so that 佛山市南海华通文具批发 and 佛山南海华通文具批发部
both become 华通文具.

Place names come from two sources: the province, city and district values the shop's own
customers hold (so 南海区 teaches that a leading 南海 is a place) and the names of the
provinces; any leading run ending in 省/市/区/县/镇 … is a place too. Stripping is done on
both sides of a comparison, so stripping too much makes a false alarm, never a missed one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
             "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
# Longest first where one ends another (有限责任公司 before 公司); stripped repeatedly from the end.
LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "公司", "门市部", "经营部",
                  "经销部", "批发部", "营业部", "服务部", "批发商行", "商行", "商店", "商场", "总店", "分店",
                  "专卖店", "门市", "批发", "店", "厂", "行", "部")
PLACE_MARKS = ("特别行政区", "自治区", "自治州", "自治县", "地区", "街道", "省", "市", "区", "县", "镇", "乡", "旗")
MIN_KEY = 2  # a key shorter than this keeps the last stripping undone: "华通店" must not become "华通"→"" …

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
# 市场 and 区域 are words, not places: 南方市场批发 keeps its 南方市场.
_MARKED_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,6}?(?:" + "|".join(PLACE_MARKS) + r")(?![场域])")


def clean(name: str) -> str:
    """NFKC (full-width → half-width), case-folded, brackets dropped but their words kept, no
    punctuation or spaces."""
    text = unicodedata.normalize("NFKC", name or "").casefold().translate(_BRACKETS)
    return _NOT_WORD.sub("", text)


def place_names(values: Iterable[str | None]) -> frozenset[str]:
    """Each province/city/district value as written and without its 省/市/区… mark
    (南海区 → 南海区, 南海), plus the provinces."""
    out = set(PROVINCES)
    for value in values:
        text = clean(value or "")
        if len(text) < 2:
            continue
        out.add(text)
        for mark in PLACE_MARKS:
            if text.endswith(mark) and len(text) - len(mark) >= 2:
                out.add(text[:-len(mark)])
                break
    return frozenset(out)


def _strip_places(text: str, places: frozenset[str], longest: int) -> tuple[str, frozenset[str]]:
    """The text without its leading places, and those places without their 省/市/区 mark."""
    found: list[str] = []
    for _round in range(4):  # 广东省 佛山市 南海区 狮山镇 at most
        before = text
        marked = _MARKED_PLACE.match(text)
        if marked and len(text) - marked.end() >= MIN_KEY:
            found.append(_bare(text[:marked.end()]))
            text = text[marked.end():]
        else:
            for size in range(min(longest, len(text) - MIN_KEY), 1, -1):
                if text[:size] in places:
                    found.append(_bare(text[:size]))
                    text = text[size:]
                    break
        if text == before:
            break
    return text, frozenset(found)


def _bare(place: str) -> str:
    for mark in PLACE_MARKS:
        if place.endswith(mark) and len(place) - len(mark) >= 2:
            return place[:-len(mark)]
    return place


def _strip_suffixes(text: str) -> str:
    for _round in range(4):  # 华通文具批发部 → 华通文具批发 → 华通文具
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) - len(suffix) >= MIN_KEY:
                text = text[:-len(suffix)]
                break
        else:
            break
    return text


def name_key(name: str, places: frozenset[str] = frozenset(PROVINCES)) -> str:
    """The comparison key: cleaned, leading place names and trailing legal/shop forms removed.
    A name that would vanish keeps its cleaned form."""
    return split_name(name, places)[1]


def split_name(name: str, places: frozenset[str] = frozenset(PROVINCES)) -> tuple[frozenset[str], str]:
    """(the places the name starts with, without their marks; the name key)."""
    text = clean(name)
    rest, found = _strip_places(text, places, _longest(places))
    key = _strip_suffixes(rest)
    return found, key or text


def places_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two names may be one shop when one names no place the other contradicts: 佛山市南海 and
    南海 agree, 中山市 and 广州市 do not (中山市中医院 is not 广州市中医院)."""
    return a <= b or b <= a


@lru_cache(maxsize=8)
def _longest(places: frozenset[str]) -> int:
    # A frozenset keeps its hash, so the lookup costs nothing for the thousands of names of one pass.
    return max((len(p) for p in places), default=0)
