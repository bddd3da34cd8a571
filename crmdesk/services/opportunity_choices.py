"""What the Pipeline page's filters and the opportunity form offer to choose from: owners,
customer types, territories, and products found by typing."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import CustomerType, Product, Territory, User
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

SELLER_ROLES = ("owner", "manager", "sales")


@dataclass(frozen=True)
class Choices:
    owners: list[tuple[int, str]] = field(default_factory=list)
    customer_types: list[tuple[int, str]] = field(default_factory=list)
    territories: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ProductHit:
    id: int
    code: str
    name: str
    list_price: int


def filter_choices(session: Session, actor: Actor) -> Choices:
    require(actor, "pipeline.view")
    owners = [(i, dn or un) for i, dn, un in session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.active.is_(True), User.role.in_(SELLER_ROLES)).order_by(User.display_name, User.id))]
    types = [tuple(r) for r in session.execute(select(CustomerType.id, CustomerType.name)
                                               .order_by(CustomerType.sort_order, CustomerType.id))]
    territories = [tuple(r) for r in session.execute(select(Territory.id, Territory.name).order_by(Territory.name))]
    if actor.role == "sales":
        territories = [t for t in territories if t[0] in actor.territory_ids]
    return Choices(owners, types, territories)


def search_products(session: Session, actor: Actor, text: str, limit: int = 30) -> list[ProductHit]:
    require(actor, "customers.opportunities")
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    stmt = (select(Product.id, Product.code, Product.name, Product.list_price)
            .where(Product.active.is_(True), or_(Product.name.like(like), Product.code.like(like),
                                                 Product.search_text.like(like.lower())))
            .order_by(Product.name).limit(limit))
    return [ProductHit(i, c, n, int(p or 0)) for i, c, n, p in session.execute(stmt)]
