"""Settlement of sales: which sales are paid on the spot and which are owed.

A counter sale is paid when it is made; only a customer who buys on credit owes it until a
receipt pays it. Each order carries its settlement (``sales_orders.settlement``), written when
it is imported: the balances, the receivables, the dashboard and the statement count only
``credit`` orders as owed. Stored per order, not computed from the customer when read, because
it is a fact of that sale: a walk-in customer who gets credit terms next year did not owe this
year's paid counter sales, and the import option "this file was paid at sale" has nowhere else
to live.

How a customer pays, the first rule that speaks deciding:

1. the customer's own setting (on credit / pays at sale);
2. payment terms > 0 days or a credit limit > 0 mean on credit (a shop setting, on by default);
3. the customer type's setting (e.g. 零售客户 pays at sale, 经销商 on credit);
4. the shop's default (pays at sale).

An import option (``--paid-at-sale``, the profile key ``paid_at_sale``, the wizard's check box)
overrides all four for every sale of that file. ``reapply`` applies the rules again to the
orders already in the database (not to those a file marked paid), e.g. after the shop set them
up once its history was imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerType, Receipt, SalesOrder, Setting
from crmdesk.i18n import N_, _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import require
from crmdesk.services.settings_store import write_setting

if TYPE_CHECKING:  # numpy loads when a batch is settled: the main window's first page does not wait for it
    import numpy as np

CREDIT, AT_SALE, FILE = "credit", "at_sale", "file"
CHOICES = ("", CREDIT, AT_SALE)  # a customer's or a type's setting ("" = the next rule decides)
LABELS = {"": N_("By the rules"), CREDIT: N_("On credit"), AT_SALE: N_("Pays at sale")}
TERMS_MEAN_CREDIT, DEFAULT = "settlement.terms_mean_credit", "settlement.default"


@dataclass(frozen=True)
class Rules:
    terms_mean_credit: bool = True
    default: str = AT_SALE
    by_type: dict[int, str] = field(default_factory=dict)  # type id → CREDIT / AT_SALE (unset ones absent)


def load_rules(session: Session) -> Rules:
    values = dict(session.execute(select(Setting.key, Setting.value)
                                  .where(Setting.key.in_([TERMS_MEAN_CREDIT, DEFAULT]))).all())
    by_type = {tid: mode for tid, mode in session.execute(select(CustomerType.id, CustomerType.settlement))
               if mode in (CREDIT, AT_SALE)}
    default = values.get(DEFAULT) if values.get(DEFAULT) in (CREDIT, AT_SALE) else AT_SALE
    return Rules(terms_mean_credit=values.get(TERMS_MEAN_CREDIT, "1") != "0", default=default, by_type=by_type)


@dataclass(frozen=True)
class TypeSetting:
    id: int
    name: str
    settlement: str  # "", CREDIT or AT_SALE
    customers: int


def type_settings(session: Session) -> list[TypeSetting]:
    """Every customer type with its settlement and how many customers it has (Settings)."""
    counts = dict(session.execute(select(Customer.type_id, func.count()).group_by(Customer.type_id)).all())
    rows = session.execute(select(CustomerType.id, CustomerType.name, CustomerType.settlement)
                           .order_by(CustomerType.sort_order, CustomerType.id)).all()
    return [TypeSetting(i, name, mode or "", int(counts.get(i, 0))) for i, name, mode in rows]


def rule_lines(rules: Rules) -> list[str]:
    """The rules in the order they decide, as the shop has set them (Settings, README)."""
    return [
        _("1. The customer's own setting (form → Financial → Settlement), when it is not \"By the rules\"."),
        _("2. Payment terms over 0 days or a credit limit over 0 mean on credit.") if rules.terms_mean_credit
        else _("2. (off) Payment terms and credit limits do not decide."),
        _("3. The customer type's setting below."),
        _("4. Otherwise: {default}.").format(default=_(LABELS[rules.default])),
        _("An import can say that every sale of its file was paid at sale (the import option or the profile "
          "key paid_at_sale); that wins over these rules for that file."),
    ]


def _set(session: Session, actor: Actor, key: str, text: str) -> None:
    write_setting(session, actor, key, text)


def save_rules(session: Session, actor: Actor, terms_mean_credit: bool, default: str,
               by_type: dict[int, str]) -> None:
    """Store the shop's rules (``by_type``: type id → "" / CREDIT / AT_SALE). Audited. Orders
    already imported keep their settlement until ``reapply``."""
    require(actor, "settings.edit")
    bad = [m for m in [default, *by_type.values()] if m not in CHOICES] + ([default] if default == "" else [])
    if bad:
        raise ValidationError([_("Unknown settlement: {value}").format(value=bad[0] or "''")])
    _set(session, actor, TERMS_MEAN_CREDIT, "1" if terms_mean_credit else "0")
    _set(session, actor, DEFAULT, default)
    for ctype in session.scalars(select(CustomerType).where(CustomerType.id.in_(list(by_type)))):
        new = by_type[ctype.id]
        if ctype.settlement != new:
            audit.record(session, actor, "customer_types", ctype.id, "update", "settlement", ctype.settlement, new)
            ctype.settlement = new


def at_sale_mask(own: Iterable[str], terms_days: Iterable[int], credit_limit: Iterable[int],
                 type_id: Iterable[int | None], rules: Rules) -> np.ndarray:
    """Per customer: True where it pays at sale (the rules of the module docstring, vectorised)."""
    import numpy as np
    import pandas as pd  # for pd.isna only; importing this module (the GUI's start does) must not load pandas

    own = np.asarray(list(own), dtype=object)
    terms = np.nan_to_num(np.asarray(list(terms_days), dtype="float64"))
    limit = np.nan_to_num(np.asarray(list(credit_limit), dtype="float64"))
    types = np.array([rules.by_type.get(int(t), "") if t is not None and not pd.isna(t) else "" for t in type_id],
                     dtype=object)
    out = np.where(types == "", rules.default == AT_SALE, types == AT_SALE)
    if rules.terms_mean_credit:
        out &= ~((terms > 0) | (limit > 0))
    return np.where(own == "", out, own == AT_SALE).astype(bool)


def explain(customer: Customer, rules: Rules, type_name: str = "") -> tuple[str, str]:
    """(CREDIT or AT_SALE, why) for one customer, for the form and Settings."""
    if customer.settlement in (CREDIT, AT_SALE):
        return customer.settlement, _("set on the customer")
    if rules.terms_mean_credit and ((customer.payment_terms_days or 0) > 0 or (customer.credit_limit or 0) > 0):
        return CREDIT, _("has payment terms or a credit limit")
    mode = rules.by_type.get(customer.type_id or -1, "")
    if mode:
        return mode, _("customer type {name}").format(name=type_name or customer.type_id)
    return rules.default, _("the shop's default")


def customers_at_sale(session: Session, customer_ids: Iterable[int], rules: Rules | None = None) -> dict[int, bool]:
    """Customer id → pays at sale, for these customers."""
    rules = rules or load_rules(session)
    ids = sorted({int(i) for i in customer_ids})
    out: dict[int, bool] = {}
    c = Customer.__table__.c
    for start in range(0, len(ids), 500):
        rows = session.execute(select(c.id, c.settlement, c.payment_terms_days, c.credit_limit, c.type_id)
                               .where(c.id.in_(ids[start:start + 500]))).all()
        if rows:
            cid, own, terms, limit, tid = zip(*rows, strict=True)
            out.update(zip(cid, at_sale_mask(own, terms, limit, tid, rules).tolist(), strict=True))
    return out


def receipts_of_cash_customers(session: Session, batch_id: int) -> tuple[int, int]:
    """(count, money units) of a receipt batch's receipts whose customers have sales, all settled
    at sale: nothing is owed, so the receipt takes their balance below zero (worth a warning)."""
    o, r = SalesOrder.__table__.c, Receipt.__table__.c
    settled = select(o.customer_id).where(o.settlement != CREDIT)
    owed = select(o.customer_id).where(o.settlement == CREDIT)
    n, total = session.execute(select(func.count(), func.coalesce(func.sum(r.amount), 0))
                               .where(r.source_batch_id == batch_id, r.customer_id.in_(settled),
                                      r.customer_id.not_in(owed))).one()
    return int(n or 0), int(total or 0)


@dataclass(frozen=True)
class Reapplied:
    orders: int  # orders whose settlement changed
    to_at_sale: int  # money units that stopped being owed
    to_credit: int  # money units that became owed


def reapply(session: Session, actor: Actor, dry_run: bool = False) -> Reapplied:
    """Apply the current rules to every order not marked paid by its file. Audited (one row)."""
    require(actor, "settings.edit")
    o = SalesOrder.__table__.c
    rows = session.execute(select(o.customer_id, o.settlement, func.count(), func.sum(o.total_amount))
                           .where(o.settlement != FILE).group_by(o.customer_id, o.settlement)).all()
    modes = customers_at_sale(session, {r[0] for r in rows})
    flips = [(cid, mode, n, int(total or 0)) for cid, mode, n, total in rows
             if (mode == AT_SALE) != modes.get(cid, False)]
    result = Reapplied(orders=sum(n for _c, _m, n, _t in flips),
                       to_at_sale=sum(t for _c, m, _n, t in flips if m == CREDIT),
                       to_credit=sum(t for _c, m, _n, t in flips if m == AT_SALE))
    if dry_run or not flips:
        return result
    stmt = (update(SalesOrder.__table__).where(o.customer_id == bindparam("cid"), o.settlement == bindparam("old"))
            .values(settlement=bindparam("new")))
    session.connection().execute(stmt, [{"cid": cid, "old": mode, "new": CREDIT if mode == AT_SALE else AT_SALE}
                                        for cid, mode, _n, _t in flips])
    audit.record(session, actor, "sales_orders", 0, "settle", "settlement", None,
                 f"{result.orders} orders; at sale +{result.to_at_sale}; credit +{result.to_credit}")
    return result
