"""The demo shop's process rules: two of the shipped rules switched on and run once as of the
demo's last day, so the rules page has firings, the Today page tasks made by rules, and opened
customers their alerts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.rules import builtin, engine, store
from crmdesk.services.actor import Actor

SWITCHED_ON = (builtin.DEALER_SILENT, builtin.OVER_CREDIT_OPEN_ORDER)
# Everything the step writes with the wall clock, set to the demo's clock afterwards: the same
# seed and end date must give the same database (tests/test_demo_determinism.py).
STAMPED = (("audit_log", "at"), ("rule_firings", "fired_at"), ("rule_firings", "cleared_at"),
           ("tasks", "created_at"), ("tasks", "updated_at"), ("customer_alerts", "created_at"),
           ("workflow_rules", "updated_at"), ("workflow_rules", "last_run_at"), ("customers", "updated_at"))


def switch_on_and_run(session: Session, as_of: dt.date) -> dict[str, int]:
    """Rule name → customers it fired for."""
    started = utcnow() - dt.timedelta(seconds=1)
    actor = Actor.system()
    ids = builtin.builtin_ids(session)
    chosen = [ids[k] for k in SWITCHED_ON if k in ids]
    for rule_id in chosen:
        store.set_active(session, actor, rule_id, True)
    results = engine.run_rules(session, actor, rule_ids=chosen, as_of=as_of)
    session.flush()
    demo_now = dt.datetime.combine(as_of, dt.time(18, 0))
    for table, column in STAMPED:
        session.execute(text(f"UPDATE {table} SET {column} = :now WHERE {column} >= :started"),
                        {"now": demo_now, "started": started})
    # The shipped rules were written by the migration a moment ago; in the demo they date from its clock too.
    session.execute(text("UPDATE workflow_rules SET created_at = :now, updated_at = :now"), {"now": demo_now})
    return {r.name: r.fired for r in results}
