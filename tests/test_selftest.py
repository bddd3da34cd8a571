"""`crmdesk --self-test`: one line per step, exit 0 only when every step passed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import crmdesk.selftest as selftest

ROOT = Path(__file__).resolve().parents[1]


def test_the_self_test_passes_from_the_command_line(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CRMDESK_HOME=str(tmp_path / "home"))
    run = subprocess.run([sys.executable, "-m", "crmdesk.cli", "--lang", "en", "--self-test"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok    database", "ok    owner account", "ok    GBK import", "ok    report", "ok    chart", "ok    login window",
        "ok    Qt text services"]
    assert lines[-1] == "self-test passed"
    assert "sum 2730.00 yuan" in lines[2] and "no missing glyph" in lines[4]
    assert not (tmp_path / "home" / "data" / "crmdesk.db").exists()  # the user's data is never touched


def test_a_failing_step_is_reported_and_the_exit_code_is_1(tmp_path, monkeypatch, qapp):
    broken = tmp_path / "sales_gbk.csv"
    text = selftest.SAMPLE.read_bytes().decode("gbk").replace("2024-03-05,XS-003", "not a date,XS-003")
    broken.write_bytes(text.encode("gbk"))
    monkeypatch.setattr(selftest, "SAMPLE", broken)
    out = io.StringIO()
    assert selftest.run(out) == 1
    lines = out.getvalue().splitlines()
    assert lines[2].startswith("FAIL  GBK import: sales_gbk.csv") and "1 rejected" in lines[2]
    assert lines[0].startswith("ok    database")
    assert lines[-1] == "self-test FAILED: 2 of 7 steps"  # the report then finds 2 customers, not 3


def test_a_chart_with_a_character_no_font_has_is_caught(monkeypatch, qapp):
    # U+10FFFD (private use) is in no font: the chart check must notice, not pass blindly.
    monkeypatch.setattr(selftest, "CHART_TITLE", "自检\U0010fffd")
    out = io.StringIO()
    assert selftest.run(out) == 1
    assert "FAIL  chart: missing glyphs" in out.getvalue()
