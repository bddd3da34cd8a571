"""The list of rules: name, trigger, on/off, author, summary, open firings, last run."""

from __future__ import annotations

from crmdesk.i18n import _
from crmdesk.rules.catalog import trigger_label
from crmdesk.ui.rules.formatting import when_text
from crmdesk.ui.settings.rows_model import Col, RowsModel


class RulesModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__([
            Col("Rule", lambda r: r.name),
            Col("Trigger", lambda r: trigger_label(r.trigger)),
            Col("Active", lambda r: _("on") if r.active else _("off")),
            Col("Author", lambda r: r.created_by_name or _("Shop-wide")),
            Col("Summary", lambda r: r.summary),
            Col("Open firings", lambda r: r.open_firings, right=True),
            Col("Last run", lambda r: when_text(r.last_run_at)),
        ], parent, greyed=lambda r: not r.active)

    def row_of(self, rule_id: int) -> int:
        return next((i for i, r in enumerate(self.rows()) if r.id == rule_id), -1)
