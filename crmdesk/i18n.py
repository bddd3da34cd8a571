"""One translation mechanism for the core, the CLI and the GUI.

Source strings are English. Translations live in gettext ``.po`` files under
``crmdesk/locale/<lang>/*.po`` — one file per area so that areas can be
translated independently; all files of a language are merged. Babel reads the
``.po`` files directly, so there is no compile step to forget.

Use ``_("text")`` where the text is shown; ``N_("text")`` marks a constant
for extraction and translates nothing (call ``_()`` on it when shown).
"""

from __future__ import annotations

import locale
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
SUPPORTED = ("en", "zh_CN")

_catalog: dict[str, str] = {}
_language = "en"


def _load(language: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    folder = LOCALE_DIR / language
    merged: dict[str, str] = {}
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        for message in catalog:
            if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
                merged[message.id] = message.string
    return merged


def normalize(language: str | None) -> str:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` → ``zh_CN``; anything else → ``en``."""
    if not language:
        return "en"
    lang = language.replace("-", "_").split(".")[0].lower()
    return "zh_CN" if lang.startswith("zh") else "en"


def system_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return normalize(os.environ[var])
    try:
        return normalize(locale.getlocale()[0])
    except ValueError:
        return "en"


def set_language(language: str | None) -> str:
    """Switch the language for everything that calls ``_`` from now on; returns the one in use."""
    global _catalog, _language
    _language = normalize(language) if language else system_language()
    _catalog = _load(_language) if _language != "en" else {}
    return _language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _catalog.get(message, message)


def N_(message: str) -> str:
    return message


def language_from_environment() -> str | None:
    """The CRMDESK_LANG override, if set (tests and the settings dialog use it)."""
    return os.environ.get("CRMDESK_LANG") or None
