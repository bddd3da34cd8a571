"""Qt's own translations, so stock dialogs (file dialogs, message box buttons,
context menus of text fields) speak the same language as crmdesk.

Why the file dialog was half English in zh_CN although qtbase_zh_CN loaded: Qt 6's
widgets ask for labels with a mnemonic ("&Look in:", "Files of &type:") while the
shipped zh_CN catalog (not updated since) only knows the older texts ("Look in:",
"Files of type:"). A second translator catches what the catalog misses, asks it again
without the "&", and puts the shortcut back the Chinese way: "查找范围(&L)：". The few
texts the catalog never had (the file list's "Folder" type) are in QT_SUPPLEMENT."""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# qtbase holds the widgets' texts; qt_help only matters for the help viewer we do not use.
QT_CATALOGS = ("qtbase",)
_MNEMONIC = re.compile(r"&(?=[^&\s])")
_TRAILING = ("：", ":", "…", "...")
# (context, source) → text, for what the shipped catalog lacks in the stock dialogs we use.
QT_SUPPLEMENT: dict[str, dict[tuple[str, str], str]] = {
    "zh_CN": {
        ("QAbstractFileIconProvider", "Folder"): "文件夹",
        ("QAbstractFileIconProvider", "File Folder"): "文件夹",
        ("QAbstractFileIconProvider", "File"): "文件",
        ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
        ("QAbstractFileIconProvider", "Drive"): "驱动器",
        ("QAbstractFileIconProvider", "Alias"): "别名",
        ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
        ("QAbstractFileIconProvider", "Unknown"): "未知",
    },
}


def with_mnemonic(translated: str, source: str) -> str:
    """``translated`` with the shortcut letter of ``source`` as "(&X)" before a trailing colon or ellipsis."""
    found = _MNEMONIC.search(source)
    if not found or "&" in translated.replace("&&", ""):
        return translated
    mark = f"(&{source[found.end()].upper()})"
    for tail in _TRAILING:
        if translated.endswith(tail):
            return translated[: -len(tail)] + mark + tail
    return translated + mark


class CatalogGaps(QTranslator):
    """Translates "&Look in:" as the catalogs translate "Look in:" when they lack the former,
    and the supplement's few texts.

    Installed before the catalogs, so it is asked last (Qt asks the newest translator first)
    and only about texts no catalog knows."""

    def __init__(self, catalogs: list[QTranslator], supplement: dict[tuple[str, str], str],
                 parent=None) -> None:
        super().__init__(parent)
        self._catalogs = catalogs
        self._supplement = supplement

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        # None is Qt's null string, "not translated here"; "" would blank the text.
        if (context, source) in self._supplement:
            return self._supplement[(context, source)]
        if not source or "&" not in source:
            return None
        plain = _MNEMONIC.sub("", source).replace("&&", "&")
        for catalog in self._catalogs:
            found = catalog.translate(context, plain, disambiguation, n)
            if found:
                return with_mnemonic(found, source)
        return None


def install_qt_translations(app: QApplication, language: str) -> list[QTranslator]:
    """Load Qt's catalogs for ``language`` ("zh_CN"; "en" needs none). Returns the installed translators."""
    if language == "en":
        QLocale.setDefault(QLocale("en_US"))
        return []
    QLocale.setDefault(QLocale(language))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    catalogs: list[QTranslator] = []
    for catalog in QT_CATALOGS:
        translator = QTranslator(app)  # parented to the app so it lives as long as it
        if translator.load(f"{catalog}_{language}", folder):
            catalogs.append(translator)
        else:
            log.warning("Qt translation %s_%s not found in %s", catalog, language, folder)
    if not catalogs:
        return []
    fallback = CatalogGaps(catalogs, QT_SUPPLEMENT.get(language, {}), app)
    app.installTranslator(fallback)  # first installed, last asked
    for translator in catalogs:
        app.installTranslator(translator)
    return [fallback, *catalogs]
