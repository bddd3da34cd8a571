"""customers sort by pinyin: the search key starts with the name's full pinyin, indexed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

``customers.search_text`` now begins with the full pinyin of the name (crmdesk.core.search_text),
so ordering by its first characters is ordering by pinyin, as a Chinese reader expects
(安 … 张), instead of by character code. This rebuilds every customer's search key in that
form (the FTS triggers of 0003 follow) and adds ``ix_customers_archived_sort`` on
``(archived, substr(search_text, 1, 48))``: the whole list in pinyin order is read from the
index, as ``ix_customers_archived_name`` did for the character-code order.

The keys are built by the application's own ``customer_search_text``: they are derived data,
and the next edit or import writes them that way anyway.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    from crmdesk.core.search_text import customer_search_text

    conn = op.get_bind()
    ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM customers ORDER BY id"))]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        marks = ", ".join(str(int(i)) for i in chunk)
        contacts: dict[int, list[tuple[str, str, str]]] = {}
        for cid, name, phone, mobile in conn.execute(sa.text(
                f"SELECT customer_id, name, phone, mobile FROM contacts WHERE customer_id IN ({marks}) ORDER BY id")):
            contacts.setdefault(cid, []).append((name or "", phone or "", mobile or ""))
        updates = []
        for cid, name, code, phone, mobile, old in conn.execute(sa.text(
                f"SELECT id, name, code, phone, mobile, search_text FROM customers WHERE id IN ({marks})")):
            people = contacts.get(cid, [])
            phones = [p for p in (phone, mobile, *(c[1] for c in people), *(c[2] for c in people)) if p]
            phones += [d for d in (re.sub(r"\D", "", p) for p in phones) if d and d not in phones]
            text = customer_search_text(name or "", code or "", tuple(phones), tuple(c[0] for c in people))
            if text != old:
                updates.append({"id": cid, "t": text})
        if updates:
            conn.execute(sa.text("UPDATE customers SET search_text = :t WHERE id = :id"), updates)
    op.create_index("ix_customers_archived_sort", "customers", ["archived", sa.text("substr(search_text, 1, 48)")])


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
