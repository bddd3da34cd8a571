"""``generate``: fill an empty database with a deterministic, realistic demo shop
in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

import numpy as np
from sqlalchemy import Connection, func, select

from crmdesk.core.progress import Progress, ensure
from crmdesk.db import Database
from crmdesk.db.bulk import set_based_triggers, insert_columns
from crmdesk.db.models import (
    Contact, Customer, CustomerRelation, CustomerType, CustomFieldValue, Interaction, Opportunity, Product,
    Receipt, SalesLine, SalesOrder, ServiceCase, StockSnapshot, Task, Territory, customer_tags,
)
from crmdesk.demo import activity, contacts, customer_rows, pipeline, receipts, relations, sales, stock
from crmdesk.demo import customers as customer_frames
from crmdesk.demo import products as product_frames
from crmdesk.demo.calendar import DemoCalendar
from crmdesk.demo.org import build_org, next_id
from crmdesk.i18n import _

log = logging.getLogger(__name__)


class DemoError(RuntimeError):
    """The demo cannot be generated here (the database has data, or a size is invalid)."""


class DemoSizeError(DemoError, ValueError):
    """A requested size is too small for a meaningful shop."""


@dataclass(frozen=True)
class DemoSummary:
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
            "opportunities", "interactions", "tasks", "cases")


def _check_empty(conn: Connection) -> None:
    for model in (Customer, Product, SalesOrder, Territory):
        if conn.execute(select(func.count()).select_from(model.__table__)).scalar_one():
            raise DemoError(_("the database already has data ({table}); use a new, empty database file")
                            .format(table=model.__tablename__))


def _check_sizes(customers_n: int, products_n: int, lines_n: int) -> None:
    if customers_n < 10 or products_n < 20 or lines_n < 100:
        raise DemoSizeError(_("the demo needs at least 10 customers, 20 products and 100 lines"))


def generate(db: Database, *, customers: int = 2000, products: int = 800, lines: int = 150_000, seed: int = 1,
             end_date: dt.date | None = None, progress: Progress | None = None) -> DemoSummary:
    """Fill ``db`` (made by ``open_database``, without customers) with a demo shop; one transaction."""
    _check_sizes(customers, products, lines)
    prog = ensure(progress)
    cal = DemoCalendar(end_date or dt.date.today())
    rngs = {name: np.random.default_rng([seed, k]) for k, name in enumerate(_STREAMS)}
    founded = dt.datetime.combine(cal.start_date - dt.timedelta(days=1500), dt.time(9))
    with db.sessions.begin() as session:
        conn = session.connection()
        _check_empty(conn)
        prog.update(0.0, _("Staff and territories"), force=True)
        org = build_org(conn, seed, founded)
        cust = customer_frames.build_customers(rngs["customers"], customers, cal, next_id(conn, Customer.__table__),
                                               org.territory_of_province, org.sales_ids)
        prod = product_frames.build_products(rngs["products"], products, cal.days, next_id(conn, Product.__table__))
        prog.update(0.02, _("Sales orders"))
        sale = sales.build_sales(rngs["sales"], cal, cust, prod, lines, org.counter_ids,
                                 next_id(conn, SalesOrder.__table__))
        prog.update(0.06, _("Customers"))
        contact_cols, contact_names, first_contact = contacts.build_contacts(
            rngs["contacts"], cust, cal, next_id(conn, Contact.__table__))
        relation_cols = relations.build_relations(rngs["relations"], cust, next_id(conn, CustomerRelation.__table__))
        summary = customer_rows.summarize(cust, sale)
        rows_rng = rngs["rows"]
        cust_cols = customer_rows.customer_columns(
            rows_rng, cust, summary, cal, contact_names, cust.owner_id,
            on_progress=lambda done: prog.update(0.06 + 0.24 * done, _("Customers")))
        type_ids = dict(conn.execute(select(CustomerType.code, CustomerType.id)).all())
        type_id_arr = np.array([type_ids.get(code) for code in customer_frames.TYPE_CODES], dtype=object)
        cust_cols["type_id"] = np.where(cust.incomplete, None, type_id_arr[cust.type_idx])
        territory_arr = np.array(org.territory_ids, dtype=object)
        cust_cols["territory_id"] = np.where(cust.incomplete, None, territory_arr[cust.territory_idx])
        cust_cols["owner_id"] = [None if s else o for s, o in zip(cust.incomplete.tolist(), cust_cols["owner_id"],
                                                                   strict=True)]
        with set_based_triggers(conn, Customer.__table__):
            insert_columns(conn, Customer.__table__, cust_cols)
        insert_columns(conn, CustomFieldValue.__table__, customer_rows.custom_values(
            rows_rng, cust, summary, cal, customer_rows.field_defs(conn)))
        insert_columns(conn, customer_tags, customer_rows.customer_tag_pairs(
            cust, summary, cust_cols["grade"], cust_cols["status"], cal, org.tag_ids))
        insert_columns(conn, CustomerRelation.__table__, relation_cols)
        insert_columns(conn, Contact.__table__, contact_cols)

        prog.update(0.36, _("Products and stock"))
        reorder = stock.reorder_points(prod, sale, cal)
        insert_columns(conn, Product.__table__, product_frames.product_columns(prod, cal, reorder))
        snap_cols, _low = stock.build_snapshots(rngs["stock"], prod, sale, cal, reorder,
                                                next_id(conn, StockSnapshot.__table__))

        prog.update(0.37, _("Sales orders"))
        insert_columns(conn, SalesOrder.__table__, sales.order_rows(sale, cust, cal))
        line_cols = sales.line_rows(sale, cust, prod, cal, next_id(conn, SalesLine.__table__))
        n_lines = len(line_cols["id"])
        insert_columns(conn, SalesLine.__table__, line_cols,
                       on_chunk=lambda done: prog.update(0.42 + 0.38 * done / n_lines, _("Sales lines")))
        prog.update(0.8, _("Receipts"))
        receipt_cols = receipts.build_receipts(rngs["receipts"], cal, cust, sale, next_id(conn, Receipt.__table__))
        insert_columns(conn, Receipt.__table__, receipt_cols)
        insert_columns(conn, StockSnapshot.__table__, snap_cols)

        prog.update(0.86, _("Contact log, pipeline and service"))
        staff = org.counter_ids + [org.manager_id]
        opp_cols, latest_opp = pipeline.build_opportunities(rngs["opportunities"], conn, cust, summary, cal,
                                                            org.manager_id, next_id(conn, Opportunity.__table__))
        insert_columns(conn, Opportunity.__table__, opp_cols)
        inter_cols, follow = activity.build_interactions(rngs["interactions"], cust, cal, first_contact,
                                                         org.counter_ids, latest_opp,
                                                         next_id(conn, Interaction.__table__))
        insert_columns(conn, Interaction.__table__, inter_cols)
        task_cols = activity.build_tasks(rngs["tasks"], cust, cal, follow, next_id(conn, Task.__table__))
        insert_columns(conn, Task.__table__, task_cols)
        case_cols = pipeline.build_cases(rngs["cases"], cust, sale, cal, first_contact, staff,
                                         next_id(conn, ServiceCase.__table__))
        insert_columns(conn, ServiceCase.__table__, case_cols)
        prog.update(0.99, _("Saving"), force=True)
    result = DemoSummary(
        customers=cust.n, contacts=len(contact_cols["id"]), products=prod.n,
        orders=int((~sale.doc_is_return).sum()), returns=int(sale.doc_is_return.sum()), lines=n_lines,
        receipts=len(receipt_cols["id"]), stock_snapshots=len(snap_cols["id"]),
        interactions=len(inter_cols["id"]), tasks=len(task_cols["id"]), opportunities=len(opp_cols["id"]),
        service_cases=len(case_cols["id"]), start_date=cal.start_date, end_date=cal.end_date,
    )
    prog.update(1.0, _("Done"), force=True)
    log.info("demo shop generated: %s", result)
    return result

