"""Export the customer list as shown to XLSX or CSV, safe from formula injection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor
from crmdesk.services.customer_query import CustomerQuery

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    raise NotImplementedError


def export_customers(session: Session, actor: Actor, target: Path | str, query: CustomerQuery | None = None,
                     ids: list[int] | None = None) -> int:
    """Write the customers of ``ids`` (or of ``query``) to ``target``; .xlsx or .csv (UTF-8 with BOM)
    by extension. Returns the number of customers written."""
    raise NotImplementedError
