"""The self-test's Qt step (crmdesk/selftest.py stays Qt-free like the rest of the core): the login
dialog constructed, shown offscreen and closed."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from crmdesk.ui.login_dialog import LoginDialog
from crmdesk.ui.qt_fonts import apply_cjk_font


def open_and_close_login(db) -> tuple[str, list[str]]:
    """The dialog's title and the CJK font families Qt was given."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    families = apply_cjk_font(app)
    dialog = LoginDialog(db)
    dialog.show()
    app.processEvents()
    title = dialog.windowTitle()
    dialog.close()
    dialog.deleteLater()
    app.processEvents()
    return title, families
