"""Events the services announce for the layers above them to act on (process rules run
when a customer is saved or a case closes). A service cannot import ``crmdesk.rules`` (the
rules read the reports' line data, which sits above the services), so the rules subscribe
here when ``crmdesk.rules`` is imported — the CLI and the GUI import it at start.

Handlers run inside the caller's transaction: what they write commits or rolls back with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor

CUSTOMER_SAVED = "customer_saved"
CASE_CLOSED = "case_closed"

Handler = Callable[..., Any]
_handlers: dict[str, list[Handler]] = {}


def subscribe(event: str, handler: Handler) -> None:
    handlers = _handlers.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(event: str, session: Session, actor: Actor, **details: Any) -> None:
    for handler in list(_handlers.get(event, ())):
        handler(session, actor, **details)


def subscribers(event: str) -> list[Handler]:
    return list(_handlers.get(event, ()))
