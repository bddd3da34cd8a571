"""Alerts the process rules raise on a customer ("over the credit limit with an open order"):
shown when the customer is opened and on the Today page until someone dismisses them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import Customer, CustomerAlert, WorkflowRule
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require, require_customer, scope_by_customer


@dataclass(frozen=True)
class AlertInfo:
    id: int
    customer_id: int
    customer_name: str
    message: str
    created_at: dt.datetime
    rule_name: str  # "" when the rule is gone


def open_alerts(session: Session, actor: Actor, customer_id: int | None = None, limit: int = 1000
                ) -> list[AlertInfo]:
    """Alerts not yet dismissed, newest first, of the customers the actor may see."""
    require(actor, "customers.view")
    a = CustomerAlert
    stmt = (select(a.id, a.customer_id, Customer.name, a.message, a.created_at, WorkflowRule.name)
            .join(Customer, Customer.id == a.customer_id)
            .outerjoin(WorkflowRule, WorkflowRule.id == a.rule_id)
            .where(a.dismissed_at.is_(None)).order_by(a.created_at.desc(), a.id.desc()).limit(limit))
    if customer_id is not None:
        stmt = stmt.where(a.customer_id == customer_id)
    stmt = scope_by_customer(stmt, actor, a.customer_id)
    return [AlertInfo(r[0], r[1], r[2], r[3], r[4], r[5] or "") for r in session.execute(stmt)]


def dismiss_alert(session: Session, actor: Actor, alert_id: int) -> None:
    alert = session.get(CustomerAlert, alert_id)
    if alert is None:
        raise LookupError(_("Alert {id} does not exist (any more)").format(id=alert_id))
    require_customer(session, actor, alert.customer_id, "alerts.dismiss")
    if alert.dismissed_at is None:
        alert.dismissed_at = utcnow()
        alert.dismissed_by_id = actor.user_id
        audit.record(session, actor, "customer_alerts", alert.id, "dismiss", "message", alert.message, None)
        session.flush()
