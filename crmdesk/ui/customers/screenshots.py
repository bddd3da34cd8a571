"""Screenshots of the customer list and the customer form with Chinese demo data.

    python -m crmdesk.ui.customers.screenshots [OUT_DIR]   (default docs/screenshots)

``save_customer_screenshots(ctx, out_dir)`` is the part the shell's screenshot
script can call with its own context; ``main`` makes a temporary demo shop.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

log = logging.getLogger(__name__)

LIST_SIZE = (1280, 760)
FORM_SIZE = (1100, 720)


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
    from crmdesk.ui.widgets.grab import pause, save_grab

    out_dir.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    page = CustomersPage(ctx)
    page.resize(*LIST_SIZE)
    page.show()
    page.activate()
    pause()
    page.view.search_edit.setText("sh")  # pinyin initials: 上海…, 深圳…
    page.requery()
    pause()
    saved["customers_list"] = save_grab(page, out_dir / "customers_list.png")

    customer_id = _busiest_customer(ctx) or page.model.id_at(0)
    if customer_id is not None:
        form = CustomerFormDialog(ctx, customer_id)
        form.resize(*FORM_SIZE)
        form.show()
        form.tabs.setCurrentWidget(form.purchases)
        pause(500)
        saved["customer_form"] = save_grab(form, out_dir / "customer_form.png")
        form.dirty = False
        form.close()
    page.close()
    saved.update(_contact_screenshots(ctx, out_dir))
    return saved


def _contact_screenshots(ctx, out_dir: Path) -> dict[str, Path]:
    """contact_dialog.png (phones, emails and handles of one contact) and address_book.png (the
    preview of real vCards from the test corpus, before anything is written)."""
    from crmdesk.importers.address_book_file import plan_files
    from crmdesk.services.contacts import list_contacts
    from crmdesk.ui.customers.dialogs.address_book_dialog import AddressBookDialog
    from crmdesk.ui.customers.dialogs.contact_dialog import ContactDialog
    from crmdesk.ui.widgets.grab import pause, save_grab

    saved: dict[str, Path] = {}
    customer_id = _busiest_customer(ctx)
    with ctx.read() as session:
        contacts = list_contacts(session, ctx.actor, customer_id) if customer_id else []
    if contacts:
        dialog = ContactDialog(max(contacts, key=lambda c: len(c.points)))
        dialog.show()
        pause()
        saved["contact_dialog"] = save_grab(dialog, out_dir / "contact_dialog.png")
        dialog.close()
    corpus = Path(__file__).resolve().parents[3] / "tests" / "data" / "real" / "vcard"
    files = [corpus / n for n in ("ezvcard_gmail-list.vcf", "ezvcard_John_Doe_IPHONE.vcf", "android_v30_simple.vcf")]
    if all(f.exists() for f in files):  # a source checkout: the corpus is not package data
        with ctx.read() as session:
            plan = plan_files(session, ctx.actor, files)
        book = AddressBookDialog(plan)
        book.show()
        pause()
        saved["address_book"] = save_grab(book, out_dir / "address_book.png")
        book.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    from crmdesk.ui.screenshots import run_alone

    return run_alone(save_customer_screenshots, argv, expected=2)


if __name__ == "__main__":
    sys.exit(main())
