"""The Territories page's lists: customers in several territories and customers in none."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, Territory, TerritoryRule, User, customer_territories
from crmdesk.services.territory_rules import CUSTOMER_FIELDS

def _placing_memberships():
    """customer_territories rows that may make a main territory: of a territory with a customer
    rule, or set by hand. A product-line territory ("得力 everywhere") holds every customer and
    would otherwise make each one "overlapping" and none "unassigned"."""
    ct = customer_territories.c
    placing = select(TerritoryRule.territory_id).where(TerritoryRule.field.in_(CUSTOMER_FIELDS))
    return ct.manual.is_(True) | ct.territory_id.in_(placing)


def overlapping(session: Session, limit: int = 1000) -> pd.DataFrame:
    """Customers in two or more territories that place customers: customer_id, code, name,
    territories (names), main."""
    ct = customer_territories.c
    multi = (select(ct.customer_id).where(_placing_memberships()).group_by(ct.customer_id)
             .having(func.count() > 1)).subquery()
    rows = session.execute(
        select(Customer.id, Customer.code, Customer.name, Territory.name, Customer.territory_id, Territory.id)
        .join(multi, multi.c.customer_id == Customer.id)
        .join(customer_territories, ct.customer_id == Customer.id)
        .join(Territory, Territory.id == ct.territory_id)
        .where(_placing_memberships())
        .order_by(Customer.code, Territory.priority, Territory.id)).all()
    out: dict[int, dict] = {}
    for cid, code, name, tname, main, tid in rows:
        entry = out.setdefault(cid, {"customer_id": cid, "code": code, "name": name, "territories": [], "main": ""})
        entry["territories"].append(tname)
        if tid == main:
            entry["main"] = tname
    df = pd.DataFrame(list(out.values())[:limit], columns=["customer_id", "code", "name", "territories", "main"])
    df["territories"] = df["territories"].map(lambda v: ", ".join(v))
    return df


def unassigned(session: Session, limit: int = 1000) -> pd.DataFrame:
    """Customers in no territory that places customers: customer_id, code, name, province, city, owner."""
    ct = customer_territories.c
    rows = session.execute(
        select(Customer.id, Customer.code, Customer.name, Customer.province, Customer.city,
               func.coalesce(User.display_name, ""))
        .outerjoin(User, User.id == Customer.owner_id)
        .where(~Customer.id.in_(select(ct.customer_id).where(_placing_memberships())),
               Customer.archived.is_(False))
        .order_by(Customer.code).limit(limit)).all()
    return pd.DataFrame(rows, columns=["customer_id", "code", "name", "province", "city", "owner"])


def count_unassigned(session: Session) -> int:
    ct = customer_territories.c
    return int(session.scalar(select(func.count()).select_from(Customer)
                              .where(~Customer.id.in_(select(ct.customer_id).where(_placing_memberships())),
                                     Customer.archived.is_(False))) or 0)
