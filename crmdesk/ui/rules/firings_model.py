"""The firings log as a table: rule, customer, when, trigger, the values that matched,
what the firing did, and when its reason cleared."""

from __future__ import annotations

from collections.abc import Mapping

from crmdesk.rules.catalog import trigger_label
from crmdesk.rules.model import FiringInfo, MeasureSpec
from crmdesk.ui.rules.formatting import matched_text, when_text
from crmdesk.ui.settings.rows_model import Col, RowsModel


class FiringsModel(RowsModel):
    def __init__(self, specs: Mapping[str, MeasureSpec] | None = None, parent=None) -> None:
        self.specs: dict[str, MeasureSpec] = dict(specs or {})
        super().__init__([
            Col("Rule", lambda f: f.rule_name),
            Col("Customer", lambda f: f"{f.customer_code} {f.customer_name}".strip()),
            Col("When", lambda f: when_text(f.fired_at)),
            Col("Trigger", lambda f: trigger_label(f.trigger) if f.trigger else ""),
            Col("Values", lambda f: matched_text(f.matched, self.specs)),
            Col("Actions", lambda f: "; ".join(f.actions_done)),
            Col("Cleared", lambda f: when_text(f.cleared_at)),
        ], parent, greyed=lambda f: f.cleared_at is not None)

    def customer_id_at(self, row: int) -> int:
        firing: FiringInfo = self.row_at(row)
        return firing.customer_id
