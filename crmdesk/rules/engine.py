"""Running rules: evaluate the conditions over the measure frame, fire for the new hits, clear
the firings whose reason went away.

Each rule runs with its author's rights (``created_by_id``; a shop-wide rule with the shop's:
every customer), whoever starts the run — the scheduler, an import, a customer save. Who may
start what: ``rules.run``; a salesperson runs their own rules only, and a dry run of a
shop-wide rule shows them only their customers. A dry run returns exactly the hits a real run
would see (``already_fired`` marks those it would leave alone) and writes nothing.

A real run works inside the caller's transaction, each rule in a savepoint: a rule that fails
is rolled back alone and reported in its result's ``error``."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import Customer, User, WorkflowRule
from crmdesk.i18n import _
from crmdesk.rules import actions as rule_actions
from crmdesk.rules import catalog, evaluate, firings, measures
from crmdesk.rules.model import Hit, RuleInput, RuleRunResult
from crmdesk.rules.store import PLACEHOLDER, RuleError, _row, rule_input, validate
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import SALES, require, scope_customers

log = logging.getLogger(__name__)


def rule_actor(session: Session, row: WorkflowRule) -> Actor:
    """Whose rights the rule runs with: its author's, or the shop's for a shop-wide rule."""
    if row.created_by_id is None:
        return Actor.system()
    user = session.get(User, row.created_by_id)
    if user is None or not user.active:
        raise RuleError(_("the rule's author is no longer an active user"))
    return Actor.from_user(user, session)


def needed_keys(rule: RuleInput) -> set[str]:
    keys = {c.measure for c in rule.conditions}
    for c in rule.conditions:
        keys.update(catalog.COMPANIONS.get(c.measure, ()))
    for a in rule.actions:
        for text in a.params.values():
            if isinstance(text, str):
                keys.update(PLACEHOLDER.findall(text))
    return keys - set(catalog.BASE_PLACEHOLDERS)


def _actor_key(actor: Actor) -> tuple:
    return (actor.user_id, actor.role, tuple(sorted(actor.territory_ids)))


class _Job:
    """One rule about to run: its normalized form and whose rights it runs with."""

    def __init__(self, rule_id: int, rule: RuleInput, actor: Actor | None, error: str = "") -> None:
        self.rule_id, self.rule, self.actor, self.error = rule_id, rule, actor, error


class _Frames:
    """One measure frame per acting user, covering every measure of the run's rules."""

    def __init__(self, session: Session, jobs: list[_Job], as_of: dt.date, customer_ids) -> None:
        self.session, self.as_of, self.customer_ids = session, as_of, customer_ids
        self.keys: dict[tuple, set[str]] = {}
        for job in jobs:
            if job.actor is not None:
                self.keys.setdefault(_actor_key(job.actor), set()).update(needed_keys(job.rule))
        self.frames: dict[tuple, measures.MeasureFrame] = {}

    def get(self, actor: Actor) -> measures.MeasureFrame:
        key = _actor_key(actor)
        if key not in self.frames:
            self.frames[key] = measures.compute(self.session, actor, self.keys.get(key, set()), self.as_of,
                                                self.customer_ids)
        return self.frames[key]


def _visible_ids(session: Session, caller: Actor) -> set[int] | None:
    """The customers a salesperson starting the run may see (None: no narrowing)."""
    if caller.role != SALES:
        return None
    return set(session.scalars(scope_customers(select(Customer.id), caller)).all())


def _evaluate(session: Session, job: _Job, frames: _Frames, visible: set[int] | None, customer_ids,
              open_state: dict | None) -> tuple[list[Hit], list[dict], measures.MeasureFrame]:
    specs = catalog.spec_map(catalog.measures(session, job.actor))
    frame = frames.get(job.actor)
    if visible is not None:
        frame = frame.restricted(sorted(visible))
    mask = evaluate.match(frame, job.rule.conditions, specs)
    extra = needed_keys(job.rule) - {c.measure for c in job.rule.conditions}
    hits, values = evaluate.hits(session, frame, mask, job.rule.conditions, extra, specs, open_state)
    return hits, values, frame


def _jobs_from_rows(session: Session, rows: Iterable[WorkflowRule]) -> list[_Job]:
    jobs = []
    for row in rows:
        try:
            actor = rule_actor(session, row)
            jobs.append(_Job(row.id, validate(session, actor, rule_input(row)), actor))
        except (RuleError, ValueError) as exc:
            jobs.append(_Job(row.id, rule_input(row), None, str(exc)))
    return jobs


def dry_run(session: Session, actor: Actor, rule: RuleInput | int, as_of: dt.date | None = None) -> RuleRunResult:
    """The customers ``rule`` (stored, or being edited) would hit now, and why; writes nothing.
    RuleError when the rule is not valid."""
    require(actor, "rules.view")
    start = time.perf_counter()
    if isinstance(rule, RuleInput):
        author = actor if actor.role == SALES else Actor.system()
        job = _Job(0, validate(session, author, rule), author)
    else:
        row = _row(session, actor, int(rule))
        author = rule_actor(session, row)
        job = _Job(row.id, validate(session, author, rule_input(row)), author)
    frames = _Frames(session, [job], as_of or dt.date.today(), None)
    open_state = firings.open_firings(session, job.rule_id) if job.rule_id else {}
    hits, _values, _frame = _evaluate(session, job, frames, _visible_ids(session, actor), None, open_state)
    return RuleRunResult(job.rule_id, job.rule.name, hits, seconds=time.perf_counter() - start)


def _selected(session: Session, caller: Actor, trigger: str | None, rule_ids) -> list[WorkflowRule]:
    stmt = select(WorkflowRule).order_by(WorkflowRule.id)
    if rule_ids is not None:
        stmt = stmt.where(WorkflowRule.id.in_([int(i) for i in rule_ids]))
    else:
        stmt = stmt.where(WorkflowRule.active.is_(True))
        if trigger is not None:
            stmt = stmt.where(WorkflowRule.trigger == trigger)
    if caller.role == SALES:
        stmt = stmt.where(WorkflowRule.created_by_id == caller.user_id)
    return list(session.scalars(stmt).all())


def run_rules(session: Session, actor: Actor, trigger: str | None = None, rule_ids=None, customer_ids=None,
              dry_run: bool = False, as_of: dt.date | None = None) -> list[RuleRunResult]:
    """Run the active rules of ``trigger`` (all active rules when None), or exactly ``rule_ids``
    (active or not), over every customer or ``customer_ids``. See the module docstring."""
    require(actor, "rules.run")
    rows = _selected(session, actor, trigger, rule_ids)
    return execute(session, actor, rows, trigger or "", customer_ids, dry_run, as_of)


def execute(session: Session, caller: Actor, rows: Sequence[WorkflowRule], trigger: str, customer_ids=None,
            dry_run: bool = False, as_of: dt.date | None = None) -> list[RuleRunResult]:
    """Run ``rows`` (no permission check: ``run_rules`` and the event triggers call this)."""
    if not rows:
        return []
    as_of = as_of or dt.date.today()
    ids = None if customer_ids is None else sorted({int(i) for i in customer_ids})
    jobs = _jobs_from_rows(session, rows)
    frames = _Frames(session, jobs, as_of, ids)
    visible = _visible_ids(session, caller)
    by_id = {r.id: r for r in rows}
    results = []
    for job in jobs:
        start = time.perf_counter()
        result = RuleRunResult(job.rule_id, job.rule.name, [], error=job.error)
        if not job.error:
            try:
                if dry_run:
                    state = firings.open_firings(session, job.rule_id, ids)
                    result.hits, _v, _f = _evaluate(session, job, frames, visible, ids, state)
                else:
                    with session.begin_nested():
                        _fire(session, caller, job, by_id[job.rule_id], frames, visible, ids,
                              trigger or by_id[job.rule_id].trigger, as_of, result)
            except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the others (or an import)
                log.exception("rule %s (%s) failed", job.rule_id, job.rule.name)
                result.error = str(exc) or type(exc).__name__
        result.seconds = time.perf_counter() - start
        results.append(result)
    return results


def _fire(session: Session, caller: Actor, job: _Job, row: WorkflowRule, frames: _Frames, visible, ids,
          trigger: str, as_of: dt.date, result: RuleRunResult) -> None:
    state = firings.open_firings(session, job.rule_id, ids)
    hits, values, frame = _evaluate(session, job, frames, visible, ids, state)
    result.hits = hits
    holding = {(h.customer_id, h.reason_key) for h in hits}
    evaluated = set(frame.df.index.tolist())
    gone = [fid for (cid, key), fid in state.items() if (cid, key) not in holding and cid in evaluated]
    firings.clear(session, gone)
    result.cleared = len(gone)
    new = [(h, v) for h, v in zip(hits, values) if not h.already_fired]
    if new:
        new_hits, new_values = [h for h, _v in new], [v for _h, v in new]
        done = [[rule_actions.describe_done(a, h, v) for a in job.rule.actions] for h, v in new]
        ids_made = firings.record(session, job.rule_id, trigger, caller.user_id, new_hits, done)
        for a in job.rule.actions:
            n = rule_actions.apply(session, job.actor, job.rule_id, a, new_hits, new_values, ids_made, as_of)
            result.actions[a.kind] = result.actions.get(a.kind, 0) + n
        result.fired = len(new)
    row.last_run_at = utcnow()
    session.flush()
