"""Every customer path × every role, in one table: each cell is "all" (every customer),
"scoped" (exactly the role's customers) or "denied" (PermissionDenied on every customer).

The shop: territory 华南 (广东省, salesperson A) and 华东 (浙江省, salesperson B); customers a1, a2
in 广东, b1, b2 in 浙江, x in 江苏 owned by A by hand (outside A's territory) and y in 江苏 with
nobody. A sees a1, a2, x; B sees b1, b2; owner, manager and counter see all six.

A per-customer path is tried on each customer in a savepoint that is rolled back; a list path
is run once and its customers compared. Each cell runs in a transaction that is rolled back,
so one database serves the whole table.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crmdesk.db import open_database
from crmdesk.db.models import (Contact, Customer, Interaction, Opportunity, OpportunityStage, ServiceCase, Task,
                               User)
from crmdesk.db.search import customer_text_condition, has_fts
from crmdesk.services import territories
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import add_attachment, list_attachments, open_attachment, remove_attachment
from crmdesk.importers.table_file import import_contact_log_file, import_contacts_file
from crmdesk.services.contact_io import count_contacts
from crmdesk.services.contacts import ContactInput, add_contact, delete_contact, list_contacts, update_contact
from crmdesk.services.custom_fields import customer_values
from crmdesk.services.customer_export import export_customers
from crmdesk.services.customer_pipeline import list_cases, list_opportunities
from crmdesk.services.customer_profile import (customer_history, financial_summary, list_orders, load_profile,
                                               purchases_summary)
from crmdesk.services.customer_query import CustomerQuery, count_customers, fetch_customer_rows, \
    search_customer_ids
from crmdesk.services.customers import (CustomerInput, archive_customer, assignment_back_to_rules, create_customer,
                                        delete_customer, input_from_customer, set_tags, update_customer)
from crmdesk.services.interactions import InteractionInput, delete_interaction, list_interactions, log_interaction
from crmdesk.services.merge import merge_customers
from crmdesk.services.permissions import PermissionDenied
from crmdesk.services.relations import add_relation, list_relations, remove_relation
from crmdesk.services.tasks import create_task, customer_tasks, mark_done, open_tasks, reschedule
from crmdesk.services.territories import TerritoryDef
from crmdesk.services.vcard import export_vcards, import_vcards

ROLES = ("owner", "manager", "sales_a", "sales_b", "counter")
SYSTEM = Actor.system()
# Every customer's name shares 文具店 (three characters: the FTS index) and 文具 (two: the scan).
NAMES = {"a1": "广州晨星文具店", "a2": "佛山文具店", "b1": "杭州文具店", "b2": "宁波文具店", "x": "南京文具店",
         "y": "苏州文具店"}
PROVINCES = {"a1": "广东省", "a2": "广东省", "b1": "浙江省", "b2": "浙江省", "x": "江苏省", "y": "江苏省"}
# The other customer a two-customer path (relation, merge) pairs each one with: visible to the
# same roles, except y's (x), so that y stays out of A's reach.
PEER = {"a1": "a2", "a2": "a1", "b1": "b2", "b2": "b1", "x": "a1", "y": "x"}
VISIBLE = {"owner": set(NAMES), "manager": set(NAMES), "counter": set(NAMES),
           "sales_a": {"a1", "a2", "x"}, "sales_b": {"b1", "b2"}}


@dataclass
class Shop:
    db: object
    folder: Path
    actors: dict[str, Actor]
    ids: dict[str, int]  # key (a1 …) → customer id
    users: dict[str, int]
    contact: dict[str, int] = field(default_factory=dict)
    interaction: dict[str, int] = field(default_factory=dict)
    task: dict[str, int] = field(default_factory=dict)
    attachment: dict[str, int] = field(default_factory=dict)
    relation: dict[str, int] = field(default_factory=dict)

    @property
    def all_ids(self) -> list[int]:
        return sorted(self.ids.values())

    def keys(self, ids) -> set[str]:
        back = {v: k for k, v in self.ids.items()}
        return {back[i] for i in ids}


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Shop:
    folder = tmp_path_factory.mktemp("permissions")
    db = open_database(folder / "shop.db")
    with db.sessions.begin() as s:
        users = {}
        for key, role, display in (("owner", "owner", "王老板"), ("manager", "manager", "刘经理"),
                                   ("sales_a", "sales", "王芳"), ("sales_b", "sales", "李强"),
                                   ("counter", "counter", "赵柜台")):
            u = User(username=key, display_name=display, role=role)
            s.add(u)
            s.flush()
            users[key] = u.id
        territories.save_and_apply(s, SYSTEM, [
            TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (users["sales_a"],)),
            TerritoryDef(None, "华东", 20, {"province": ("浙江省",)}, (users["sales_b"],))])
        ids = {k: create_customer(s, SYSTEM, CustomerInput(name=n, province=PROVINCES[k], phone=f"0571-8800{i}"))
               .id for i, (k, n) in enumerate(NAMES.items())}
        territories.set_manual(s, SYSTEM, ids["x"], owner_id=users["sales_a"])
        actors = {k: Actor.from_user(s.get(User, uid), s) for k, uid in users.items()}
        shop = Shop(db, folder, actors, ids, users)
        stage = s.scalar(select(OpportunityStage.id).order_by(OpportunityStage.sort_order).limit(1))
        source = folder / "offer.txt"
        source.write_text("offer", encoding="utf-8")
        for k, cid in ids.items():
            shop.contact[k] = add_contact(s, SYSTEM, cid, ContactInput(name=f"联系人{k}", mobile="13800000000")).id
            shop.interaction[k] = log_interaction(s, SYSTEM, cid, InteractionInput(
                channel="call", occurred_at=dt.datetime(2026, 6, 1, 9), notes=f"call {k}")).id
            # Every task is A's: A's list must still hold only A's customers' tasks.
            shop.task[k] = create_task(s, SYSTEM, cid, f"回访 {k}", dt.date(2026, 6, 20),
                                       assignee_id=users["sales_a"]).id
            shop.attachment[k] = add_attachment(s, SYSTEM, cid, source).id
            s.add(Opportunity(customer_id=cid, stage_id=stage, name=f"商机 {k}", amount=100))
            s.add(ServiceCase(number=f"CASE-{k}", customer_id=cid, subject=f"投诉 {k}"))
        for a, b, kind in (("a1", "a2", "partner"), ("b1", "b2", "partner"), ("x", "a1", "buys_through"),
                           ("y", "x", "branch_of")):
            rel = add_relation(s, SYSTEM, ids[a], ids[b], kind).id
            shop.relation.setdefault(a, rel)
            shop.relation.setdefault(b, rel)
        shop.relation["a1"] = shop.relation["a2"]  # a1's own pair, a1–a2
    yield shop
    db.dispose()


def test_fixture_is_what_the_table_assumes(shop):
    with shop.db.sessions() as s:
        assert has_fts(s), "the FTS branch of the search must be exercised"
        for role, keys in VISIBLE.items():
            ids = search_customer_ids(s, shop.actors[role], CustomerQuery())
            assert shop.keys(ids) == keys, role
        x = territories.customer_assignment(s, shop.ids["x"])
        assert (x.owner_id, x.owner_source) == (shop.users["sales_a"], "manual")
        # The FTS condition alone (no scoping) finds every customer: scoping is what narrows it.
        assert len(s.scalars(select(Customer.id).where(customer_text_condition(s, ["文具店"]))).all()) == len(NAMES)


# --- paths --------------------------------------------------------------------------------------
# A per-customer path: fn(session, actor, shop, key) → anything (raises PermissionDenied when refused).
# A list path: fn(session, actor, shop) → customer ids (or a count for "count").

def _input(s, shop, key) -> CustomerInput:
    return input_from_customer(s, SYSTEM, shop.ids[key])


def _update_notes(s, actor, shop, k):
    data = _input(s, shop, k)
    data.notes = "改了备注"
    update_customer(s, actor, shop.ids[k], data, None)


def _assign_owner(s, actor, shop, k):
    data = _input(s, shop, k)
    data.owner_id = shop.users["sales_b"] if data.owner_id != shop.users["sales_b"] else shop.users["sales_a"]
    update_customer(s, actor, shop.ids[k], data, None)


def _write_file(shop, name: str, text: str) -> Path:
    path = shop.folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _contacts_file(s, actor, shop, k):
    return import_contacts_file(s, actor, _write_file(shop, "contacts.csv", "联系人,手机\n新联系人,13900000000\n"),
                                customer_id=shop.ids[k])


def _vcard_file(s, actor, shop, k):
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:张三\nN:张;三;;;\nTEL;TYPE=CELL:13700000000\nEND:VCARD\n"
    return import_vcards(s, actor, shop.ids[k], _write_file(shop, "cards.vcf", card))


PER_CUSTOMER: dict[str, Callable] = {
    "form": lambda s, a, shop, k: input_from_customer(s, a, shop.ids[k]),
    "profile": lambda s, a, shop, k: load_profile(s, a, shop.ids[k]),
    "tab.financial": lambda s, a, shop, k: financial_summary(s, a, shop.ids[k]),
    "tab.purchases": lambda s, a, shop, k: purchases_summary(s, a, shop.ids[k]),
    "tab.orders": lambda s, a, shop, k: list_orders(s, a, shop.ids[k]),
    "tab.history": lambda s, a, shop, k: customer_history(s, a, shop.ids[k]),
    "tab.custom_fields": lambda s, a, shop, k: customer_values(s, a, shop.ids[k]),
    "attachments.list": lambda s, a, shop, k: list_attachments(s, a, shop.ids[k]),
    "attachments.add": lambda s, a, shop, k: add_attachment(s, a, shop.ids[k], shop.folder / "offer.txt"),
    "attachments.open": lambda s, a, shop, k: open_attachment(s, a, shop.attachment[k]),
    "attachments.delete": lambda s, a, shop, k: remove_attachment(s, a, shop.attachment[k]),
    "contacts.list": lambda s, a, shop, k: list_contacts(s, a, shop.ids[k]),
    "contacts.count": lambda s, a, shop, k: count_contacts(s, a, shop.ids[k]),
    "contacts.add": lambda s, a, shop, k: add_contact(s, a, shop.ids[k], ContactInput(name="新人")),
    "contacts.update": lambda s, a, shop, k: update_contact(s, a, shop.contact[k], ContactInput(name="改名")),
    "contacts.delete": lambda s, a, shop, k: delete_contact(s, a, shop.contact[k]),
    "contacts.import": _contacts_file,
    "vcard.import": _vcard_file,
    "log.list": lambda s, a, shop, k: list_interactions(s, a, shop.ids[k]),
    "log.add": lambda s, a, shop, k: log_interaction(s, a, shop.ids[k], InteractionInput(notes="来电")),
    "log.delete": lambda s, a, shop, k: delete_interaction(s, a, shop.interaction[k]),
    "tasks.list": lambda s, a, shop, k: customer_tasks(s, a, shop.ids[k]),
    "tasks.create": lambda s, a, shop, k: create_task(s, a, shop.ids[k], "再联系", dt.date(2026, 7, 1)),
    "tasks.complete": lambda s, a, shop, k: mark_done(s, a, shop.task[k]),
    "tasks.reschedule": lambda s, a, shop, k: reschedule(s, a, shop.task[k], dt.date(2026, 7, 2)),
    "opportunities": lambda s, a, shop, k: list_opportunities(s, a, shop.ids[k]),
    "cases": lambda s, a, shop, k: list_cases(s, a, shop.ids[k]),
    "relations.list": lambda s, a, shop, k: list_relations(s, a, shop.ids[k]),
    "relations.add": lambda s, a, shop, k: add_relation(s, a, shop.ids[k], shop.ids[PEER[k]], "referred_by"),
    "relations.remove": lambda s, a, shop, k: remove_relation(s, a, shop.relation[k]),
    "update": _update_notes,
    "tags": lambda s, a, shop, k: set_tags(s, a, shop.ids[k], ["重点"]),
    "assign": _assign_owner,
    "assign.back_to_rules": lambda s, a, shop, k: assignment_back_to_rules(s, a, shop.ids[k]),
    "archive": lambda s, a, shop, k: archive_customer(s, a, shop.ids[k]),
    "delete": lambda s, a, shop, k: delete_customer(s, a, shop.ids[k]),
    "merge": lambda s, a, shop, k: merge_customers(s, a, shop.ids[PEER[k]], shop.ids[k]),
}


def _export_table(s, actor, shop, suffix: str) -> list[int]:
    target = shop.folder / f"export-{actor.username}{suffix}"
    export_customers(s, actor, target, ids=shop.all_ids)
    if suffix == ".csv":
        with target.open(encoding="utf-8-sig") as fh:
            names = [row[1] for row in list(csv.reader(fh))[1:]]
    else:
        names = [row[1] for row in load_workbook(target).active.iter_rows(min_row=2, values_only=True)]
    return [shop.ids[k] for k, n in NAMES.items() if n in names]


def _export_vcard(s, actor, shop) -> list[int]:
    target = shop.folder / f"cards-{actor.username}.vcf"
    export_vcards(s, actor, shop.all_ids, target)
    text = target.read_text(encoding="utf-8")
    return [shop.ids[k] for k, n in NAMES.items() if f"ORG:{n}" in text]


def _import_contacts_all(s, actor, shop) -> list[int]:
    lines = ["客户编号,联系人"] + [f"{code},批量联系人" for code in _codes(s, shop)]
    import_contacts_file(s, actor, _write_file(shop, "all-contacts.csv", "\n".join(lines) + "\n"))
    return s.scalars(select(Contact.customer_id).where(Contact.name == "批量联系人")).all()


def _import_log_all(s, actor, shop) -> list[int]:
    lines = ["客户编号,日期,方式,内容"] + [f"{code},2026-05-01 10:00,电话,批量导入" for code in _codes(s, shop)]
    import_contact_log_file(s, actor, _write_file(shop, "all-log.csv", "\n".join(lines) + "\n"))
    return s.scalars(select(Interaction.customer_id).where(Interaction.notes == "批量导入")).all()


def _codes(s, shop) -> list[str]:
    return [input_from_customer(s, SYSTEM, cid).code for cid in shop.all_ids]


def _created(s, actor, shop) -> list[int]:
    c = create_customer(s, actor, CustomerInput(name="新客户文具店", province="广东省"))
    return [c.id]


LISTS: dict[str, Callable] = {
    "list": lambda s, a, shop: search_customer_ids(s, a, CustomerQuery()),
    "search.fts": lambda s, a, shop: search_customer_ids(s, a, CustomerQuery(text="文具店")),
    "search.short": lambda s, a, shop: search_customer_ids(s, a, CustomerQuery(text="文具")),
    "search.phone": lambda s, a, shop: search_customer_ids(s, a, CustomerQuery(text="0571")),
    "search.sorted_by_owner": lambda s, a, shop: search_customer_ids(s, a, CustomerQuery(sort_key="owner")),
    "count": lambda s, a, shop: count_customers(s, a, CustomerQuery(text="文具店")),
    "rows": lambda s, a, shop: [r.id for r in fetch_customer_rows(s, a, shop.all_ids)],
    "export.xlsx": lambda s, a, shop: _export_table(s, a, shop, ".xlsx"),
    "export.csv": lambda s, a, shop: _export_table(s, a, shop, ".csv"),
    "export.vcard": _export_vcard,
    "contacts.import_file": _import_contacts_all,
    "log.import_file": _import_log_all,
    "tasks.open_all": lambda s, a, shop: [t.customer_id for t in open_tasks(s, a, all_users=True)],
    "opportunities.all": lambda s, a, shop: [o.customer_id for o in list_opportunities(s, a)],
    "cases.all": lambda s, a, shop: [c.customer_id for c in list_cases(s, a)],
    "create": _created,
}

A, S, D = "all", "scoped", "denied"
#                         owner manager sales_a sales_b counter
TABLE: dict[str, tuple[str, str, str, str, str]] = {
    "list": (A, A, S, S, A),
    "search.fts": (A, A, S, S, A),
    "search.short": (A, A, S, S, A),
    "search.phone": (A, A, S, S, A),
    "search.sorted_by_owner": (A, A, S, S, A),
    "count": (A, A, S, S, A),
    "rows": (A, A, S, S, A),
    "form": (A, A, S, S, A),
    "profile": (A, A, S, S, A),
    "tab.financial": (A, A, S, S, A),
    "tab.purchases": (A, A, S, S, A),
    "tab.orders": (A, A, S, S, A),
    "tab.history": (A, A, S, S, A),
    "tab.custom_fields": (A, A, S, S, A),
    "attachments.list": (A, A, S, S, A),
    "attachments.add": (A, A, S, S, A),
    "attachments.open": (A, A, S, S, A),
    "attachments.delete": (A, A, S, S, A),
    "contacts.list": (A, A, S, S, A),
    "contacts.count": (A, A, S, S, A),
    "contacts.add": (A, A, S, S, A),
    "contacts.update": (A, A, S, S, A),
    "contacts.delete": (A, A, S, S, A),
    "contacts.import": (A, A, S, S, A),
    "contacts.import_file": (A, A, S, S, A),
    "vcard.import": (A, A, S, S, A),
    "log.list": (A, A, S, S, A),
    "log.add": (A, A, S, S, A),
    "log.delete": (A, A, S, S, A),
    "log.import_file": (A, A, S, S, A),
    "tasks.list": (A, A, S, S, A),
    "tasks.create": (A, A, S, S, A),
    "tasks.complete": (A, A, S, S, A),
    "tasks.reschedule": (A, A, S, S, A),
    "tasks.open_all": (A, A, S, S, A),
    "opportunities": (A, A, S, S, D),
    "opportunities.all": (A, A, S, S, D),
    "cases": (A, A, S, S, A),
    "cases.all": (A, A, S, S, A),
    "relations.list": (A, A, S, S, A),
    "relations.add": (A, A, S, S, D),
    "relations.remove": (A, A, S, S, D),
    "merge": (A, A, D, D, D),
    "export.xlsx": (A, A, S, S, D),
    "export.csv": (A, A, S, S, D),
    "export.vcard": (A, A, S, S, D),
    "create": (A, A, A, A, A),
    "update": (A, A, S, S, A),
    "tags": (A, A, S, S, A),
    "archive": (A, A, S, S, D),
    "delete": (A, A, D, D, D),
    "assign": (A, A, D, D, D),
    "assign.back_to_rules": (A, A, D, D, D),
}


def test_the_table_covers_every_path():
    assert set(TABLE) == set(PER_CUSTOMER) | set(LISTS)


def _per_customer(s, actor, shop, fn) -> set[str]:
    done = set()
    for key in NAMES:
        point = s.begin_nested()
        try:
            fn(s, actor, shop, key)
            done.add(key)
        except PermissionDenied:
            pass
        finally:
            point.rollback()
    return done


@pytest.mark.parametrize("path, role", [(p, r) for p in TABLE for r in ROLES])
def test_permission_matrix(shop, path, role):
    expected = TABLE[path][ROLES.index(role)]
    actor = shop.actors[role]
    with shop.db.sessions() as s:
        try:
            if path in PER_CUSTOMER:
                got = _per_customer(s, actor, shop, PER_CUSTOMER[path])
                want = {A: set(NAMES), S: VISIBLE[role], D: set()}[expected]
                assert got == want, f"{path} as {role}: {sorted(got)}"
            elif expected == D:
                with pytest.raises(PermissionDenied):
                    LISTS[path](s, actor, shop)
            else:
                result = LISTS[path](s, actor, shop)
                if path == "create":
                    assert len(result) == 1
                elif path == "count":
                    assert result == len(VISIBLE[role] if expected == S else NAMES)
                else:
                    assert shop.keys(result) == (VISIBLE[role] if expected == S else set(NAMES)), path
        finally:
            s.rollback()


def test_exports_are_audited(shop):
    with shop.db.sessions() as s:
        before = _audit_exports(s)
        _export_table(s, shop.actors["sales_a"], shop, ".csv")
        _export_vcard(s, shop.actors["manager"], shop)
        rows = _audit_exports(s)[len(before):]
        assert [(r.user_id, r.field) for r in rows] == [(shop.users["sales_a"], "csv"),
                                                       (shop.users["manager"], "vcard")]
        assert all(r.at is not None for r in rows)
        s.rollback()


def _audit_exports(s):
    from crmdesk.db.models import AuditLog

    return s.scalars(select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id)).all()


def test_purchases_tab_carries_no_cost(shop):
    """Counter staff see the purchases tab; nothing it returns is cost or gross profit."""
    from crmdesk.services import customer_profile as cp

    for cls in (cp.Purchases, cp.OrderRow, cp.OrderLineRow, cp.Financial, cp.ShareRow):
        names = {f for f in getattr(cls, "__dataclass_fields__")}
        assert not {n for n in names if "cost" in n or "profit" in n or "margin" in n}, cls


def test_sales_today_list_holds_only_their_customers(shop):
    with shop.db.sessions() as s:
        mine = open_tasks(s, shop.actors["sales_a"], today=dt.date(2026, 6, 19))
        assert shop.keys(t.customer_id for t in mine) == VISIBLE["sales_a"]
        assert open_tasks(s, shop.actors["sales_b"]) == []  # every task is A's
        # A task of no customer: its assignee's, and everyone's for those who see all customers.
        create_task(s, shop.actors["sales_b"], None, "整理样品", dt.date(2026, 6, 19))
        assert [t.title for t in open_tasks(s, shop.actors["sales_b"])] == ["整理样品"]
        assert "整理样品" not in [t.title for t in open_tasks(s, shop.actors["sales_a"], all_users=True)]
        assert "整理样品" in [t.title for t in open_tasks(s, shop.actors["manager"], all_users=True)]
        s.rollback()


def test_unchanged_owner_sent_back_by_the_form_is_no_assignment(shop):
    """A salesperson (or counter) saving the form of a customer with a rule owner is not refused."""
    with shop.db.sessions() as s:
        for role, key in (("sales_a", "a1"), ("counter", "b1")):
            data = input_from_customer(s, shop.actors[role], shop.ids[key])
            assert data.owner_id is not None
            data.phone = "020-12345678"
            update_customer(s, shop.actors[role], shop.ids[key], data, None)
        s.rollback()


def test_relations_to_invisible_customers_are_not_listed(shop):
    with shop.db.sessions() as s:
        # x–a1 and y–x: A sees x's link to a1 but not the one to y.
        links = list_relations(s, shop.actors["sales_a"], shop.ids["x"])
        assert [r.other_id for r in links] == [shop.ids["a1"]]
        assert len(list_relations(s, shop.actors["owner"], shop.ids["x"])) == 2


def test_profile_shows_owner_source(shop):
    with shop.db.sessions() as s:
        assert load_profile(s, shop.actors["owner"], shop.ids["a1"]).owner_source_label == "rule: 华南"
        x = load_profile(s, shop.actors["sales_a"], shop.ids["x"])
        assert (x.owner_source_label, x.owner_manual) == ("manual", True)
        assert load_profile(s, shop.actors["counter"], shop.ids["a1"]).opportunities == []
        assert len(load_profile(s, shop.actors["sales_a"], shop.ids["a1"]).opportunities) == 1
        assert s.scalar(select(Task.id).limit(1)) is not None
