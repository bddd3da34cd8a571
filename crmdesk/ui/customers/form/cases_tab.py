"""The customer form's Service cases tab: the customer's cases (open ones first in red when
overdue), New case… and Open (shows the case on the Service page)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services.case_settings import priority_label
from crmdesk.services.customer_pipeline import CaseInfo
from crmdesk.services.cases import status_label
from crmdesk.ui.customers.form.simple_table import SimpleTable

CASE_HEADERS = [N_("Number"), N_("Opened"), N_("Type"), N_("Subject"), N_("Priority"), N_("Status"),
                N_("Assigned to"), N_("Closed")]


class CasesTab(QWidget):
    """``host`` has ``.ctx`` and ``.customer_id`` (the customer form)."""

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._cases: list[CaseInfo] = []
        self.type_names: dict[str, str] = {}
        self.table = SimpleTable(CASE_HEADERS)
        self.new_button = QPushButton(_("New case… (F8)"))
        self.open_button = QPushButton(_("Open on the Service page"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.new_button.clicked.connect(lambda: self.new_case())
        self.open_button.clicked.connect(self.open_current)
        self.table.id_activated.connect(lambda _i: self.open_current())

    def load(self, cases: list[CaseInfo]) -> None:
        self._cases = list(cases)
        if not self.type_names:
            from crmdesk.services.case_settings import type_names

            with self.host.ctx.read() as session:
                self.type_names = type_names(session)
        self.table.set_rows([[c.number, f"{c.opened_at:%Y-%m-%d}", self.type_names.get(c.case_type, c.case_type),
                              c.subject, priority_label(c.priority), status_label(c.status), c.assignee_name,
                              f"{c.closed_at:%Y-%m-%d}" if c.closed_at else ""] for c in self._cases],
                            ids=[c.id for c in self._cases])

    def new_case(self):
        from crmdesk.ui.service.new_case_dialog import NewCaseDialog

        dialog = NewCaseDialog(self.host.ctx, self.host.customer_id, self.window())
        dialog.open()
        return dialog

    def open_current(self) -> int | None:
        """Switch to the Service page with this case selected; returns its id."""
        case_id = self.table.current_id()
        if case_id is None:
            return None
        self.host.ctx.bus.show_page_requested.emit("service")
        page = _service_page(self)
        if page is not None:
            page.open_customer(self.host.customer_id)
            page.select_case(case_id)
        return case_id


def _service_page(widget: QWidget):
    """The Service page if a main window built it (None for a form without one)."""
    from PySide6.QtWidgets import QApplication

    for top in QApplication.topLevelWidgets():
        page_widget = getattr(top, "page_widget", None)
        if not callable(page_widget) or not top.isVisible():  # a closed window may linger until deleted
            continue
        page = page_widget("service")
        if page is not None and hasattr(page, "select_case"):
            return page
    return None
