"""The shapes of a process rule as the GUI, the CLI and the engine exchange them.

A rule is stored in ``workflow_rules`` as JSON (``conditions``: list of Condition dicts,
``action``: list of Action dicts); ``store.validate`` checks every key and value against
``catalog`` before anything is saved or run, so nothing typed is ever evaluated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

TRIGGERS = ("import", "daily", "customer_saved", "case_closed")
OPERATORS = ("<", "<=", ">", ">=", "=", "!=", "in", "not_in", "contains", "is_empty", "not_empty")


@dataclass(frozen=True)
class Condition:
    """``measure`` (a catalog key, e.g. "silence_ratio", "customer_type", "field:signed_on")
    ``op`` (one of OPERATORS the measure allows) ``value`` (number, text, or a list for in/not_in;
    None for is_empty/not_empty)."""
    measure: str
    op: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "op": self.op, "value": self.value}


@dataclass(frozen=True)
class Action:
    """``kind``: "task" | "set_grade" | "add_tag" | "assign" | "alert" | "case".
    ``params`` by kind:
      task:      {"assignee": "owner"|"shop_owner"|"user", "user_id": int|None,
                  "title": template, "due_days": int, "priority": 1|2|3}
      set_grade: {"grade": "A"}
      add_tag:   {"tag": "流失预警"}
      assign:    {"user_id": int}
      alert:     {"message": template}
      case:      {"case_type": code, "subject": template, "priority": 1|2|3}
    A template may name {customer}, {code} and any measure key in braces, e.g.
    "{customer} 已 {days_since_purchase} 天未进货（平时 {usual_interval_days} 天）"."""
    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.params}


@dataclass(frozen=True)
class RuleInput:
    name: str
    trigger: str
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    description: str = ""
    active: bool = False


@dataclass(frozen=True)
class RuleInfo:
    id: int
    name: str
    trigger: str
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    description: str
    active: bool
    builtin_key: str
    created_by_id: int | None
    created_by_name: str  # "" = shop-wide
    last_run_at: dt.datetime | None
    open_firings: int  # customers for whom the reason holds now
    summary: str  # one line: "daily · conditions: 3 → task, tag"

    def to_input(self) -> RuleInput:
        return RuleInput(self.name, self.trigger, self.conditions, self.actions, self.description, self.active)


@dataclass(frozen=True)
class MeasureSpec:
    """What a condition may test. ``kind``: "number" | "money" | "percent" | "days" | "ratio" |
    "choice" | "multi" (a customer has several, e.g. tags, territories) | "text" | "date".
    ``choices``: (value, label) pairs for choice/multi; ``group``: "customer" | "derived" | "custom"."""
    key: str
    label: str
    kind: str
    ops: tuple[str, ...]
    group: str
    choices: tuple[tuple[Any, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    label: str
    params: tuple[str, ...]  # the keys of Action.params it takes


@dataclass(frozen=True)
class Hit:
    """One customer a rule matches, with the measure values that made it match."""
    customer_id: int
    code: str
    name: str
    matched: dict[str, Any]  # measure key → value (numbers rounded for display)
    reason: str  # one line, e.g. "95 days since last purchase, usually 31 (3.1×)"
    reason_key: str = ""  # "" or the event it is about, e.g. "case:17"
    already_fired: bool = False  # the reason holds since an earlier firing: a real run does nothing


@dataclass
class RuleRunResult:
    rule_id: int
    name: str
    hits: list[Hit]  # every customer matching now (dry run and real run alike)
    fired: int = 0  # new firings (0 in a dry run)
    cleared: int = 0  # earlier firings whose reason no longer holds
    actions: dict[str, int] = field(default_factory=dict)  # action kind → how many done
    seconds: float = 0.0
    error: str = ""  # a rule that cannot run (e.g. its author is gone) says why here


@dataclass(frozen=True)
class FiringInfo:
    id: int
    rule_id: int
    rule_name: str
    customer_id: int
    customer_code: str
    customer_name: str
    fired_at: dt.datetime
    cleared_at: dt.datetime | None
    trigger: str
    matched: dict[str, Any]
    actions_done: tuple[str, ...]
    reason_key: str
