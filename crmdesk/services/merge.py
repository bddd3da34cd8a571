"""Merging a duplicate customer into the one that stays."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor


@dataclass
class MergeResult:
    survivor_id: int
    merged_code: str
    moved: dict[str, int] = field(default_factory=dict)  # table → rows moved
    filled_fields: list[str] = field(default_factory=list)  # survivor's blank fields filled from the merged one


def merge_customers(session: Session, actor: Actor, survivor_id: int, merged_id: int) -> MergeResult:
    """Move orders, order lines (sales_lines.customer_id too), receipts, contacts, interactions,
    tasks, opportunities, service cases, attachments (files too), relations, tags and custom values
    to the survivor (its own values win; its blanks are filled), then delete the merged customer.
    The audit log records the merge on both with both codes."""
    raise NotImplementedError
