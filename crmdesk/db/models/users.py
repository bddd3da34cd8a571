"""Users and their roles."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, ForeignKey, String
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
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(50), default="")
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
