"""The Pipeline page's data: the opportunities the actor may see, filtered, as plain rows from
one SQL query (the board shows 2,000 of them at once), and the header totals.

Won and lost opportunities are included only when they closed in the last ``CLOSED_WINDOW_DAYS``
days: the closing columns show recent results, not the whole history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerType, Opportunity, OpportunityStage, User, customer_territories
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import SALES, require, sees_all_customers

CLOSED_WINDOW_DAYS = 30


@dataclass(frozen=True)
class BoardFilter:
    owner_id: int | None = None
    stage_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    amount_min: int | None = None  # money units
    amount_max: int | None = None
    customer_type_id: int | None = None
    territory_id: int | None = None
    customer_id: int | None = None


class StageInfo(NamedTuple):
    id: int
    name: str
    probability: int  # 0–100
    stale_days: int
    is_won: bool
    is_lost: bool

    @property
    def is_closing(self) -> bool:
        return self.is_won or self.is_lost


class BoardRow(NamedTuple):
    id: int
    customer_id: int
    customer_name: str
    name: str
    stage_id: int
    amount: int
    expected_close: dt.date | None
    owner_id: int | None
    owner_name: str
    days_in_stage: int
    closed_on: dt.date | None
    customer_type: str
    next_step: str


@dataclass(frozen=True)
class ForecastMonth:
    month: str | None  # "2026-07"; None: no expected close
    amount: int
    weighted: int


@dataclass(frozen=True)
class Totals:
    open_count: int = 0
    open_amount: int = 0
    weighted_amount: int = 0
    forecast: tuple[ForecastMonth, ...] = field(default_factory=tuple)


def board_stages(session: Session) -> list[StageInfo]:
    s = OpportunityStage
    return [StageInfo(i, n, int(round(p or 0)), int(d or 0), bool(w), bool(lo)) for i, n, p, d, w, lo in
            session.execute(select(s.id, s.name, s.probability, s.stale_days, s.is_won, s.is_lost)
                            .order_by(s.sort_order, s.id))]


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def board_rows(session: Session, actor: Actor, flt: BoardFilter | None = None,
               today: dt.date | None = None) -> list[BoardRow]:
    """Open opportunities plus those closed in the last 30 days, for the actor's customers."""
    require(actor, "pipeline.view")
    flt = flt or BoardFilter()
    today = today or dt.date.today()
    o, c = Opportunity.__table__.c, Customer.__table__.c
    u, t = User.__table__.c, CustomerType.__table__.c
    stages = board_stages(session)
    open_ids = [st.id for st in stages if not st.is_closing]
    closing_ids = [st.id for st in stages if st.is_closing]
    stmt = (select(o.id, o.customer_id, c.name, o.name, o.stage_id, o.amount, o.expected_close, o.owner_id,
                   u.display_name, u.username, o.stage_changed_at, o.opened_on, o.closed_on, t.name, o.next_step)
            .select_from(Opportunity.__table__)
            .join(Customer.__table__, c.id == o.customer_id)
            .outerjoin(User.__table__, u.id == o.owner_id)
            .outerjoin(CustomerType.__table__, t.id == c.type_id)
            .where(or_(o.stage_id.in_(open_ids),
                       and_(o.stage_id.in_(closing_ids),
                            o.closed_on >= today - dt.timedelta(days=CLOSED_WINDOW_DAYS)))))
    scope = _scope(actor, o.customer_id, c.owner_id)
    if scope is not None:
        stmt = stmt.where(scope)
    if flt.owner_id is not None:
        stmt = stmt.where(o.owner_id == flt.owner_id)
    if flt.stage_id is not None:
        stmt = stmt.where(o.stage_id == flt.stage_id)
    if flt.close_from is not None:
        stmt = stmt.where(o.expected_close >= flt.close_from)
    if flt.close_to is not None:
        stmt = stmt.where(o.expected_close <= flt.close_to)
    if flt.amount_min is not None:
        stmt = stmt.where(o.amount >= flt.amount_min)
    if flt.amount_max is not None:
        stmt = stmt.where(o.amount <= flt.amount_max)
    if flt.customer_type_id is not None:
        stmt = stmt.where(c.type_id == flt.customer_type_id)
    if flt.customer_id is not None:
        stmt = stmt.where(o.customer_id == flt.customer_id)
    if flt.territory_id is not None:
        stmt = stmt.where(o.customer_id.in_(select(customer_territories.c.customer_id)
                                            .where(customer_territories.c.territory_id == flt.territory_id)))
    stmt = stmt.order_by(o.expected_close.is_(None), o.expected_close, o.id)
    rows = []
    for (oid, cid, cname, name, stage_id, amount, close, owner_id, owner_dn, owner_un, changed, opened, closed,
         ctype, step) in session.execute(stmt):
        since = _as_date(changed) or _as_date(opened) or today
        rows.append(BoardRow(oid, cid, cname or "", name or "", stage_id, int(amount or 0), _as_date(close),
                             owner_id, owner_dn or owner_un or "", max(0, (today - since).days), _as_date(closed),
                             ctype or "", step or ""))
    return rows


def _scope(actor: Actor, customer_id, owner_id):
    """``permissions.customer_condition`` in a shape SQLite runs fast here: "+ 0" stops it from
    driving the query from a salesperson's (tens of thousands of) customers through the owner
    index, and a correlated EXISTS checks the few open opportunities' territories one by one
    instead of listing every customer of a big territory first."""
    if sees_all_customers(actor):
        return None
    if actor.role != SALES or actor.user_id is None:
        return false()
    ct = customer_territories.c
    in_territory = exists().where(ct.customer_id == customer_id, ct.territory_id.in_(sorted(actor.territory_ids)))
    return or_(owner_id + 0 == actor.user_id, in_territory)


def _half_up_div(numerator: int, denominator: int) -> int:
    q, r = divmod(numerator, denominator)
    return q + (1 if 2 * r >= denominator else 0)


def totals(rows: list[BoardRow], stages: list[StageInfo]) -> Totals:
    """Open amount, weighted amount (Σ amount × probability / 100, rounded once at the end) and
    the weighted forecast by month of expected close (None: no date), open opportunities only."""
    info = {s.id: s for s in stages}
    count = amount = weighted_x100 = 0
    months: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        stage = info.get(row.stage_id)
        if stage is None or stage.is_closing:
            continue
        count += 1
        amount += row.amount
        weighted_x100 += row.amount * stage.probability
        close = row.expected_close
        key = f"{close.year:04d}-{close.month:02d}" if close else None
        months[key][0] += row.amount
        months[key][1] += row.amount * stage.probability
    order = sorted((k for k in months if k is not None)) + ([None] if None in months else [])
    forecast = tuple(ForecastMonth(k, months[k][0], _half_up_div(months[k][1], 100)) for k in order)
    return Totals(count, amount, _half_up_div(weighted_x100, 100), forecast)
