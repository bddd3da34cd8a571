"""Contacts of the demo customers: buyers, accountants, bosses; some with a
birthday this week so the reminders have something to show."""

from __future__ import annotations

import datetime as dt

import numpy as np

from crmdesk.core.search_text import pinyin_keys
from crmdesk.demo.calendar import DemoCalendar
from crmdesk.demo.customers import RETAIL, CustomerFrame
from crmdesk.demo.names import CONTACT_ROLES, EMAIL_DOMAINS
from crmdesk.demo.people import mobiles, person_names

CONTACT_NOTES = ("", "", "", "周一至周五上午方便联系", "请开增值税专用发票", "只接受微信沟通", "月底对账", "新学期前提前报计划")


def _birthday(rng_values: tuple[int, int, float], end: dt.date) -> dt.date:
    year, offset, this_week = rng_values
    if this_week < 0.03:  # birthday within the coming week of the end date
        target = end + dt.timedelta(days=offset % 7)
        try:
            return target.replace(year=year)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, 1, 1) + dt.timedelta(days=offset % 365)


def build_contacts(rng: np.random.Generator, cust: CustomerFrame, cal: DemoCalendar,
                   first_id: int) -> tuple[dict, list[tuple[str, ...]], np.ndarray]:
    """Contact columns, the contact names per customer (for search text) and each
    customer's first contact id (0: none)."""
    n = cust.n
    shop = np.array([k == "shop" for k in cust.kind])
    count = np.where(cust.type_idx == RETAIL, (shop & (rng.random(n) < 0.6)).astype(np.int64),
                     rng.integers(1, 4, n))
    count[cust.incomplete] = 0
    owner_of = np.repeat(np.arange(n), count)
    total = len(owner_of)
    names = person_names(rng, total)
    position = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    roles = [
        "老板" if cust.type_idx[c] == RETAIL else CONTACT_ROLES[(p + k) % len(CONTACT_ROLES)]
        for c, p, k in zip(owner_of.tolist(), position.tolist(), rng.integers(0, 4, total).tolist(), strict=True)
    ]
    phones = mobiles(rng, total)
    has_email = rng.random(total) < 0.5
    domain_idx = rng.integers(0, len(EMAIL_DOMAINS), total).tolist()
    digits = rng.integers(10, 999, total).tolist()
    emails, wechats = [], []
    for name, e, d, num in zip(names, has_email.tolist(), domain_idx, digits, strict=True):
        full = pinyin_keys(name)[0]
        emails.append(f"{full}{num}@{EMAIL_DOMAINS[d]}" if e else "")
        wechats.append(f"{full}_{num}" if num % 3 else f"wxid_{full[:4]}{num}")
    years = rng.integers(1962, 2000, total).tolist()
    offsets = rng.integers(0, 365, total).tolist()
    week = rng.random(total).tolist()
    birthdays = [_birthday(v, cal.end_date) if v[2] < 0.8 else None
                 for v in zip(years, offsets, week, strict=True)]
    created = cal.to_dates(np.maximum(cust.join_day[owner_of], -1500)).astype("datetime64[s]")
    stamps = (created + np.timedelta64(9 * 3600, "s")).astype("datetime64[us]")
    ids = np.arange(first_id, first_id + total, dtype=np.int64)
    per_customer: list[list[str]] = [[] for _ in range(n)]
    for c, name in zip(owner_of.tolist(), names, strict=True):
        per_customer[c].append(name)
    first_contact = np.zeros(n, dtype=np.int64)
    first_contact[owner_of[position == 0]] = ids[position == 0]
    columns = {
        "id": ids,
        "customer_id": cust.ids[owner_of],
        "name": names,
        "role": roles,
        "phone": [""] * total,
        "mobile": phones,
        "email": emails,
        "wechat": wechats,
        "birthday": birthdays,
        "is_primary": (position == 0).tolist(),
        "notes": [CONTACT_NOTES[i] for i in rng.integers(0, len(CONTACT_NOTES), total).tolist()],
        "created_at": stamps,
        "updated_at": stamps,
    }
    return columns, [tuple(names) for names in per_customer], first_contact
