"""The demo shop's products: names, prices, costs, popularity, and which of them
stopped selling (dead stock)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crmdesk.demo.catalog_words import CATEGORIES, TYPE_CATEGORY_TASTE
from crmdesk.demo.customers import TYPE_CODES
from crmdesk.money import MONEY_SCALE

FEN = MONEY_SCALE // 100


@dataclass
class ProductFrame:
    ids: np.ndarray
    codes: list[str]
    names: list[str]
    specs: list[str]
    units: list[str]
    category_idx: np.ndarray
    brands: list[str]
    list_price: np.ndarray  # money units
    cost: np.ndarray  # money units
    popularity: np.ndarray  # relative share of order lines
    dead: np.ndarray  # stopped selling; stock stays on the shelf
    last_sale_day: np.ndarray  # dead items sell until this day
    lead_time: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    def line_probabilities(self, type_index: int, alive_only: bool = False) -> np.ndarray:
        taste = np.array(TYPE_CATEGORY_TASTE[TYPE_CODES[type_index]])[self.category_idx]
        p = self.popularity * taste
        if alive_only:
            p = np.where(self.dead, 0.0, p)
        return p / p.sum()


def _all_variants() -> list[tuple[int, str, int, int]]:
    """Every (category, brand, item, spec) the catalogue can offer, as indexes."""
    out = []
    for ci, cat in enumerate(CATEGORIES):
        for ii, item in enumerate(cat.items):
            for bi, brand in enumerate(cat.brands):
                if item.brands and brand not in item.brands:
                    continue
                for si in range(len(item.specs)):
                    out.append((ci, bi, ii, si))
    return out


def build_products(rng: np.random.Generator, n: int, days: int, first_id: int) -> ProductFrame:
    variants = _all_variants()
    order = rng.permutation(len(variants))
    if n > len(variants):  # a huge catalogue repeats items as further models
        order = np.concatenate([order] + [rng.permutation(len(variants)) for _ in range(n // len(variants))])
    picks = order[:n]
    # Spread categories so even a small catalogue has all of them.
    first_of_cat = [next(i for i, v in enumerate(variants) if v[0] == ci) for ci in range(len(CATEGORIES))]
    if n >= len(CATEGORIES):
        picks[: len(CATEGORIES)] = first_of_cat
    seen: dict[tuple[int, int, int, int], int] = {}
    names, specs, units, brands, cat_idx, cost_yuan, margin = [], [], [], [], [], [], []
    u_cost, u_margin = rng.random(n).tolist(), rng.random(n).tolist()
    for k, v in enumerate(picks.tolist()):
        ci, bi, ii, si = variants[v]
        cat = CATEGORIES[ci]
        item = cat.items[ii]
        brand = cat.brands[bi]
        repeat = seen.get((ci, bi, ii, si), 0)
        seen[(ci, bi, ii, si)] = repeat + 1
        model = f" {chr(ord('A') + repeat % 26)}{repeat // 26 or ''}型" if repeat else ""
        names.append(f"{brand}{item.name}{model}")
        specs.append(item.specs[si])
        units.append(item.unit)
        brands.append(brand)
        cat_idx.append(ci)
        lo, hi = item.cost_yuan
        cost_yuan.append(lo + (hi - lo) * u_cost[k])
        mlo, mhi = cat.margin
        margin.append(mlo + (mhi - mlo) * u_margin[k])
    cost = np.round(np.array(cost_yuan) * 100).astype(np.int64) * FEN
    margin_arr = np.array(margin)
    list_price = np.round(cost / (1 - margin_arr) / FEN / 10).astype(np.int64) * 10 * FEN  # whole jiao
    list_price = np.maximum(list_price, cost + 10 * FEN)
    category_idx = np.array(cat_idx, dtype=np.int64)
    cat_pop = np.array([c.popularity for c in CATEGORIES])[category_idx]
    popularity = cat_pop * rng.pareto(1.3, n).clip(0, 60) + 0.02 * cat_pop
    dead = rng.random(n) < 0.07
    if n >= 20 and not dead.any():
        dead[rng.integers(0, n)] = True
    last_sale_day = np.where(dead, days - rng.integers(200, 700, n), days)
    lead_time = rng.choice([3, 5, 7, 7, 10, 14, 21], n)
    return ProductFrame(
        ids=np.arange(first_id, first_id + n, dtype=np.int64), codes=[f"SP{i:05d}" for i in range(1, n + 1)],
        names=names, specs=specs, units=units, category_idx=category_idx, brands=brands,
        list_price=list_price, cost=cost, popularity=popularity, dead=dead, last_sale_day=last_sale_day,
        lead_time=lead_time.astype(np.int64),
    )


def product_columns(prod: ProductFrame, cal, reorder: np.ndarray) -> dict:
    from crmdesk.core.search_text import build_search_text
    from crmdesk.demo.catalog_words import CATEGORIES

    categories = [CATEGORIES[c].name for c in prod.category_idx.tolist()]
    search = [build_search_text(code, name, spec, brand, cat, pinyin_of=(name,))
              for code, name, spec, brand, cat in zip(prod.codes, prod.names, prod.specs, prod.brands, categories,
                                                      strict=True)]
    barcodes = [f"69{(int(i) * 7919) % 10**11:011d}" for i in prod.ids.tolist()]
    created = np.datetime64(cal.start_date, "s") - np.timedelta64(400, "D") + np.timedelta64(9 * 3600, "s")
    stamps = [created.astype("datetime64[us]").item()] * prod.n
    return {
        "id": prod.ids,
        "code": prod.codes,
        "name": prod.names,
        "spec": prod.specs,
        "unit": prod.units,
        "category": categories,
        "brand": prod.brands,
        "barcode": barcodes,
        "list_price": prod.list_price,
        "cost": prod.cost,
        "reorder_point": reorder,
        "lead_time_days": prod.lead_time,
        "active": [True] * prod.n,
        "is_incomplete": [False] * prod.n,
        "search_text": search,
        "notes": ["停产，清库存" if d else "" for d in prod.dead.tolist()],
        "created_at": stamps,
        "updated_at": stamps,
    }
