"""A tiny shop for the test_service_* files: territory 华南 (广东, salesperson A) and 华东 (浙江,
salesperson B), customer a1 in 广东 (owned by A by the rules), b1 in 浙江 (B's), an owner and a
counter clerk. Imported by name there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from crmdesk.db.models import SalesOrder, User
from crmdesk.services import territories
from crmdesk.services.actor import Actor
from crmdesk.services.contacts import ContactInput, add_contact
from crmdesk.services.customers import CustomerInput, create_customer
from crmdesk.services.territories import TerritoryDef

SYSTEM = Actor.system()
T0 = dt.datetime(2026, 6, 1, 9, 0)


@dataclass
class Shop:
    db: object
    actors: dict[str, Actor]
    users: dict[str, int]
    customers: dict[str, int]
    contacts: dict[str, int]
    orders: dict[str, int]


@pytest.fixture
def shop(db) -> Shop:
    with db.sessions.begin() as s:
        users = {}
        for key, role, display in (("owner", "owner", "王老板"), ("sales_a", "sales", "王芳"),
                                   ("sales_b", "sales", "李强"), ("counter", "counter", "赵柜台")):
            u = User(username=key, display_name=display, role=role, password_hash="x")
            s.add(u)
            s.flush()
            users[key] = u.id
        territories.save_and_apply(s, SYSTEM, [
            TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (users["sales_a"],)),
            TerritoryDef(None, "华东", 20, {"province": ("浙江省",)}, (users["sales_b"],))])
        customers = {k: create_customer(s, SYSTEM, CustomerInput(name=n, province=p)).id
                     for k, n, p in (("a1", "广州晨星文具店", "广东省"), ("b1", "杭州文具店", "浙江省"))}
        contacts = {k: add_contact(s, SYSTEM, cid, ContactInput(name=f"联系人{k}")).id for k, cid in customers.items()}
        orders = {}
        for k, cid in customers.items():
            order = SalesOrder(number=f"XS-{k}", order_date=dt.date(2026, 5, 20), customer_id=cid, total_amount=1000)
            s.add(order)
            s.flush()
            orders[k] = order.id
        actors = {k: Actor.from_user(s.get(User, uid), s) for k, uid in users.items()}
    return Shop(db, actors, users, customers, contacts, orders)
