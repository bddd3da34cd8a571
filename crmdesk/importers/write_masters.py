"""Writing customers, products, receipts and stock snapshots (the smaller kinds).

Customers and products are matched by code; only the fields the file supplies are compared
and written, so a file with fewer columns never blanks what another file filled. Importing a
record that was a stub completes it (``is_incomplete`` off, counted as updated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, String

from crmdesk.core.search_text import customer_search_text
from crmdesk.db.models import Contact, Customer, Product, Receipt, SalesOrder, StockSnapshot
from crmdesk.importers import refs
from crmdesk.importers.assign import assign_imported
from crmdesk.importers.changes import record_updates
from crmdesk.importers.prepare import Prepared
from crmdesk.importers.tables import fetch_in, insert, lookup, update_by_id
from crmdesk.importers.write_sales import Counts, row_hash

CUSTOMER_COLUMNS = {  # field → customers column
    "name": "name", "short_name": "short_name", "grade": "grade", "province": "province", "city": "city",
    "district": "district", "address": "address", "phone": "phone", "mobile": "mobile", "email": "email",
    "tax_id": "tax_id", "credit_limit": "credit_limit", "payment_terms_days": "payment_terms_days",
    "notes": "notes", "customer_type": "type_id",
    # The file's 业务员 is the fallback owner: the owner only when no manual or rule owner applies.
    "salesperson": "import_owner_id",
}
PRODUCT_COLUMNS = {f: f for f in ("name", "spec", "unit", "category", "brand", "barcode", "list_price", "cost",
                                  "reorder_point", "lead_time_days", "notes")}


def _fit(table, column: str, values: list) -> list:
    """Text cut to the column's length, so PostgreSQL accepts what SQLite would."""
    col_type = table.c[column].type
    if isinstance(col_type, String) and col_type.length:
        n = col_type.length
        return [v[:n] if isinstance(v, str) else v for v in values]
    return values


def _changed(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> np.ndarray:
    diff = np.zeros(len(old), dtype=bool)
    for c in columns:
        a, b = old[c].tolist(), new[c].tolist()
        diff |= np.array([_same_kind(x) != _same_kind(y) for x, y in zip(a, b, strict=True)], dtype=bool)
    return diff


def _same_kind(v):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    return str(v)


def _upsert_by_code(conn: Connection, table, f: pd.DataFrame, values: dict[str, list], batch_id: int,
                    counts: Counts, search, touched: list[str] | None = None) -> pd.DataFrame:
    """Insert unknown codes, update known ones whose values differ or that were stubs.
    Returns the id per row of ``f``; the codes added or updated are appended to ``touched``."""
    cols = list(values)
    data = pd.DataFrame({c: _fit(table, c, v) for c, v in values.items()})
    data["code"] = _fit(table, "code", f["code"].tolist())
    kept = cols + ["is_incomplete", "search_text", "source_batch_id"]  # what an update overwrites
    existing = fetch_in(conn, table, "code", data["code"].tolist(),
                        ["id", "code"] + [c for c in kept if c not in ("id", "code")])
    known = existing.set_index("code")
    is_known = data["code"].isin(known.index).to_numpy()
    new = data.loc[~is_known]
    if len(new):
        payload = {c: new[c].tolist() for c in ["code"] + cols}
        payload["search_text"] = search(new)
        payload["is_incomplete"] = [False] * len(new)
        payload["source_batch_id"] = [batch_id] * len(new)
        insert(conn, table, payload)
        if touched is not None:
            touched.extend(new["code"].tolist())
    counts.added = len(new)
    cur = data.loc[is_known].reset_index(drop=True)
    if len(cur):
        old = known.loc[cur["code"]].reset_index()
        diff = _changed(old, cur, cols) | old["is_incomplete"].astype(bool).to_numpy()
        upd = cur.loc[diff].copy()
        if len(upd):
            upd["id"] = old.loc[diff, "id"].astype(int).to_numpy()
            upd["is_incomplete"] = False
            upd["search_text"] = search(upd)
            upd["source_batch_id"] = batch_id
            before = old.loc[diff]
            record_updates(conn, batch_id, table, upd["id"].tolist(), {c: before[c].tolist() for c in kept},
                           {c: upd[c].tolist() for c in kept})
            update_by_id(conn, table, upd, kept)
            if touched is not None:
                touched.extend(upd["code"].tolist())
        counts.updated = len(upd)
        counts.unchanged = len(cur) - len(upd)
    ids = lookup(conn, table, "code", data["code"].tolist())
    return data["code"].map(ids)


def write_customers(conn: Connection, prep: Prepared, batch_id: int, progress) -> Counts:
    f, counts = prep.frame, Counts()
    if f.empty:
        return counts
    values: dict[str, list] = {}
    for field, column in CUSTOMER_COLUMNS.items():
        if field not in prep.present and field != "name":
            continue
        if field == "customer_type":
            types = refs.type_ids(conn, pd.unique(f[field]).tolist(), batch_id)
            values[column] = [types.get(t) for t in f[field]]
        elif field == "salesperson":
            people = refs.user_ids(conn, pd.unique(f[field]).tolist(), batch_id)
            values[column] = [people.get(p) for p in f[field]]
        else:
            values[column] = [v.item() if isinstance(v, np.generic) else v for v in f[field].tolist()]
    contacts = f["contact_name"].tolist() if "contact_name" in prep.present else [""] * len(f)
    by_code = dict(zip(f["code"], contacts, strict=True))

    def search(rows: pd.DataFrame) -> list[str]:
        return [customer_search_text(r.get("name", ""), code, (r.get("phone", ""), r.get("mobile", "")),
                                     (by_code.get(code, ""),))
                for code, r in zip(rows["code"], rows.to_dict("records"), strict=True)]

    touched: list[str] = []
    ids = _upsert_by_code(conn, Customer.__table__, f, values, batch_id, counts, search, touched)
    if "contact_name" in prep.present:
        _primary_contacts(conn, ids.tolist(), contacts, f, batch_id)
    assign_imported(conn, lookup(conn, Customer.__table__, "code", touched).values() if touched else [])
    return counts


def _primary_contacts(conn: Connection, ids: list[int], names: list[str], f: pd.DataFrame, batch_id: int) -> None:
    """A named 联系人 becomes the customer's contact unless a contact of that name exists."""
    table = Contact.__table__
    have = fetch_in(conn, table, "customer_id", ids, ["customer_id", "name"])
    existing = set(zip(have["customer_id"], have["name"], strict=True))
    with_any = set(have["customer_id"])
    phones = f["phone"].tolist() if "phone" in f else [""] * len(f)
    mobiles = f["mobile"].tolist() if "mobile" in f else [""] * len(f)
    new = [(cid, n, p, m) for cid, n, p, m in zip(ids, names, phones, mobiles, strict=True)
           if n and (cid, n) not in existing]
    if new:
        insert(conn, table, {"customer_id": [c for c, *_ in new], "name": [n[:100] for _, n, _p, _m in new],
                             "phone": [p[:50] for *_, p, _m in new], "mobile": [m[:50] for *_, m in new],
                             "is_primary": [c not in with_any for c, *_ in new],
                             "source_batch_id": [batch_id] * len(new)})


def write_products(conn: Connection, prep: Prepared, batch_id: int, progress) -> Counts:
    f, counts = prep.frame, Counts()
    if f.empty:
        return counts
    values = {PRODUCT_COLUMNS[k]: [v.item() if isinstance(v, np.generic) else v for v in f[k].tolist()]
              for k in PRODUCT_COLUMNS if k in prep.present or k == "name"}

    def search(rows: pd.DataFrame) -> list[str]:
        return [refs.product_search_text(r.get("name", ""), r["code"], r.get("spec", ""), r.get("brand", ""),
                                         r.get("barcode", "")) for r in rows.to_dict("records")]

    _upsert_by_code(conn, Product.__table__, f, values, batch_id, counts, search)
    return counts


def write_receipts(conn: Connection, prep: Prepared, batch_id: int, progress) -> Counts:
    f, counts = prep.frame, Counts()
    if f.empty:
        return counts
    table = Receipt.__table__
    stubs: list[int] = []
    f["customer_id"], counts.stubs_customers = refs.customer_ids(conn, f, batch_id, stubs)
    assign_imported(conn, stubs)
    orders = lookup(conn, SalesOrder.__table__, "number", [n for n in pd.unique(f["order_number"]) if n])
    f["order_id"] = [orders.get(n) for n in f["order_number"]]
    f["row_hash"] = row_hash(f, ["number", "receipt_date", "customer_code", "amount", "method", "order_number",
                                 "notes"])
    cols = ["receipt_date", "customer_id", "amount", "method", "order_id", "notes", "row_hash"]
    old = fetch_in(conn, table, "number", f["number"].tolist(), ["id", "number", "source_batch_id"] + cols) \
        .set_index("number")
    known = f["number"].isin(old.index).to_numpy()
    new = f.loc[~known]
    if len(new):
        payload = {c: [v.item() if isinstance(v, np.generic) else v for v in new[c].tolist()] for c in cols}
        payload["number"] = new["number"].tolist()
        payload["method"] = _fit(table, "method", payload["method"])
        payload["source_batch_id"] = [batch_id] * len(new)
        insert(conn, table, payload)
    cur = f.loc[known].copy()
    if len(cur):
        cur["id"] = old.loc[cur["number"], "id"].astype(int).to_numpy()
        same = old.loc[cur["number"], "row_hash"].to_numpy() == cur["row_hash"].to_numpy()
        upd = cur.loc[~same].assign(source_batch_id=batch_id)
        upd["order_id"] = [None if v is None or pd.isna(v) else int(v) for v in upd["order_id"]]
        upd["method"] = _fit(table, "method", upd["method"].tolist())
        before = old.loc[upd["number"]]
        record_updates(conn, batch_id, table, upd["id"].tolist(),
                       {c: before[c].tolist() for c in cols + ["source_batch_id"]},
                       {c: upd[c].tolist() for c in cols + ["source_batch_id"]})
        update_by_id(conn, table, upd, cols + ["source_batch_id"])
        counts.updated, counts.unchanged = len(upd), int(same.sum())
    counts.added = len(new)
    return counts


def write_stock(conn: Connection, prep: Prepared, batch_id: int, progress) -> Counts:
    f, counts = prep.frame, Counts()
    if f.empty:
        return counts
    table = StockSnapshot.__table__
    f["product_id"], counts.stubs_products = refs.product_ids(conn, f, batch_id)
    f["warehouse"] = _fit(table, "warehouse", f["warehouse"].astype(str).tolist())
    old = fetch_in(conn, table, "snapshot_date", pd.unique(f["snapshot_date"]).tolist(),
                   ["id", "product_id", "warehouse", "snapshot_date", "quantity", "cost_value", "source_batch_id",
                    "branch_id"])
    # A branch's count replaces only that branch's (0 = no branch: a one-shop database).
    f["branch_key"] = int(prep.branch_id or 0)
    if len(old):
        old["branch_key"] = pd.to_numeric(old.pop("branch_id"), errors="coerce").fillna(0).astype(np.int64)
    keys = ["product_id", "warehouse", "snapshot_date", "branch_key"]
    merged = f.merge(old.rename(columns={"quantity": "old_q", "cost_value": "old_v", "source_batch_id": "old_b"}),
                     on=keys, how="left") if len(old) else f.assign(id=np.nan, old_q=np.nan, old_v=np.nan, old_b=np.nan)
    is_new = merged["id"].isna().to_numpy()
    same = ~is_new & (merged["old_q"].to_numpy() == merged["quantity"].to_numpy()) & \
        (merged["old_v"].to_numpy() == merged["cost_value"].to_numpy())
    add = merged.loc[is_new]
    if len(add):
        insert(conn, table, {"product_id": add["product_id"].astype(np.int64).tolist(),
                             "warehouse": add["warehouse"].tolist(), "snapshot_date": add["snapshot_date"].tolist(),
                             "quantity": add["quantity"].astype(float).tolist(),
                             "cost_value": add["cost_value"].astype(np.int64).tolist(),
                             "source_batch_id": [batch_id] * len(add), "branch_id": [prep.branch_id] * len(add)})
    upd = merged.loc[~is_new & ~same].assign(source_batch_id=batch_id)
    if len(upd):
        upd["id"] = upd["id"].astype(np.int64)
        record_updates(conn, batch_id, table, upd["id"].tolist(),
                       {"quantity": upd["old_q"].tolist(), "cost_value": upd["old_v"].tolist(),
                        "source_batch_id": upd["old_b"].tolist()},
                       {"quantity": upd["quantity"].tolist(), "cost_value": upd["cost_value"].tolist(),
                        "source_batch_id": upd["source_batch_id"].tolist()})
        update_by_id(conn, table, upd, ["quantity", "cost_value", "source_batch_id"])
    counts.added, counts.updated, counts.unchanged = len(add), len(upd), int(same.sum())
    return counts
