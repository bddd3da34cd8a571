"""The daily rules run at the first GUI start of a day, off the GUI thread, and only once
that day; the screens hear what changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from test_customers_support import add_order, make_customer

from crmdesk.db.models import RuleFiring, User
from crmdesk.rules import store
from crmdesk.rules.model import Action, Condition, RuleInput
from crmdesk.services.actor import Actor
from crmdesk.ui.app import start_rules
from crmdesk.ui.context import AppContext


def test_daily_rules_run_once_at_the_days_first_start(db, owner, qtbot):
    with db.sessions.begin() as s:
        quiet = make_customer(s, owner, "长沙文具批发", type_id=3)
        add_order(s, quiet.id, dt.date.today() - dt.timedelta(days=200), ["800"])
        store.save_rule(s, owner, RuleInput("半年未进货", "daily", (Condition("days_since_purchase", ">=", 180),),
                                            (Action("alert", {"message": "{customer} 半年未进货"}),), active=True))
        counter = Actor.from_user(User(id=None, username="c", role="counter"))
    ctx = AppContext(db=db, actor=owner)
    heard: list[set] = []
    ctx.bus.changed.connect(heard.append)
    assert start_rules(AppContext(db=db, actor=counter)) is None  # counter staff may not run rules
    job = start_rules(ctx)
    qtbot.waitUntil(lambda: not job.running and bool(heard), timeout=30_000)
    assert "customer_alerts" in heard[0]
    second = start_rules(ctx)  # the same day again: nothing runs
    qtbot.waitUntil(lambda: not second.running, timeout=30_000)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RuleFiring)) == 1
