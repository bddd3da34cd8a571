"""contact phones, emails and handles of any number and type

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

- ``contact_points``: a contact's phones, emails, IM handles (WeChat, QQ …), SIP addresses and web
  pages, each with a type (mobile, work, home, fax, pager, other; wechat/qq for IM), a preferred
  flag and an order.
- ``contacts.birthday_month`` / ``birthday_day``: a birthday whose year is unknown (``--0203`` in a
  vCard) keeps its month and day; ``birthday`` stays for full dates.
- Data: every contact's phone (work), mobile (mobile), email and wechat become points, the first of
  each kind preferred; month and day are copied from known birthdays. The old columns stay, kept
  by the services as a summary of the preferred points for the readers that use them.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _match_key(kind: str, value: str) -> str:
    # Frozen copy of crmdesk.services.contact_points.match_key as of this revision.
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        if not digits:  # a "number" that is text ("BusinessPhone" in an Outlook sample) is compared as text
            return value.strip().lower()
        return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    return value.strip().lower()


def upgrade() -> None:
    op.create_table(
        "contact_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("label", sa.String(50), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("match_key", sa.String(200), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name="fk_contact_points_contact_id_contacts",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_contact_points"),
    )
    op.create_index("ix_contact_points_contact_id", "contact_points", ["contact_id"])
    op.create_index("ix_contact_points_match_key", "contact_points", ["match_key"])
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("birthday_month", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("birthday_day", sa.SmallInteger(), nullable=True))

    conn = op.get_bind()
    contacts = sa.table("contacts", sa.column("id", sa.Integer), sa.column("phone", sa.String),
                        sa.column("mobile", sa.String), sa.column("email", sa.String),
                        sa.column("wechat", sa.String), sa.column("birthday", sa.Date),
                        sa.column("birthday_month", sa.SmallInteger), sa.column("birthday_day", sa.SmallInteger))
    points = sa.table("contact_points", *(sa.column(n) for n in (
        "contact_id", "kind", "type", "label", "value", "match_key", "preferred", "sort_order")))
    last_id = 0
    while True:  # in chunks: a shop file may hold many thousands of contacts
        rows = conn.execute(sa.select(contacts.c.id, contacts.c.phone, contacts.c.mobile, contacts.c.email,
                                      contacts.c.wechat, contacts.c.birthday)
                            .where(contacts.c.id > last_id).order_by(contacts.c.id).limit(5000)).all()
        if not rows:
            break
        last_id = rows[-1][0]
        new_points, birthdays = [], []
        for cid, phone, mobile, email, wechat, birthday in rows:
            order = 0
            phone_done = False
            seen: set[tuple[str, str]] = set()  # phone and mobile holding one number make one point
            for kind, type_, value in (("phone", "mobile", mobile), ("phone", "work", phone),
                                       ("email", "other", email), ("im", "wechat", wechat)):
                value = (value or "").strip()
                if not value or (kind, _match_key(kind, value)) in seen:
                    continue
                seen.add((kind, _match_key(kind, value)))
                preferred = kind != "phone" or not phone_done
                phone_done = phone_done or kind == "phone"
                new_points.append({"contact_id": cid, "kind": kind, "type": type_, "label": "", "value": value,
                                   "match_key": _match_key(kind, value), "preferred": preferred,
                                   "sort_order": order})
                order += 1
            if birthday is not None:
                birthdays.append({"cid": cid, "m": birthday.month, "d": birthday.day})
        if new_points:
            conn.execute(points.insert(), new_points)
        if birthdays:
            conn.execute(contacts.update().where(contacts.c.id == sa.bindparam("cid"))
                         .values(birthday_month=sa.bindparam("m"), birthday_day=sa.bindparam("d")), birthdays)


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("birthday_day")
        batch.drop_column("birthday_month")
    op.drop_index("ix_contact_points_match_key", table_name="contact_points")
    op.drop_index("ix_contact_points_contact_id", table_name="contact_points")
    op.drop_table("contact_points")
