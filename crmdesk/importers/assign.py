"""Imported customers (new, changed, and stubs met in sales or receipts) get their
territories and owner in the import's own transaction (``services.spot_assignment``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from crmdesk.services.spot_assignment import assign_on_the_spot


def assign_imported(conn: Connection, customer_ids: Iterable[int]) -> None:
    ids = list(customer_ids)
    if not ids:
        return
    # A session on the writer's connection joins its transaction: it neither commits nor
    # rolls back the import when it closes.
    with Session(bind=conn) as session:
        assign_on_the_spot(session, ids)
        session.flush()
