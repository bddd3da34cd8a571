"""Territories: their definitions, and the assignment of customers to territories and owners.

A territory's rules name allowed values per field: customer fields (province, city, district,
customer_type, grade, tag) decide which customers fall in it, product fields (category, brand)
which of their sales its salespeople count. Values of one field are alternatives, fields
combine with AND, and a field with no values means "all".

Assignment (``compute``) gives every customer
- its territories: every territory whose customer rules it meets, plus one set by hand;
- its main territory: the one set by hand, else the matching one of lowest priority (then id)
  among those with a customer rule (a territory of product lines only, "得力 everywhere",
  shows its salespeople every customer but places none);
- its owner: one set by hand sticks; else a salesperson of the first territory, in the order
  main territory then the others (with a customer rule) by priority, that has salespeople (the current owner is kept
  when they are one of them, else the one with the lowest id); else the 业务员 of the last
  import; else nobody. ``owner_source`` tells which ("manual", "rule", "import", "").

Preview and apply run the same ``compute``: preview on proposed definitions without writing,
apply writes only what differs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.bulk import delete_rows, insert_columns, update_rows
from crmdesk.db.columnar import fetch_ids, plain_rows as _rows, read_columns
from crmdesk.db.models import (Customer, CustomerType, Tag, Territory, TerritoryRule, User, customer_tags,
                               customer_territories, user_territories)
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

CUSTOMER_FIELDS = ("province", "city", "district", "customer_type", "grade", "tag")
PRODUCT_FIELDS = ("category", "brand")
RULE_FIELDS = CUSTOMER_FIELDS + PRODUCT_FIELDS


class TerritoryError(ValueError):
    pass


@dataclass(frozen=True)
class TerritoryDef:
    """A territory as edited: ``rules`` maps a field of RULE_FIELDS to its allowed values."""

    id: int | None
    name: str
    priority: int = 100
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    salesperson_ids: tuple[int, ...] = ()
    notes: str = ""

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(self.rules.get(name, ()))

    @property
    def places_customers(self) -> bool:
        """Has a customer rule: may be a customer's main territory and give it an owner."""
        return any(self.values(f) for f in CUSTOMER_FIELDS)

    def describe(self) -> str:
        """"广东省, 广西壮族自治区 · dealer · 得力" — for lists and audit."""
        parts = [", ".join(self.values(f)) for f in RULE_FIELDS if self.values(f)]
        return " · ".join(parts) or _("all customers, all products")


# --- definitions -------------------------------------------------------------------------------

def list_territories(session: Session) -> list[TerritoryDef]:
    rules = session.execute(select(TerritoryRule.territory_id, TerritoryRule.field, TerritoryRule.value)
                            .order_by(TerritoryRule.id)).all()
    people = session.execute(select(user_territories.c.territory_id, user_territories.c.user_id)
                             .order_by(user_territories.c.user_id)).all()
    out = []
    for t in session.scalars(select(Territory).order_by(Territory.priority, Territory.id)):
        r: dict[str, list[str]] = {}
        for tid, name, value in rules:
            if tid == t.id and name in RULE_FIELDS:
                r.setdefault(name, []).append(value)
        out.append(TerritoryDef(t.id, t.name, t.priority, {k: tuple(v) for k, v in r.items()},
                                tuple(u for tid, u in people if tid == t.id), t.notes or ""))
    return out


def _clean(tdef: TerritoryDef) -> TerritoryDef:
    name = tdef.name.strip()
    if not name:
        raise TerritoryError(_("A territory needs a name"))
    unknown = set(tdef.rules) - set(RULE_FIELDS)
    if unknown:
        raise TerritoryError(_("Unknown rule field: {fields}").format(fields=", ".join(sorted(unknown))))
    rules = {}
    for key in RULE_FIELDS:
        values = tuple(dict.fromkeys(v.strip() for v in tdef.values(key) if v and v.strip()))
        if values:
            rules[key] = values
    return TerritoryDef(tdef.id, name, int(tdef.priority), rules, tuple(sorted(set(tdef.salesperson_ids))),
                        tdef.notes)


def _store(session: Session, actor: Actor, tdef: TerritoryDef) -> int:
    """Write one definition (no reassignment); returns its id."""
    clash = session.scalar(select(Territory.id).where(Territory.name == tdef.name))
    if clash is not None and clash != tdef.id:
        raise TerritoryError(_("A territory named {name} exists already").format(name=tdef.name))
    if tdef.salesperson_ids:
        found = set(session.scalars(select(User.id).where(User.id.in_(tdef.salesperson_ids))).all())
        missing = set(tdef.salesperson_ids) - found
        if missing:
            raise TerritoryError(_("No such user: {ids}").format(ids=", ".join(map(str, sorted(missing)))))
    if tdef.id is None:
        territory = Territory(name=tdef.name, priority=tdef.priority, notes=tdef.notes)
        session.add(territory)
        session.flush()
        before = ""
        audit.record(session, actor, "territories", territory.id, "create", "name", None, tdef.name)
    else:
        territory = session.get(Territory, tdef.id)
        if territory is None:
            raise TerritoryError(_("Territory {id} does not exist (any more)").format(id=tdef.id))
        old = next(t for t in list_territories(session) if t.id == tdef.id)
        before = f"{old.describe()} | {list(old.salesperson_ids)} | {old.priority}"
        territory.name, territory.priority, territory.notes = tdef.name, tdef.priority, tdef.notes
    session.execute(delete(TerritoryRule).where(TerritoryRule.territory_id == territory.id))
    rows = [{"territory_id": territory.id, "field": k, "operator": "equals", "value": v, "priority": tdef.priority}
            for k, values in tdef.rules.items() for v in values]
    if rows:
        session.execute(insert(TerritoryRule), rows)
    session.execute(delete(user_territories).where(user_territories.c.territory_id == territory.id))
    if tdef.salesperson_ids:
        session.execute(insert(user_territories), [{"user_id": u, "territory_id": territory.id}
                                                   for u in tdef.salesperson_ids])
    after = f"{tdef.describe()} | {list(tdef.salesperson_ids)} | {tdef.priority}"
    if before != after:
        audit.record(session, actor, "territories", territory.id, "update", "rules", before or None, after)
    session.flush()
    return territory.id


def delete_territory(session: Session, actor: Actor, territory_id: int) -> AssignmentResult:
    require(actor, "territories.manage")
    territory = session.get(Territory, territory_id)
    if territory is None:
        raise TerritoryError(_("Territory {id} does not exist (any more)").format(id=territory_id))
    audit.record(session, actor, "territories", territory_id, "delete", "name", territory.name, None)
    # Customers whose main territory this was by hand fall back to the rules.
    session.execute(update(Customer).where(Customer.territory_id == territory_id)
                    .values(territory_id=None, territory_manual=False))
    session.delete(territory)
    session.flush()
    return reassign(session, actor)


# --- assignment --------------------------------------------------------------------------------

@dataclass
class Assignment:
    """Per customer (index = customer id): territory_id, owner_id, owner_source (new state), and
    the set of (customer id, territory id) memberships by rule."""

    frame: pd.DataFrame
    members: pd.DataFrame  # customer_id, territory_id (rule memberships only)


@dataclass(frozen=True)
class Move:
    """One customer that moves. ``code``/``name`` are empty in an apply's result when more than a
    few thousand moved (the preview lists them all)."""

    customer_id: int
    code: str
    name: str
    old_owner: str
    new_owner: str
    old_territory: str
    new_territory: str


@dataclass
class AssignmentResult:
    """What an apply changed, or a preview would change."""

    moves: list[Move]
    membership_changes: int = 0
    # (old owner, new owner) → customers, for the preview's summary.
    flows: list[tuple[str, str, int]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def moved(self) -> int:
        return len(self.moves)


# Many ids in one IN list hit the database's variable limit; past this the whole table is read.
_IN_LIMIT = 5000
_SOURCES = np.array(["", "manual", "rule", "import"], dtype=object)


def _customers(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    """The assignment state of every customer (or of ``ids``), indexed by id. Numbers only (read
    column-wise, fast): codes and names are fetched later for the customers that move."""
    c = Customer.__table__.c
    source = case((c.owner_source == "manual", 1), (c.owner_source == "rule", 2), (c.owner_source == "import", 3),
                  else_=0)
    few = ids is not None and len(ids) <= _IN_LIMIT
    cols = read_columns(session, Customer.__table__, {
        "id": (c.id, "int64"), "owner_id": (c.owner_id, "int64"), "import_owner_id": (c.import_owner_id, "int64"),
        "territory_id": (c.territory_id, "int64"), "territory_manual": (case((c.territory_manual, 1), else_=0), "int64"),
        "src": (source, "int64")}, where=c.id.in_([int(i) for i in ids]) if few else None, order_by=[c.id],
        full_scan=not few)
    df = pd.DataFrame({"id": cols["id"]})
    for col in ("owner_id", "import_owner_id", "territory_id"):  # 0 is NULL (ids start at 1)
        df[col] = pd.Series(cols[col], dtype="Int64").mask(cols[col] == 0)
    df["owner_source"] = _SOURCES[cols["src"]]
    df["territory_manual"] = cols["territory_manual"].astype(bool)
    df = df.set_index("id", drop=False)
    if ids is not None and not few:
        df = df.loc[df.index.intersection(pd.Index([int(i) for i in ids]))]
    return df


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Plain rows → DataFrame one column at a time (pandas' row-wise path is several times slower)."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(values) for name, values in zip(columns, cols, strict=True)})


def _match(session: Session, customers: pd.DataFrame, tdef: TerritoryDef) -> np.ndarray:
    """Which of ``customers`` meet ``tdef``'s customer rules (the database filters; one id list back)."""
    if not tdef.places_customers:
        return np.ones(len(customers), dtype=bool)
    c = Customer.__table__.c
    cond = [getattr(c, name).in_(tdef.values(name)) for name in ("province", "city", "district", "grade")
            if tdef.values(name)]
    if tdef.values("customer_type"):
        wanted = tdef.values("customer_type")
        cond.append(c.type_id.in_(select(CustomerType.id).where(
            (CustomerType.code.in_(wanted)) | (CustomerType.name.in_(wanted)))))
    if tdef.values("tag"):
        cond.append(c.id.in_(select(customer_tags.c.customer_id).join(Tag, Tag.id == customer_tags.c.tag_id)
                             .where(Tag.name.in_(tdef.values("tag")))))
    found = fetch_ids(session, select(c.id).where(*cond))
    return np.isin(customers.index.to_numpy(dtype="int64"), found)


def _labels(session: Session, ids: np.ndarray) -> pd.DataFrame:
    """code and name of the customers ``ids`` (index = id)."""
    c = Customer.__table__.c
    stmt = select(c.id, c.code, c.name)
    if len(ids) <= _IN_LIMIT:
        stmt = stmt.where(c.id.in_(ids.tolist()))
    df = _frame(_rows(session, stmt), ["id", "code", "name"]).set_index("id")
    return df.reindex(ids)


def _manual_members(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    ct = customer_territories.c
    stmt = select(ct.customer_id, ct.territory_id).where(ct.manual.is_(True))
    if ids is not None:
        stmt = stmt.where(ct.customer_id.in_(list(ids)))
    return _frame(_rows(session, stmt), ["customer_id", "territory_id"])


def _active_salespeople(session: Session, defs: Sequence[TerritoryDef]) -> dict[int, list[int]]:
    ids = {u for d in defs for u in d.salesperson_ids}
    active = set(session.scalars(select(User.id).where(User.id.in_(ids), User.active.is_(True))).all()) if ids \
        else set()
    return {d.id: sorted(u for u in d.salesperson_ids if u in active) for d in defs if d.id is not None}


def compute(session: Session, defs: Sequence[TerritoryDef] | None = None,
            customer_ids: Sequence[int] | None = None) -> tuple[pd.DataFrame, Assignment]:
    """(current state, new assignment) for all customers or ``customer_ids``, under ``defs``
    (default: the stored territories). A definition without id (a new territory in a preview)
    gets a negative stand-in id."""
    defs = list(list_territories(session) if defs is None else defs)
    defs = [d if d.id is not None else TerritoryDef(-(k + 1), d.name, d.priority, d.rules, d.salesperson_ids)
            for k, d in enumerate(defs)]
    defs.sort(key=lambda d: (d.priority, d.id))
    cust = _customers(session, customer_ids)
    n = len(cust)
    matrix = np.zeros((n, len(defs)), dtype=bool)
    for k, d in enumerate(defs):
        matrix[:, k] = _match(session, cust, d)
    rule_matrix = matrix.copy()
    manual = _manual_members(session, customer_ids)
    col_of = {d.id: k for k, d in enumerate(defs)}
    row_of = pd.Series(np.arange(n), index=cust.index)
    if len(manual):
        manual = manual[manual["territory_id"].isin(col_of) & manual["customer_id"].isin(cust.index)]
        matrix[row_of[manual["customer_id"]].to_numpy(), manual["territory_id"].map(col_of).to_numpy()] = True

    ids = np.array([d.id for d in defs], dtype="int64")
    # A territory of product lines only ("得力 everywhere") lets its salespeople see every
    # customer but is nobody's main territory and gives no owner.
    placing = matrix & np.array([d.places_customers for d in defs], dtype=bool)
    any_match = placing.any(axis=1)
    first = np.where(any_match, _argmax_rows(placing), -1)
    main = np.where(first >= 0, ids[np.maximum(first, 0)] if len(ids) else 0, -1).astype("int64")
    manual_main = cust["territory_manual"].to_numpy() & cust["territory_id"].notna().to_numpy()
    main = np.where(manual_main, cust["territory_id"].fillna(-1).to_numpy(dtype="int64"), main)

    people = _active_salespeople(session, defs)
    has_people = np.array([bool(people.get(d.id)) for d in defs], dtype=bool)
    # The territory that gives the owner: the main one if it has salespeople, else the first by priority.
    staffed = placing & has_people
    first_staffed = np.where(staffed.any(axis=1), _argmax_rows(staffed), -1)
    giver = np.where(first_staffed >= 0, ids[np.maximum(first_staffed, 0)] if len(ids) else 0, -1)
    main_staffed = np.array([bool(people.get(int(m))) for m in main], dtype=bool) if n else np.zeros(0, bool)
    giver = np.where(main_staffed, main, giver)

    cur_owner = cust["owner_id"].fillna(-1).to_numpy(dtype="int64")
    source = cust["owner_source"].fillna("").to_numpy(dtype=object)
    imported = cust["import_owner_id"].fillna(-1).to_numpy(dtype="int64")
    # Vectorised: the current owner stays when they work the territory that gives the owner,
    # else that territory's first salesperson; without one, the imported 业务员.
    worked = np.array([(t << 32) | u for t, staff in people.items() for u in staff], dtype="int64")
    keeps = np.isin((giver.astype("int64") << 32) | np.maximum(cur_owner, 0), worked) & (cur_owner != -1)
    first_of = {t: staff[0] for t, staff in people.items() if staff}
    first_staff = np.array([first_of.get(int(g), -1) for g in giver], dtype="int64") if n else np.zeros(0, "int64")
    by_rule = first_staff != -1
    manual_owner = source == "manual"
    by_import = ~manual_owner & ~by_rule & (imported != -1)
    new_owner = np.select([manual_owner, by_rule & keeps, by_rule, by_import],
                          [cur_owner, cur_owner, first_staff, imported], default=-1)
    new_source = np.select([manual_owner, by_rule, by_import],
                           np.array(["manual", "rule", "import"], dtype=object), default="").astype(object)
    frame = pd.DataFrame({"territory_id": np.where(main == -1, pd.NA, main), "owner_id": new_owner,
                          "owner_source": new_source}, index=cust.index)
    frame["territory_id"] = frame["territory_id"].astype("Int64")
    frame["owner_id"] = frame["owner_id"].where(frame["owner_id"] != -1).astype("Int64")
    rows, cols = np.nonzero(rule_matrix)
    members = pd.DataFrame({"customer_id": cust.index.to_numpy()[rows].astype("int64"),
                            "territory_id": ids[cols] if len(ids) else np.zeros(0, "int64")})
    return cust, Assignment(frame, members)


def _argmax_rows(matrix: np.ndarray) -> np.ndarray:
    """First True column per row; zeros when there are no columns (no territories at all)."""
    return matrix.argmax(axis=1) if matrix.shape[1] else np.zeros(matrix.shape[0], dtype="int64")


def _names(session: Session, defs: Sequence[TerritoryDef] | None) -> tuple[dict[int, str], dict[int, str]]:
    users = {i: (d or u) for i, d, u in session.execute(select(User.id, User.display_name, User.username))}
    territories = {i: n for i, n in session.execute(select(Territory.id, Territory.name))}
    for k, d in enumerate(defs or ()):
        territories[d.id if d.id is not None else -(k + 1)] = d.name
    return users, territories


def _moves(session: Session, cust: pd.DataFrame, new: Assignment, defs: Sequence[TerritoryDef] | None,
           old_members: np.ndarray, named: bool = True) -> AssignmentResult:
    f = new.frame
    changed = ((cust["owner_id"].fillna(-1) != f["owner_id"].fillna(-1))
               | (cust["territory_id"].fillna(-1) != f["territory_id"].fillna(-1)))
    users, territories = _names(session, defs)

    def labels(mapping: dict[int, str], values: pd.Series) -> list[str]:
        plain = values.astype(object)
        out = plain.map(mapping).astype(object)
        unknown = out.isna() & plain.notna()  # an id no longer in the table: show the id
        out[unknown] = plain[unknown].astype(str)
        return out.fillna("").tolist()

    # Column-wise: a rule change can move tens of thousands of customers (.at per cell is slow).
    pick = np.nonzero(changed.to_numpy())[0]
    old, now = cust.iloc[pick], f.iloc[pick]
    moved_ids = old.index.to_numpy(dtype="int64")
    named = (_labels(session, moved_ids) if named or len(moved_ids) <= _IN_LIMIT
             else pd.DataFrame({"code": [""] * len(moved_ids), "name": [""] * len(moved_ids)}))
    moves = [Move(int(i), code, name, oo, no, ot, nt) for i, code, name, oo, no, ot, nt in zip(
        old.index.tolist(), named["code"].tolist(), named["name"].tolist(), labels(users, old["owner_id"]),
        labels(users, now["owner_id"]), labels(territories, old["territory_id"]),
        labels(territories, now["territory_id"]), strict=True)]
    flows: dict[tuple[str, str], int] = {}
    for m in moves:
        if m.old_owner != m.new_owner:
            flows[(m.old_owner, m.new_owner)] = flows.get((m.old_owner, m.new_owner), 0) + 1
    membership_changes = len(np.setxor1d(old_members, _pair_keys(new.members), assume_unique=True))
    return AssignmentResult(moves, membership_changes,
                            sorted(((a, b, k) for (a, b), k in flows.items()), key=lambda x: -x[2]))


def len_customers(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Customer)) or 0)


def _rule_members(session: Session, ids: Iterable[int] | None) -> pd.DataFrame:
    ct = customer_territories
    cond = ct.c.manual.is_(False)
    if ids is not None:
        cond = cond & ct.c.customer_id.in_([int(i) for i in ids])
    cols = read_columns(session, ct, {"customer_id": (ct.c.customer_id, "int64"),
                                      "territory_id": (ct.c.territory_id, "int64")}, where=cond)
    return pd.DataFrame(cols)


def _pair_keys(df: pd.DataFrame) -> np.ndarray:
    """Distinct (customer, territory) pairs as sorted int64 keys: customer × 2³² + territory (negative
    stand-in ids of a preview's new territories are offset into range)."""
    c = df["customer_id"].to_numpy(dtype="int64")
    t = df["territory_id"].to_numpy(dtype="int64") + (1 << 31)
    return np.sort((c << 32) | t)  # the pairs are distinct already (primary key, or one per matrix cell)


def _split_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return keys >> 32, (keys & 0xFFFFFFFF) - (1 << 31)


def _old_members(session: Session, cust: pd.DataFrame) -> np.ndarray:
    """The stored rule memberships of the customers in ``cust`` as pair keys."""
    if len(cust) <= _IN_LIMIT and len(cust) < len_customers(session):
        return _pair_keys(_rule_members(session, cust.index))
    every = _rule_members(session, None)
    if len(cust) < len_customers(session):
        every = every[every["customer_id"].isin(cust.index)]
    return _pair_keys(every)


def preview(session: Session, actor: Actor, defs: Sequence[TerritoryDef]) -> AssignmentResult:
    """What saving ``defs`` (the whole list of territories as edited) would change; writes nothing."""
    require(actor, "territories.manage")
    start = time.perf_counter()
    cleaned = [_clean(d) for d in defs]
    cust, new = compute(session, cleaned)
    result = _moves(session, cust, new, cleaned, _old_members(session, cust))
    result.seconds = time.perf_counter() - start
    return result


def save_and_apply(session: Session, actor: Actor, defs: Sequence[TerritoryDef],
                   deleted_ids: Sequence[int] = ()) -> AssignmentResult:
    """Store the edited territories (``defs`` new or changed, ``deleted_ids`` removed) and
    reassign every customer; returns what moved (the same as ``preview`` showed)."""
    require(actor, "territories.manage")
    for tid in deleted_ids:
        territory = session.get(Territory, tid)
        if territory is not None:
            audit.record(session, actor, "territories", tid, "delete", "name", territory.name, None)
            session.execute(update(Customer).where(Customer.territory_id == tid, Customer.territory_manual.is_(True))
                            .values(territory_manual=False))
            session.delete(territory)
    session.flush()
    for d in defs:
        _store(session, actor, _clean(d))
    return reassign(session, actor)


def reassign(session: Session, actor: Actor, customer_ids: Sequence[int] | None = None,
             *, audited: bool = True, stamp: bool = True) -> AssignmentResult:
    """Apply the stored territories to all customers (or ``customer_ids``): write what differs.

    ``stamp`` sets the changed customers' ``updated_at`` (caches and open forms notice);
    the demo generator turns it off so that a seed gives the same file byte for byte."""
    start = time.perf_counter()
    cust, new = compute(session, None, customer_ids)
    old_members = _old_members(session, cust)
    # The apply's result is shown as counts: codes and names only when few moved (reading them
    # for 50,000 customers costs 0.4 s; the preview before it listed them).
    result = _moves(session, cust, new, None, old_members, named=False)
    _write(session, cust, new, old_members, stamp)
    if audited and result.moves:
        audit.record(session, actor, "territories", 0, "assign", "customers", None,
                     _("{n} customers moved").format(n=len(result.moves)))
    result.seconds = time.perf_counter() - start
    return result


def _write(session: Session, cust: pd.DataFrame, new: Assignment, old_members: np.ndarray,
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
    new_members = _pair_keys(new.members)
    gone = np.setdiff1d(old_members, new_members, assume_unique=True)
    added = np.setdiff1d(new_members, old_members, assume_unique=True)
    ct = customer_territories
    conn = session.connection()
    if len(gone):
        gc, gt = _split_keys(gone)
        delete_rows(conn, ct, {"customer_id": gc.tolist(), "territory_id": gt.tolist()},
                    where=ct.c.manual.is_(False))
    if len(added):
        # A manual row for the same pair already exists: it stays the one row (primary key).
        added = np.setdiff1d(added, _pair_keys(_manual_members(session, None)), assume_unique=True)
        ac, at = _split_keys(added)
        insert_columns(conn, ct, {"customer_id": ac, "territory_id": at, "manual": [False] * len(ac)})
    touched = np.setdiff1d(np.union1d(_split_keys(gone)[0], _split_keys(added)[0]), ids)
    if len(touched) and stamp:
        # Their visibility changed: bump them so caches keyed on customers' updated_at reload.
        update_rows(conn, c, "id", {"id": touched.tolist()}, fixed={"updated_at": now})
    session.flush()




# --- one customer --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerAssignment:
    owner_id: int | None
    owner_source: str  # manual, rule, import, ""
    territory_id: int | None
    territory_manual: bool
    territory_ids: tuple[int, ...]
    rule_territory_name: str  # the main territory's name when the owner came from a rule

    def source_label(self) -> str:
        """"rule: 华东经销", "manual", "import" or "" — shown on the customer form."""
        if self.owner_source == "rule":
            return _("rule: {territory}").format(territory=self.rule_territory_name)
        return {"manual": _("manual"), "import": _("import")}.get(self.owner_source, "")


def customer_assignment(session: Session, customer_id: int) -> CustomerAssignment:
    c = session.get(Customer, customer_id)
    if c is None:
        raise TerritoryError(_("Customer {id} does not exist (any more)").format(id=customer_id))
    tids = tuple(session.scalars(select(customer_territories.c.territory_id)
                                 .where(customer_territories.c.customer_id == customer_id)
                                 .order_by(customer_territories.c.territory_id)).all())
    giver = ""
    if c.owner_source == "rule" and c.owner_id is not None:
        worked = session.execute(
            select(Territory.id, Territory.name).join(user_territories, user_territories.c.territory_id == Territory.id)
            .where(user_territories.c.user_id == c.owner_id, Territory.id.in_(tids))
            .order_by(Territory.priority, Territory.id)).all()
        # The main territory gave the owner when the owner works it, else the first by priority.
        giver = next((n for i, n in worked if i == c.territory_id), worked[0][1] if worked else "")
    return CustomerAssignment(c.owner_id, c.owner_source or "", c.territory_id, bool(c.territory_manual), tids,
                              giver)


def set_manual(session: Session, actor: Actor, customer_id: int, *, owner_id: int | None | object = ...,
               territory_id: int | None | object = ...) -> CustomerAssignment:
    """Set (a value) or clear (None) a manual owner and/or main territory; ``...`` leaves it.
    Clearing gives the customer back to the rules (and the import)."""
    require(actor, "customers.assign")
    c = session.get(Customer, customer_id)
    if c is None:
        raise TerritoryError(_("Customer {id} does not exist (any more)").format(id=customer_id))
    if owner_id is not ...:
        old = c.owner_id
        if owner_id is None:
            c.owner_source = "" if c.owner_source == "manual" else c.owner_source
        else:
            c.owner_id, c.owner_source = int(owner_id), "manual"  # type: ignore[arg-type]
        audit.record(session, actor, "customers", customer_id, "assign", "owner_id", old,
                     owner_id if owner_id is not None else "rules")
    if territory_id is not ...:
        old_t = c.territory_id
        ct = customer_territories
        session.execute(delete(ct).where(ct.c.customer_id == customer_id, ct.c.manual.is_(True)))
        if territory_id is None:
            c.territory_manual = False
        else:
            c.territory_id, c.territory_manual = int(territory_id), True  # type: ignore[arg-type]
            session.execute(delete(ct).where(ct.c.customer_id == customer_id, ct.c.territory_id == territory_id))
            session.execute(insert(ct).values(customer_id=customer_id, territory_id=territory_id, manual=True))
        audit.record(session, actor, "customers", customer_id, "assign", "territory_id", old_t,
                     territory_id if territory_id is not None else "rules")
    session.flush()
    reassign(session, actor, [customer_id], audited=False)
    return customer_assignment(session, customer_id)


def assign_new(session: Session, customer_ids: Sequence[int]) -> None:
    """Customers just created or imported get their territories and owner on the spot."""
    if customer_ids and session.scalar(select(func.count()).select_from(Territory)):
        reassign(session, Actor.system(), list(customer_ids), audited=False)


# --- lists for the Territories page --------------------------------------------------------------

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


def rule_choices(session: Session) -> dict[str, list[str]]:
    """Values each rule field takes in the data, for the editor's pick lists."""
    from crmdesk.db.models import Product

    def distinct(col) -> list[str]:
        return [v for v in session.scalars(select(col).distinct().order_by(col)).all() if v]

    return {"province": distinct(Customer.province), "city": distinct(Customer.city),
            "district": distinct(Customer.district), "grade": distinct(Customer.grade),
            "customer_type": [n for n in session.scalars(select(CustomerType.name).order_by(CustomerType.sort_order))],
            "tag": distinct(Tag.name), "category": distinct(Product.category), "brand": distinct(Product.brand)}
