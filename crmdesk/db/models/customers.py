"""Customers, their types and custom fields, tags, relationships and contacts."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (Boolean, Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crmdesk.db.base import Base, Money, TimestampMixin


class CustomerStatus(str, enum.Enum):
    ACTIVE = "active"
    DORMANT = "dormant"
    LOST = "lost"


class FieldType(str, enum.Enum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    BOOL = "bool"


class CustomerType(Base):
    __tablename__ = "customer_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # retail / direct / dealer
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # "" (the shop's default), credit or at_sale: how this type's customers pay (services.settlement).
    settlement: Mapped[str] = mapped_column(String(10), default="", server_default="")

    fields: Mapped[list[CustomFieldDef]] = relationship(
        back_populates="customer_type", order_by="CustomFieldDef.sort_order", cascade="all, delete-orphan"
    )


class CustomFieldDef(Base):
    __tablename__ = "custom_field_defs"
    __table_args__ = (UniqueConstraint("customer_type_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_type_id: Mapped[int] = mapped_column(ForeignKey("customer_types.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(100))
    field_type: Mapped[str] = mapped_column(String(20), default=FieldType.TEXT.value)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[str] = mapped_column(Text, default="")  # one choice per line
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    customer_type: Mapped[CustomerType] = relationship(back_populates="fields")


class CustomFieldValue(Base):
    """A customer's value for a custom field, stored as canonical text
    (ISO date, plain decimal, money units, ``1``/``0``) so it sorts and filters."""

    __tablename__ = "custom_field_values"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("custom_field_defs.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


# Every territory a customer falls in (by its rules, or set by hand): what salespeople see.
customer_territories = Table(
    "customer_territories",
    Base.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("manual", Boolean, nullable=False, default=False, server_default="0"),
)


customer_tags = Table(
    "customer_tags",
    Base.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_type_grade_status", "type_id", "grade", "status"),
        Index("ix_customers_owner", "owner_id"),
        Index("ix_customers_territory", "territory_id"),
        # The customer list's default view (not archived, by name) reads this index alone (migration 0003).
        Index("ix_customers_archived_name", "archived", "name"),
        # The list in pinyin order: search_text starts with the name's full pinyin (migration 0010).
        Index("ix_customers_archived_sort", "archived", text("substr(search_text, 1, 48)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Claimed by a form's save: UPDATE … SET version = version + 1 WHERE id = ? AND version = ?
    # (crmdesk.db.row_version; migration 0013).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The inventory program's code: the natural key for imports.
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    short_name: Mapped[str] = mapped_column(String(100), default="")
    type_id: Mapped[int | None] = mapped_column(ForeignKey("customer_types.id", ondelete="SET NULL"))
    grade: Mapped[str] = mapped_column(String(10), default="")
    status: Mapped[str] = mapped_column(String(10), default=CustomerStatus.ACTIVE.value)
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    mobile: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(100), default="")
    tax_id: Mapped[str] = mapped_column(String(50), default="")
    credit_limit: Mapped[Money]
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=0)
    # "" (by the rules: terms, type, shop default), credit or at_sale (services.settlement).
    settlement: Mapped[str] = mapped_column(String(10), default="", server_default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who set owner_id: "manual" (the form; sticks until cleared), "rule" (a territory's
    # salesperson), "import" (the 业务员 of an imported file), "" (nobody).
    owner_source: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # The 业务员 the last import named: the owner again when no manual or rule owner applies.
    # (No foreign key: see migration 0004. Users are deactivated, never deleted.)
    import_owner_id: Mapped[int | None] = mapped_column(Integer)
    # The main territory (lowest priority of those it falls in), or one set by hand.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    territory_manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Created as a stub by an import that met an unknown code; a customer import completes it.
    is_incomplete: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    first_order_date: Mapped[dt.date | None] = mapped_column(Date)
    # Lower-case search text: name, code, phones, contact names, pinyin full and initials.
    search_text: Mapped[str] = mapped_column(Text, default="")
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))

    customer_type: Mapped[CustomerType | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=customer_tags)
    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", cascade="all, delete-orphan")


class RelationType(str, enum.Enum):
    BRANCH_OF = "branch_of"  # from is a branch of to (to is head office)
    BUYS_THROUGH = "buys_through"  # from buys through dealer to
    REFERRED_BY = "referred_by"
    PARTNER = "partner"
    COMPETITOR = "competitor"


class CustomerRelation(Base):
    __tablename__ = "customer_relations"
    __table_args__ = (UniqueConstraint("from_customer_id", "to_customer_id", "relation_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    to_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    relation_type: Mapped[str] = mapped_column(String(30))
    notes: Mapped[str] = mapped_column(Text, default="")


class Contact(TimestampMixin, Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Claimed by a form's save: UPDATE … SET version = version + 1 WHERE id = ? AND version = ?
    # (crmdesk.db.row_version; migration 0013).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="", index=True)
    mobile: Mapped[str] = mapped_column(String(50), default="", index=True)
    email: Mapped[str] = mapped_column(String(100), default="")
    wechat: Mapped[str] = mapped_column(String(100), default="")
    birthday: Mapped[dt.date | None] = mapped_column(Date)
    # Month and day of any known birthday; birthday stays empty when the year is unknown (migration 0012).
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The import that created it (a customer file's 联系人); no foreign key: see migration 0009.
    source_batch_id: Mapped[int | None] = mapped_column(Integer)

    customer: Mapped[Customer] = relationship(back_populates="contacts")
    # phone/mobile/email/wechat above are kept as a summary of these (the preferred ones) for old readers.
    points: Mapped[list[ContactPoint]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                      order_by="ContactPoint.sort_order")


class ContactPoint(Base):
    """One phone, email, IM handle, SIP address or web page of a contact (migration 0012)."""

    __tablename__ = "contact_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # phone, email, im, sip, url, other
    type: Mapped[str] = mapped_column(String(20), default="other")  # mobile, work, home, fax, pager, wechat, qq…
    label: Mapped[str] = mapped_column(String(50), default="")  # a custom label as the source named it
    value: Mapped[str] = mapped_column(String(200))
    # Digits of a phone, lower-case email: what matching an address book compares.
    match_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    contact: Mapped[Contact] = relationship(back_populates="points")
