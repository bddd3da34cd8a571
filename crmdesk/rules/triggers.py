"""When rules run by themselves: after an import, once a day, when a customer is saved and
when a service case closes. Each is cheap when no active rule has that trigger (one query).

The daily run also runs the "case_closed" rules over every customer: it catches cases closed
while a rule was off or by an import (the firing state keeps it from acting twice)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import ServiceCase, Setting, WorkflowRule
from crmdesk.rules import engine
from crmdesk.rules.model import RuleRunResult
from crmdesk.services import events
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

log = logging.getLogger(__name__)
LAST_DAILY_RUN = "rules.last_daily_run"


def _active(session: Session, *triggers: str) -> list[WorkflowRule]:
    return list(session.scalars(select(WorkflowRule).where(WorkflowRule.active.is_(True),
                                                           WorkflowRule.trigger.in_(triggers))
                                .order_by(WorkflowRule.id)).all())


def after_import(session: Session, actor: Actor) -> list[RuleRunResult]:
    """The active "import" rules over every customer; the importers call this in a new
    transaction after a file's transaction committed."""
    require(actor, "rules.run")
    rows = _active(session, "import")
    return engine.execute(session, actor, rows, "import") if rows else []


def daily_if_due(session: Session, actor: Actor, today: dt.date | None = None) -> list[RuleRunResult] | None:
    """Once per calendar day (setting ``rules.last_daily_run``): the active daily rules (and the
    case_closed ones, see the module docstring). None when it already ran today."""
    require(actor, "rules.run")
    today = today or dt.date.today()
    setting = session.get(Setting, LAST_DAILY_RUN)
    if setting is not None and setting.value == today.isoformat():
        return None
    if setting is None:
        session.add(Setting(key=LAST_DAILY_RUN, value=today.isoformat()))
    else:
        setting.value = today.isoformat()
    session.flush()
    rows = _active(session, "daily", "case_closed")
    return engine.execute(session, actor, rows, "daily", as_of=today) if rows else []


def on_customer_saved(session: Session, actor: Actor, customer_id: int, **_details) -> None:
    rows = _active(session, "customer_saved")
    if rows:
        for r in engine.execute(session, actor, rows, "customer_saved", customer_ids=[customer_id]):
            if r.error:
                log.warning("rule %s after saving customer %s: %s", r.name, customer_id, r.error)


def on_case_closed(session: Session, actor: Actor, case_id: int, **_details) -> None:
    rows = _active(session, "case_closed")
    if not rows:
        return
    customer_id = session.scalar(select(ServiceCase.customer_id).where(ServiceCase.id == case_id))
    if customer_id is None:
        return
    for r in engine.execute(session, actor, rows, "case_closed", customer_ids=[customer_id]):
        if r.error:
            log.warning("rule %s after closing case %s: %s", r.name, case_id, r.error)


def subscribe() -> None:
    events.subscribe(events.CUSTOMER_SAVED, on_customer_saved)
    events.subscribe(events.CASE_CLOSED, on_case_closed)
