"""The demo shop's staff, sales territories and tags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha256

from argon2 import PasswordHasher
from sqlalchemy import Connection, select

from crmdesk.db.bulk import insert_columns
from crmdesk.db.models import Tag, Territory, TerritoryRule, User
from crmdesk.demo.names import STAFF, TAGS, TERRITORIES

DEMO_PASSWORD = "demo"


@lru_cache(maxsize=4)
def demo_password_hash(seed: int) -> str:
    """One Argon2 hash of ``demo`` for every demo account (hashing is slow on purpose).

    The salt comes from the seed, so the same seed gives the same database, byte for
    byte; the hash verifies with ``crmdesk.services.passwords.verify_password`` as usual.
    """
    salt = sha256(f"crmdesk-demo-{seed}".encode()).digest()[:16]
    return PasswordHasher().hash(DEMO_PASSWORD, salt=salt)


@dataclass
class Org:
    user_ids: dict[str, int]  # username → id
    sales_ids: list[int]  # one per territory, same order as TERRITORIES
    counter_ids: list[int]
    manager_id: int
    owner_id: int
    territory_ids: list[int]
    territory_of_province: dict[str, int]  # province → index into TERRITORIES
    tag_ids: dict[str, int]


def next_id(conn: Connection, table) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def build_org(conn: Connection, seed: int, founded: dt.datetime) -> Org:
    existing = dict(conn.execute(select(User.username, User.id)).all())
    password_hash = demo_password_hash(seed)
    first = next_id(conn, User.__table__)
    new = [s for s in STAFF if s[0] not in existing]
    ids = dict(existing)
    for k, (username, _display, _role) in enumerate(new):
        ids[username] = first + k

    first_territory = next_id(conn, Territory.__table__)
    territory_ids = [first_territory + k for k in range(len(TERRITORIES))]
    insert_columns(conn, Territory.__table__, {
        "id": territory_ids,
        "name": [name for name, _ in TERRITORIES],
        "manager_id": [None] * len(TERRITORIES),
        "notes": [""] * len(TERRITORIES),
        "created_at": [founded] * len(TERRITORIES),
        "updated_at": [founded] * len(TERRITORIES),
    })
    sales_usernames = [u for u, _d, r in STAFF if r == "sales"]
    territory_of_user = {u: territory_ids[k % len(territory_ids)] for k, u in enumerate(sales_usernames)}
    insert_columns(conn, User.__table__, {
        "id": [ids[u] for u, _d, _r in new],
        "username": [u for u, _d, _r in new],
        "display_name": [d for _u, d, _r in new],
        "role": [r for _u, _d, r in new],
        "password_hash": [password_hash] * len(new),
        "active": [True] * len(new),
        "territory_id": [territory_of_user.get(u) for u, _d, _r in new],
        "phone": [f"1380000{1000 + k}" for k in range(len(new))],
        "created_at": [founded] * len(new),
        "updated_at": [founded] * len(new),
    })
    # Each territory is managed by its salesperson; the rules put customers there by province.
    sales_ids = [ids[u] for u in sales_usernames][: len(TERRITORIES)]
    territories = Territory.__table__
    for tid, uid in zip(territory_ids, sales_ids, strict=False):
        conn.execute(territories.update().where(territories.c.id == tid).values(manager_id=uid, updated_at=founded))
    rules = [(territory_ids[k], province) for k, (_name, provinces) in enumerate(TERRITORIES) for province in provinces]
    first_rule = next_id(conn, TerritoryRule.__table__)
    insert_columns(conn, TerritoryRule.__table__, {
        "id": list(range(first_rule, first_rule + len(rules))),
        "territory_id": [t for t, _ in rules],
        "field": ["province"] * len(rules),
        "operator": ["equals"] * len(rules),
        "value": [p for _, p in rules],
        "priority": [100] * len(rules),
    })

    tag_ids = dict(conn.execute(select(Tag.name, Tag.id)).all())
    missing = [t for t in TAGS if t not in tag_ids]
    first_tag = next_id(conn, Tag.__table__)
    insert_columns(conn, Tag.__table__, {"id": list(range(first_tag, first_tag + len(missing))), "name": missing})
    tag_ids.update({t: first_tag + k for k, t in enumerate(missing)})
    return Org(
        user_ids=ids, sales_ids=sales_ids, counter_ids=[ids[u] for u, _d, r in STAFF if r == "counter"],
        manager_id=ids["manager"], owner_id=ids["owner"], territory_ids=territory_ids,
        territory_of_province={p: k for k, (_n, provinces) in enumerate(TERRITORIES) for p in provinces},
        tag_ids=tag_ids,
    )
