"""People's names, phone numbers and similar small generated values."""

from __future__ import annotations

import numpy as np

from crmdesk.demo.names import GIVEN_CHARS, SURNAMES

# Area codes of the cities in names.PLACES (landlines look like 020-87654321).
AREA_CODES = {
    "广州市": "020", "深圳市": "0755", "佛山市": "0757", "东莞市": "0769", "珠海市": "0756", "中山市": "0760",
    "惠州市": "0752", "江门市": "0750", "南宁市": "0771", "桂林市": "0773", "海口市": "0898", "福州市": "0591",
    "厦门市": "0592", "上海市": "021", "南京市": "025", "苏州市": "0512", "杭州市": "0571", "宁波市": "0574",
    "济南市": "0531", "青岛市": "0532", "北京市": "010", "天津市": "022", "石家庄市": "0311", "武汉市": "027",
    "长沙市": "0731", "郑州市": "0371", "成都市": "028", "重庆市": "023", "昆明市": "0871",
}
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                   "176", "177", "180", "186", "187", "188", "189", "198", "199")


NAME_POOL = 8000  # distinct names per call at most: big shops have many 张伟 and 王芳


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """Surname + one or two given characters; common surnames far more likely, as in life.

    Drawn from a pool of at most NAME_POOL names, so a big demo repeats names as a big
    customer base does (and their pinyin search keys are computed once per name)."""
    if n <= 2 * NAME_POOL:
        return _fresh_names(rng, n)
    pool = _fresh_names(rng, NAME_POOL)
    return [pool[i] for i in rng.integers(0, len(pool), n).tolist()]


def _fresh_names(rng: np.random.Generator, n: int) -> list[str]:
    surname_weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
    surnames = rng.choice(len(SURNAMES), n, p=surname_weights / surname_weights.sum())
    first = rng.integers(0, len(GIVEN_CHARS), n)
    second = rng.integers(0, len(GIVEN_CHARS), n)
    two = rng.random(n) < 0.7
    return [SURNAMES[s] + GIVEN_CHARS[a] + (GIVEN_CHARS[b] if t else "")
            for s, a, b, t in zip(surnames.tolist(), first.tolist(), second.tolist(), two.tolist(), strict=True)]


def mobiles(rng: np.random.Generator, n: int) -> list[str]:
    prefixes = rng.integers(0, len(MOBILE_PREFIXES), n).tolist()
    tails = rng.integers(0, 100_000_000, n).tolist()
    return [f"{MOBILE_PREFIXES[p]}{t:08d}" for p, t in zip(prefixes, tails, strict=True)]


def landlines(rng: np.random.Generator, cities: list[str]) -> list[str]:
    numbers = rng.integers(20_000_000, 89_999_999, len(cities)).tolist()
    return [f"{AREA_CODES.get(c, '020')}-{num}" for c, num in zip(cities, numbers, strict=True)]


def credit_codes(rng: np.random.Generator, n: int, kind: str = "91") -> list[str]:
    """Unified social credit codes (统一社会信用代码): 18 characters, ``91`` for companies."""
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    body = alphabet[rng.integers(0, len(alphabet), (n, 10))]
    regions = rng.choice(["440101", "440106", "440300", "440604", "441900", "310115", "110105"], n)
    return [f"{kind}{r}{''.join(b)}" for r, b in zip(regions.tolist(), body.tolist(), strict=True)]


def pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], n: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), n).tolist()]
