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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from crmdesk.db.columnar import fetch_ids, plain_rows as _rows, read_columns
from crmdesk.db.models import (Customer, CustomerType, Tag, Territory, User, customer_tags,
                               customer_territories, user_territories)
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require
from crmdesk.services.territory_members import (  # noqa: F401 - len_customers is part of the API
    IN_LIMIT, len_customers, manual_members, old_members, pair_keys, rows_frame, write_assignment)
from crmdesk.services.territory_lists import count_unassigned, overlapping, unassigned  # noqa: F401 - the API
from crmdesk.services.territory_rules import (  # noqa: F401 - the territories API in one place
    CUSTOMER_FIELDS, PRODUCT_FIELDS, RULE_FIELDS, TerritoryDef, TerritoryError, clean_def, list_territories,
    rule_choices, store_def)

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


_SOURCES = np.array(["", "manual", "rule", "import"], dtype=object)


def _customers(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    """The assignment state of every customer (or of ``ids``), indexed by id. Numbers only (read
    column-wise, fast): codes and names are fetched later for the customers that move."""
    c = Customer.__table__.c
    source = case((c.owner_source == "manual", 1), (c.owner_source == "rule", 2), (c.owner_source == "import", 3),
                  else_=0)
    few = ids is not None and len(ids) <= IN_LIMIT
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
    if len(ids) <= IN_LIMIT:
        stmt = stmt.where(c.id.in_(ids.tolist()))
    df = rows_frame(_rows(session, stmt), ["id", "code", "name"]).set_index("id")
    return df.reindex(ids)


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
    manual = manual_members(session, customer_ids)
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
           stored: np.ndarray, named: bool = True) -> AssignmentResult:
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
    named = (_labels(session, moved_ids) if named or len(moved_ids) <= IN_LIMIT
             else pd.DataFrame({"code": [""] * len(moved_ids), "name": [""] * len(moved_ids)}))
    moves = [Move(int(i), code, name, oo, no, ot, nt) for i, code, name, oo, no, ot, nt in zip(
        old.index.tolist(), named["code"].tolist(), named["name"].tolist(), labels(users, old["owner_id"]),
        labels(users, now["owner_id"]), labels(territories, old["territory_id"]),
        labels(territories, now["territory_id"]), strict=True)]
    flows: dict[tuple[str, str], int] = {}
    for m in moves:
        if m.old_owner != m.new_owner:
            flows[(m.old_owner, m.new_owner)] = flows.get((m.old_owner, m.new_owner), 0) + 1
    membership_changes = len(np.setxor1d(stored, pair_keys(new.members), assume_unique=True))
    return AssignmentResult(moves, membership_changes,
                            sorted(((a, b, k) for (a, b), k in flows.items()), key=lambda x: -x[2]))


def preview(session: Session, actor: Actor, defs: Sequence[TerritoryDef]) -> AssignmentResult:
    """What saving ``defs`` (the whole list of territories as edited) would change; writes nothing."""
    require(actor, "territories.manage")
    start = time.perf_counter()
    cleaned = [clean_def(d) for d in defs]
    cust, new = compute(session, cleaned)
    result = _moves(session, cust, new, cleaned, old_members(session, cust))
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
        store_def(session, actor, clean_def(d))
    return reassign(session, actor)


def reassign(session: Session, actor: Actor, customer_ids: Sequence[int] | None = None,
             *, audited: bool = True, stamp: bool = True) -> AssignmentResult:
    """Apply the stored territories to all customers (or ``customer_ids``): write what differs.

    ``stamp`` sets the changed customers' ``updated_at`` (caches and open forms notice);
    the demo generator turns it off so that a seed gives the same file byte for byte."""
    start = time.perf_counter()
    cust, new = compute(session, None, customer_ids)
    stored = old_members(session, cust)
    # The apply's result is shown as counts: codes and names only when few moved (reading them
    # for 50,000 customers costs 0.4 s; the preview before it listed them).
    result = _moves(session, cust, new, None, stored, named=False)
    write_assignment(session, cust, new, stored, stamp)
    if audited and result.moves:
        audit.record(session, actor, "territories", 0, "assign", "customers", None,
                     _("{n} customers moved").format(n=len(result.moves)))
    result.seconds = time.perf_counter() - start
    return result


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
