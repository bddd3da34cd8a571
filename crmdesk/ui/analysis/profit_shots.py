"""The whale curve of the screenshot shop (``report profit-curve``'s chart) for
docs/screenshots/profit_whale_curve.png: customers sorted by profit, cumulative profit as a
share of the total, the loss-making customers shaded. Writes nothing to the database."""

from __future__ import annotations

from pathlib import Path

WHALE_SIZE_IN = (9.0, 5.0)


def save_profit_screenshots(ctx, out_dir: Path) -> dict[str, Path]:
    from crmdesk.reports.access import run_report
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.registry import get

    out_dir.mkdir(parents=True, exist_ok=True)
    spec = get("profit-curve")
    options = {o.name: o.default for o in spec.options}
    with ctx.read() as session:
        df = run_report(session, ctx.actor, spec, ReportFilters(), options)
    figure = spec.chart(df, options)
    figure.set_size_inches(*WHALE_SIZE_IN)
    path = out_dir / "profit_whale_curve.png"
    figure.savefig(path, dpi=100)
    return {"profit_whale_curve": path}
