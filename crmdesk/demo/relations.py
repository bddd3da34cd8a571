"""Links between demo customers: branches of a head office, shops that buy
through a dealer, and referrals."""

from __future__ import annotations

import numpy as np

from crmdesk.db.models import RelationType
from crmdesk.demo.customers import DEALER, CustomerFrame


def _short(place: str) -> str:
    return place[:-1] if len(place) > 2 and place[-1] in "市区县" else place


def build_relations(rng: np.random.Generator, cust: CustomerFrame, first_id: int) -> dict:
    """Relation columns. Renames branch customers after their head office (call before search text)."""
    pairs: list[tuple[int, int, str, str]] = []
    companies = np.flatnonzero(np.array([k == "企业" for k in cust.kind]) & ~cust.incomplete)
    if len(companies) >= 4:
        n_branch = max(1, len(companies) // 25)
        chosen = rng.permutation(companies)
        heads, branches = chosen[:n_branch], chosen[n_branch:2 * n_branch]
        for h, b in zip(heads.tolist(), branches.tolist(), strict=True):
            place = cust.district[b] if cust.city[b] == cust.city[h] else cust.city[b]
            cust.names[b] = f"{cust.names[h]}{_short(place)}分公司"
            pairs.append((b, h, RelationType.BRANCH_OF.value, "总部统一结算"))
    dealers = np.flatnonzero(cust.type_idx == DEALER)
    shops = np.flatnonzero(np.array([k == "shop" for k in cust.kind]))
    if len(dealers) and len(shops):
        buyers = shops[rng.random(len(shops)) < 0.25]
        by_territory = {t: dealers[cust.territory_idx[dealers] == t] for t in np.unique(cust.territory_idx).tolist()}
        for s in buyers.tolist():
            local = by_territory.get(int(cust.territory_idx[s]), np.empty(0, dtype=np.int64))
            pool = local if len(local) else dealers
            pairs.append((s, int(pool[rng.integers(0, len(pool))]), RelationType.BUYS_THROUGH.value, ""))
    newcomers = np.flatnonzero((cust.join_day > 30) & (rng.random(cust.n) < 0.03))
    if not len(newcomers):  # a tiny demo still shows one referral
        newcomers = np.flatnonzero(cust.join_day > 30)[:1]
    older = np.argsort(cust.join_day, kind="stable")
    sorted_join = cust.join_day[older]
    for c in newcomers.tolist():
        earlier = older[: int(np.searchsorted(sorted_join, cust.join_day[c], side="left"))]
        if len(earlier):
            pairs.append((c, int(earlier[rng.integers(0, len(earlier))]), RelationType.REFERRED_BY.value, "老客户介绍"))
    return {
        "id": list(range(first_id, first_id + len(pairs))),
        "from_customer_id": [int(cust.ids[a]) for a, _b, _t, _n in pairs],
        "to_customer_id": [int(cust.ids[b]) for _a, b, _t, _n in pairs],
        "relation_type": [t for _a, _b, t, _n in pairs],
        "notes": [n for _a, _b, _t, n in pairs],
    }
