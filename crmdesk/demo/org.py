"""The demo shop's staff, sales territories and tags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha256

from sqlalchemy import Connection, select

from crmdesk.db.bulk import insert_columns
from crmdesk.db.models import Tag, Territory, TerritoryRule, User, user_territories
from crmdesk.demo.names import MIXED_TERRITORIES, STAFF, TAGS, TERRITORIES
from crmdesk.services.passwords import hash_password

DEMO_PASSWORD = "demo"


@lru_cache(maxsize=64)
def demo_password_hash(seed: int, username: str) -> str:
    """The Argon2 hash of ``demo`` for one demo account, with a salt of its own.

    The salt comes from the seed and the user name, so the same seed gives the same database,
    byte for byte, while no two accounts share a hash; it verifies with
    ``crmdesk.services.passwords.verify_password`` as usual.
    """
    salt = sha256(f"crmdesk-demo-{seed}-{username}".encode()).digest()[:16]
    return hash_password(DEMO_PASSWORD, salt=salt)


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
    first = next_id(conn, User.__table__)
    new = [s for s in STAFF if s[0] not in existing]
    ids = dict(existing)
    for k, (username, _display, _role) in enumerate(new):
        ids[username] = first + k

    first_territory = next_id(conn, Territory.__table__)
    names = [name for name, _ in TERRITORIES] + [name for name, *_rest in MIXED_TERRITORIES]
    all_ids = [first_territory + k for k in range(len(names))]
    territory_ids = all_ids[: len(TERRITORIES)]
    insert_columns(conn, Territory.__table__, {
        "id": all_ids,
        "name": names,
        "manager_id": [None] * len(names),
        "notes": [""] * len(names),
        "priority": [100] * len(TERRITORIES) + [p for _n, p, *_rest in MIXED_TERRITORIES],
        "created_at": [founded] * len(names),
        "updated_at": [founded] * len(names),
    })
    sales_usernames = [u for u, _d, r in STAFF if r == "sales"]
    territory_of_user = {u: territory_ids[k % len(territory_ids)] for k, u in enumerate(sales_usernames)}
    insert_columns(conn, User.__table__, {
        "id": [ids[u] for u, _d, _r in new],
        "username": [u for u, _d, _r in new],
        "display_name": [d for _u, d, _r in new],
        "role": [r for _u, _d, r in new],
        "password_hash": [demo_password_hash(seed, u) for u, _d, _r in new],
        "active": [True] * len(new),
        "phone": [f"1380000{1000 + k}" for k in range(len(new))],
        "created_at": [founded] * len(new),
        "updated_at": [founded] * len(new),
    })
    # Each territory is managed by its salesperson; the rules put customers there by province.
    sales_ids = [ids[u] for u in sales_usernames][: len(TERRITORIES)]
    territories = Territory.__table__
    for tid, uid in zip(territory_ids, sales_ids, strict=False):
        conn.execute(territories.update().where(territories.c.id == tid).values(manager_id=uid, updated_at=founded))
    rules = [(territory_ids[k], "province", province)
             for k, (_name, provinces) in enumerate(TERRITORIES) for province in provinces]
    rules += [(all_ids[len(TERRITORIES) + k], field, value)
              for k, (_n, _p, fields, _people) in enumerate(MIXED_TERRITORIES)
              for field, values in fields.items() for value in values]
    first_rule = next_id(conn, TerritoryRule.__table__)
    insert_columns(conn, TerritoryRule.__table__, {
        "id": list(range(first_rule, first_rule + len(rules))),
        "territory_id": [t for t, _f, _v in rules],
        "field": [f for _t, f, _v in rules],
        "operator": ["equals"] * len(rules),
        "value": [v for _t, _f, v in rules],
        "priority": [100] * len(rules),
    })
    workers = [(ids[u], t) for u, t in territory_of_user.items()]
    workers += [(ids[u], all_ids[len(TERRITORIES) + k])
                for k, (_n, _p, _f, people) in enumerate(MIXED_TERRITORIES) for u in people]
    insert_columns(conn, user_territories, {"user_id": [u for u, _t in workers],
                                            "territory_id": [t for _u, t in workers]})

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
