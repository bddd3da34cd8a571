"""The dry run's hits as a table: code, customer, why (each condition's value, with the measures a
ratio is made of), and whether the rule already fired for that customer (a real run would then do
nothing). The firings log shows the matched values on their own."""

from __future__ import annotations

from collections.abc import Mapping

from crmdesk.rules.model import Hit, MeasureSpec
from crmdesk.ui.rules.formatting import yes
from crmdesk.ui.settings.rows_model import Col, RowsModel


REASON_COLUMN = 2


class HitsModel(RowsModel):
    def __init__(self, specs: Mapping[str, MeasureSpec] | None = None, parent=None) -> None:
        self.specs: dict[str, MeasureSpec] = dict(specs or {})
        super().__init__([
            Col("Code", lambda h: h.code),
            Col("Customer", lambda h: h.name),
            Col("Why", lambda h: h.reason),
            Col("Already fired", lambda h: yes(h.already_fired)),
        ], parent, greyed=lambda h: h.already_fired)

    def customer_id_at(self, row: int) -> int:
        hit: Hit = self.row_at(row)
        return hit.customer_id
