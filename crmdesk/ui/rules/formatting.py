"""Display text for what the rules report: matched measure values with their labels,
times in local time, yes/no flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from crmdesk.i18n import _
from crmdesk.rules.model import MeasureSpec
from crmdesk.services.users import local_time


def value_text(value: Any, spec: MeasureSpec | None = None) -> str:
    if value is None:
        return "—"
    labels = dict(spec.choices) if spec is not None else {}
    if isinstance(value, (list, tuple)):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, float):
        value = round(value, 2)
        if value == int(value):
            value = int(value)
    if spec is not None and spec.kind == "money" and isinstance(value, (int, float)):
        return f"¥{value:,}"
    if spec is not None and spec.kind == "percent" and isinstance(value, (int, float)):
        return f"{value}%"
    return str(labels.get(value, value))


def matched_text(matched: Mapping[str, Any], specs: Mapping[str, MeasureSpec]) -> str:
    """"Silence ratio 3.1 · Days since last purchase 95" — the values that made a rule match."""
    parts = []
    for key, value in matched.items():
        spec = specs.get(key)
        parts.append(f"{spec.label if spec else key} {value_text(value, spec)}")
    return " · ".join(parts)


def when_text(moment: dt.datetime | None) -> str:
    return local_time(moment) if moment is not None else ""


def yes(flag: bool) -> str:
    return _("yes") if flag else ""
