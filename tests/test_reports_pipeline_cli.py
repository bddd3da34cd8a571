"""The part-2 reports (pipeline, win-rate, fulfilment, service, contact-activity, lifetime)
through ``crmdesk report`` on the demo shop: the documented columns, charts as PNG, sane values."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from cli_support import run_cli

from crmdesk.reports.activity import EFFECT_COLUMNS, MONTHLY_COLUMNS
from crmdesk.reports.fulfilment import MONTH_COLUMNS, ORDER_COLUMNS
from crmdesk.reports.lifetime import COLUMNS as LIFETIME_COLUMNS
from crmdesk.reports.pipeline import PIPELINE_COLUMNS, win_rate_columns
from crmdesk.reports.service import TREND_COLUMNS, TYPE_COLUMNS

CASES = [
    (("pipeline",), PIPELINE_COLUMNS),
    (("win-rate",), win_rate_columns("both")),
    (("win-rate", "--by", "month"), win_rate_columns("month")),
    (("fulfilment",), ORDER_COLUMNS),
    (("fulfilment", "--view", "monthly"), MONTH_COLUMNS),
    (("service",), TYPE_COLUMNS),
    (("service", "--view", "trend"), TREND_COLUMNS),
    (("contact-activity",), MONTHLY_COLUMNS),
    (("contact-activity", "--view", "effect"), EFFECT_COLUMNS),
    (("lifetime",), LIFETIME_COLUMNS),
]


@pytest.fixture
def dbfile(demo_db):
    return str(demo_db.file_path)


@pytest.mark.parametrize("args,columns", CASES, ids=[" ".join(a) for a, _c in CASES])
def test_columns_on_the_demo_shop(dbfile, capsys, args, columns):
    rc, out, err = run_cli(capsys, "--db", dbfile, "report", *args, user="owner")
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == columns
    assert len(rows) > 1  # the demo shop has data for every one of them


@pytest.mark.parametrize("args", [("pipeline",), ("win-rate",), ("service", "--view", "trend"), ("lifetime",)])
def test_charts_as_png(dbfile, capsys, tmp_path, args):
    out = tmp_path / "chart.png"
    rc, _out, err = run_cli(capsys, "--db", dbfile, "report", *args, "--out", str(out), user="owner")
    assert rc == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lifetime_values_are_sane(dbfile, capsys):
    rc, out, _err = run_cli(capsys, "--db", dbfile, "report", "lifetime", user="owner")
    df = pd.read_csv(io.StringIO(out))
    assert rc == 0
    assert df["p_alive"].between(0, 1).all()
    assert np.isfinite(df[["expected_purchases_12m", "expected_avg_spend", "expected_value_12m"]]).all().all()
    assert df["expected_value_12m"].is_monotonic_decreasing
    # Customers who buy often and recently are worth more than one-time buyers.
    assert df.head(20)["frequency"].mean() > df["frequency"].mean()
    assert df["customer_code"].is_unique


def test_pipeline_weighted_is_amount_times_probability(dbfile, capsys):
    _rc, out, _err = run_cli(capsys, "--db", dbfile, "report", "pipeline", user="owner")
    df = pd.read_csv(io.StringIO(out))
    assert (df["weighted_amount"] - df["amount"] * df["probability_pct"] / 100).abs().max() < 0.011
