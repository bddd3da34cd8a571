"""Resolving what rows refer to: customers, products, salespeople, customer types.

Unknown customers and products met in sales, receipts or stock become stubs
(``is_incomplete``) from what the row tells; a later customer/product import completes them.
Salesperson names (经手人) become users without a password, role ``sales``; a name matches an
existing user by user name first, then by display name, so a 业务员 whose account was made
before the import (``user add wangfang --name 王芳``) keeps that account. A stub's 业务员 is
its ``import_owner_id`` (and owner until the territories' rules decide, ``assign.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from crmdesk.core.search_text import build_search_text, customer_search_text
from crmdesk.db.models import Customer, CustomerType, Product, Role, User
from crmdesk.importers.changes import record_created
from crmdesk.importers.tables import insert, lookup, map_keys

CUSTOMERS = Customer.__table__
PRODUCTS = Product.__table__
USERS = User.__table__
TYPES = CustomerType.__table__


def product_search_text(name: str, code: str, spec: str = "", brand: str = "", barcode: str = "") -> str:
    return build_search_text(name, code, spec, brand, barcode, pinyin_of=(name,))


def _first_per_key(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    cols = [key] + [c for c in columns if c in frame.columns and c != key]
    return frame[cols].drop_duplicates(subset=[key], keep="first")


def type_ids(conn: Connection, names: np.ndarray | list, batch_id: int | None = None) -> dict[str, int]:
    """Customer type name (or code) → id; unknown names become new types (Superstore's segments),
    kept as created by ``batch_id``."""
    wanted = {str(n) for n in names if n}
    if not wanted:
        return {}
    rows = conn.execute(select(TYPES.c.id, TYPES.c.code, TYPES.c.name)).all()
    known: dict[str, int] = {}
    for tid, code, name in rows:
        known[name] = tid
        known.setdefault(code, tid)
    missing = sorted(wanted - set(known))
    if missing:
        top = conn.scalar(select(func.max(TYPES.c.sort_order))) or 0
        insert(conn, TYPES, {"code": [m[:20] for m in missing], "name": [m[:50] for m in missing],
                             "sort_order": list(range(top + 1, top + 1 + len(missing)))})
        made = lookup(conn, TYPES, "name", missing)
        record_created(conn, batch_id, TYPES, made.values())
        known.update(made)
    return {n: known[n] for n in wanted}


def user_ids(conn: Connection, names: np.ndarray | list, batch_id: int | None = None) -> dict[str, int]:
    """Salesperson name → user id, by user name or display name; new names become sales users
    (kept as created by ``batch_id``)."""
    wanted = {str(n) for n in names if n}
    if not wanted:
        return {}
    known: dict[str, int] = {}
    users = conn.execute(select(USERS.c.id, USERS.c.username, USERS.c.display_name).order_by(USERS.c.id)).all()
    # User names are unique and win; a display name shared by two users goes to the older one.
    for uid, username, _display in users:
        known[username] = uid
    for uid, _username, display in users:
        if display and display.strip():
            known.setdefault(display.strip(), uid)
    missing = sorted(w for w in wanted if w not in known)
    if missing:
        insert(conn, USERS, {"username": [m[:50] for m in missing], "display_name": [m[:100] for m in missing],
                             "role": [Role.SALES.value] * len(missing), "password_hash": [None] * len(missing),
                             "active": [True] * len(missing)})
        made = lookup(conn, USERS, "username", [m[:50] for m in missing])
        record_created(conn, batch_id, USERS, made.values())
        known.update(made)
    return {w: known[w[:50]] if w not in known else known[w] for w in wanted}


def customer_ids(conn: Connection, frame: pd.DataFrame, batch_id: int,
                 created: list[int] | None = None) -> tuple[np.ndarray, int]:
    """Customer id per row of ``frame`` (customer_code, customer_name, optional customer_type,
    city, province, salesperson); unknown codes become stubs, their ids appended to ``created``.
    Returns (ids, stubs created)."""
    codes = frame["customer_code"]
    known = lookup(conn, CUSTOMERS, "code", codes.unique().tolist())
    new = _first_per_key(frame.loc[map_keys(codes, known) < 0], "customer_code",
                         ["customer_name", "customer_type", "city", "province", "salesperson"])
    if len(new):
        types = type_ids(conn, new["customer_type"].tolist(), batch_id) if "customer_type" in new else {}
        names = new["customer_name"].astype(str).str.slice(0, 200).tolist()
        code_list = new["customer_code"].astype(str).tolist()
        cols = {
            "code": code_list, "name": names,
            "search_text": [customer_search_text(n, c) for n, c in zip(names, code_list, strict=True)],
            "is_incomplete": [True] * len(new), "source_batch_id": [batch_id] * len(new),
            "type_id": [types.get(t) for t in new["customer_type"]] if "customer_type" in new else
            [None] * len(new),
        }
        for extra in ("city", "province"):
            if extra in new:
                cols[extra] = new[extra].astype(str).str.slice(0, 50).tolist()
        if "salesperson" in new:
            people = user_ids(conn, pd.unique(new["salesperson"]).tolist(), batch_id)
            owners = [people.get(p) for p in new["salesperson"]]
            cols["import_owner_id"] = cols["owner_id"] = owners
            cols["owner_source"] = ["import" if o is not None else "" for o in owners]
        insert(conn, CUSTOMERS, cols)
        made = lookup(conn, CUSTOMERS, "code", code_list)
        known.update(made)
        if created is not None:
            created.extend(made.values())
    return map_keys(codes, known), len(new)


def product_ids(conn: Connection, frame: pd.DataFrame, batch_id: int) -> tuple[np.ndarray, int]:
    """Product id per row (product_code, product_name, optional category/brand/unit/spec); stubs for unknown."""
    codes = frame["product_code"]
    known = lookup(conn, PRODUCTS, "code", codes.unique().tolist())
    new = _first_per_key(frame.loc[map_keys(codes, known) < 0], "product_code",
                         ["product_name", "category", "brand", "unit", "spec"])
    if len(new):
        code_list = new["product_code"].astype(str).tolist()
        names = new["product_name"].astype(str).str.slice(0, 200).tolist()
        cols: dict[str, list] = {"code": code_list, "name": names, "is_incomplete": [True] * len(new),
                                 "source_batch_id": [batch_id] * len(new)}
        for extra, width in (("category", 100), ("brand", 100), ("unit", 20), ("spec", 200)):
            if extra in new:
                cols[extra] = new[extra].astype(str).str.slice(0, width).tolist()
        cols["search_text"] = [product_search_text(n, c, s, b) for n, c, s, b in zip(
            names, code_list, cols.get("spec", [""] * len(new)), cols.get("brand", [""] * len(new)), strict=True)]
        insert(conn, PRODUCTS, cols)
        known.update(lookup(conn, PRODUCTS, "code", code_list))
    return map_keys(codes, known), len(new)
