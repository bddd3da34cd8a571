"""Words the rule builder shows besides the catalog's own (which labels measures,
operators, actions, triggers and assignees): measure groups and task priorities."""

from __future__ import annotations

from crmdesk.i18n import N_, _

GROUP_LABELS: dict[str, str] = {
    "customer": N_("Customer fields"),
    "derived": N_("Measures"),
    "custom": N_("Custom fields"),
}
GROUP_ORDER = ("customer", "derived", "custom")

PRIORITIES: tuple[tuple[int, str], ...] = ((1, N_("High")), (2, N_("Normal")), (3, N_("Low")))


def group_label(group: str) -> str:
    return _(GROUP_LABELS.get(group, group))
