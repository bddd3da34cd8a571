"""Contact log → follow-up task; tasks done/reschedule; the Today lists; contact-log import."""

from __future__ import annotations

import datetime as dt

import pytest
from test_customers_support import add_order, make_customer

from crmdesk.db.models import Task, User
from crmdesk.services.actor import Actor
from crmdesk.importers.table_file import import_contact_log_file
from crmdesk.services.contacts import ContactInput, add_contact
from crmdesk.services.customer_errors import CustomerError, ValidationError
from crmdesk.services.interactions import InteractionInput, channel_from_text, list_interactions, log_interaction
from crmdesk.services.tasks import (birthdays_this_week, cancel_task, create_task, customers_without_purchase,
                                    mark_done, open_tasks, reschedule, today_data)

SYSTEM = Actor.system()

TODAY = dt.date(2026, 6, 17)  # a Wednesday


@pytest.fixture
def setup(db, owner):
    with db.sessions.begin() as s:
        rep_user = User(username="li", display_name="李销售", role="sales")
        s.add(rep_user)
        s.flush()
        rep = Actor.from_user(rep_user)
        # The salesperson's own customers: a sales actor works only on those.
        a = make_customer(s, owner, "广州文具店", owner_id=rep_user.id)
        b = make_customer(s, owner, "深圳办公用品店", owner_id=rep_user.id)
        wang = add_contact(s, owner, a.id, ContactInput(name="王伟", birthday=dt.date(1980, 6, 21)))
        add_contact(s, owner, b.id, ContactInput(name="李娜", birthday=dt.date(1990, 6, 24)))  # next Wednesday
        add_contact(s, owner, b.id, ContactInput(name="赵敏", birthday=dt.date(1992, 6, 15)))  # this Monday
        return dict(a=a.id, b=b.id, wang=wang.id, rep=rep)


def test_interaction_with_follow_up_creates_task_for_actor(db, owner, setup):
    rep = setup["rep"]
    with db.sessions.begin() as s:
        entry = log_interaction(s, rep, setup["a"], InteractionInput(
            channel="visit", occurred_at=dt.datetime(2026, 6, 16, 10, 30), contact_id=setup["wang"],
            notes="看了新到的文件柜", outcome="要报价", next_follow_up=dt.date(2026, 6, 20)))
        entry_id = entry.id
    with db.sessions() as s:
        [info] = list_interactions(s, SYSTEM, setup["a"])
        tasks = open_tasks(s, rep, today=TODAY)
    assert (info.id, info.channel_label, info.contact_name, info.user_name) == (entry_id, "Visit", "王伟", "李销售")
    assert [(t.title, t.due_date, t.assignee_id, t.customer_name) for t in tasks] == [
        ("Follow up 广州文具店", dt.date(2026, 6, 20), rep.user_id, "广州文具店")]
    assert info.task_id == tasks[0].id


def test_interaction_validation(db, owner, setup):
    with db.sessions.begin() as s:
        with pytest.raises(ValidationError, match="Unknown channel"):
            log_interaction(s, owner, setup["a"], InteractionInput(channel="fax"))
        with pytest.raises(CustomerError, match="does not belong"):
            log_interaction(s, owner, setup["b"], InteractionInput(contact_id=setup["wang"]))
        with pytest.raises(ValidationError, match="cannot be before"):
            log_interaction(s, owner, setup["a"], InteractionInput(occurred_at=dt.datetime(2026, 6, 16),
                                                                   next_follow_up=dt.date(2026, 6, 1)))


@pytest.mark.parametrize("text, channel", [
    ("拜访", "visit"), ("电话", "call"), ("Phone call", "call"), ("微信", "wechat"), ("E-mail", "email"),
    ("到店", "store"), ("STORE", "store"), ("上门拜访客户", "visit"), ("传真", None),
])
def test_channel_words(text, channel):
    assert channel_from_text(text) == channel


def test_done_reschedule_cancel(db, owner, setup):
    with db.sessions.begin() as s:
        t1 = create_task(s, owner, setup["a"], "送样品", TODAY - dt.timedelta(days=2)).id
        t2 = create_task(s, owner, setup["b"], "催款", TODAY).id
        t3 = create_task(s, owner, None, "盘点", None).id
    with db.sessions.begin() as s:
        mark_done(s, owner, t1)
        reschedule(s, owner, t2, TODAY + dt.timedelta(days=3))
        cancel_task(s, owner, t3)
    with db.sessions() as s:
        assert s.get(Task, t1).status == "done" and s.get(Task, t1).done_at is not None
        assert [t.id for t in open_tasks(s, owner, today=TODAY)] == [t2]
        with pytest.raises(CustomerError, match="Only an open task"):
            reschedule(s, owner, t1, TODAY)


def test_today_lists(db, owner, setup):
    rep = setup["rep"]
    with db.sessions.begin() as s:
        create_task(s, owner, setup["a"], "过期的", TODAY - dt.timedelta(days=1))
        create_task(s, owner, setup["a"], "今天的", TODAY)
        create_task(s, owner, setup["b"], "下周的", TODAY + dt.timedelta(days=5))
        create_task(s, owner, setup["b"], "很久以后", TODAY + dt.timedelta(days=30))
        create_task(s, owner, setup["b"], "销售的", TODAY, assignee_id=rep.user_id)
        add_order(s, setup["a"], TODAY - dt.timedelta(days=200), ["100"])
        add_order(s, setup["b"], TODAY - dt.timedelta(days=10), ["100"])
    with db.sessions() as s:
        mine = today_data(s, rep, today=TODAY)
        everyone = today_data(s, owner, today=TODAY)
        own_only = today_data(s, owner, today=TODAY, all_users=False)
    assert [t.title for t in mine.due_today] == ["销售的"] and mine.overdue == []
    assert [t.title for t in everyone.overdue] == ["过期的"] and everyone.overdue[0].is_overdue
    assert sorted(t.title for t in everyone.due_today) == ["今天的", "销售的"]
    assert [t.title for t in everyone.upcoming] == ["下周的"]
    assert [t.title for t in own_only.due_today] == ["今天的"]
    assert [b.contact_name for b in everyone.birthdays] == ["赵敏", "王伟"]
    assert everyone.birthdays[1].date_this_year == dt.date(2026, 6, 21)
    assert [(f.customer_name, f.last_order_date) for f in everyone.flagged] == [
        ("广州文具店", TODAY - dt.timedelta(days=200))]


def test_leap_day_birthday_in_common_year(db, owner, setup):
    with db.sessions.begin() as s:
        add_contact(s, owner, setup["a"], ContactInput(name="闰年生", birthday=dt.date(2000, 2, 29)))
    with db.sessions() as s:
        # 2027 is a common year: 29 February is celebrated on Sunday the 28th, in the week of the 25th.
        week = birthdays_this_week(s, owner, dt.date(2027, 2, 25))
        next_week = birthdays_this_week(s, owner, dt.date(2027, 3, 1))
    assert [(b.contact_name, b.date_this_year) for b in week] == [("闰年生", dt.date(2027, 2, 28))]
    assert next_week == []


def test_contact_log_import(db, owner, setup, tmp_path):
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    path = tmp_path / "拜访记录.csv"
    path.write_text(
        "客户编号,客户名称,日期,方式,联系人,内容,结果,业务员,下次跟进\n"
        "C000001,,2024-03-05 14:30,拜访,王伟,介绍新品,有兴趣,li,\n"
        ",深圳办公用品店,2024年3月6日 下午2:30,电话,李娜,催款,答应月底付,,%s\n"
        "C000009,,2024-03-07,电话,,,,,\n"
        "C000001,,昨天,电话,,,,,\n"
        "C000001,,2024-03-08,传真,,,,,\n"
        "C000001,,2024-03-09,微信,,,,不存在的人,\n"
        "C000001,,2024-03-10,email,陌生人,问价,,,\n" % future, encoding="utf-8")
    with db.sessions.begin() as s:
        result = import_contact_log_file(s, owner, path)
    assert (result.total, result.added) == (7, 3)
    assert [(r.row, r.column) for r in result.rejected] == [(4, "客户编号"), (5, "日期"), (6, "方式"), (7, "业务员")]
    with db.sessions() as s:
        log_a = list_interactions(s, SYSTEM, setup["a"])
        log_b = list_interactions(s, SYSTEM, setup["b"])
        tasks = open_tasks(s, owner, all_users=True)
    assert [(i.channel, i.occurred_at, i.contact_name, i.user_name) for i in log_a] == [
        ("email", dt.datetime(2024, 3, 10), "", "店主"),
        ("visit", dt.datetime(2024, 3, 5, 14, 30), "王伟", "李销售")]
    assert "陌生人" in log_a[0].notes  # an unknown contact is kept in the notes
    assert log_b[0].occurred_at == dt.datetime(2024, 3, 6, 14, 30) and log_b[0].task_id is not None
    assert [t.due_date.isoformat() for t in tasks] == [future]
    with db.sessions.begin() as s:
        again = import_contact_log_file(s, owner, path)
    assert (again.added, again.skipped) == (0, 3)
