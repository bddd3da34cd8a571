"""Running rules for real from the GUI, off the GUI thread: "Run now" on the Rules page and
the daily trigger at the day's first start. Plain functions with their own session."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from crmdesk.core.progress import Progress
from crmdesk.rules.model import RuleRunResult
from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)

# What a real run may change: the screens showing these refresh themselves.
CHANGED_BY_RUN = ("workflow_rules", "rule_firings", "tasks", "customer_alerts", "customers", "service_cases",
                  "tags")


def run_now_job(db: Any, actor: Actor, rule_ids: Sequence[int], progress: Progress | None = None
                ) -> list[RuleRunResult]:
    from crmdesk.rules import engine

    with db.sessions.begin() as session:
        return engine.run_rules(session, actor, rule_ids=list(rule_ids))


def daily_job(db: Any, actor: Actor, progress: Progress | None = None) -> list[RuleRunResult] | None:
    """The daily rules, once per calendar day (``triggers.daily_if_due`` keeps the count)."""
    from crmdesk.rules import triggers

    with db.sessions.begin() as session:
        return triggers.daily_if_due(session, actor)
