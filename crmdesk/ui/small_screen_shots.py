"""The 1024×700 screenshots (``make screenshots``): the customer list, the customer form and
the dashboard as a shop monitor with a taskbar shows them, so a layout that stops reflowing
(a cut button, a sideways scrollbar, a hidden KPI tile) shows up in the docs."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize

from crmdesk.ui.widgets.grab import pause, save_grab, wait_until

log = logging.getLogger(__name__)

SMALL_SCREEN = QSize(1024, 700)


def save_small_screen_shots(window, out_dir: Path) -> dict[str, Path]:
    """customers_list_1024.png, customer_form_1024.png and analysis_dashboard_1024.png from the
    main ``window`` (resized to 1024×700 meanwhile, then put back)."""
    from crmdesk.ui.analysis.screenshots import _wait_idle
    from crmdesk.ui.customers.form.dialog import FORM_SIZE, CustomerFormDialog
    from crmdesk.ui.customers.screenshots import _busiest_customer
    from crmdesk.ui.widgets.screen_fit import fit_to_screen

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    before = window.size()
    window.resize(SMALL_SCREEN)
    try:
        page = window.show_page("customers")
        wait_until(lambda: page.model.rowCount() > 0, after_ms=400)
        saved["customers_list_1024"] = save_grab(window, out_dir / "customers_list_1024.png")

        customer_id = _busiest_customer(window.ctx) or page.model.id_at(0)
        if customer_id is not None:
            form = CustomerFormDialog(window.ctx, customer_id)
            fit_to_screen(form, FORM_SIZE, SMALL_SCREEN)
            form.show()
            pause(500)
            saved["customer_form_1024"] = save_grab(form, out_dir / "customer_form_1024.png")
            form.dirty = False
            form.close()

        analysis = window.show_page("analysis")
        if analysis is not None and hasattr(analysis, "show_view"):
            _wait_idle(analysis.show_view("dashboard"))
            pause(400)
            saved["analysis_dashboard_1024"] = save_grab(window, out_dir / "analysis_dashboard_1024.png")
    finally:
        window.resize(before)
    for path in saved.values():
        log.info("saved %s", path)
    return saved
