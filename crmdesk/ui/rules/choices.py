"""What the rule editor offers, read once when it opens (Qt-free): the condition measures
from the catalog and the values the actions pick from (users, grades, tags, case types,
template placeholders)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import CaseType
from crmdesk.i18n import _
from crmdesk.rules import catalog
from crmdesk.rules.model import MeasureSpec
from crmdesk.services.actor import Actor


@dataclass(frozen=True)
class EditorChoices:
    measures: tuple[MeasureSpec, ...] = ()
    users: tuple[tuple[int, str], ...] = ()  # active accounts: task for a named user, assign to
    grades: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    case_types: tuple[tuple[str, str], ...] = ()  # (code, name)
    placeholders: tuple[tuple[str, str], ...] = ()  # (key, label) a template may name in braces
    extra: dict[str, Any] = field(default_factory=dict)

    def measure(self, key: str) -> MeasureSpec | None:
        return next((m for m in self.measures if m.key == key), None)


def load_choices(session: Session, actor: Actor) -> EditorChoices:
    specs = tuple(catalog.measures(session, actor))
    by_key = {s.key: s for s in specs}

    def values(key: str) -> tuple[tuple[Any, str], ...]:
        spec = by_key.get(key)
        return spec.choices if spec is not None else ()

    labels = {"customer": _("Customer name"), "code": _("Customer code")}
    placeholders = tuple((k, labels.get(k) or (by_key[k].label if k in by_key else k))
                         for k in catalog.template_keys())
    case_types = tuple(session.execute(select(CaseType.code, CaseType.name).where(CaseType.active.is_(True))
                                       .order_by(CaseType.sort_order, CaseType.id)).all())
    return EditorChoices(measures=specs, users=tuple((int(v), str(label)) for v, label in values("owner")),
                         grades=tuple(str(v) for v, _l in values("grade")),
                         tags=tuple(str(v) for v, _l in values("tag")),
                         case_types=tuple((c, n) for c, n in case_types), placeholders=placeholders)
