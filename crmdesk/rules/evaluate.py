"""Conditions over a measure frame: which customers match (all conditions must hold), the values
that made them match, and one line saying why. A missing value (no purchase yet, no credit
limit) matches only ``is_empty``; every other comparison with it is false."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.money import MONEY_SCALE
from crmdesk.rules.catalog import COMPANIONS, describe_condition, spec_map
from crmdesk.rules import measures
from crmdesk.rules.measures import MULTI_KEYS, MeasureFrame
from crmdesk.rules.model import Condition, Hit, MeasureSpec

_CMP = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
        "=": np.equal, "!=": np.not_equal}
MONEY_KEYS_KIND = "money"


def column_of(frame: MeasureFrame, key: str) -> str:
    return "owner" if key == "owner" else key


def _numeric_value(spec: MeasureSpec, value: Any) -> float:
    v = float(value)
    return v * MONEY_SCALE if spec.kind == "money" else v


def _multi_mask(frame: MeasureFrame, c: Condition) -> np.ndarray:
    pairs = frame.pairs.get(c.measure)
    index = frame.df.index
    if pairs is None or pairs.empty:
        has_any = np.zeros(len(index), dtype=bool)
        hits = has_any
    else:
        has_any = index.isin(pairs["customer_id"].to_numpy())
        values = c.value if isinstance(c.value, (list, tuple)) else [c.value]
        wanted = {str(v) for v in values or []}
        sel = pairs["value"].astype(str).isin(wanted)
        hits = index.isin(pairs.loc[sel, "customer_id"].to_numpy())
    if c.op == "is_empty":
        return ~has_any
    if c.op == "not_empty":
        return has_any
    if c.op == "not_in":
        return ~hits
    return hits  # contains / in


def condition_mask(frame: MeasureFrame, c: Condition, spec: MeasureSpec) -> np.ndarray:
    if c.measure in MULTI_KEYS:
        return np.asarray(_multi_mask(frame, c), dtype=bool)
    col = frame.df[column_of(frame, c.measure)]
    if spec.kind in ("number", "money", "percent", "days", "ratio") or c.measure == "owner":
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64")
        present = ~np.isnan(values)
        if c.op == "is_empty":
            return ~present
        if c.op == "not_empty":
            return present
        if c.op in ("in", "not_in"):
            wanted = np.asarray([_numeric_value(spec, v) for v in c.value], dtype="float64")
            inside = np.isin(values, wanted) & present
            return inside if c.op == "in" else present & ~inside
        with np.errstate(invalid="ignore"):
            out = _CMP[c.op](values, _numeric_value(spec, c.value))
            if spec.kind != "money" and c.op in ("=", "!="):  # 2.0 equals 2 however it was computed
                close = np.isclose(values, float(c.value))
                out = close if c.op == "=" else ~close
        return out & present
    text = col.fillna("").astype(str)
    present = (text != "").to_numpy()
    if c.op == "is_empty":
        return ~present
    if c.op == "not_empty":
        return present
    if c.op in ("in", "not_in"):
        inside = text.isin([str(v) for v in c.value]).to_numpy()
        return inside if c.op == "in" else present & ~inside
    if c.op == "contains":
        return text.str.contains(str(c.value), regex=False).to_numpy() & present
    # "=" / "!=" for text and choices; the order operators for dates (ISO texts sort as dates)
    return np.asarray(_CMP[c.op](text.to_numpy(dtype=object), str(c.value)), dtype=bool) & present


def match(frame: MeasureFrame, conditions: tuple[Condition, ...], specs: dict[str, MeasureSpec]) -> np.ndarray:
    mask = np.ones(len(frame.df), dtype=bool)
    for c in conditions:
        mask &= condition_mask(frame, c, specs[c.measure])
    return mask


def display_value(spec: MeasureSpec | None, value: Any) -> Any:
    """A measure's value as shown and stored in ``matched`` (money in yuan, ratios to 0.1)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (tuple, list)):
        return list(value)
    if spec is None:
        return value.item() if hasattr(value, "item") else value
    if spec.kind == "money":
        return round(int(value) / MONEY_SCALE, 2)
    if spec.kind in ("percent", "ratio"):
        return round(float(value), 1)
    if spec.kind in ("days", "number"):
        f = float(value)
        return int(f) if f.is_integer() else round(f, 1)
    if spec.kind == "choice" and spec.choices and c_is_number(value):
        return int(value)
    return value.item() if hasattr(value, "item") else value


def c_is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _label_of(spec: MeasureSpec | None, value: Any) -> str:
    if value is None:
        return "—"
    if spec is not None and spec.choices:
        labels = {str(k): v for k, v in spec.choices}
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if spec is not None and spec.kind == "money":
        return f"¥{value:,.2f}"
    if spec is not None and spec.kind == "percent":
        return f"{value}%"
    return str(value)


def _reason_part(key: str, shown: dict[str, Any], specs: dict[str, MeasureSpec]) -> str:
    part = f"{specs[key].label} {_label_of(specs[key], shown.get(key))}"
    beside = [f"{specs[k].label} {_label_of(specs[k], shown.get(k))}"
              for k in COMPANIONS.get(key, ()) if k in specs and k in shown]
    return f"{part} ({', '.join(beside)})" if beside else part


def hits(session, frame: MeasureFrame, mask: np.ndarray, conditions: tuple[Condition, ...], extra_keys: set[str],
         specs: dict[str, MeasureSpec], fired: dict[tuple[int, str], int] | None = None
         ) -> tuple[list[Hit], list[dict[str, Any]]]:
    """The matching customers as Hits, and per hit the display values of every measure a template
    may name (``extra_keys``), for rendering actions."""
    df = frame.df[mask]
    keys = list(dict.fromkeys([c.measure for c in conditions] + sorted(extra_keys)))
    columns: dict[str, list] = {}
    for key in keys:
        if key in MULTI_KEYS:
            pairs = frame.pairs.get(key)
            grouped = (pairs.groupby("customer_id")["value"].agg(list) if pairs is not None and not pairs.empty
                       else pd.Series(dtype=object))
            columns[key] = [sorted(grouped.get(i, [])) for i in df.index]
        elif column_of(frame, key) in df.columns:
            columns[key] = df[column_of(frame, key)].tolist()
    case_ids = frame.case_ids.reindex(df.index).tolist() if frame.case_ids is not None and any(
        c.measure == "last_satisfaction" for c in conditions) else None
    cond_keys = [c.measure for c in conditions]
    labels = measures.names(session, df.index.tolist()) if session is not None else {}
    out, values = [], []
    for i, cid in enumerate(df.index.tolist()):
        shown = {k: display_value(specs.get(k), columns[k][i]) for k in columns}
        matched = {k: shown[k] for k in cond_keys if k in shown}
        reason = "; ".join(_reason_part(k, shown, specs) for k in dict.fromkeys(cond_keys) if k in specs)
        key = f"case:{int(case_ids[i])}" if case_ids is not None and pd.notna(case_ids[i]) else ""
        code, name = labels.get(int(cid), ("", ""))
        out.append(Hit(int(cid), code, name, matched, reason, key,
                       already_fired=bool(fired) and (int(cid), key) in fired))
        values.append(shown)
    return out, values


def describe(conditions: tuple[Condition, ...], specs: list[MeasureSpec]) -> str:
    table = spec_map(specs)
    return _(" and ").join(describe_condition(c, table) for c in conditions)


def today() -> dt.date:
    return dt.date.today()
