"""The demo shop's customers before any sales: who they are, where, how big,
and when they buy. Rows for the database are made later (``customer_rows``),
once the sales tell their grade, status and first order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crmdesk.demo import names as N
from crmdesk.demo.calendar import DemoCalendar
from crmdesk.demo.people import person_names, pick

TYPE_CODES = ("retail", "direct", "dealer")
RETAIL, DIRECT, DEALER = 0, 1, 2
TYPE_SHARE = np.array([0.55, 0.30, 0.15])
# Dealers buy in bulk, offices and schools steadily, walk-ins a little.
TYPE_SIZE = np.array([0.5, 1.6, 3.5])
SIZE_SIGMA = 1.2  # spread of customer sizes (log-normal): about 20% of customers bring 80% of profit
# The industry choice of a direct-sales customer (the custom field "industry") and its share.
INDUSTRIES = ("学校", "政府机关", "企业", "医院", "银行")
INDUSTRY_SHARE = np.array([0.30, 0.14, 0.46, 0.06, 0.04])


@dataclass
class CustomerFrame:
    ids: np.ndarray
    codes: list[str]
    type_idx: np.ndarray  # RETAIL / DIRECT / DEALER
    kind: list[str]  # person, shop, an INDUSTRIES entry, or dealer
    names: list[str]
    province: list[str]
    city: list[str]
    district: list[str]
    territory_idx: np.ndarray
    owner_id: np.ndarray  # 0: nobody (walk-in)
    weight: np.ndarray  # relative buying volume per active day
    join_day: np.ndarray  # negative: a customer since before the history starts
    stop_day: np.ndarray  # last day the customer may still buy
    terms: np.ndarray  # payment terms, days
    price_factor: np.ndarray  # share of the list-price margin the customer pays
    member: np.ndarray  # retail loyalty-card holders
    incomplete: np.ndarray  # stubs an import left behind
    prospect: np.ndarray  # never bought anything
    late_payer: np.ndarray
    bad_debtor: np.ndarray  # leaves old invoices unpaid

    @property
    def n(self) -> int:
        return len(self.ids)


def _places(rng: np.random.Generator, n: int) -> tuple[list[str], list[str], list[str]]:
    weights = np.array(N.PROVINCE_WEIGHTS, dtype=float)
    prov_idx = rng.choice(len(N.PLACES), n, p=weights / weights.sum())
    u_city = rng.random(n)
    u_district = rng.random(n)
    provinces, cities, districts = [], [], []
    for p, uc, ud in zip(prov_idx.tolist(), u_city.tolist(), u_district.tolist(), strict=True):
        province, city_list = N.PLACES[p]
        # The first city of a province (its capital, or Guangzhou itself) has most customers.
        cw = np.array([3.0] + [1.0] * (len(city_list) - 1))
        c = int(np.searchsorted(np.cumsum(cw) / cw.sum(), uc, side="right"))
        city, district_list = city_list[min(c, len(city_list) - 1)]
        provinces.append(province)
        cities.append(city)
        districts.append(district_list[int(ud * len(district_list))])
    return provinces, cities, districts


def _short(place: str) -> str:
    return place[:-1] if place[-1] in "市区县镇" and len(place) > 2 else place


CN_DIGITS = "零一二三四五六七八九"


def cn_number(k: int) -> str:
    """1–99 in Chinese numerals, as in 第十六中学."""
    tens, ones = divmod(k, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones or not head else "")


def _trade_name(a: int, b: int) -> str:
    chars = N.TRADE_NAME_CHARS
    return chars[a % len(chars)] + chars[b % len(chars)]


def _org_names(rng: np.random.Generator, kinds: list[str], cities: list[str], districts: list[str]) -> list[str]:
    n = len(kinds)
    r = rng.integers(0, 1_000_000, (n, 5)).tolist()
    out = []
    for kind, city, district, (a, b, c, d, e) in zip(kinds, cities, districts, r, strict=True):
        cs, ds = _short(city), _short(district)
        if kind == "person":
            out.append("")  # filled by person_names
        elif kind == "shop":
            word = N.SHOP_WORDS[a % len(N.SHOP_WORDS)] if c % 3 == 0 else _trade_name(a, d)
            shop = N.RETAIL_SHOP_KINDS[b % len(N.RETAIL_SHOP_KINDS)]
            out.append(f"{word}{shop}" if c % 2 else f"{ds}{word}{shop}")
        elif kind == "学校":
            school = N.SCHOOL_KINDS[a % len(N.SCHOOL_KINDS)]
            if c % 2:
                level = "中学" if d % 2 else "小学"
                school = f"第{cn_number(1 + e % 60)}{level}"
            out.append(f"{city}{school}" if c % 3 == 0 else f"{city}{district}{school}")
        elif kind == "政府机关":
            out.append(f"{city}{district}{N.GOV_KINDS[a % len(N.GOV_KINDS)]}")
        elif kind == "医院":
            hospital = N.HOSPITAL_KINDS[a % len(N.HOSPITAL_KINDS)]
            out.append(f"{city}{hospital}" if c % 2 else f"{city}{district}{hospital}")
        elif kind == "银行":
            out.append(f"{N.BANK_KINDS[a % len(N.BANK_KINDS)]}{cs}{ds}支行")
        elif kind == "企业":
            word = N.COMPANY_WORDS[a % len(N.COMPANY_WORDS)] if c % 3 == 0 else _trade_name(a, e)
            trade = N.COMPANY_TRADES[b % len(N.COMPANY_TRADES)]
            suffix = "" if "事务所" in trade else "有限公司"
            out.append(f"{cs}{'市' if d % 3 == 0 else ''}{word}{trade}{suffix}")
        else:  # dealer
            word = (N.SHOP_WORDS + N.COMPANY_WORDS)[a % (len(N.SHOP_WORDS) + len(N.COMPANY_WORDS))] \
                if c % 3 == 0 else _trade_name(a, e)
            out.append(f"{cs}{word}{N.DEALER_KINDS[b % len(N.DEALER_KINDS)]}")
    return out


def _dedupe_orgs(names: list[str], kinds: list[str]) -> list[str]:
    """A second customer with the same organisation name is another department of it (they
    buy separately), or another shop of the same owner; people may share names."""
    seen: dict[str, int] = {}
    out = []
    for name, kind in zip(names, kinds, strict=True):
        if kind != "person":
            k = seen.get(name, 0)
            seen[name] = k + 1
            if k:
                if kind in ("shop", "dealer"):
                    name = f"{name}{cn_number(k + 1)}店" if k < 99 else f"{name}{k + 1}"
                else:
                    dept = N.DEPARTMENTS[(k - 1) % len(N.DEPARTMENTS)]
                    extra = (k - 1) // len(N.DEPARTMENTS)
                    name = f"{name}{dept}" + (f"{cn_number(extra + 1)}组" if extra and extra < 99 else
                                              (str(extra + 1) if extra else ""))
        out.append(name)
    return out


def build_customers(rng: np.random.Generator, n: int, cal: DemoCalendar, first_id: int,
                    territory_of_province: dict[str, int], sales_ids: list[int]) -> CustomerFrame:
    type_idx = rng.choice(3, n, p=TYPE_SHARE)
    if n >= 3:
        type_idx[:3] = [DEALER, DIRECT, RETAIL]  # every type present even in tiny demos
    kind_idx = rng.choice(len(INDUSTRIES), n, p=INDUSTRY_SHARE)
    retail_shop = rng.random(n) < 0.3
    kinds = [
        ("shop" if s else "person") if t == RETAIL else (INDUSTRIES[k] if t == DIRECT else "dealer")
        for t, k, s in zip(type_idx.tolist(), kind_idx.tolist(), retail_shop.tolist(), strict=True)
    ]
    provinces, cities, districts = _places(rng, n)
    names = _org_names(rng, kinds, cities, districts)
    people = person_names(rng, n)
    names = [p if k == "person" else o for k, p, o in zip(kinds, people, names, strict=True)]
    names = _dedupe_orgs(names, kinds)
    territory_idx = np.array([territory_of_province[p] for p in provinces], dtype=np.int64)
    owner_id = np.array(sales_ids, dtype=np.int64)[territory_idx]
    walk_in = (type_idx == RETAIL) & (rng.random(n) < 0.55)
    owner_id[walk_in] = 0

    days = cal.days
    before = rng.random(n) < 0.65
    join_day = np.where(before, -rng.integers(30, 1500, n), rng.integers(0, days, n))
    churned = rng.random(n) < 0.25
    stop_day = np.full(n, days - 1, dtype=np.int64)
    span = days - 1 - np.maximum(join_day, 0)
    stop_day[churned] = (np.maximum(join_day, 0) + (rng.random(n) * span).astype(np.int64))[churned]
    active_share = (stop_day - np.maximum(join_day, 0) + 1) / days

    size = rng.lognormal(0.0, SIZE_SIGMA, n) * TYPE_SIZE[type_idx]
    weight = size * active_share
    terms = np.where(type_idx == RETAIL, 0,
                     np.where(type_idx == DIRECT, rng.choice([30, 30, 45, 60, 90], n), rng.choice([30, 60, 60, 90], n)))
    member = (type_idx == RETAIL) & (rng.random(n) < 0.35)
    price_factor = np.select(
        [type_idx == RETAIL, type_idx == DIRECT],
        [np.where(member, 0.9, 1.0), rng.uniform(0.55, 0.8, n)],
        rng.uniform(0.25, 0.42, n),
    )
    incomplete = rng.random(n) < 0.006
    if n >= 50 and not incomplete.any():
        incomplete[n - 1] = True  # every demo shows an import stub to complete
    prospect = ~incomplete & (rng.random(n) < 0.04)
    prospect[:3] = False
    credit = type_idx != RETAIL
    late_payer = credit & (rng.random(n) < 0.10)
    bad_debtor = credit & (rng.random(n) < 0.03)
    if credit.any() and not bad_debtor.any():
        bad_debtor[np.flatnonzero(credit)[0]] = True
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    return CustomerFrame(
        ids=ids, codes=[f"KH{i:06d}" for i in range(1, n + 1)], type_idx=type_idx, kind=kinds, names=names,
        province=provinces, city=cities, district=districts, territory_idx=territory_idx, owner_id=owner_id,
        weight=weight, join_day=join_day, stop_day=stop_day, terms=terms.astype(np.int64),
        price_factor=price_factor, member=member, incomplete=incomplete, prospect=prospect,
        late_payer=late_payer, bad_debtor=bad_debtor,
    )


def street_addresses(rng: np.random.Generator, frame: CustomerFrame) -> list[str]:
    streets = pick(rng, N.STREETS, frame.n)
    numbers = rng.integers(1, 999, frame.n).tolist()
    return [
        f"{'' if p == c else p}{c}{d}{s}{num}号"
        for p, c, d, s, num in zip(frame.province, frame.city, frame.district, streets, numbers, strict=True)
    ]
