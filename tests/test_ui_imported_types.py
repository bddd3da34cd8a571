"""A customer type an import created is a real type everywhere (issue 14, item 3): the form's
box shows its name (not its id "5") even when the list's choices were read before the import,
and the list's type filter offers it once the import is announced."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures

from crmdesk.db.models import Customer, CustomerType
from crmdesk.ui.importing.import_job import IMPORT_ENTITIES


def _import_a_new_type(ctx) -> tuple[int, int]:
    """What importers.refs.type_ids does for Superstore's segments: a new type row, customers on it."""
    with ctx.db.sessions.begin() as s:
        type_id = s.execute(insert(CustomerType).values(code="Corporate", name="Corporate", sort_order=9)
                            .returning(CustomerType.id)).scalar_one()
        cid = s.scalar(select(Customer.id).order_by(Customer.id))
        s.execute(update(Customer).where(Customer.id == cid).values(type_id=type_id))
    return type_id, cid


def test_form_opened_with_stale_choices_names_the_imported_type(page, ctx, qtbot):
    qtbot.waitUntil(lambda: page.choices is not None)
    type_id, cid = _import_a_new_type(ctx)
    form = page.open_customer(cid)
    form = form or page.forms[cid]
    qtbot.addWidget(form)
    combo = form.basic.type_combo
    assert combo.currentData() == type_id
    assert combo.currentText() == "Corporate"


def test_list_filter_offers_the_imported_type_after_an_import(page, ctx, qtbot):
    qtbot.waitUntil(lambda: page.choices is not None)
    _import_a_new_type(ctx)
    combo = page.view.filter_bar.type_combo
    assert combo.findText("Corporate") < 0
    ctx.bus.announce(*IMPORT_ENTITIES)
    qtbot.waitUntil(lambda: combo.findText("Corporate") >= 0, timeout=5000)
