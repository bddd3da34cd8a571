"""Settlement in the GUI: the import wizard's "paid at sale" box, Settings → Settlement (rules,
customer types, applying them to the history) and the customer form's setting."""

from __future__ import annotations

import pytest
from data_import.helpers import GJP_HEADER, scalar, write
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from crmdesk.importers import import_file
from crmdesk.services.customers import CustomerInput, create_customer
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.dialog import CustomerFormDialog
from crmdesk.ui.importing.page import ImportPage
from crmdesk.ui.settings.settlement_section import SettlementSection
from crmdesk.ui.widgets import file_dialogs

TIMEOUT = 20_000
SALES = GJP_HEADER + "\n2024-03-07,XS-1,销售单,C1,门市客户,张三,总店,P001,中性笔,支,1,10,10,5\n" \
                     "2024-03-07,XS-2,销售单,D1,经销商甲,张三,总店,P001,中性笔,支,1,30,30,15\n"


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


@pytest.fixture
def boxes(monkeypatch):
    shown: list[tuple[str, str]] = []

    def fake(kind):
        def show(_parent, _title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.StandardButton.Yes if kind == "question" else QMessageBox.StandardButton.Ok
        return staticmethod(show)

    for kind in ("warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))
    return shown


def test_wizard_paid_at_sale_box_settles_the_file_and_shows_the_split(ctx, qtbot, monkeypatch, tmp_path):
    path = write(tmp_path, "sales.csv", SALES)
    page = ImportPage(ctx)
    qtbot.addWidget(page)
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(path)], ""))
    qtbot.mouseClick(page.wizard.step.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.wizard.step.pending, timeout=TIMEOUT)
    page.wizard.paid_at_sale_box.setChecked(True)
    qtbot.mouseClick(page.wizard.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.wizard.job is None, timeout=TIMEOUT)
    [result] = page.wizard.results
    assert result.status == "done" and (result.receivable, result.settled_at_sale) == (0, 40 * 10000)
    assert scalar(ctx.db, "SELECT COUNT(*) FROM sales_orders WHERE settlement = 'file'") == 2
    shown = [page.wizard.result_model.data(page.wizard.result_model.index(0, c))
             for c in range(page.wizard.result_model.columnCount())]
    assert any("¥40.00 settled at sale" in str(v) for v in shown)


def test_settings_section_saves_rules_and_applies_them_to_the_history(ctx, qtbot, boxes, tmp_path):
    import_file(ctx.db, ctx.actor, write(tmp_path, "sales.csv", SALES))  # stubs: the default, paid at sale
    assert scalar(ctx.db, "SELECT COUNT(*) FROM sales_orders WHERE settlement = 'at_sale'") == 2
    section = SettlementSection(ctx)
    qtbot.addWidget(section)
    section.show()
    assert "1." in section.rules_label.text() and "4." in section.rules_label.text()
    names = [section.types.item(r, 0).text() for r in range(section.types.rowCount())]
    assert names[:3] == ["零售客户", "直销客户", "经销商"]
    section.default_combo.setCurrentIndex(section.default_combo.findData("credit"))
    retail = section.types.cellWidget(0, 1)
    retail.setCurrentIndex(retail.findData("at_sale"))
    section.reapply()  # saves, previews, asks, applies
    assert any(kind == "question" and "¥40.00 become receivable" in text for kind, text in boxes)
    # the stubs have no type: the default (now on credit) decides for both
    assert scalar(ctx.db, "SELECT COUNT(*) FROM sales_orders WHERE settlement = 'credit'") == 2
    assert scalar(ctx.db, "SELECT value FROM settings WHERE key = 'settlement.default'") == "credit"
    assert scalar(ctx.db, "SELECT settlement FROM customer_types WHERE code = 'retail'") == "at_sale"
    section.grab().save(str(tmp_path / "settlement.png"))


def test_customer_form_keeps_the_settlement_and_says_why(ctx, qtbot, boxes):
    with ctx.db.sessions.begin() as s:
        cid = create_customer(s, ctx.actor, CustomerInput(name="学校采购", payment_terms_days=30)).id
    form = CustomerFormDialog(ctx, cid)
    qtbot.addWidget(form)
    form.show()
    combo = form.financial.settlement_combo
    assert combo.currentData() == ""
    assert "payment terms" in form.financial.settles_label.text()
    combo.setCurrentIndex(combo.findData("at_sale"))
    combo.activated.emit(combo.currentIndex())
    assert form.dirty
    assert form.save()
    assert scalar(ctx.db, "SELECT settlement FROM customers WHERE id = :i", i=cid) == "at_sale"
    assert scalar(ctx.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'customers' AND field = 'settlement'") == 1
