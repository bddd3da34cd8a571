"""Writing expense lines (费用明细): matched by (document number, line number), so that a
re-import updates what changed and never doubles.

What a line refers to is resolved, never invented: a customer by code, else by name (a 往来单位
column holds either); an order by its number, and the order's customer when the line names none;
a salesperson, a product by what exists. A customer the shop does not know leaves the expense
shared (a warning names the rows) rather than making a stub customer out of a payee such as the
landlord or the power company. Expense items the shop does not know yet become new items
allocated by revenue (the default), named in a warning so the owner can pick their rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, func, select

from crmdesk.db.models import Allocation, Customer, Expense, ExpenseItem, Product, SalesOrder, User
from crmdesk.i18n import _
from crmdesk.importers.changes import encode, record_created, record_updates
from crmdesk.importers.findings import FileWarning
from crmdesk.importers.prepare import Prepared
from crmdesk.importers.tables import fetch_in, insert, lookup, update_by_id
from crmdesk.importers.write_sales import Counts

EXPENSES, ITEMS = Expense.__table__, ExpenseItem.__table__
COLUMNS = ["expense_date", "item_id", "amount", "customer_id", "salesperson_id", "order_id", "product_id",
           "brand", "notes"]  # what a re-import compares and overwrites
_EXAMPLES = 5


@dataclass
class ExpenseCounts(Counts):
    warnings: list[FileWarning] = field(default_factory=list)  # landed, but worth a look (run.py shows them)


def write_expenses(conn: Connection, prep: Prepared, batch_id: int, progress) -> ExpenseCounts:
    f, counts = prep.frame, ExpenseCounts()
    if f.empty:
        return counts
    rows = [int(r) for r in prep.rows]
    f = f.assign(item_id=_items(conn, f["item"].tolist(), batch_id, counts))
    order_ids, order_customers = _orders(conn, f["order_number"].tolist(), rows, counts)
    customers = _customers(conn, f["customer_code"].tolist(), f["customer_name"].tolist(), order_customers, rows,
                           counts)
    new = pd.DataFrame({
        "doc_number": [str(d)[:50] for d in f["doc_number"]],
        "line_no": [int(n) for n in f["line_no"]],
        "expense_date": list(f["expense_date"]),
        "item_id": [int(i) for i in f["item_id"]],
        "amount": [int(a) for a in f["amount"]],
        "customer_id": customers, "salesperson_id": _people(conn, f["salesperson"].tolist()),
        "order_id": order_ids, "product_id": _products(conn, f["product_code"].tolist(), f["product_name"].tolist()),
        "brand": [str(b)[:100] for b in f["brand"]], "notes": [str(n) for n in f["notes"]],
    }, dtype=object)
    old = fetch_in(conn, EXPENSES, "doc_number", pd.unique(new["doc_number"]).tolist(),
                   ["id", "doc_number", "line_no", "source_batch_id"] + COLUMNS)
    found = {(d, int(n)): i for i, (d, n) in enumerate(zip(old["doc_number"], old["line_no"], strict=True))}
    at = [found.get((d, n)) for d, n in zip(new["doc_number"], new["line_no"], strict=True)]
    fresh = new.loc[[i is None for i in at]]
    if len(fresh):
        payload = {c: fresh[c].tolist() for c in fresh.columns}
        payload["source_batch_id"] = [batch_id] * len(fresh)
        insert(conn, EXPENSES, payload)
    known = [(k, i) for k, i in enumerate(at) if i is not None]
    changed = [(k, i) for k, i in known if any(encode(new.at[k, c]) != encode(old.at[i, c]) for c in COLUMNS)]
    if changed:
        upd = new.loc[[k for k, _i in changed]].reset_index(drop=True)
        before = old.loc[[i for _k, i in changed]].reset_index(drop=True)
        upd["id"] = [int(v) for v in before["id"]]
        upd["source_batch_id"] = batch_id
        kept = COLUMNS + ["source_batch_id"]
        record_updates(conn, batch_id, EXPENSES, upd["id"].tolist(), {c: before[c].tolist() for c in kept},
                       {c: upd[c].tolist() for c in kept})
        update_by_id(conn, EXPENSES, upd, kept)
    counts.added, counts.updated, counts.unchanged = len(fresh), len(changed), len(known) - len(changed)
    return counts


def _items(conn: Connection, names: list[str], batch_id: int, counts: ExpenseCounts) -> list[int]:
    """Item id per row; unknown names become items allocated by revenue (kept as created by the batch)."""
    wanted = sorted({str(n)[:100] for n in names})
    known = lookup(conn, ITEMS, "name", wanted)
    missing = [n for n in wanted if n not in known]
    if missing:
        top = conn.scalar(select(func.max(ITEMS.c.sort_order))) or 0
        insert(conn, ITEMS, {"name": missing, "allocation": [Allocation.REVENUE.value] * len(missing),
                             "sort_order": list(range(top + 1, top + 1 + len(missing)))})
        made = lookup(conn, ITEMS, "name", missing)
        record_created(conn, batch_id, ITEMS, made.values())
        known.update(made)
        counts.warnings.append(FileWarning("new_expense_items", _(
            "{n} expense items new to the shop were added, their shared part allocated by revenue (Settings → "
            "Expense items to change it): {items}").format(n=len(missing), items=", ".join(missing)),
            len(missing), missing[:_EXAMPLES]))
    return [known[str(n)[:100]] for n in names]


def _orders(conn: Connection, numbers: list[str], rows: list[int],
            counts: ExpenseCounts) -> tuple[list[int | None], list[int | None]]:
    """(order id, its customer id) per row; an order number the shop does not have is warned about."""
    wanted = sorted({n for n in numbers if n})
    t = SalesOrder.__table__
    found = fetch_in(conn, t, "number", wanted, ["number", "id", "customer_id"]) if wanted else None
    by_number = {} if found is None else {n: (int(i), int(c)) for n, i, c in
                                          zip(found["number"], found["id"], found["customer_id"], strict=True)}
    ids = [by_number[n][0] if n in by_number else None for n in numbers]
    owners = [by_number[n][1] if n in by_number else None for n in numbers]
    unknown = [(row, n) for row, n in zip(rows, numbers, strict=True) if n and n not in by_number]
    if unknown:
        counts.warnings.append(FileWarning("unknown_order", _(
            "{n} lines name an order the shop does not have: kept without the order").format(n=len(unknown)),
            len(unknown), [_("row {row}: {value}").format(row=r, value=v) for r, v in unknown[:_EXAMPLES]]))
    return ids, owners


def _customers(conn: Connection, codes: list[str], names: list[str], from_orders: list[int | None],
               rows: list[int], counts: ExpenseCounts) -> list[int | None]:
    """Customer id per row: by code, else the name (or a code in the name column), else the
    order's customer. A named customer the shop does not know leaves the line shared, warned."""
    c = Customer.__table__.c
    by_code = lookup(conn, Customer.__table__, "code", sorted({v for v in codes + names if v}))
    wanted_names = sorted({n for n in names if n and n not in by_code})
    by_name: dict[str, int | None] = {}
    if wanted_names:
        for name, cid in conn.execute(select(c.name, c.id).where(c.name.in_(wanted_names)).order_by(c.id)):
            by_name[name] = None if name in by_name else cid  # two customers of one name: not a match
    out: list[int | None] = []
    unknown: list[tuple[int, str]] = []
    for row, code, name, owner in zip(rows, codes, names, from_orders, strict=True):
        cid = by_code.get(code) if code else None
        if cid is None and name:
            cid = by_code.get(name) or by_name.get(name)
        if cid is None and (code or name) and owner is None:
            unknown.append((row, code or name))
        out.append(cid if cid is not None else owner)
    if unknown:
        counts.warnings.append(FileWarning("unknown_customer", _(
            "{n} lines name a customer the shop does not know: kept as shared expenses (import the customer "
            "and this file again to book them to it)").format(n=len(unknown)), len(unknown),
            [_("row {row}: {value}").format(row=r, value=v) for r, v in unknown[:_EXAMPLES]]))
    return out


def _people(conn: Connection, names: list[str]) -> list[int | None]:
    """Salesperson per row among existing users (user name, then display name); an expense file's
    经手人 is often whoever paid, so no user is made for a name the shop does not have."""
    wanted = {n for n in names if n}
    if not wanted:
        return [None] * len(names)
    u = User.__table__.c
    known: dict[str, int] = {}
    users = conn.execute(select(u.id, u.username, u.display_name).order_by(u.id)).all()
    for uid, username, _display in users:
        known[username] = uid
    for uid, _username, display in users:
        if display and display.strip():
            known.setdefault(display.strip(), uid)
    return [known.get(n) if n else None for n in names]


def _products(conn: Connection, codes: list[str], names: list[str]) -> list[int | None]:
    wanted = sorted({v for v in codes + names if v})
    if not wanted:
        return [None] * len(codes)
    by_code = lookup(conn, Product.__table__, "code", wanted)
    p = Product.__table__.c
    by_name = dict(conn.execute(select(p.name, p.id).where(p.name.in_(wanted)).order_by(p.id.desc())).all())
    return [by_code.get(code) or by_code.get(name) or by_name.get(name) or by_name.get(code)
            if (code or name) else None for code, name in zip(codes, names, strict=True)]
