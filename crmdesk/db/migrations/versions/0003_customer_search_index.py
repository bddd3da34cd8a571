"""customer search index: FTS5 trigram over customers.search_text (SQLite only); list index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Also adds ``ix_customers_archived_name`` (all databases; in the model too).

``customers_search_keys`` is a narrow copy of (id, search_text); ``customers_search`` is an
FTS5 trigram index over it (external content: no second copy). Triggers on ``customers`` keep
both in step, so importers and the demo generator need do nothing. Other databases get
nothing here: crmdesk.db.search falls back to LIKE.
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CREATE = (
    # A narrow copy of (id, search_text): scanning it for one- and two-character words
    # reads a tenth of the pages that scanning customers does.
    "CREATE TABLE IF NOT EXISTS customers_search_keys ("
    "id INTEGER PRIMARY KEY, search_text TEXT NOT NULL DEFAULT '')",
    "INSERT OR REPLACE INTO customers_search_keys (id, search_text) SELECT id, search_text FROM customers",
    # Trigram full-text index for words of three or more characters (substring match).
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_search USING fts5("
    "search_text, content='customers_search_keys', content_rowid='id', tokenize='trigram')",
    "INSERT INTO customers_search(customers_search) VALUES ('rebuild')",
    """CREATE TRIGGER IF NOT EXISTS customers_search_ai AFTER INSERT ON customers BEGIN
        INSERT INTO customers_search_keys (id, search_text) VALUES (new.id, new.search_text);
        INSERT INTO customers_search (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS customers_search_ad AFTER DELETE ON customers BEGIN
        INSERT INTO customers_search (customers_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        DELETE FROM customers_search_keys WHERE id = old.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS customers_search_au AFTER UPDATE OF search_text ON customers BEGIN
        INSERT INTO customers_search (customers_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO customers_search (rowid, search_text) VALUES (new.id, new.search_text);
        UPDATE customers_search_keys SET search_text = new.search_text WHERE id = new.id;
    END""",
)
DROP = (
    "DROP TRIGGER IF EXISTS customers_search_ai",
    "DROP TRIGGER IF EXISTS customers_search_ad",
    "DROP TRIGGER IF EXISTS customers_search_au",
    "DROP TABLE IF EXISTS customers_search",
    "DROP TABLE IF EXISTS customers_search_keys",
)


def upgrade() -> None:
    # Every database: the default customer list (not archived, by name) reads this index alone.
    op.create_index("ix_customers_archived_name", "customers", ["archived", "name"])
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in CREATE:
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_customers_archived_name", table_name="customers")
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP:
        op.execute(statement)
