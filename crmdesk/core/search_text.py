"""Search keys for Chinese names: pinyin in full and as initials (pypinyin),
so ``gzwj`` and ``guangzhou`` both find 广州…文具."""

from __future__ import annotations

import re
from functools import lru_cache


_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=200_000)
def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials), lower case.

    Chinese runs are converted phrase by phrase (so 重庆 is chongqing); other runs
    (``A4``, ``Pilot``) are kept whole in both keys, as people type them whole.
    """
    # pypinyin loads its phrase dictionary on import (~0.2 s): only pay that when a name needs it.
    from pypinyin import Style, lazy_pinyin

    full: list[str] = []
    initials: list[str] = []
    for run in _RUNS.findall(text or ""):
        if "\u3400" <= run[0] <= "\u9fff" or "\uf900" <= run[0] <= "\ufaff":
            syllables = lazy_pinyin(run, style=Style.NORMAL)
            full.extend(syllables)
            initials.extend(s[0] for s in syllables if s)
        else:
            plain = "".join(ch for ch in run.lower() if ch.isalnum())
            full.append(plain)
            initials.append(plain)
    return "".join(full).lower(), "".join(initials).lower()


def build_search_text(*parts: str | None, pinyin_of: tuple[str | None, ...] = ()) -> str:
    """Lower-case, space-separated search text from ``parts`` plus the pinyin keys of ``pinyin_of``."""
    out: list[str] = [p.strip().lower() for p in parts if p and p.strip()]
    for text in pinyin_of:
        if text:
            full, initials = pinyin_keys(text.strip())
            if full:
                out.append(full)
            if initials:
                out.append(initials)
    return " ".join(out)


def phone_variants(phone: str | None) -> tuple[str, ...]:
    """A phone as written and, when it has separators, as bare digits: staff type
    ``02173885137`` for a number stored as ``021-7388 5137``."""
    if not phone or not phone.strip():
        return ()
    digits = "".join(ch for ch in phone if ch.isdigit())
    written = phone.strip()
    return (written, digits) if digits and digits != written else (written,)


# Marks the name's initials as the last token of search_text, so that a typed abbreviation may
# skip characters (gzwj finds 广州市天河区晨星文具店) without matching across other tokens.
INITIALS_MARK = "~"
SPARSE_MIN_LETTERS = 4  # shorter abbreviations would match most names with gaps allowed


def customer_search_text(name: str, code: str = "", phones: tuple[str | None, ...] = (),
                         contact_names: tuple[str | None, ...] = ()) -> str:
    """The ``customers.search_text`` value: the full pinyin of the customer name first (its
    first characters order the customer list: crmdesk.db.search.customer_name_order), then name, code, phones (also as
    bare digits), contact names, the name's pinyin initials, the contact names' pinyin, and
    last the marked initials."""
    phone_keys = [v for p in phones for v in phone_variants(p)]
    full, initials = pinyin_keys(name.strip()) if name and name.strip() else ("", "")
    text = build_search_text(name, code, *phone_keys, *contact_names, pinyin_of=tuple(contact_names))
    head = " ".join(t for t in (full, text, initials) if t)
    return f"{head} {INITIALS_MARK}{initials}" if initials else head



def pinyin_sort_key(text: str | None) -> str:
    """A key that orders Chinese text by pinyin (安 < 北 < 张), Latin letters and digits mixed in
    as typed; for lists and report tables sorted in Python. Each character takes its most common
    reading (a table lookup, ~1 µs a name, so 100,000 rows sort at once), except that the first
    two characters are read as a phrase when they are one (重庆 chongqing, 长沙 changsha), where
    the order is decided."""
    value = text or ""
    head = _phrase_head(value[:2]) if len(value) >= 2 and not value[:2].isascii() else None
    body = value.lower().translate(_pinyin_table()) if head is None else \
        head + value[2:].lower().translate(_pinyin_table())
    # Ties in pinyin (张 / 章) keep a stable order by the text itself.
    return body + "\x00" + value


@lru_cache(maxsize=50_000)
def _phrase_head(two: str) -> str | None:
    from pypinyin.phrases_dict import phrases_dict

    readings = phrases_dict.get(two)
    if not readings:
        return None
    import unicodedata

    return "".join(ch for r in readings for ch in unicodedata.normalize("NFKD", r[0]) if ch.isascii())


def pinyin_sort_series(series):
    """For ``DataFrame.sort_values(key=…)``: text columns by pinyin_sort_key, others unchanged."""
    if series.dtype.kind in "OSU" or str(series.dtype).startswith("string"):
        return series.map(lambda v: pinyin_sort_key(v) if isinstance(v, str) else v)
    return series


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    import unicodedata

    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for codepoint, readings in pinyin_dict.items():
        first = unicodedata.normalize("NFKD", readings.split(",")[0])
        table[codepoint] = "".join(ch for ch in first if ch.isascii())
    return table


def sparse_initials_pattern(word: str) -> str | None:
    """A LIKE pattern matching ``word``'s letters in order within the marked initials
    (``gzwj`` → ``%~g%z%w%j%``), or None when the word is not a plain abbreviation."""
    if len(word) < SPARSE_MIN_LETTERS or not (word.isascii() and word.isalpha()):
        return None
    return f"%{INITIALS_MARK}" + "%".join(word.lower()) + "%"
