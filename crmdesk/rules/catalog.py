"""What a rule may be built from: the condition measures (with the operators each kind allows),
the actions and the triggers, with their labels; and one-line descriptions of conditions and
actions for lists and logs.

Values a condition compares with, by kind: "money" in yuan (as typed; the engine compares
integer units), "percent" in percent (30 = 30 %), "days"/"number"/"ratio" plain numbers,
"date" an ISO date text, "choice" one value (or a list for in/not_in), "multi" a list of
values (``contains``: one value)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import CustomerType, CustomFieldDef, Tag, Territory, User
from crmdesk.db.models.customers import CustomerStatus, FieldType
from crmdesk.i18n import N_, _
from crmdesk.reports.rfm import SEGMENTS
from crmdesk.rules.model import Action, ActionSpec, Condition, MeasureSpec

NUMERIC_KINDS = ("number", "money", "percent", "days", "ratio")
_NUM_OPS = ("<", "<=", ">", ">=", "=", "!=", "is_empty", "not_empty")
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    **{k: _NUM_OPS for k in NUMERIC_KINDS},
    "date": ("<", "<=", ">", ">=", "=", "!=", "is_empty", "not_empty"),
    "choice": ("=", "!=", "in", "not_in", "is_empty", "not_empty"),
    "multi": ("contains", "in", "not_in", "is_empty", "not_empty"),
    "text": ("=", "!=", "contains", "is_empty", "not_empty"),
}
OP_LABELS = {"<": N_("less than"), "<=": N_("at most"), ">": N_("more than"), ">=": N_("at least"),
             "=": N_("is"), "!=": N_("is not"), "in": N_("is one of"), "not_in": N_("is none of"),
             "contains": N_("contains"), "is_empty": N_("is empty"), "not_empty": N_("is not empty")}

# key, label, kind, help. Customer fields get their choices from the database (``measures``).
_CUSTOMER = (
    ("customer_type", N_("Customer type"), "choice", N_("The customer's type (retail, direct, dealer …).")),
    ("grade", N_("Grade"), "choice", N_("The customer's grade (A, B, C …).")),
    ("status", N_("Status"), "choice", N_("Active, dormant or lost.")),
    ("territory", N_("Territory"), "multi", N_("The territories the customer belongs to.")),
    ("owner", N_("Owner"), "choice", N_("The salesperson who owns the customer.")),
    ("tag", N_("Tag"), "multi", N_("The customer's tags.")),
)
DERIVED = (
    ("days_since_purchase", N_("Days since last purchase"), "days",
     N_("Days from the last purchase to today; empty when the customer never bought.")),
    ("usual_interval_days", N_("Usual purchase interval (days)"), "days",
     N_("The customer's own median number of days between purchase days; empty with fewer than 3.")),
    ("silence_ratio", N_("Silence ratio"), "ratio",
     N_("Days since last purchase divided by the usual interval: 2 means silent twice as long as usual.")),
    ("spend_12m", N_("Spend, last 12 months"), "money", N_("Net sales of the last 12 months, in yuan.")),
    ("spend_prev_12m", N_("Spend, 12 months before"), "money",
     N_("Net sales of the 12 months before the last 12, in yuan.")),
    ("spend_change_pct", N_("Spend change vs year before (%)"), "percent",
     N_("Last 12 months against the 12 before, in percent (−30 = down 30 %); empty when nothing before.")),
    ("gross_profit_12m", N_("Gross profit, last 12 months"), "money",
     N_("Sales minus cost of the last 12 months, in yuan.")),
    ("orders_12m", N_("Orders, last 12 months"), "number", N_("Purchase orders in the last 12 months.")),
    ("orders_total", N_("Orders, all time"), "number", N_("Purchase orders ever.")),
    ("days_since_first_purchase", N_("Days since first purchase"), "days",
     N_("Days from the first purchase to today.")),
    ("rfm_segment", N_("RFM segment"), "choice", N_("The segment of the RFM report (recency, frequency, money).")),
    ("overdue_amount", N_("Overdue amount"), "money", N_("Receivables past their due date, in yuan.")),
    ("credit_use_pct", N_("Credit use (%)"), "percent",
     N_("Balance divided by the credit limit, in percent; empty without a credit limit.")),
    ("open_orders", N_("Open orders"), "number", N_("Sale orders not yet fully shipped.")),
    ("open_cases", N_("Open service cases"), "number", N_("Service cases not yet resolved or closed.")),
    ("last_satisfaction", N_("Last satisfaction score"), "number",
     N_("Satisfaction (1–5) of the last closed service case; a new case can fire the rule again.")),
    ("days_since_contact", N_("Days since last contact"), "days",
     N_("Days since the last entry of the contact log; empty when there is none.")),
)
# A measure that is a ratio of others reads better with them beside it in a hit's reason:
# "silence ratio 3.1 (days since last purchase 95, usual interval 31)".
COMPANIONS: dict[str, tuple[str, ...]] = {
    "silence_ratio": ("days_since_purchase", "usual_interval_days"),
    "spend_change_pct": ("spend_12m", "spend_prev_12m"),
}
DERIVED_KEYS = tuple(k for k, *_rest in DERIVED)
CUSTOMER_KEYS = tuple(k for k, *_rest in _CUSTOMER)
COST_MEASURES = frozenset({"gross_profit_12m"})
FIELD_PREFIX = "field:"
_FIELD_KINDS = {FieldType.TEXT.value: "text", FieldType.NUMBER.value: "number", FieldType.MONEY.value: "money",
                FieldType.DATE.value: "date", FieldType.CHOICE.value: "choice", FieldType.BOOL.value: "choice"}

ACTION_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("task", N_("Create a follow-up task"), ("assignee", "user_id", "title", "due_days", "priority")),
    ActionSpec("set_grade", N_("Set grade"), ("grade",)),
    ActionSpec("add_tag", N_("Add tag"), ("tag",)),
    ActionSpec("assign", N_("Assign to a salesperson"), ("user_id",)),
    ActionSpec("alert", N_("Raise an alert"), ("message",)),
    ActionSpec("case", N_("Open a service case"), ("case_type", "subject", "priority")),
)
ACTION_KINDS = tuple(a.kind for a in ACTION_SPECS)
ASSIGNEES = {"owner": N_("the customer's salesperson"), "shop_owner": N_("the shop owner"),
             "user": N_("a named user")}
TRIGGER_LABELS = {"import": N_("after each import"), "daily": N_("daily"),
                  "customer_saved": N_("when a customer is saved"), "case_closed": N_("when a case is closed")}
# Placeholders every template may use besides the measure keys.
BASE_PLACEHOLDERS = ("customer", "code")


def trigger_label(trigger: str) -> str:
    return _(TRIGGER_LABELS.get(trigger, trigger))


def op_label(op: str) -> str:
    return _(OP_LABELS.get(op, op))


def action_label(kind: str) -> str:
    for spec in ACTION_SPECS:
        if spec.kind == kind:
            return _(spec.label)
    return kind


def template_keys() -> tuple[str, ...]:
    """Placeholders a title/message template may name: {customer}, {code} and measure keys."""
    return BASE_PLACEHOLDERS + CUSTOMER_KEYS + DERIVED_KEYS


def _customer_choices(session: Session, key: str) -> tuple[tuple[Any, str], ...]:
    if key == "customer_type":
        rows = session.execute(select(CustomerType.code, CustomerType.name).order_by(CustomerType.sort_order)).all()
        return tuple((code, name) for code, name in rows)
    if key == "grade":
        from crmdesk.db.models import Customer

        found = {g for g in session.scalars(select(Customer.grade).distinct()).all() if g}
        return tuple((g, g) for g in sorted(found | {"A", "B", "C", "D"}))
    if key == "status":
        return tuple((s.value, _(s.value)) for s in CustomerStatus)
    if key == "territory":
        return tuple(session.execute(select(Territory.id, Territory.name).order_by(Territory.name)).all())
    if key == "owner":
        rows = session.execute(select(User.id, User.display_name, User.username)
                               .where(User.active.is_(True)).order_by(User.username)).all()
        return tuple((uid, dn or un) for uid, dn, un in rows)
    if key == "tag":
        return tuple((n, n) for n in session.scalars(select(Tag.name).order_by(Tag.name)).all())
    return ()


def custom_field_specs(session: Session) -> list[MeasureSpec]:
    """One measure per custom-field key (a key shared by several customer types is one measure)."""
    out: dict[str, MeasureSpec] = {}
    for f in session.scalars(select(CustomFieldDef).order_by(CustomFieldDef.sort_order, CustomFieldDef.id)):
        key = FIELD_PREFIX + f.key
        if key in out:
            continue
        kind = _FIELD_KINDS.get(f.field_type, "text")
        choices: tuple[tuple[Any, str], ...] = ()
        if f.field_type == FieldType.CHOICE.value:
            choices = tuple((c, c) for c in (f.choices or "").splitlines() if c.strip())
        elif f.field_type == FieldType.BOOL.value:
            choices = (("1", _("yes")), ("0", _("no")))
        out[key] = MeasureSpec(key, f.label, kind, OPS_BY_KIND[kind], "custom", choices,
                               _("Custom field {label}").format(label=f.label))
    return list(out.values())


def measures(session: Session, actor=None) -> list[MeasureSpec]:
    """Every condition measure, with the choices filled from the database. Who may not see cost
    (counter staff) gets no gross-profit measure."""
    from crmdesk.services.permissions import sees_cost

    specs = [MeasureSpec(k, _(label), kind, OPS_BY_KIND[kind], "customer", _customer_choices(session, k), _(hlp))
             for k, label, kind, hlp in _CUSTOMER]
    for k, label, kind, hlp in DERIVED:
        if k in COST_MEASURES and actor is not None and not sees_cost(actor):
            continue
        choices = tuple((s, _(s)) for s in SEGMENTS) if k == "rfm_segment" else ()
        specs.append(MeasureSpec(k, _(label), kind, OPS_BY_KIND[kind], "derived", choices, _(hlp)))
    return specs + custom_field_specs(session)


def spec_map(specs: list[MeasureSpec]) -> dict[str, MeasureSpec]:
    return {s.key: s for s in specs}


def _value_text(spec: MeasureSpec | None, value: Any) -> str:
    if value is None:
        return ""
    labels = dict(spec.choices) if spec is not None else {}
    if isinstance(value, (list, tuple)):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if spec is not None and spec.kind == "money":
        return _("¥{value}").format(value=value)
    if spec is not None and spec.kind == "percent":
        return f"{value}%"
    return str(labels.get(value, value))


def describe_condition(c: Condition, specs) -> str:
    """"Silence ratio at least 2" — ``specs``: a list or dict of MeasureSpec."""
    table = specs if isinstance(specs, dict) else spec_map(list(specs))
    spec = table.get(c.measure)
    label = spec.label if spec is not None else c.measure
    if c.op in ("is_empty", "not_empty"):
        return f"{label} {op_label(c.op)}"
    return f"{label} {op_label(c.op)} {_value_text(spec, c.value)}"


def _user_name(session: Session, user_id: Any) -> str:
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    return (user.display_name or user.username) if user is not None else str(user_id)


def describe_action(a: Action, session: Session) -> str:
    p = a.params
    if a.kind == "task":
        who = (_user_name(session, p.get("user_id")) if p.get("assignee") == "user"
               else _(ASSIGNEES.get(p.get("assignee", "owner"), "")))
        return _("Task for {who}: {title} (due in {days} days)").format(
            who=who, title=p.get("title", ""), days=p.get("due_days", 0))
    if a.kind == "set_grade":
        return _("Set grade to {grade}").format(grade=p.get("grade", ""))
    if a.kind == "add_tag":
        return _("Add tag {tag}").format(tag=p.get("tag", ""))
    if a.kind == "assign":
        return _("Assign to {who}").format(who=_user_name(session, p.get("user_id")))
    if a.kind == "alert":
        return _("Alert: {message}").format(message=p.get("message", ""))
    if a.kind == "case":
        return _("Open a {type} case: {subject}").format(type=p.get("case_type", ""), subject=p.get("subject", ""))
    return a.kind
