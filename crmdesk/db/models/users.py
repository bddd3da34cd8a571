"""Users and their roles."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, TimestampMixin


class Role(str, enum.Enum):
    OWNER = "owner"
    MANAGER = "manager"
    SALES = "sales"
    COUNTER = "counter"


class User(TimestampMixin, Base):
    """A person who logs in, or a salesperson named in imported documents.

    Imported 经手人 names become users without a password: they own customers
    and orders but cannot log in until the owner sets a password.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.SALES.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Before migration 0004 a user had one territory; 0004 copied it into user_territories and
    # nothing reads it since (dropping it would rebuild ``users`` with foreign keys on, which
    # SQLite cannot do inside the migration's transaction without nulling every owner).
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(50), default="")
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Failed logins in a row; at the limit the account is locked until ``locked_until``.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


# Which territories a salesperson works (many-to-many: a territory may have several).
user_territories = Table(
    "user_territories",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True, index=True),
)
