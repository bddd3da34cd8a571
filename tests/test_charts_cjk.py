"""Charts draw Chinese with a real CJK font: no missing-glyph warnings."""

from __future__ import annotations

import logging
import warnings
from io import BytesIO

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from crmdesk.charts.fonts import configure_matplotlib, installed_cjk_families
from crmdesk.charts.sample import monthly_revenue_figure, sample_monthly_revenue
from crmdesk.i18n import set_language


def _render(fig: Figure, caplog) -> list[str]:
    """Render to PNG; return every glyph/font complaint matplotlib made."""
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")
        buffer = BytesIO()
        fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:4] == b"\x89PNG"
    complaints = [str(w.message) for w in caught]
    complaints += [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]
    return [c for c in complaints if "Glyph" in c or "missing from" in c or "findfont" in c]


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_chinese_sample_chart_renders_without_missing_glyphs(caplog):
    set_language("zh_CN")
    found = configure_matplotlib()
    assert "WenQuanYi Micro Hei" in found
    fig = monthly_revenue_figure(sample_monthly_revenue())
    ax = fig.axes[0]
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *[t.get_text() for t in ax.get_xticklabels()]]
    assert all(_has_cjk(t) for t in texts[:3])
    assert _render(fig, caplog) == []
    used = font_manager.FontProperties(fname=font_manager.findfont(ax.title.get_fontproperties())).get_name()
    assert used in installed_cjk_families()


def test_the_check_would_notice_a_font_without_chinese(caplog):
    # Guard for the test above: with only DejaVu Sans, matplotlib does complain.
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.sans-serif": ["DejaVu Sans"]}):
        fig = Figure()
        fig.add_subplot().set_title("月度销售额")
        assert _render(fig, caplog) != []


def test_configuring_again_after_a_reset_restores_the_cjk_fonts():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        assert matplotlib.rcParams["font.sans-serif"][0] not in installed_cjk_families()
        found = configure_matplotlib()
        assert matplotlib.rcParams["font.sans-serif"][: len(found)] == list(found)
        assert matplotlib.rcParams["axes.unicode_minus"] is False
