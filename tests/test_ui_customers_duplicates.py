"""Issue 14, items 5 and 6 on screen: the new-customer form warns about a near-duplicate name
and says why; "Find duplicates…" in the Customers page's menu lists pairs with reasons and opens
the merge dialog on one; Settings → Customer codes shows and fixes the numbering."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from test_customers_support import make_customer
from ui_customers_support import boxes  # noqa: F401 - fixture

from crmdesk.db.models import Customer
from crmdesk.ui.context import AppContext

pytestmark = pytest.mark.gui


@pytest.fixture
def shop(db, owner):
    with db.sessions.begin() as s:
        make_customer(s, owner, "佛山市南海华通文具批发", code="KH000001", city="佛山", district="南海区")
        make_customer(s, owner, "深圳晨星教育咨询服务中心", code="KH000002", phone="0755-2666 8888")
        make_customer(s, owner, "深圳市晨星教育咨讯服务中心有限公司", code="KH000003", city="深圳市")
        make_customer(s, owner, "华强文具店", code="KH000004", mobile="13800001111")
        make_customer(s, owner, "东莞华强办公", code="KH000005", mobile="138 0000 1111")
    return AppContext(db=db, actor=owner)


def test_new_customer_form_warns_about_a_near_duplicate_name_with_the_reason(shop, qtbot, boxes):
    from crmdesk.ui.customers.form.dialog import CustomerFormDialog

    form = CustomerFormDialog(shop, None)
    qtbot.addWidget(form)
    form.show()
    form.basic.name_edit.setText("佛山南海华通文具批发部")
    boxes.answer = QMessageBox.StandardButton.No
    assert not form.save()
    warning = boxes.shown[-1][1]
    assert "KH000001" in warning and "华通文具" in warning
    boxes.answer = QMessageBox.StandardButton.Yes
    assert form.save()
    with shop.read() as s:
        # The new code continues the shop's KH numbering (item 6).
        assert s.scalar(select(Customer.code).where(Customer.id == form.customer_id)) == "KH000006"


def test_find_duplicates_lists_pairs_with_reasons_and_opens_the_merge_dialog(shop, qtbot, boxes):
    from crmdesk.ui.customers import page_actions
    from crmdesk.ui.customers.page import CustomersPage

    page = CustomersPage(shop)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    labels = [a.text() for a in page.view.more_menu.actions()]
    assert any("duplicates" in label.lower() for label in labels)
    dialog = page_actions.find_duplicates(page)
    qtbot.waitUntil(lambda: dialog.scan is not None, timeout=10_000)
    rows = {(dialog.table.item(r, 0).text()[:8], dialog.table.item(r, 1).text()[:8]): dialog.table.item(r, 2).text()
            for r in range(dialog.table.rowCount())}
    assert set(rows) == {("KH000002", "KH000003"), ("KH000004", "KH000005")}
    assert "%" in rows[("KH000002", "KH000003")] and "0000 1111" in rows[("KH000004", "KH000005")]
    assert "2" in dialog.status_label.text()
    dialog.table.selectRow(1)
    merge = dialog.merge_selected()
    qtbot.addWidget(merge)
    pair = dialog.table.item(1, 0).data(Qt.ItemDataRole.UserRole)
    assert (merge.survivor.selected_id, merge.duplicate.selected_id) == pair
    merge.do_merge()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5_000)
    with shop.read() as s:
        assert s.get(Customer, pair[1]) is None


def test_settings_section_shows_and_fixes_the_numbering(shop, qtbot, boxes):
    from crmdesk.ui.settings.codes_section import PATTERN_COLUMN, CodesSection

    section = CodesSection(shop)
    qtbot.addWidget(section)
    section.show()
    first = [section.table.item(0, c).text() for c in range(4)]
    assert first[2:] == ["KH######", "KH000006"]
    last = section.table.rowCount() - 1
    section.table.item(last, PATTERN_COLUMN).setText("JX####")
    assert section.save()
    assert section.table.item(last, 3).text() == "JX0001"
    section.table.item(last, PATTERN_COLUMN).setText("JX")
    assert not section.save()
    assert "KH######" in boxes.shown[-1][1]
