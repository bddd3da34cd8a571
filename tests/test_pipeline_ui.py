"""The Pipeline page offscreen on the demo shop: drag and drop between stage columns (lost asks
the reason; cancel leaves the card), a salesperson's board, list export, the opportunity form
with items, "turn into opportunity", the customer form's tab and Settings → Pipeline."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from sqlalchemy import func, select
from ui_customers_support import boxes  # noqa: F401 - recorded message boxes

from crmdesk.db.models import Customer, Interaction, Opportunity, OpportunityStageChange
from crmdesk.money import to_units
from crmdesk.services.actor import actor_for_username
from crmdesk.services.customer_pipeline import list_opportunities
from crmdesk.services.interactions import InteractionInput, log_interaction
from crmdesk.services.opportunities import ItemInput, draft_from_interaction
from crmdesk.services.permissions import scope_customers
from crmdesk.ui.context import AppContext
from crmdesk.ui.pipeline import lost_reason_dialog
from crmdesk.ui.pipeline.board_model import encode_ids
from crmdesk.ui.pipeline.opportunity_dialog import OpportunityDialog
from crmdesk.ui.pipeline.page import PipelinePage


def _ctx(db, username: str) -> AppContext:
    with db.sessions() as s:
        return AppContext(db=db, actor=actor_for_username(s, username))


@pytest.fixture
def page(demo_db, qtbot, boxes):  # noqa: F811 - the fixture imported above
    p = PipelinePage(_ctx(demo_db, "owner"))
    qtbot.addWidget(p)
    p.resize(1400, 800)
    p.show()
    p.activate()
    return p


def _drop(page: PipelinePage, opportunity_id: int, stage_id: int) -> None:
    target = page.board.columns[stage_id].list
    mime = encode_ids([opportunity_id])  # kept alive: the event does not own it
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    target.dropEvent(event)


def _column_ids(page: PipelinePage, stage_id: int) -> list[int]:
    return [r.id for r in page.board.columns[stage_id].model.rows]


def test_drag_a_card_to_the_next_stage_records_the_history(page, demo_db):
    open_stages = [s for s in page.stages if not s.is_closing]
    source, target = open_stages[0], open_stages[1]
    card = page.board.columns[source.id].model.rows[0]
    _drop(page, card.id, target.id)
    assert card.id in _column_ids(page, target.id) and card.id not in _column_ids(page, source.id)
    with demo_db.sessions() as s:
        last = s.scalars(select(OpportunityStageChange).where(OpportunityStageChange.opportunity_id == card.id)
                         .order_by(OpportunityStageChange.id.desc())).first()
        assert (last.from_stage_id, last.to_stage_id) == (source.id, target.id)
        assert last.user_id == page.ctx.actor.user_id
    moved = page.board.row(card.id)
    assert moved.days_in_stage == 0


def test_drop_on_lost_asks_the_reason_and_cancel_leaves_the_card(page, demo_db, monkeypatch):
    lost = next(s for s in page.stages if s.is_lost)
    source = next(s for s in page.stages if not s.is_closing)
    card = page.board.columns[source.id].model.rows[0]
    asked = []

    def cancel(_parent, reasons, _text):
        asked.append(reasons)
        return None

    monkeypatch.setattr(lost_reason_dialog, "ask_lost_reason", cancel)
    _drop(page, card.id, lost.id)
    assert asked and "价格偏高" in asked[0]  # the editable list is offered
    assert card.id in _column_ids(page, source.id)
    with demo_db.sessions() as s:
        assert s.get(Opportunity, card.id).stage_id == source.id
    monkeypatch.setattr(lost_reason_dialog, "ask_lost_reason", lambda *_a: "客户预算取消")
    _drop(page, card.id, lost.id)
    assert card.id in _column_ids(page, lost.id)
    with demo_db.sessions() as s:
        opp = s.get(Opportunity, card.id)
        assert (opp.stage_id, opp.lost_reason, opp.closed_on) == (lost.id, "客户预算取消", dt.date.today())
        note = s.scalar(select(OpportunityStageChange.note).where(OpportunityStageChange.opportunity_id == card.id)
                        .order_by(OpportunityStageChange.id.desc()).limit(1))
        assert note == "客户预算取消"


def test_header_totals_and_stale_cards(page):
    figures = page.totals
    assert figures.open_count == sum(1 for r in page.rows if not
                                     next(s for s in page.stages if s.id == r.stage_id).is_closing)
    assert page.chart.figure is not None
    stale = [(c.model.stage, r) for c in page.board.columns.values() for r in c.model.rows if c.model.is_stale(r)]
    assert stale  # the demo has a few
    closing = next(s for s in page.stages if s.is_won)
    assert "30" in page.board.columns[closing.id].title.text()


def test_a_salespersons_board_holds_only_their_customers(demo_db, qtbot):
    ctx = _ctx(demo_db, "sales1")
    p = PipelinePage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    with demo_db.sessions() as s:
        visible = set(s.scalars(scope_customers(select(Customer.id), ctx.actor)).all())
        total = s.scalar(select(func.count()).select_from(Opportunity))
    shown = [r for c in p.board.columns.values() for r in c.model.rows]
    assert shown and {r.customer_id for r in shown} <= visible
    assert len(shown) < total
    assert p.list.model.rowCount() == 0  # the list fills when first shown
    p.list_button.click()
    assert p.list.model.rowCount() == len(shown)


def test_list_sorts_filters_and_exports_what_it_shows(page, tmp_path, demo_db):
    page.list_button.click()
    assert page.stack.currentIndex() == 1
    page.list.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    ids = page.list.shown_ids()
    amounts = {r.id: r.amount for r in page.rows}
    assert [amounts[i] for i in ids] == sorted(amounts.values(), reverse=True)
    n = page.export_to(tmp_path / "pipeline.xlsx")
    assert n == len(page.rows)
    ws = load_workbook(tmp_path / "pipeline.xlsx").active
    assert ws.max_row == n + 1
    top = next(r for r in page.rows if r.id == ids[0])
    assert ws["B2"].value == top.name
    stage = next(s for s in page.stages if s.id == page.rows[0].stage_id)
    page.filters.stage.setCurrentIndex(page.filters.stage.findData(stage.id))
    assert {r.stage_id for r in page.rows} == {stage.id}


def test_new_opportunity_form_items_make_the_amount(demo_db, qtbot, boxes):  # noqa: F811
    ctx = _ctx(demo_db, "owner")
    with demo_db.sessions() as s:
        customer = s.scalar(select(Customer.id).order_by(Customer.id).limit(1))
    dialog = OpportunityDialog(ctx, customer_id=customer)
    qtbot.addWidget(dialog)
    dialog.name.setText("新学期文具")
    dialog.items.add_item(ItemInput(description="中性笔", quantity=100, unit_price=to_units("1.5")))
    dialog.items.add_item(ItemInput(description="笔记本", quantity=20, unit_price=to_units("3.25")))
    assert not dialog.amount.isEnabled() and dialog.amount.text() == "215.00"
    dialog.save()
    assert dialog.saved_id is not None, boxes.shown
    with demo_db.sessions() as s:
        opp = s.get(Opportunity, dialog.saved_id)
        assert (opp.customer_id, opp.amount, opp.name) == (customer, to_units("215"), "新学期文具")
    again = OpportunityDialog(ctx, dialog.saved_id)
    qtbot.addWidget(again)
    assert again.items.table.rowCount() == 2 and again.history.rowCount() == 1


def test_turn_a_contact_log_entry_into_an_opportunity(demo_db, qtbot, boxes):  # noqa: F811
    ctx = _ctx(demo_db, "owner")
    with demo_db.sessions.begin() as s:
        customer = s.scalar(select(Customer.id).order_by(Customer.id).limit(1))
        entry = log_interaction(s, ctx.actor, customer, InteractionInput(
            channel="call", subject="复印纸年度供货", notes="每月50箱"))
        entry_id = entry.id
    with demo_db.sessions() as s:
        draft = draft_from_interaction(s, ctx.actor, entry_id)
    dialog = OpportunityDialog(ctx, customer_id=customer, draft=draft, from_interaction_id=entry_id)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "复印纸年度供货" and "每月50箱" in dialog.notes.toPlainText()
    dialog.save()
    with demo_db.sessions() as s:
        assert s.get(Interaction, entry_id).opportunity_id == dialog.saved_id is not None


def test_customer_form_tab_lists_and_opens(demo_db, qtbot, monkeypatch):
    from crmdesk.ui.customers.form.opportunities_tab import OpportunitiesTab
    from crmdesk.ui.pipeline import opportunity_dialog

    ctx = _ctx(demo_db, "owner")
    with demo_db.sessions() as s:
        customer = s.scalar(select(Opportunity.customer_id).limit(1))
        infos = list_opportunities(s, ctx.actor, customer)

    class Host:
        pass

    host = Host()
    host.ctx, host.customer_id = ctx, customer
    tab = OpportunitiesTab(host)
    qtbot.addWidget(tab)
    tab.load(infos)
    assert tab.table.rowCount() == len(infos)
    opened = []
    monkeypatch.setattr(opportunity_dialog, "open_opportunity", lambda _c, _p, oid=None, **kw: opened.append((oid, kw)))
    tab.new()
    tab.open(infos[0].id)
    assert opened == [(None, {"customer_id": customer}), (infos[0].id, {})]


def test_settings_section_saves_stages_and_reasons(demo_db, qtbot, boxes):  # noqa: F811
    from crmdesk.ui.settings.pipeline_section import NAME, PROB, PipelineSection

    ctx = _ctx(demo_db, "owner")
    section = PipelineSection(ctx)
    qtbot.addWidget(section)
    section.stages.item(0, PROB).setText("15")
    section.stages.item(0, NAME).setText("初步接触")
    assert section.save_stages(), boxes.shown
    assert section.stages.item(0, NAME).text() == "初步接触"
    section.stages.item(1, PROB).setText("150")
    assert not section.save_stages()
    assert any("between 0 and 100" in text for _k, text in boxes.shown)
    assert section.add_reason("样品不满意")
    assert section.reasons.item(section.reasons.count() - 1).text() == "样品不满意"
