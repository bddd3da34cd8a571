"""Search keys for Chinese names: pinyin in full and as initials (pypinyin),
so ``gzwj`` and ``guangzhou`` both find 广州…文具."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=200_000)
def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials), lower case; non-Chinese characters kept as they are."""
    if not text:
        return "", ""
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    full = "".join(syllables).lower().replace(" ", "")
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum()).lower()
    return full, initials


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


def customer_search_text(name: str, code: str = "", phones: tuple[str | None, ...] = (),
                         contact_names: tuple[str | None, ...] = ()) -> str:
    """The ``customers.search_text`` value: name, code, phones, contact names, and pinyin of
    the customer name and the contact names."""
    return build_search_text(name, code, *phones, *contact_names, pinyin_of=(name, *contact_names))
