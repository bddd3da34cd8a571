"""What every report shares: the filtered sales-lines select, ``as_of``, and
the conversion of integer money units to yuan and of ratios to percentages.

Filters on products (category, brand, price band) become ``product_id IN
(…)``, filters on customers (type, grade, territory) ``customer_id IN (…)``
and the salesperson filter ``order_id IN (…)`` (the order's salesperson), so
the million-line table is scanned once with its own indexes and no join.

Who is asking narrows it further (``services.permissions``): reports over sales lines
count only the actor's lines (``LineScope``: a salesperson's customers in their product
lines), reports over customers (receivables, pipeline, service …) only the actor's
customers, reports over products (stock) only the actor's product lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Contact, Customer, CustomerType, Product, SalesLine, SalesOrder, Territory, User
from crmdesk.db.columnar import fetch_ids as ids_of
from crmdesk.db.sqlfuncs import month_key, year_key
from crmdesk.i18n import _
from crmdesk.money import to_units
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import LineScope, line_scope, scope_customers, sees_all_customers


class ReportError(ValueError):
    """A report cannot run with these options (the CLI exits 2 with this message)."""


def choose_view(options: Mapping[str, Any], views: Sequence[str]) -> str:
    """The ``view`` option of a report with several views: the first one when not given."""
    view = options.get("view") or views[0]
    if view not in views:
        raise ReportError(_("--view must be one of: {choices}").format(choices=", ".join(views)))
    return view


L = SalesLine.__table__.c


# --- filters -------------------------------------------------------------------------------

def has_product_filter(f: ReportFilters) -> bool:
    return bool(f.categories or f.brands or f.price_min is not None or f.price_max is not None)


def has_customer_filter(f: ReportFilters) -> bool:
    return bool(f.customer_types or f.grades or f.territory_ids)


def product_conditions(f: ReportFilters) -> list[ColumnElement[bool]]:
    p = Product.__table__.c
    cond: list[ColumnElement[bool]] = []
    if f.categories:
        cond.append(p.category.in_(f.categories))
    if f.brands:
        cond.append(p.brand.in_(f.brands))
    if f.price_min is not None:
        cond.append(p.list_price >= to_units(f.price_min))
    if f.price_max is not None:
        cond.append(p.list_price <= to_units(f.price_max))
    return cond


def product_ids_select(f: ReportFilters) -> Select:
    return select(Product.id).where(*product_conditions(f))


def customer_ids_select(f: ReportFilters, actor: Actor, *, owner_for_salesperson: bool = False,
                        scope: bool = True) -> Select:
    """Customers passing the customer filters and visible to ``actor``.

    ``owner_for_salesperson`` applies the salesperson filter to the customer's
    owner (for reports about customers rather than lines, e.g. receivables).
    ``scope=False`` leaves out the actor's customer scope: for sales lines, which
    ``LineScope`` narrows by customer and product line together.
    """
    c = Customer.__table__.c
    stmt = select(c.id)
    if f.customer_types:
        types = select(CustomerType.id).where(or_(CustomerType.code.in_(f.customer_types),
                                                  CustomerType.name.in_(f.customer_types)))
        stmt = stmt.where(c.type_id.in_(types))
    if f.grades:
        stmt = stmt.where(c.grade.in_(f.grades))
    if f.territory_ids:
        stmt = stmt.where(c.territory_id.in_(f.territory_ids))
    if owner_for_salesperson and f.salesperson_ids:
        stmt = stmt.where(c.owner_id.in_(f.salesperson_ids))
    return scope_customers(stmt, actor) if scope else stmt




def scoped(actor: Actor) -> bool:
    # scope_customers returns its input unchanged when the actor sees everything.
    probe = select(Customer.id)
    return scope_customers(probe, actor) is not probe


def lines_scope(session: Session | None, actor: Actor) -> LineScope | None:
    """The actor's ``LineScope`` (None: every line). Its rules are read from the database, so a
    scoped actor needs the session: without one this fails rather than count every line."""
    if sees_all_customers(actor):
        return None
    if session is None:
        raise ValueError("the sales lines of a scoped actor need the session to read their territories")
    return line_scope(session, actor)


def effective_branches(session: Session | None, actor: Actor, f: ReportFilters) -> tuple[int, ...] | None:
    """The branches whose orders, receipts and stock count (None: every one, branch or not):
    the filter's, within those the actor's territories limit them to (``territory_rules.branch_limit``).
    An empty intersection gives ``(-1,)``, which no row has: nothing, never everything."""
    limit = None
    if not sees_all_customers(actor):
        if session is None:
            raise ValueError("the branches of a scoped actor need the session to read their territories")
        from crmdesk.services.territory_rules import branch_limit

        limit = branch_limit(session, actor)
    if limit is None:
        return tuple(sorted(f.branch_ids)) or None
    wanted = tuple(sorted(set(limit) & set(f.branch_ids))) if f.branch_ids else tuple(sorted(limit))
    return wanted or (-1,)


def order_branch_condition(order_column: ColumnElement, branches: tuple[int, ...] | None) -> ColumnElement[bool] | None:
    """``order_id IN (orders of these branches)`` (None: no branch restriction)."""
    if branches is None:
        return None
    return order_column.in_(select(SalesOrder.id).where(SalesOrder.branch_id.in_(branches)))


def product_scope_ids(session: Session, actor: Actor) -> set[int] | None:
    """Products in the actor's product lines (None: all). A salesperson's are those of their
    territories, all when one of them (or their own customers) covers every product; the
    reports about products (restock, overstock, stock value) list only these."""
    scope = lines_scope(session, actor)
    if scope is None:
        return None
    if scope.user_id is None:
        return set()
    if scope.own_customers_all_products():
        return None
    p = Product.__table__.c
    ids: set[int] = set()
    for r in scope.reaches:
        cond = []
        if r.categories:
            cond.append(p.category.in_(r.categories))
        if r.brands:
            cond.append(p.brand.in_(r.brands))
        ids.update(session.scalars(select(p.id).where(*cond)).all())
    return ids


def line_conditions(f: ReportFilters, actor: Actor, *, session: Session | None = None, dates: bool = True,
                    products: bool = True, date_to: dt.date | None = None) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``sales_lines`` for the filters and the actor's ``LineScope``.

    ``dates=False`` ignores the date range (point-in-time reports set their own);
    ``date_to`` overrides the upper bound. ``session`` is needed for a scoped actor.
    """
    cond: list[ColumnElement[bool]] = []
    if dates and f.date_from is not None:
        cond.append(L.order_date >= f.date_from)
    upper = date_to if date_to is not None else (f.date_to if dates else None)
    if upper is not None:
        cond.append(L.order_date <= upper)
    if products and has_product_filter(f):
        cond.append(L.product_id.in_(product_ids_select(f)))
    if has_customer_filter(f):
        cond.append(L.customer_id.in_(customer_ids_select(f, actor, scope=False)))
    scope = lines_scope(session, actor)
    if scope is not None:
        cond.append(scope.condition(L.customer_id, L.product_id))
    if f.salesperson_ids:
        cond.append(L.order_id.in_(select(SalesOrder.id).where(SalesOrder.salesperson_id.in_(f.salesperson_ids))))
    branch = order_branch_condition(L.order_id, effective_branches(session, actor, f))
    if branch is not None:
        cond.append(branch)
    return cond


def sums_select(f: ReportFilters, actor: Actor, keys: Sequence[ColumnElement], **kw) -> Select:
    """``SELECT keys…, revenue, cost, quantity FROM sales_lines WHERE filters GROUP BY keys``
    (money in integer units; pass ``session=`` for a scoped actor, see ``line_conditions``)."""
    stmt = select(*keys, func.sum(L.amount).label("revenue_u"), func.sum(L.cost_amount).label("cost_u"),
                  func.sum(L.quantity).label("quantity")).where(*line_conditions(f, actor, **kw))
    return stmt.group_by(*keys) if keys else stmt


def frame(session: Session, stmt: Select) -> pd.DataFrame:
    result = session.execute(stmt)
    # Plain tuples: pandas probes each SQLAlchemy Row with hasattr(), ten times slower on 200k rows.
    return pd.DataFrame.from_records([tuple(r) for r in result], columns=list(result.keys()))


# --- as_of -----------------------------------------------------------------------------------

def resolve_as_of(session: Session, f: ReportFilters) -> dt.date:
    """``as_of``, else ``date_to``, else the newest order date, else today."""
    if f.as_of is not None:
        return f.as_of
    if f.date_to is not None:
        return f.date_to
    newest = to_date(session.scalar(select(func.max(L.order_date))))  # typed max(): a date on every driver
    return newest or dt.date.today()


def to_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --- units → yuan, ratios → percent -----------------------------------------------------------

def yuan(units: pd.Series | np.ndarray | int) -> pd.Series | float:
    """Integer money units → yuan rounded half-up to fen, as float (exact to 2 decimals)."""
    if isinstance(units, (int, np.integer)):
        return float(_fen(np.asarray([units]))[0]) / 100
    arr = np.asarray(units, dtype="float64")
    fen = _fen(np.nan_to_num(arr)) / 100
    if isinstance(units, pd.Series):
        return pd.Series(fen, index=units.index, name=units.name)
    return fen


def _fen(units: np.ndarray) -> np.ndarray:
    ints = units.astype("int64")
    return np.sign(ints) * ((np.abs(ints) + 50) // 100)


def pct(part: pd.Series | float, whole: pd.Series | float) -> pd.Series | float:
    """100 × part / whole rounded to 2 decimals; NaN where whole is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(part, pd.Series) or isinstance(whole, pd.Series):
            p = pd.Series(part, dtype="float64") if not isinstance(part, pd.Series) else part.astype("float64")
            w = whole.astype("float64") if isinstance(whole, pd.Series) else float(whole)
            out = (p * 100.0 / w).where(w != 0) if isinstance(w, pd.Series) else (p * 100.0 / w if w else p * np.nan)
            return out.round(2)
        return round(float(part) * 100.0 / float(whole), 2) if whole else float("nan")


def add_money(df: pd.DataFrame, revenue_u: str = "revenue_u", cost_u: str = "cost_u") -> pd.DataFrame:
    """Add revenue, cost, gross_profit (yuan) and margin_pct from unit columns."""
    rev = df[revenue_u].fillna(0).astype("int64")
    cost = df[cost_u].fillna(0).astype("int64")
    df["revenue"] = yuan(rev)
    df["cost"] = yuan(cost)
    df["gross_profit"] = yuan(rev - cost)
    df["margin_pct"] = pct(rev - cost, rev)
    df["gp_u"] = rev - cost
    return df


# --- dimension tables ------------------------------------------------------------------------

def products_frame(session: Session) -> pd.DataFrame:
    p = Product.__table__.c
    df = frame(session, select(p.id, p.code, p.name, p.category, p.brand, p.list_price, p.cost, p.lead_time_days,
                               p.active))
    return df.astype({"id": "int64", "list_price": "int64", "cost": "int64", "lead_time_days": "int64"}).set_index("id")


def customers_frame(session: Session) -> pd.DataFrame:
    c = Customer.__table__.c
    t = CustomerType.__table__.c
    terr = Territory.__table__.c
    u = User.__table__.c
    stmt = (select(c.id, c.code, c.name, c.grade, c.credit_limit, c.phone, c.mobile, c.type_id,
                   t.name.label("customer_type"), t.code.label("customer_type_code"),
                   terr.name.label("territory"), func.coalesce(func.nullif(u.display_name, ""), u.username)
                   .label("owner"))
            .outerjoin(CustomerType.__table__, t.id == c.type_id)
            .outerjoin(Territory.__table__, terr.id == c.territory_id)
            .outerjoin(User.__table__, u.id == c.owner_id))
    df = frame(session, stmt)
    for col in ("customer_type", "customer_type_code", "territory", "owner"):
        df[col] = df[col].fillna("")
    return df.astype({"id": "int64", "credit_limit": "int64"}).set_index("id")


def user_names(session: Session) -> dict[int, str]:
    rows = session.execute(select(User.id, User.display_name, User.username)).all()
    return {r.id: (r.display_name or r.username) for r in rows}


def primary_contacts(session: Session, customer_ids: Sequence[int]) -> pd.DataFrame:
    """Per customer: contact_name and the best phone (contact mobile/phone, else the customer's)."""
    ids = [int(i) for i in customer_ids]
    cols = ["customer_id", "contact_name", "contact_phone"]
    if not ids:
        return pd.DataFrame(columns=cols).set_index("customer_id")
    k = Contact.__table__.c
    rows = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        rows += session.execute(select(k.customer_id, k.name, k.mobile, k.phone, k.is_primary)
                                .where(k.customer_id.in_(chunk)).order_by(k.customer_id, k.is_primary.desc(), k.id)
                                ).all()
    df = pd.DataFrame(rows, columns=["customer_id", "name", "mobile", "phone", "is_primary"])
    df = df.drop_duplicates("customer_id")
    df["contact_name"] = df["name"].fillna("")
    df["contact_phone"] = df["mobile"].where(df["mobile"].fillna("") != "", df["phone"]).fillna("")
    return df.set_index("customer_id")[["contact_name", "contact_phone"]]


def empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def period_key(session: Session, column: ColumnElement, by: str = "month") -> ColumnElement:
    """SQL expression for ``YYYY-MM`` (month) or ``YYYY`` (year) of a date column (``session``
    is kept for callers; the database's own spelling comes from ``crmdesk.db.sqlfuncs``)."""
    return month_key(column) if by == "month" else year_key(column)
