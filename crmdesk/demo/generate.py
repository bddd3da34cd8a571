"""``generate``: fill an empty database with a deterministic, realistic demo shop
in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

import numpy as np
from sqlalchemy import Connection, func, select

from crmdesk.core.progress import Progress, ensure
from crmdesk.db import Database
from crmdesk.db.bulk import checks_after_load, insert_columns, set_based_triggers
from crmdesk.db.models import CaseNote
from crmdesk.db.models import (
    Contact, Customer, CustomerRelation, CustomerType, CustomFieldValue, Expense, Interaction, Opportunity,
    OpportunityItem, OpportunityStageChange, Product, Receipt, SalesLine, SalesOrder, ServiceCase, StockSnapshot, Task,
    Territory, customer_tags,
)
from crmdesk.demo import (
    activity, contacts, customer_rows, pipeline, pipeline_history, receipts, relations, sales, stock,
)
from crmdesk.demo import branches as demo_branches
from crmdesk.demo import customers as customer_frames
from crmdesk.demo import expenses as expense_rows
from crmdesk.demo import products as product_frames
from crmdesk.demo import rules as demo_rules
from crmdesk.demo.calendar import DemoCalendar
from crmdesk.demo.case_notes import build_case_notes
from crmdesk.demo.org import Org, build_org, next_id
from crmdesk.i18n import _
from crmdesk.services import territories
from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)


class DemoError(RuntimeError):
    """The demo cannot be generated here (the database has data, or a size is invalid)."""


class DemoSizeError(DemoError, ValueError):
    """A requested size is too small for a meaningful shop, or the seed is negative."""


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind the demo wrote, and the history it covers."""

    customers: int
    contacts: int
    products: int
    orders: int
    returns: int
    lines: int
    receipts: int
    stock_snapshots: int
    interactions: int
    tasks: int
    opportunities: int
    service_cases: int
    start_date: dt.date
    end_date: dt.date

    def as_dict(self) -> dict:
        return asdict(self)


# Each part of the shop draws from its own random stream, so changing one part
# does not reshuffle the others.
_STREAMS = ("customers", "products", "sales", "receipts", "contacts", "relations", "rows", "stock",
            "opportunities", "interactions", "tasks", "cases", "expenses")  # new streams go last


def _check_empty(conn: Connection) -> None:
    for model in (Customer, Product, SalesOrder, Territory):
        if conn.execute(select(func.count()).select_from(model.__table__)).scalar_one():
            raise DemoError(_("the database already has data ({table}); use a new, empty database file")
                            .format(table=model.__tablename__))


def _check_sizes(customers_n: int, products_n: int, lines_n: int, seed: int) -> None:
    if customers_n < 10 or products_n < 20 or lines_n < 100:
        raise DemoSizeError(_("the demo needs at least 10 customers, 20 products and 100 lines"))
    if seed < 0:
        raise DemoSizeError(_("the seed must be zero or more"))


@dataclass
class _Run:
    """What the phases of one generation share."""

    conn: Connection
    cal: DemoCalendar
    rngs: dict[str, np.random.Generator]
    prog: Progress
    counts: dict[str, int]
    branch_ids: list[int] = field(default_factory=list)  # the demo chain's branches (none: one shop)

    def insert(self, model, columns: dict, **kwargs) -> int:
        table = getattr(model, "__table__", model)
        n = insert_columns(self.conn, table, columns, **kwargs)
        self.counts[table.name] = self.counts.get(table.name, 0) + n
        return n

    def first_id(self, model) -> int:
        return next_id(self.conn, model.__table__)


def generate(db: Database, *, customers: int = 2000, products: int = 800, lines: int = 150_000, seed: int = 1,
             end_date: dt.date | None = None, progress: Progress | None = None, branches: int = 1) -> DemoSummary:
    """Fill ``db`` (made by ``open_database``, without customers) with a demo shop; one transaction.
    ``branches`` > 1: a small chain (``demo.branches``); 1 leaves every figure as it always was."""
    _check_sizes(customers, products, lines, seed)
    if not 1 <= branches <= demo_branches.MAX_BRANCHES:
        raise DemoSizeError(_("--branches must be 1 to {n}").format(n=demo_branches.MAX_BRANCHES))
    cal = DemoCalendar(end_date or dt.date.today())
    rngs = {name: np.random.default_rng([seed, k]) for k, name in enumerate(_STREAMS)}
    founded = dt.datetime.combine(cal.start_date - dt.timedelta(days=1500), dt.time(9))
    with db.sessions.begin() as session:
        run = _Run(session.connection(), cal, rngs, ensure(progress), {})
        _check_empty(run.conn)
        run.prog.update(0.0, _("Staff and territories"), force=True)
        org = build_org(run.conn, seed, founded)
        if branches > 1:
            run.branch_ids = demo_branches.create(run.conn, branches)
        cust = customer_frames.build_customers(rngs["customers"], customers, cal, run.first_id(Customer),
                                               org.territory_of_province, org.sales_ids)
        prod = product_frames.build_products(rngs["products"], products, cal.days, run.first_id(Product))
        run.prog.update(0.02, _("Sales orders"))
        sale = sales.build_sales(rngs["sales"], cal, cust, prod, lines, org.counter_ids, run.first_id(SalesOrder))
        with checks_after_load(run.conn):  # PostgreSQL: keys and indexes made once, after the rows
            summary, first_contact = _customers(run, org, cust, sale)
            _goods_and_sales(run, cust, prod, sale)
            _activity(run, org, cust, sale, summary, first_contact)
        run.prog.update(0.98, _("Territories"), force=True)
        # The rules decide territories and owners, as they would for imported customers; the
        # generated owners become the "imported" 业务员 they fall back to.
        c = Customer.__table__.c
        run.conn.execute(Customer.__table__.update().values(import_owner_id=c.owner_id, owner_source="import",
                                                           updated_at=c.updated_at))
        territories.reassign(session, Actor.system(), audited=False, stamp=False)
        run.prog.update(0.985, _("Process rules"), force=True)
        demo_rules.switch_on_and_run(session, cal.end_date)
        run.prog.update(0.99, _("Saving"), force=True)
    c = run.counts
    result = DemoSummary(
        customers=cust.n, contacts=c["contacts"], products=prod.n, orders=int((~sale.doc_is_return).sum()),
        returns=int(sale.doc_is_return.sum()), lines=c["sales_lines"], receipts=c["receipts"],
        stock_snapshots=c["stock_snapshots"], interactions=c["interactions"], tasks=c["tasks"],
        opportunities=c["opportunities"], service_cases=c["service_cases"], start_date=cal.start_date,
        end_date=cal.end_date,
    )
    run.prog.update(1.0, _("Done"), force=True)
    log.info("demo shop generated: %s", result)
    return result


def _customers(run: _Run, org: Org, cust, sale) -> tuple[customer_rows.CustomerSales, np.ndarray]:
    """Customers with their contacts, custom fields, tags and relations."""
    run.prog.update(0.06, _("Customers"))
    contact_cols, contact_names, first_contact = contacts.build_contacts(
        run.rngs["contacts"], cust, run.cal, run.first_id(Contact))
    relation_cols = relations.build_relations(run.rngs["relations"], cust, run.first_id(CustomerRelation))
    summary = customer_rows.summarize(cust, sale)
    rows_rng = run.rngs["rows"]
    cols = customer_rows.customer_columns(
        rows_rng, cust, summary, run.cal, contact_names, cust.owner_id,
        on_progress=lambda done: run.prog.update(0.06 + 0.24 * done, _("Customers")))
    type_ids = dict(run.conn.execute(select(CustomerType.code, CustomerType.id)).all())
    type_id_of = np.array([type_ids.get(code) for code in customer_frames.TYPE_CODES], dtype=object)
    # Import stubs know nothing but the code and name.
    cols["type_id"] = np.where(cust.incomplete, None, type_id_of[cust.type_idx])
    territory_of = np.array(org.territory_ids, dtype=object)
    cols["territory_id"] = np.where(cust.incomplete, None, territory_of[cust.territory_idx])
    cols["owner_id"] = [None if stub else o for stub, o in zip(cust.incomplete.tolist(), cols["owner_id"], strict=True)]
    with set_based_triggers(run.conn, Customer.__table__):
        run.insert(Customer, cols)
    run.insert(CustomFieldValue, customer_rows.custom_values(rows_rng, cust, summary, run.cal,
                                                             customer_rows.field_defs(run.conn)))
    run.insert(customer_tags, customer_rows.customer_tag_pairs(cust, summary, cols["grade"], cols["status"],
                                                               run.cal, org.tag_ids))
    run.insert(CustomerRelation, relation_cols)
    run.insert(Contact, contact_cols)
    return summary, first_contact


def _goods_and_sales(run: _Run, cust, prod, sale) -> None:
    """Products, their stock history, orders with their lines, the receipts and the expenses."""
    run.prog.update(0.36, _("Products and stock"))
    reorder = stock.reorder_points(prod, sale, run.cal)
    run.insert(Product, product_frames.product_columns(prod, run.cal, reorder))
    snapshots, _low = stock.build_snapshots(run.rngs["stock"], prod, sale, run.cal, reorder,
                                            run.first_id(StockSnapshot))
    run.prog.update(0.37, _("Sales orders"))
    order_cols = sales.order_rows(sale, cust, run.cal)
    if run.branch_ids:
        order_cols["branch_id"] = demo_branches.home_branch(order_cols["customer_id"], run.branch_ids)
        snapshots = demo_branches.split_snapshots(snapshots, run.branch_ids)
    run.insert(SalesOrder, order_cols)
    line_cols = sales.line_rows(sale, cust, prod, run.cal, run.first_id(SalesLine))
    n_lines = len(line_cols["id"])
    run.insert(SalesLine, line_cols,
               on_chunk=lambda done: run.prog.update(0.42 + 0.38 * done / n_lines, _("Sales lines")))
    run.prog.update(0.8, _("Receipts"))
    receipt_cols = receipts.build_receipts(run.rngs["receipts"], run.cal, cust, sale, run.first_id(Receipt))
    if run.branch_ids:  # paid where the customer buys
        receipt_cols["branch_id"] = demo_branches.home_branch(receipt_cols["customer_id"], run.branch_ids)
    run.insert(Receipt, receipt_cols)
    run.insert(StockSnapshot, snapshots)
    run.insert(Expense, expense_rows.build_expenses(run.rngs["expenses"], run.conn, run.cal, cust, sale,
                                                    run.first_id(Expense)))


def _activity(run: _Run, org: Org, cust, sale, summary, first_contact: np.ndarray) -> None:
    """The pipeline, the contact log with its tasks, and service cases."""
    run.prog.update(0.86, _("Contact log, pipeline and service"))
    opportunities, latest = pipeline.build_opportunities(run.rngs["opportunities"], run.conn, cust, summary,
                                                         run.cal, org.manager_id, run.first_id(Opportunity))
    open_ids, won, lost = pipeline.stage_ids(run.conn)
    items = pipeline_history.build_items(run.rngs["opportunities"], run.conn, opportunities,
                                         run.first_id(OpportunityItem))
    changes, entered = pipeline_history.build_stage_history(run.rngs["opportunities"], opportunities, open_ids, won,
                                                            lost, run.cal, run.first_id(OpportunityStageChange))
    opportunities["stage_changed_at"] = entered
    run.insert(Opportunity, opportunities)
    run.insert(OpportunityItem, items)
    run.insert(OpportunityStageChange, changes)
    log_cols, follow_ups = activity.build_interactions(run.rngs["interactions"], cust, run.cal, first_contact,
                                                       org.counter_ids, latest, run.first_id(Interaction))
    run.insert(Interaction, log_cols)
    run.insert(Task, activity.build_tasks(run.rngs["tasks"], cust, run.cal, follow_ups, run.first_id(Task)))
    cases = pipeline.build_cases(run.rngs["cases"], cust, sale, run.cal, first_contact,
                                 org.counter_ids + [org.manager_id], run.first_id(ServiceCase),
                                 sla=pipeline.case_sla(run.conn))
    run.insert(ServiceCase, cases)
    end_of_history = dt.datetime.combine(run.cal.end_date, dt.time(23, 59, 59))
    run.insert(CaseNote, build_case_notes(run.rngs["cases"], run.conn, cases, run.first_id(CaseNote), end_of_history))
