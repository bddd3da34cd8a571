"""Qt's own translations, so stock dialogs (file dialogs, message box buttons,
context menus of text fields) speak the same language as crmdesk."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

QT_CATALOGS = ("qtbase",)


def install_qt_translations(app: QApplication, language: str) -> list[QTranslator]:
    """Load Qt's catalogs for ``language`` ("zh_CN"; "en" needs none). Returns the installed translators."""
    if language == "en":
        QLocale.setDefault(QLocale("en_US"))
        return []
    QLocale.setDefault(QLocale(language))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed: list[QTranslator] = []
    for catalog in QT_CATALOGS:
        translator = QTranslator(app)  # parented to the app so it lives as long as it
        if translator.load(f"{catalog}_{language}", folder):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("Qt translation %s_%s not found in %s", catalog, language, folder)
    return installed
