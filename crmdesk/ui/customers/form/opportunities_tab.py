"""The customer form's Opportunities tab: the customer's opportunities, New and Open (the
Pipeline page's opportunity form)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.money import format_yuan
from crmdesk.services.customer_pipeline import OpportunityInfo
from crmdesk.ui.customers.form.simple_table import SimpleTable

HEADERS = [N_("Opportunity"), N_("Stage"), N_("Amount"), N_("Expected close"), N_("Owner"), N_("Closed on")]


class OpportunitiesTab(QWidget):
    """``host`` has ``ctx`` and ``customer_id`` (the customer form)."""

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.table = SimpleTable(HEADERS, right_aligned=(2,))
        self.new_button = QPushButton(_("New opportunity…"))
        self.open_button = QPushButton(_("Open opportunity"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.new_button.clicked.connect(self.new)
        self.open_button.clicked.connect(lambda: self.open(self.table.current_id()))
        self.table.id_activated.connect(self.open)

    def load(self, opportunities: list[OpportunityInfo]) -> None:
        self.table.set_rows([[o.name, o.stage, format_yuan(o.amount),
                              o.expected_close.isoformat() if o.expected_close else "", o.owner_name,
                              o.closed_on.isoformat() if o.closed_on else ""] for o in opportunities],
                            ids=[o.id for o in opportunities])

    def new(self) -> int | None:
        from crmdesk.ui.pipeline.opportunity_dialog import open_opportunity  # the form's tabs load lazily

        if self.host.customer_id is None:
            return None
        return open_opportunity(self.host.ctx, self, None, customer_id=self.host.customer_id)

    def open(self, opportunity_id) -> int | None:
        from crmdesk.ui.pipeline.opportunity_dialog import open_opportunity

        if opportunity_id is None:
            return None
        return open_opportunity(self.host.ctx, self, int(opportunity_id))
