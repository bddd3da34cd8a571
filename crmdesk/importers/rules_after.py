"""The process rules of trigger "import", run after an import or a sync committed, in a
transaction of their own: a rule that fails is reported (and logged), never undoes or fails the
import."""

from __future__ import annotations

import logging

from crmdesk.db.engine import Database
from crmdesk.i18n import _
from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)


def describe(result) -> str:
    if result.error:
        return _("rule {rule} failed: {error}").format(rule=result.name, error=result.error)
    done = ", ".join(f"{kind} {n}" for kind, n in result.actions.items()) or _("no actions")
    return _("rule {rule}: {n} customers hit, {fired} fired ({actions})").format(
        rule=result.name, n=len(result.hits), fired=result.fired, actions=done)


def run_import_rules(db: Database, actor: Actor) -> list[str]:
    """One line per rule run (what it did, or why it failed)."""
    from crmdesk.rules import triggers

    try:
        with db.sessions.begin() as session:
            results = triggers.after_import(session, actor)
    except Exception as exc:  # noqa: BLE001 - the import stands whatever the rules do
        log.exception("rules after import failed")
        return [_("rules after import failed: {error}").format(error=exc)]
    lines = [describe(r) for r in results]
    for line in lines:
        log.info("%s", line)
    return lines
