"""Customer rows, once the sales are known: grade by gross profit, status by
last purchase, first order date, custom field values and tags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, select

from crmdesk.core.search_text import customer_search_text, pinyin_keys
from crmdesk.db.models import CustomerType, CustomFieldDef
from crmdesk.demo.calendar import DemoCalendar
from crmdesk.demo.customers import DEALER, DIRECT, RETAIL, TYPE_CODES, CustomerFrame, street_addresses
from crmdesk.demo.names import EMAIL_DOMAINS
from crmdesk.demo.people import credit_codes, landlines, mobiles
from crmdesk.demo.sales import SalesFrame
from crmdesk.money import MONEY_SCALE

ACTIVE_DAYS = 120
SEARCH_CHUNK = 2000
GRADE_SHARES = (("A", 0.05), ("B", 0.15), ("C", 0.30))  # the rest are D
CUSTOMER_NOTES = ("", "", "", "", "需提前电话预约送货", "送货到传达室", "每月25日对账", "开学前集中采购",
                  "只走对公账户", "老板亲自下单", "价格敏感，常比价", "发票寄财务室")


@dataclass
class CustomerSales:
    first_day: np.ndarray  # -1: never bought
    last_day: np.ndarray
    gross_profit: np.ndarray
    revenue: np.ndarray


def summarize(cust: CustomerFrame, sales: SalesFrame) -> CustomerSales:
    line_c = sales.line_customer
    day = sales.line_day
    sale = sales.quantity > 0
    first = np.full(cust.n, np.iinfo(np.int64).max)
    last = np.full(cust.n, -1)
    np.minimum.at(first, line_c[sale], day[sale])
    np.maximum.at(last, line_c[sale], day[sale])
    first[first == np.iinfo(np.int64).max] = -1
    gp = np.bincount(line_c, weights=sales.amount - sales.cost_amount, minlength=cust.n)
    revenue = np.bincount(line_c, weights=sales.amount, minlength=cust.n)
    return CustomerSales(first, last, gp, revenue)


def grades(summary: CustomerSales) -> np.ndarray:
    order = np.argsort(-summary.gross_profit, kind="stable")
    out = np.full(len(order), "D", dtype=object)
    start = 0
    for grade, share in GRADE_SHARES:
        stop = start + int(round(share * len(order)))
        out[order[start:stop]] = grade
        start = stop
    out[summary.gross_profit <= 0] = "D"
    return out


def statuses(cust: CustomerFrame, summary: CustomerSales, cal: DemoCalendar) -> np.ndarray:
    """Active: bought in the last ACTIVE_DAYS; dormant: within a year; lost: longer ago.
    Prospects that never bought are active while new, then dormant."""
    since = cal.days - 1 - summary.last_day
    status = np.where(since <= ACTIVE_DAYS, "active", np.where(since <= 365, "dormant", "lost")).astype(object)
    never = summary.last_day < 0
    status[never] = np.where(cust.join_day[never] >= cal.days - ACTIVE_DAYS, "active", "dormant")
    return status


def short_name(name: str, kind: str, city: str) -> str:
    """What people call an organisation: without its city and legal form (深圳华信科技有限公司 → 华信科技)."""
    if kind == "person":
        return ""
    short = name
    for prefix in (city, city[:-1]):
        if short.startswith(prefix) and len(short) > len(prefix) + 2:
            short = short[len(prefix):]
            break
    short = short.removeprefix("市")
    for suffix in ("有限公司", "有限责任公司"):
        short = short.replace(suffix, "")
    return short[:12]


def customer_columns(rng: np.random.Generator, cust: CustomerFrame, summary: CustomerSales, cal: DemoCalendar,
                     contact_names: list[tuple[str, ...]], org_owner: np.ndarray,
                     on_progress: Callable[[float], None] | None = None) -> dict:
    n = cust.n
    org = cust.type_idx != RETAIL
    person = np.array([k == "person" for k in cust.kind])
    phone = np.where(org | ~person, np.array(landlines(rng, cust.city), dtype=object), "")
    mobile = np.where(person | (rng.random(n) < 0.3), np.array(mobiles(rng, n), dtype=object), "")
    # Unified social credit codes start 11 for government, 12 for schools and hospitals, 91 for companies.
    prefix = np.array(["11" if k == "政府机关" else "12" if k in ("学校", "医院") else "91" for k in cust.kind],
                      dtype=object)
    tax = np.where(org, prefix + np.array([c[2:] for c in credit_codes(rng, n)], dtype=object), "")
    email_domain = np.array(EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    with_email = org & (rng.random(n) < 0.4)
    address = np.array(street_addresses(rng, cust), dtype=object)
    yearly = summary.revenue / 3
    credit = np.where(org, np.round(np.clip(yearly / 4, 5_000 * MONEY_SCALE, 500_000 * MONEY_SCALE)
                                   / (1000 * MONEY_SCALE)) * 1000 * MONEY_SCALE, 0).astype(np.int64)
    notes = np.array(CUSTOMER_NOTES, dtype=object)[rng.integers(0, len(CUSTOMER_NOTES), n)]
    stub = cust.incomplete
    email = np.array([f"{pinyin_keys(nm)[1]}@{d}" if e else "" for nm, d, e in
                      zip(cust.names, email_domain.tolist(), with_email.tolist(), strict=True)], dtype=object)
    for arr in (phone, mobile, tax, address, notes, email):
        arr[stub] = ""
    codes, names = cust.codes, cust.names
    search: list[str] = []
    phones, mobiles_ = phone.tolist(), mobile.tolist()
    for start in range(0, n, SEARCH_CHUNK):  # pinyin is the slow part: report progress as it goes
        stop = min(n, start + SEARCH_CHUNK)
        search.extend(customer_search_text(names[i], codes[i], (phones[i], mobiles_[i]), contact_names[i])
                      for i in range(start, stop))
        if on_progress is not None:
            on_progress(stop / n)
    created = cal.to_dates(cust.join_day).astype("datetime64[s]") + np.timedelta64(9 * 3600, "s")
    updated = np.maximum(created, cal.to_dates(np.maximum(summary.last_day, 0)).astype("datetime64[s]")
                         + np.timedelta64(18 * 3600, "s"))
    first_order = np.where(summary.first_day >= 0, cal.to_dates(np.maximum(summary.first_day, 0)),
                           np.datetime64("NaT"))
    return {
        "id": cust.ids,
        "code": codes,
        "name": names,
        "short_name": [short_name(nm, k, c) for nm, k, c in zip(names, cust.kind, cust.city, strict=True)],
        "type_id": None,  # filled by the caller from the seeded customer types
        "grade": np.where(stub, "", grades(summary)).astype(object),
        "status": statuses(cust, summary, cal),
        "province": np.where(stub, "", np.array(cust.province, dtype=object)),
        "city": np.where(stub, "", np.array(cust.city, dtype=object)),
        "district": np.where(stub, "", np.array(cust.district, dtype=object)),
        "address": address,
        "phone": phone,
        "mobile": mobile,
        "email": email,
        "tax_id": tax,
        "credit_limit": credit,
        "payment_terms_days": cust.terms,
        "owner_id": [v or None for v in org_owner.tolist()],
        "territory_id": None,  # filled by the caller
        "notes": notes,
        "is_incomplete": stub.tolist(),
        "archived": [False] * n,
        "first_order_date": [d if d is not None else None for d in first_order.astype("datetime64[D]").tolist()],
        "search_text": search,
        "created_at": created.astype("datetime64[us]"),
        "updated_at": updated.astype("datetime64[us]"),
    }


def field_defs(conn: Connection) -> dict[str, dict[str, int]]:
    """type code → {field key → field id} of the seeded custom fields."""
    rows = conn.execute(select(CustomerType.code, CustomFieldDef.key, CustomFieldDef.id)
                        .join(CustomFieldDef, CustomFieldDef.customer_type_id == CustomerType.id)).all()
    out: dict[str, dict[str, int]] = {}
    for code, key, fid in rows:
        out.setdefault(code, {})[key] = fid
    return out


def custom_values(rng: np.random.Generator, cust: CustomerFrame, summary: CustomerSales, cal: DemoCalendar,
                  defs: dict[str, dict[str, int]]) -> dict:
    cid, fid, val = [], [], []
    u = rng.random((cust.n, 6)).tolist()
    end = cal.end_date

    def put(c: int, type_code: str, key: str, value: str) -> None:
        field = defs.get(type_code, {}).get(key)
        if field is not None and value != "":
            cid.append(int(cust.ids[c]))
            fid.append(field)
            val.append(value)

    for c in range(cust.n):
        if cust.incomplete[c]:
            continue
        t, r = int(cust.type_idx[c]), u[c]
        code = TYPE_CODES[t]
        if t == RETAIL:
            if cust.member[c]:
                put(c, code, "member_no", f"VIP{cust.codes[c][2:]}")
            if r[0] < 0.5:
                put(c, code, "preferred_store", "总店" if r[1] < 0.7 else "分店")
        elif t == DIRECT:
            put(c, code, "industry", cust.kind[c])
            if r[0] < 0.6:
                budget = max(5_000, round(summary.revenue[c] / 3 / MONEY_SCALE * (1 + r[1]) / 1000) * 1000)
                put(c, code, "annual_budget", str(int(budget) * MONEY_SCALE))
            if r[2] < 0.8:
                put(c, code, "invoice_title", cust.names[c])
            if r[3] < 0.5:
                put(c, code, "contract_until", (end + np.timedelta64(int(30 + r[4] * 400), "D").item()).isoformat())
        elif t == DEALER:
            put(c, code, "region", f"{cust.city[c]}{cust.district[c]}")
            if r[0] < 0.7:
                put(c, code, "deposit", str((5_000, 10_000, 20_000, 50_000)[int(r[1] * 4)] * MONEY_SCALE))
            put(c, code, "exclusive", "1" if r[2] < 0.15 else "0")
            put(c, code, "signed_on", cal.date(max(int(cust.join_day[c]), -1500)).isoformat())
            if r[3] < 0.6:
                put(c, code, "store_count", str(1 + int(r[4] * 8)))
    return {"customer_id": cid, "field_id": fid, "value": val}


def customer_tag_pairs(cust: CustomerFrame, summary: CustomerSales, grade: np.ndarray, status: np.ndarray,
                       cal: DemoCalendar, tag_ids: dict[str, int]) -> dict:
    cid, tid = [], []
    for c in range(cust.n):
        tags = []
        kind, t = cust.kind[c], int(cust.type_idx[c])
        if grade[c] == "A":
            tags.append("重点客户")
        if kind == "学校":
            tags.append("学校")
        if kind == "政府机关":
            tags.append("政府采购")
        if kind == "医院":
            tags.append("医院")
        if kind in ("企业", "银行"):
            tags.append("企业客户")
        if t != RETAIL and cust.terms[c] == 30:
            tags.append("月结")
        if cust.member[c]:
            tags.append("会员")
        if t == DEALER:
            tags.append("批发")
        if cust.join_day[c] < 0 and status[c] == "active":
            tags.append("老客户")
        if cust.join_day[c] >= cal.days - 180:
            tags.append("新客户")
        if cust.bad_debtor[c] and summary.last_day[c] >= 0:
            tags.append("欠款预警")
        for tag in tags:
            cid.append(int(cust.ids[c]))
            tid.append(tag_ids[tag])
    return {"customer_id": cid, "tag_id": tid}
