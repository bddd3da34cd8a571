"""Stand-ins in the page stack: a "coming" page for a page not built yet, and
an error page when a page's factory fails (the rest of the app keeps working)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.ui.widgets.icons import icon

# What each page will do, shown while its factory is None.
PAGE_SUMMARIES = {
    "customers": N_("Find a customer in a keystroke; see their purchases, contacts, visits and "
                    "service history, and keep their details up to date."),
    "followups": N_("Your follow-up calls and visits for today and this week, overdue ones first."),
    "pipeline": N_("Sales opportunities by stage, with expected value and the next step."),
    "service": N_("Service cases — complaints, returns, repairs — with their status and the "
                  "customer's satisfaction."),
    "analysis": N_("Charts and reports: key customers and their gross profit, what to restock and "
                   "what to promote, and how revenue, cost, receivables and stock are moving."),
    "import": N_("Import the inventory program's CSV and Excel exports, by hand or on a schedule."),
    "settings": N_("Language, database and backups."),
}


class _MessagePage(QWidget):
    def __init__(self, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        self.heading = QLabel(heading)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        layout.addSpacing(12)
        layout.addWidget(self.text)


class ComingPage(_MessagePage):
    """The page's factory is None: say what the page will do."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        summary = PAGE_SUMMARIES.get(key)
        text = _("This page is coming in a later version.")
        if summary:
            text = _(summary) + "\n\n" + text
        super().__init__(title, text, parent)
        self.setObjectName(f"coming-{key}")
        picture = QLabel()
        picture.setPixmap(icon(key).pixmap(64, 64))
        self.layout().insertWidget(0, picture)
        self.layout().insertSpacing(1, 8)
        self.text.setStyleSheet("color: #44546a; font-size: 11pt;")
        self.layout().addStretch(1)


class ErrorPage(_MessagePage):
    """The page's factory raised: show the message instead of crashing."""

    def __init__(self, key: str, title: str, error: BaseException, details: str = "",
                 parent: QWidget | None = None) -> None:
        text = _("This page could not be opened: {error}").format(error=f"{type(error).__name__}: {error}")
        text += "\n\n" + _("The details are in the log file (Help → Open log folder).")
        super().__init__(title, text, parent)
        self.setObjectName(f"error-{key}")
        self.text.setStyleSheet("color: #b00020;")
        self.error = error
        if details:
            box = QPlainTextEdit(details)
            box.setReadOnly(True)
            box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.layout().addWidget(box, 1)
        else:
            self.layout().addStretch(1)
