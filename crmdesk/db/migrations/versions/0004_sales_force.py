"""sales force: territories per user and per customer, owner source, login lock-out

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

- ``user_territories``: a salesperson works several territories, a territory has several
  salespeople (filled from the old single ``users.territory_id``, which stays, unread).
- ``customer_territories``: every territory a customer falls in (``manual`` when set by hand),
  filled from ``customers.territory_id``.
- ``customers.owner_source`` ("manual" | "rule" | "import" | ""), ``customers.import_owner_id``
  (the imported 业务员, owner again when no manual or rule owner applies) and
  ``customers.territory_manual``. Existing owners are taken as imported.
- ``territories.priority``; ``users.failed_logins`` and ``users.locked_until``.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_territories",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_user_territories_user_id_users"),
                  primary_key=True),
        sa.Column("territory_id", sa.Integer(), sa.ForeignKey("territories.id", ondelete="CASCADE",
                                                               name="fk_user_territories_territory_id_territories"),
                  primary_key=True),
        sa.PrimaryKeyConstraint("user_id", "territory_id", name="pk_user_territories"),
    )
    op.create_index("ix_user_territories_territory_id", "user_territories", ["territory_id"])
    op.create_table(
        "customer_territories",
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE",
                                                              name="fk_customer_territories_customer_id_customers"),
                  primary_key=True),
        sa.Column("territory_id", sa.Integer(),
                  sa.ForeignKey("territories.id", ondelete="CASCADE",
                                name="fk_customer_territories_territory_id_territories"), primary_key=True),
        sa.Column("manual", sa.Boolean(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("customer_id", "territory_id", name="pk_customer_territories"),
    )
    op.create_index("ix_customer_territories_territory_id", "customer_territories", ["territory_id"])
    # Plain ADD COLUMN (no table rebuild): a rebuild of ``customers`` or ``users`` would fire
    # their ON DELETE actions with foreign keys on.
    op.add_column("customers", sa.Column("owner_source", sa.String(10), nullable=False, server_default=""))
    # No foreign key: SQLite could add one only inline, where reflection cannot see it; users are
    # deactivated, never deleted, so the id stays valid.
    op.add_column("customers", sa.Column("import_owner_id", sa.Integer(), nullable=True))
    op.add_column("customers", sa.Column("territory_manual", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column("territories", sa.Column("priority", sa.Integer(), nullable=False, server_default="100"))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.execute("INSERT INTO user_territories (user_id, territory_id) "
               "SELECT id, territory_id FROM users WHERE territory_id IS NOT NULL")
    op.execute("INSERT INTO customer_territories (customer_id, territory_id, manual) "
               "SELECT id, territory_id, FALSE FROM customers WHERE territory_id IS NOT NULL")
    op.execute("UPDATE customers SET import_owner_id = owner_id, owner_source = 'import' WHERE owner_id IS NOT NULL")


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
