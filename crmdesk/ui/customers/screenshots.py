"""Screenshots of the customer list and the customer form with Chinese demo data.

    python -m crmdesk.ui.customers.screenshots [OUT_DIR]   (default docs/screenshots)

``save_customer_screenshots(ctx, out_dir)`` is the part the shell's screenshot
script can call with its own context; ``main`` makes a temporary demo shop.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

log = logging.getLogger(__name__)

LIST_SIZE = (1280, 760)
FORM_SIZE = (1100, 720)


def _settle(ms: int = 300) -> None:
    from PySide6.QtTest import QTest

    QTest.qWait(ms)


def _busiest_customer(ctx) -> int | None:
    from crmdesk.db.models import SalesOrder

    with ctx.read() as session:
        row = session.execute(select(SalesOrder.customer_id, func.count()).group_by(SalesOrder.customer_id)
                              .order_by(func.count().desc()).limit(1)).first()
    return row[0] if row else None


def save_customer_screenshots(ctx, out_dir: Path) -> dict[str, Path]:
    """customers_list.png (a pinyin search typed in) and customer_form.png (Purchases tab)."""
    from crmdesk.ui.customers.form.dialog import CustomerFormDialog
    from crmdesk.ui.customers.page import CustomersPage

    out_dir.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    page = CustomersPage(ctx)
    page.resize(*LIST_SIZE)
    page.show()
    page.activate()
    _settle()
    page.view.search_edit.setText("sh")  # pinyin initials: 上海…, 深圳…
    page.requery()
    _settle()
    path = out_dir / "customers_list.png"
    if not page.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    saved["customers_list"] = path

    customer_id = _busiest_customer(ctx) or page.model.id_at(0)
    if customer_id is not None:
        form = CustomerFormDialog(ctx, customer_id)
        form.resize(*FORM_SIZE)
        form.show()
        form.tabs.setCurrentWidget(form.purchases)
        _settle(500)
        path = out_dir / "customer_form.png"
        if not form.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        saved["customer_form"] = path
        form.dirty = False
        form.close()
    page.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = Path(args[0] if args else "docs/screenshots").resolve()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="crmdesk-customer-shots-") as home:
        os.environ["CRMDESK_HOME"] = home
        os.environ["CRMDESK_LANG"] = "zh_CN"
        from crmdesk.ui.app import create_application, prepare_application
        from crmdesk.ui.context import AppContext
        from crmdesk.ui.screenshots import build_demo_database, owner_actor

        app = create_application([sys.argv[0]])
        prepare_application(app, "zh_CN")
        db = build_demo_database(Path(home) / "demo.db")
        try:
            saved = save_customer_screenshots(AppContext(db=db, actor=owner_actor(db)), out_dir)
        finally:
            db.dispose()
    for name, path in saved.items():
        print(f"{name}: {path}")
    return 0 if len(saved) == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
