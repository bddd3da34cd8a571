"""Saving, listing and validating rules. Everything is checked against the catalog before it is
stored or run (``validate``), so a rule is data, never code.

Who may do what: ``rules.view`` lists (a salesperson: the shop-wide rules and their own);
``rules.manage`` saves. A salesperson's new rule is theirs (``created_by_id``) and runs with
their rights; they may change only their own rules. Shop-wide rules (no author) are changed by
the owner or a manager only."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import CaseType, RuleFiring, User, WorkflowRule
from crmdesk.i18n import _
from crmdesk.rules import catalog
from crmdesk.rules.model import TRIGGERS, Action, Condition, RuleInfo, RuleInput
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import MANAGER, OWNER, SALES, PermissionDenied, can, require

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class RuleError(ValueError):
    """A rule that cannot be saved or run; the message names the condition or action and why."""


# --- reading --------------------------------------------------------------------------------------

def _conditions(text: str) -> tuple[Condition, ...]:
    return tuple(Condition(d.get("measure", ""), d.get("op", ""), d.get("value")) for d in json.loads(text or "[]"))


def _actions(text: str) -> tuple[Action, ...]:
    out = []
    for d in json.loads(text or "[]"):
        d = dict(d)
        kind = d.pop("kind", "")
        out.append(Action(kind, d))
    return tuple(out)


def rule_input(row: WorkflowRule) -> RuleInput:
    return RuleInput(row.name, row.trigger, _conditions(row.conditions), _actions(row.action),
                     row.description or "", bool(row.active))


def summary(rule: RuleInput) -> str:
    kinds = []
    for a in rule.actions:
        label = catalog.action_label(a.kind)
        if label not in kinds:
            kinds.append(label)
    return _("{trigger} · conditions: {n} → {actions}").format(
        trigger=catalog.trigger_label(rule.trigger), n=len(rule.conditions), actions=", ".join(kinds))


def _visible(stmt, actor: Actor):
    if actor.role == SALES:
        return stmt.where((WorkflowRule.created_by_id.is_(None)) | (WorkflowRule.created_by_id == actor.user_id))
    return stmt


def _info(row: WorkflowRule, names: dict[int, str], open_counts: dict[int, int]) -> RuleInfo:
    rule = rule_input(row)
    return RuleInfo(id=row.id, name=row.name, trigger=row.trigger, conditions=rule.conditions,
                    actions=rule.actions, description=rule.description, active=rule.active,
                    builtin_key=row.builtin_key or "", created_by_id=row.created_by_id,
                    created_by_name=names.get(row.created_by_id, "") if row.created_by_id else "",
                    last_run_at=row.last_run_at, open_firings=open_counts.get(row.id, 0), summary=summary(rule))


def _names(session: Session) -> dict[int, str]:
    return {i: (d or u) for i, d, u in session.execute(select(User.id, User.display_name, User.username))}


def _open_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(select(RuleFiring.rule_id, func.count()).where(
        RuleFiring.rule_id.in_(ids), RuleFiring.cleared_at.is_(None)).group_by(RuleFiring.rule_id))
    return {r: int(n) for r, n in rows}


def list_rules(session: Session, actor: Actor) -> list[RuleInfo]:
    require(actor, "rules.view")
    rows = session.scalars(_visible(select(WorkflowRule), actor).order_by(WorkflowRule.id)).all()
    names, counts = _names(session), _open_counts(session, [r.id for r in rows])
    return [_info(r, names, counts) for r in rows]


def _row(session: Session, actor: Actor, rule_id: int) -> WorkflowRule:
    row = session.get(WorkflowRule, int(rule_id))
    if row is None or (actor.role == SALES and row.created_by_id not in (None, actor.user_id)):
        raise RuleError(_("Rule {id} does not exist (any more)").format(id=rule_id))
    return row


def get_rule(session: Session, actor: Actor, rule_id: int) -> RuleInfo:
    require(actor, "rules.view")
    row = _row(session, actor, rule_id)
    return _info(row, _names(session), _open_counts(session, [row.id]))


def may_edit(actor: Actor, row: WorkflowRule) -> bool:
    if not can(actor, "rules.manage"):
        return False
    if actor.role in (OWNER, MANAGER):
        return True
    return row.created_by_id is not None and row.created_by_id == actor.user_id


def _editable(session: Session, actor: Actor, rule_id: int) -> WorkflowRule:
    require(actor, "rules.manage")
    row = _row(session, actor, rule_id)
    if not may_edit(actor, row):
        raise PermissionDenied("rules.manage", _("only the owner or a manager changes shop-wide rules"))
    return row


# --- validation -----------------------------------------------------------------------------------

def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise RuleError(_("{what}: a number is needed").format(what=what))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RuleError(_("{what}: {value!r} is not a number").format(what=what, value=value)) from None


def _condition(c: Condition, specs: dict, n: int) -> Condition:
    where = _("Condition {n}").format(n=n)
    spec = specs.get(c.measure)
    if spec is None:
        raise RuleError(_("{where}: unknown measure {key!r}").format(where=where, key=c.measure))
    where = _("Condition {n} ({label})").format(n=n, label=spec.label)
    if c.op not in spec.ops:
        raise RuleError(_("{where}: operator {op!r} is not allowed here (allowed: {ops})").format(
            where=where, op=c.op, ops=", ".join(spec.ops)))
    if c.op in ("is_empty", "not_empty"):
        return Condition(c.measure, c.op, None)
    value = c.value
    many = c.op in ("in", "not_in")
    if many:
        if not isinstance(value, (list, tuple)) or not value:
            raise RuleError(_("{where}: a list of values is needed").format(where=where))
        values = list(value)
    else:
        if isinstance(value, (list, tuple)):
            raise RuleError(_("{where}: one value is needed, not a list").format(where=where))
        values = [value]
    if spec.kind in catalog.NUMERIC_KINDS:
        values = [_number(v, where) for v in values]
        values = [int(v) if float(v).is_integer() else v for v in values]
    elif spec.kind == "date":
        try:
            values = [dt.date.fromisoformat(str(v)[:10]).isoformat() for v in values]
        except ValueError:
            raise RuleError(_("{where}: {value!r} is not a date (YYYY-MM-DD)").format(
                where=where, value=value)) from None
    elif spec.kind in ("choice", "multi"):
        known = {str(k): k for k, _label in spec.choices}
        checked = []
        for v in values:
            if str(v) not in known and c.measure not in ("grade",) and spec.choices:
                raise RuleError(_("{where}: {value!r} is not one of the choices").format(where=where, value=v))
            if str(v).strip() == "":
                raise RuleError(_("{where}: an empty value").format(where=where))
            checked.append(known.get(str(v), v))
        values = checked
    else:
        values = [str(v) for v in values]
    return Condition(c.measure, c.op, values if many else values[0])


def _template(text: Any, where: str, what: str) -> str:
    text = str(text or "").strip()
    if not text:
        raise RuleError(_("{where}: the {what} is empty").format(where=where, what=what))
    allowed = set(catalog.template_keys())
    for name in PLACEHOLDER.findall(text):
        if name not in allowed:
            raise RuleError(_("{where}: unknown placeholder {{{name}}} in the {what}").format(
                where=where, name=name, what=what))
    if text.count("{") != len(PLACEHOLDER.findall(text)) or text.count("}") != text.count("{"):
        raise RuleError(_("{where}: unbalanced braces in the {what}").format(where=where, what=what))
    return text


def _active_user(session: Session, user_id: Any, where: str, sellers_only: bool = False) -> int:
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or not user.active:
        raise RuleError(_("{where}: user {id} does not exist or is not active").format(where=where, id=user_id))
    if sellers_only and user.role not in (OWNER, MANAGER, SALES):
        raise RuleError(_("{where}: {name} is not a salesperson").format(where=where, name=user.username))
    return user.id


def _priority(value: Any, where: str) -> int:
    p = int(_number(2 if value in (None, "") else value, where))
    if p not in (1, 2, 3):
        raise RuleError(_("{where}: priority must be 1, 2 or 3").format(where=where))
    return p


def _action(session: Session, actor: Actor, a: Action, n: int) -> Action:
    where = _("Action {n} ({label})").format(n=n, label=catalog.action_label(a.kind))
    p = dict(a.params)
    if a.kind not in catalog.ACTION_KINDS:
        raise RuleError(_("Action {n}: unknown kind {kind!r}").format(n=n, kind=a.kind))
    if a.kind == "task":
        assignee = p.get("assignee") or "owner"
        if assignee not in catalog.ASSIGNEES:
            raise RuleError(_("{where}: unknown assignee {who!r}").format(where=where, who=assignee))
        user_id = _active_user(session, p.get("user_id"), where) if assignee == "user" else None
        days = int(_number(p.get("due_days", 0) if p.get("due_days") not in (None, "") else 0, where))
        if days < 0 or days > 3650:
            raise RuleError(_("{where}: due days must be between 0 and 3650").format(where=where))
        return Action("task", {"assignee": assignee, "user_id": user_id,
                               "title": _template(p.get("title"), where, _("title")), "due_days": days,
                               "priority": _priority(p.get("priority"), where)})
    if a.kind == "set_grade":
        grade = str(p.get("grade") or "").strip()
        if not grade or len(grade) > 10:
            raise RuleError(_("{where}: the grade is empty or too long").format(where=where))
        return Action("set_grade", {"grade": grade})
    if a.kind == "add_tag":
        tag = str(p.get("tag") or "").strip()
        if not tag or len(tag) > 50:
            raise RuleError(_("{where}: the tag is empty or too long").format(where=where))
        return Action("add_tag", {"tag": tag})
    if a.kind == "assign":
        if not can(actor, "customers.assign"):
            raise RuleError(_("{where}: only the owner or a manager may assign customers").format(where=where))
        return Action("assign", {"user_id": _active_user(session, p.get("user_id"), where, sellers_only=True)})
    if a.kind == "alert":
        return Action("alert", {"message": _template(p.get("message"), where, _("message"))})
    code = str(p.get("case_type") or "").strip()
    if session.scalar(select(CaseType.id).where(CaseType.code == code, CaseType.active.is_(True))) is None:
        raise RuleError(_("{where}: unknown case type {code!r}").format(where=where, code=code))
    return Action("case", {"case_type": code, "subject": _template(p.get("subject"), where, _("subject")),
                           "priority": _priority(p.get("priority"), where)})


def validate(session: Session, actor: Actor, rule: RuleInput) -> RuleInput:
    """The rule with every value normalized; RuleError naming the first problem."""
    name = (rule.name or "").strip()
    if not name:
        raise RuleError(_("The rule needs a name"))
    if len(name) > 100:
        raise RuleError(_("The rule's name is longer than 100 characters"))
    if rule.trigger not in TRIGGERS:
        raise RuleError(_("Unknown trigger {trigger!r}").format(trigger=rule.trigger))
    if not rule.conditions:
        raise RuleError(_("The rule needs at least one condition"))
    if not rule.actions:
        raise RuleError(_("The rule needs at least one action"))
    specs = catalog.spec_map(catalog.measures(session, actor))
    conditions = tuple(_condition(c, specs, i) for i, c in enumerate(rule.conditions, 1))
    actions = tuple(_action(session, actor, a, i) for i, a in enumerate(rule.actions, 1))
    return RuleInput(name, rule.trigger, conditions, actions, (rule.description or "").strip(), bool(rule.active))


# --- writing --------------------------------------------------------------------------------------

def _dump(rule: RuleInput) -> dict[str, Any]:
    return {"name": rule.name, "trigger": rule.trigger, "description": rule.description,
            "conditions": json.dumps([c.to_dict() for c in rule.conditions], ensure_ascii=False),
            "action": json.dumps([a.to_dict() for a in rule.actions], ensure_ascii=False),
            "active": rule.active}


def save_rule(session: Session, actor: Actor, rule: RuleInput, rule_id: int | None = None) -> int:
    """Create (``rule_id`` None) or change a rule; audited field by field. Returns its id."""
    require(actor, "rules.manage")
    if rule_id is None:
        clean = validate(session, actor, rule)
        row = WorkflowRule(**_dump(clean), created_by_id=actor.user_id if actor.role == SALES else None,
                           builtin_key="")
        session.add(row)
        session.flush()
        audit.record(session, actor, "workflow_rules", row.id, "create", "name", None, row.name)
        return row.id
    row = _editable(session, actor, rule_id)
    author = _author(session, row) or actor
    clean = validate(session, author if author.role == SALES else actor, rule)
    before = {k: getattr(row, k) for k in ("name", "trigger", "description", "conditions", "action", "active")}
    for key, value in _dump(clean).items():
        setattr(row, key, value)
    audit.record_changes(session, actor, "workflow_rules", row.id, before, _dump(clean))
    session.flush()
    return row.id


def _author(session: Session, row: WorkflowRule) -> Actor | None:
    if row.created_by_id is None:
        return None
    user = session.get(User, row.created_by_id)
    return Actor.from_user(user, session) if user is not None else None


def set_active(session: Session, actor: Actor, rule_id: int, active: bool) -> None:
    row = _editable(session, actor, rule_id)
    if bool(row.active) != bool(active):
        if active:  # a shipped or older rule may name a user who has left since: check before it runs
            author = _author(session, row)
            validate(session, author if author is not None and author.role == SALES else actor, rule_input(row))
        audit.record(session, actor, "workflow_rules", row.id, "update", "active", row.active, bool(active))
        row.active = bool(active)
        session.flush()


def delete_rule(session: Session, actor: Actor, rule_id: int) -> None:
    row = _editable(session, actor, rule_id)
    audit.record(session, actor, "workflow_rules", row.id, "delete", "name", row.name, None)
    session.delete(row)
    session.flush()
