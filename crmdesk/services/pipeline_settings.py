"""The pipeline's settings: its stages (order, win probability, when a card goes stale,
the won and lost closing stages) and the list of reasons offered when one is lost."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import LostReason, Opportunity, OpportunityStage, OpportunityStageChange
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import NotFound, ValidationError
from crmdesk.services.permissions import require

ACTION = "settings.edit"


@dataclass
class StageRow:
    id: int | None  # None: a new stage
    name: str
    probability: int  # 0–100
    stale_days: int = 30
    is_won: bool = False
    is_lost: bool = False
    in_use: int = 0  # opportunities in this stage (read-only)

    @property
    def is_closing(self) -> bool:
        return self.is_won or self.is_lost


@dataclass(frozen=True)
class ReasonRow:
    id: int
    name: str
    sort_order: int


def list_stages(session: Session) -> list[StageRow]:
    """Every stage in board order (anyone may read them: the board needs them)."""
    counts = dict(session.execute(select(Opportunity.stage_id, func.count())
                                  .group_by(Opportunity.stage_id)).all())
    s = OpportunityStage
    rows = session.execute(select(s.id, s.name, s.probability, s.stale_days, s.is_won, s.is_lost)
                           .order_by(s.sort_order, s.id)).all()
    return [StageRow(i, name, int(round(p or 0)), int(stale or 0), bool(won), bool(lost), counts.get(i, 0))
            for i, name, p, stale, won, lost in rows]


def validate_stages(stages: list[StageRow]) -> None:
    problems = []
    names = [s.name.strip() for s in stages]
    if any(not n for n in names):
        problems.append(_("Every stage needs a name"))
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        problems.append(_("Two stages are called {name}").format(name=", ".join(dupes)))
    for s in stages:
        if not 0 <= s.probability <= 100:
            problems.append(_("{name}: the probability must be between 0 and 100").format(name=s.name))
        if s.stale_days < 1:
            problems.append(_("{name}: stale after at least 1 day").format(name=s.name))
        if s.is_won and s.is_lost:
            problems.append(_("{name} cannot be both won and lost").format(name=s.name))
    if sum(s.is_won for s in stages) != 1:
        problems.append(_("Exactly one stage must be the won stage"))
    if sum(s.is_lost for s in stages) != 1:
        problems.append(_("Exactly one stage must be the lost stage"))
    if not any(not s.is_closing for s in stages):
        problems.append(_("Keep at least one open stage"))
    if problems:
        raise ValidationError(problems)


def save_stages(session: Session, actor: Actor, stages: list[StageRow]) -> None:
    """Replace the stage list by ``stages`` in that order: new ones are added, missing ones
    deleted (refused while opportunities use them), the rest updated. Audited."""
    require(actor, ACTION)
    validate_stages(stages)
    existing = {s.id: s for s in session.scalars(select(OpportunityStage)).all()}
    names_before = {i: s.name for i, s in existing.items()}
    keep = {s.id for s in stages if s.id is not None}
    gone = [existing[i] for i in existing if i not in keep]
    problems = []
    for stage in gone:
        used = session.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.stage_id == stage.id))
        if used:
            problems.append(_("{name} cannot be deleted: {n} opportunities are in it").format(name=stage.name, n=used))
    unknown = keep - set(existing)
    if unknown:
        problems.append(_("Stage {id} does not exist (any more)").format(id=min(unknown)))
    if problems:
        raise ValidationError(problems)
    for stage in gone:
        # The history keeps its rows; their stage link is cleared (no ON DELETE in SQLite without FKs on).
        for column in (OpportunityStageChange.from_stage_id, OpportunityStageChange.to_stage_id):
            session.execute(OpportunityStageChange.__table__.update().where(column == stage.id)
                            .values({column.key: None}))
        audit.record(session, actor, "opportunity_stages", stage.id, "delete", "name", stage.name, None)
        session.delete(stage)
    session.flush()
    # Names are unique: park the kept ones under temporary names first so a swap of names works.
    for row in stages:
        if row.id is not None:
            existing[row.id].name = f"\x00{row.id}"
    session.flush()
    for order, row in enumerate(stages, 1):
        values = dict(name=row.name.strip(), sort_order=order, probability=float(row.probability),
                      stale_days=int(row.stale_days), is_won=row.is_won, is_lost=row.is_lost)
        if row.id is None:
            stage = OpportunityStage(**values)
            session.add(stage)
            session.flush()
            audit.record(session, actor, "opportunity_stages", stage.id, "create", "name", None, stage.name)
            continue
        stage = existing[row.id]
        before = {"probability": int(round(stage.probability)), "stale_days": stage.stale_days,
                  "is_won": stage.is_won, "is_lost": stage.is_lost, "sort_order": stage.sort_order}
        for key, value in values.items():
            setattr(stage, key, value)
        after = {"probability": row.probability, "stale_days": row.stale_days, "is_won": row.is_won,
                 "is_lost": row.is_lost, "sort_order": order}
        audit.record_changes(session, actor, "opportunity_stages", stage.id, before, after)
    session.flush()
    _audit_renames(session, actor, {i: n for i, n in names_before.items() if i in keep})


def _audit_renames(session: Session, actor: Actor, before: dict[int, str]) -> None:
    for stage_id, name in before.items():
        stage = session.get(OpportunityStage, stage_id)
        if stage is not None and stage.name != name:
            audit.record(session, actor, "opportunity_stages", stage_id, "update", "name", name, stage.name)


# --- lost reasons ------------------------------------------------------------------------------

def list_lost_reasons(session: Session) -> list[ReasonRow]:
    r = LostReason
    return [ReasonRow(i, n, o) for i, n, o in session.execute(select(r.id, r.name, r.sort_order)
                                                                 .order_by(r.sort_order, r.id))]


def _clean_reason(session: Session, name: str, reason_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("A lost reason needs a text"))
    other = session.scalar(select(LostReason.id).where(LostReason.name == name))
    if other is not None and other != reason_id:
        raise ValidationError(_("{name} is already in the list").format(name=name))
    return name


def add_lost_reason(session: Session, actor: Actor, name: str) -> int:
    require(actor, ACTION)
    name = _clean_reason(session, name)
    last = session.scalar(select(func.max(LostReason.sort_order))) or 0
    reason = LostReason(name=name, sort_order=last + 1)
    session.add(reason)
    session.flush()
    audit.record(session, actor, "lost_reasons", reason.id, "create", "name", None, name)
    return reason.id


def _reason(session: Session, reason_id: int) -> LostReason:
    reason = session.get(LostReason, reason_id)
    if reason is None:
        raise NotFound(_("Lost reason {id} does not exist (any more)").format(id=reason_id))
    return reason


def rename_lost_reason(session: Session, actor: Actor, reason_id: int, name: str) -> None:
    require(actor, ACTION)
    reason = _reason(session, reason_id)
    name = _clean_reason(session, name, reason_id)
    if name != reason.name:
        audit.record(session, actor, "lost_reasons", reason.id, "update", "name", reason.name, name)
        reason.name = name
        session.flush()


def reorder_lost_reasons(session: Session, actor: Actor, ids_in_order: list[int]) -> None:
    require(actor, ACTION)
    reasons = {r.id: r for r in session.scalars(select(LostReason)).all()}
    if sorted(ids_in_order) != sorted(reasons):
        raise ValidationError(_("The list changed meanwhile; reload it"))
    for order, reason_id in enumerate(ids_in_order, 1):
        if reasons[reason_id].sort_order != order:
            audit.record(session, actor, "lost_reasons", reason_id, "update", "sort_order",
                         reasons[reason_id].sort_order, order)
            reasons[reason_id].sort_order = order
    session.flush()


def delete_lost_reason(session: Session, actor: Actor, reason_id: int) -> None:
    """Opportunities keep the text they were lost with: only the choice goes."""
    require(actor, ACTION)
    reason = _reason(session, reason_id)
    audit.record(session, actor, "lost_reasons", reason.id, "delete", "name", reason.name, None)
    session.delete(reason)
    session.flush()
