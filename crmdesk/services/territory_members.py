"""Territory memberships as stored (``customer_territories``) and the writing of a computed
assignment: only what differs, through temporary tables (``db.bulk``), because a rule change can
move tens of thousands of customers at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.bulk import delete_rows, insert_columns, update_rows
from crmdesk.db.columnar import plain_rows, read_columns
from crmdesk.db.models import Customer, customer_territories

if TYPE_CHECKING:
    from crmdesk.services.territories import Assignment

def rows_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Plain rows → DataFrame one column at a time (pandas' row-wise path is several times slower)."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(values) for name, values in zip(columns, cols, strict=True)})


# Many ids in one IN list hit the database's variable limit; past this the whole table is read.
IN_LIMIT = 5000


def manual_members(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    ct = customer_territories.c
    stmt = select(ct.customer_id, ct.territory_id).where(ct.manual.is_(True))
    if ids is not None:
        stmt = stmt.where(ct.customer_id.in_(list(ids)))
    return rows_frame(plain_rows(session, stmt), ["customer_id", "territory_id"])


def len_customers(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Customer)) or 0)


def rule_members(session: Session, ids: Iterable[int] | None) -> pd.DataFrame:
    ct = customer_territories
    cond = ct.c.manual.is_(False)
    if ids is not None:
        cond = cond & ct.c.customer_id.in_([int(i) for i in ids])
    cols = read_columns(session, ct, {"customer_id": (ct.c.customer_id, "int64"),
                                      "territory_id": (ct.c.territory_id, "int64")}, where=cond)
    return pd.DataFrame(cols)


def pair_keys(df: pd.DataFrame) -> np.ndarray:
    """Distinct (customer, territory) pairs as sorted int64 keys: customer × 2³² + territory (negative
    stand-in ids of a preview's new territories are offset into range)."""
    c = df["customer_id"].to_numpy(dtype="int64")
    t = df["territory_id"].to_numpy(dtype="int64") + (1 << 31)
    return np.sort((c << 32) | t)  # the pairs are distinct already (primary key, or one per matrix cell)


def split_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return keys >> 32, (keys & 0xFFFFFFFF) - (1 << 31)


def old_members(session: Session, cust: pd.DataFrame) -> np.ndarray:
    """The stored rule memberships of the customers in ``cust`` as pair keys."""
    if len(cust) <= IN_LIMIT and len(cust) < len_customers(session):
        return pair_keys(rule_members(session, cust.index))
    every = rule_members(session, None)
    if len(cust) < len_customers(session):
        every = every[every["customer_id"].isin(cust.index)]
    return pair_keys(every)


def write_assignment(session: Session, cust: pd.DataFrame, new: Assignment, old_members: np.ndarray,
           stamp: bool = True) -> None:
    f = new.frame
    changed = ((cust["owner_id"].fillna(-1) != f["owner_id"].fillna(-1))
               | (cust["territory_id"].fillna(-1) != f["territory_id"].fillna(-1))
               | (cust["owner_source"].fillna("") != f["owner_source"]))
    ids = cust.index[changed.to_numpy()].to_numpy(dtype="int64")
    now = utcnow()
    c = Customer.__table__
    if len(ids):
        sub = f.loc[ids]
        update_rows(session.connection(), c, "id", {
            "id": ids.tolist(), "owner_id": [None if o is pd.NA else int(o) for o in sub["owner_id"].tolist()],
            "owner_source": sub["owner_source"].tolist(),
            "territory_id": [None if t is pd.NA else int(t) for t in sub["territory_id"].tolist()]},
            # Without ``stamp`` keep updated_at as it is (the column's onupdate would set it to now).
            fixed={"updated_at": now if stamp else c.c.updated_at})
    new_members = pair_keys(new.members)
    gone = np.setdiff1d(old_members, new_members, assume_unique=True)
    added = np.setdiff1d(new_members, old_members, assume_unique=True)
    ct = customer_territories
    conn = session.connection()
    if len(gone):
        gc, gt = split_keys(gone)
        delete_rows(conn, ct, {"customer_id": gc.tolist(), "territory_id": gt.tolist()},
                    where=ct.c.manual.is_(False))
    if len(added):
        # A manual row for the same pair already exists: it stays the one row (primary key).
        added = np.setdiff1d(added, pair_keys(manual_members(session, None)), assume_unique=True)
        ac, at = split_keys(added)
        insert_columns(conn, ct, {"customer_id": ac, "territory_id": at, "manual": [False] * len(ac)})
    touched = np.setdiff1d(np.union1d(split_keys(gone)[0], split_keys(added)[0]), ids)
    if len(touched) and stamp:
        # Their visibility changed: bump them so caches keyed on customers' updated_at reload.
        update_rows(conn, c, "id", {"id": touched.tolist()}, fixed={"updated_at": now})
    session.flush()
