"""The rules crmdesk ships (migration 0007 writes them into every database, switched off):
found by ``builtin_key`` so that the demo, the benchmark and an upgrade can name them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import WorkflowRule

DEALER_SILENT = "dealer_silent"
KEY_CUSTOMER_DECLINE = "key_customer_decline"
OVER_CREDIT_OPEN_ORDER = "over_credit_open_order"
UNHAPPY_CASE = "unhappy_case"
NEW_CUSTOMER_SECOND_PURCHASE = "new_customer_second_purchase"
BUILTIN_KEYS = (DEALER_SILENT, KEY_CUSTOMER_DECLINE, OVER_CREDIT_OPEN_ORDER, UNHAPPY_CASE,
                NEW_CUSTOMER_SECOND_PURCHASE)


def builtin_ids(session: Session) -> dict[str, int]:
    """builtin_key → rule id of the shipped rules present in this database."""
    rows = session.execute(select(WorkflowRule.builtin_key, WorkflowRule.id).where(
        WorkflowRule.builtin_key.in_(BUILTIN_KEYS))).all()
    return {k: i for k, i in rows}
