"""A contact's phones, emails, IM handles, SIP addresses and web pages ("points"), their kinds and
types, and the summary columns (contacts.phone/mobile/email/wechat) kept from them for old readers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crmdesk.i18n import N_

KINDS = ("phone", "email", "im", "sip", "url", "other")
KIND_LABELS = {"phone": N_("Phone"), "email": N_("Email"), "im": N_("IM"), "sip": N_("SIP"), "url": N_("Web page"),
               "other": N_("Other")}
TYPES = {
    "phone": ("mobile", "work", "home", "fax", "pager", "other"),
    "email": ("work", "home", "other"),
    "im": ("wechat", "qq", "other"),
    "sip": ("work", "home", "other"),
    "url": ("work", "home", "other"),
    "other": ("other",),
}
TYPE_LABELS = {"mobile": N_("mobile"), "work": N_("work"), "home": N_("home"), "fax": N_("fax"),
               "pager": N_("pager"), "other": N_("other"), "wechat": N_("WeChat"), "qq": N_("QQ")}
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass(frozen=True)
class PointInput:
    kind: str
    value: str
    type: str = "other"
    preferred: bool = False
    label: str = ""

    def key(self) -> tuple[str, str]:
        return self.kind, match_key(self.kind, self.value)


def match_key(kind: str, value: str) -> str:
    """What two points are compared by: a phone's digits (a leading +86 dropped), else lower case."""
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        if not digits:  # a "number" that is text ("BusinessPhone" in an Outlook sample) is compared as text
            return value.strip().lower()
        return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    return value.strip().lower()


def clean_points(points: list[PointInput]) -> list[PointInput]:
    """Trimmed, empty and repeated ones dropped, unknown types made ``other``, and exactly one
    preferred point per kind (the first marked, else the first)."""
    out: list[PointInput] = []
    seen: set[tuple[str, str]] = set()
    for p in points:
        value = p.value.strip()
        kind = p.kind if p.kind in KINDS else "other"
        if not value or (kind, match_key(kind, value)) in seen:
            continue
        seen.add((kind, match_key(kind, value)))
        type_ = p.type if p.type in TYPES[kind] else "other"
        out.append(PointInput(kind=kind, value=value[:200], type=type_, preferred=p.preferred,
                              label=p.label.strip()[:50]))
    result = []
    for p in out:
        same_kind = [q for q in out if q.kind == p.kind]
        chosen = next((q for q in same_kind if q.preferred), same_kind[0])
        result.append(PointInput(p.kind, p.value, p.type, p is chosen, p.label))
    return result


def points_from_legacy(phone: str = "", mobile: str = "", email: str = "", wechat: str = "") -> list[PointInput]:
    """The points of a contact written with the old single fields (the form of old callers, imports)."""
    return clean_points([PointInput("phone", mobile, "mobile", True), PointInput("phone", phone, "work"),
                         PointInput("email", email, "other", True), PointInput("im", wechat, "wechat", True)])


def preferred(points: list[PointInput], kind: str) -> str:
    return next((p.value for p in points if p.kind == kind and p.preferred),
                next((p.value for p in points if p.kind == kind), ""))


def summary(points: list[PointInput]) -> dict[str, str]:
    """contacts.phone/mobile/email/wechat from the points: the first mobile, the preferred other
    phone, the preferred email, the first WeChat handle."""
    phones = [p for p in points if p.kind == "phone"]
    mobile = next((p.value for p in phones if p.type == "mobile" and p.preferred),
                  next((p.value for p in phones if p.type == "mobile"), ""))
    others = [p for p in phones if p.type != "mobile"]
    phone = next((p.value for p in others if p.preferred), others[0].value if others else "")
    wechat = next((p.value for p in points if p.kind == "im" and p.type == "wechat"), "")
    return {"phone": phone[:50], "mobile": mobile[:50], "email": preferred(points, "email")[:100],
            "wechat": wechat[:100]}


def describe(p: PointInput) -> str:
    """``mobile 138… ★`` for messages and the audit log."""
    return f"{p.kind}/{p.type}{'/' + p.label if p.label else ''}: {p.value}{' ★' if p.preferred else ''}"
