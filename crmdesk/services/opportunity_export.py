"""The Pipeline list as an Excel workbook: the rows the actor sees with the filters applied.
Exporting is a "reports.export" right and is audited like the other exports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from crmdesk.core.table_out import put
from crmdesk.i18n import N_, _
from crmdesk.money import to_yuan_2
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.opportunity_board import BoardFilter, BoardRow, StageInfo, board_rows, board_stages
from crmdesk.services.permissions import require

HEADERS = (N_("Customer"), N_("Opportunity"), N_("Stage"), N_("Probability %"), N_("Amount"),
           N_("Weighted amount"), N_("Expected close"), N_("Owner"), N_("Days in stage"), N_("Closed on"),
           N_("Customer type"), N_("Next step"))
MONEY_COLUMNS = (5, 6)  # 1-based
DATE_COLUMNS = (7, 10)


def row_values(row: BoardRow, stage: StageInfo | None) -> list:
    probability = stage.probability if stage else 0
    return [row.customer_name, row.name, stage.name if stage else "", probability, float(to_yuan_2(row.amount)),
            float(to_yuan_2(row.amount * probability // 100)), row.expected_close, row.owner_name,
            row.days_in_stage, row.closed_on, row.customer_type, row.next_step]


def export_opportunities(session: Session, actor: Actor, target: Path | str, flt: BoardFilter | None = None,
                         ids: Sequence[int] | None = None) -> int:
    """Write the actor's opportunities (those of ``flt``; only ``ids`` among them, in that order,
    when given) to ``target`` (.xlsx); returns how many."""
    require(actor, "reports.export")
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise CustomerError(_("Export to .xlsx, not {suffix}").format(suffix=target.suffix or target.name))
    rows = board_rows(session, actor, flt)
    if ids is not None:
        by_id = {r.id: r for r in rows}
        rows = [by_id[i] for i in ids if i in by_id]
    stages = {s.id: s for s in board_stages(session)}
    wb = Workbook()
    ws = wb.active
    ws.title = _("Pipeline")
    ws.append([_(h) for h in HEADERS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row_values(row, stages.get(row.stage_id)), start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                put(cell, value)  # plain text, never a formula, even when a name starts with "="
                continue
            cell.value = value
            if c in MONEY_COLUMNS:
                cell.number_format = "#,##0.00"
            elif c in DATE_COLUMNS and value is not None:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    audit.record(session, actor, "opportunities", 0, "export", "xlsx", None, f"{len(rows)} → {target.name}")
    return len(rows)
