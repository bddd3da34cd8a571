"""The branch a file came from (a profile's ``branch``, the sync inbox's folder or ``--branch``):
resolved before reading, written on the file's orders, receipts and stock in the same transaction."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select, update

from crmdesk.db.engine import Database
from crmdesk.db.models import Receipt, SalesLine, SalesOrder
from crmdesk.services.branches import branch_id


def resolve_branch(db: Database, code: str | None) -> int | None:
    """The id of branch ``code`` (None for no code); ``BranchError`` names the known codes."""
    if not (code or "").strip():
        return None
    with db.sessions() as s:
        return branch_id(s, code)


def stamp_branch(conn: Connection, kind: str, batch_id: int, branch: int | None) -> None:
    """The orders this batch wrote or added lines to, and its receipts, belong to ``branch``.
    Stock is written with its branch by ``write_stock`` (the branch is part of its key)."""
    if branch is None:
        return
    if kind == "sales":
        touched = select(SalesLine.order_id).where(SalesLine.source_batch_id == batch_id)
        conn.execute(update(SalesOrder).where(or_(SalesOrder.source_batch_id == batch_id,
                                                  SalesOrder.id.in_(touched))).values(branch_id=branch))
    elif kind == "receipts":
        conn.execute(update(Receipt).where(Receipt.source_batch_id == batch_id).values(branch_id=branch))
