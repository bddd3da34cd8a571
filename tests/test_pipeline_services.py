"""The pipeline's core: opportunities with items, stage moves and their history, stage and
lost-reason settings, the board query with its scoping and the weighted totals."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crmdesk.db.models import AuditLog, Interaction, Opportunity, OpportunityStage
from crmdesk.money import to_units
from crmdesk.services import opportunities as svc
from crmdesk.services import pipeline_settings as settings
from crmdesk.services.actor import Actor, actor_for_username
from crmdesk.services.customer_errors import ConcurrencyError, ValidationError
from crmdesk.services.interactions import InteractionInput, log_interaction
from crmdesk.services.opportunity_board import BoardFilter, BoardRow, StageInfo, board_rows, board_stages, totals
from crmdesk.services.opportunity_export import export_opportunities
from crmdesk.services.permissions import PermissionDenied, scope_customers
from crmdesk.db.models import Customer
from test_customers_support import make_customer, product


def _stages(s) -> dict[str, OpportunityStage]:
    return {st.name: st for st in s.scalars(select(OpportunityStage)).all()}


@pytest.fixture
def shop(db, owner):
    with db.sessions.begin() as s:
        customer = make_customer(s, owner, "广州文具店").id
        pen = product(s, "P1").id
    return db, owner, customer, pen


def test_items_make_the_amount_and_owner_defaults_to_the_actor(shop):
    db, actor, customer, pen = shop
    with db.sessions.begin() as s:
        opp = svc.create_opportunity(s, actor, svc.OpportunityInput(
            customer_id=customer, name="开学季", amount=to_units("999"),
            items=[svc.ItemInput(product_id=pen, quantity=3, unit_price=to_units("1.15")),
                   svc.ItemInput(description="定制笔记本", quantity=0.5, unit_price=to_units("0.01"))]))
        # 3 × 1.15 = 3.45; 0.5 × 0.01 = 0.005 → half up to 0.0050 units exactly (50 units)
        assert opp.amount == to_units("3.45") + 50
        assert opp.owner_id == actor.user_id
        detail = svc.get_opportunity(s, actor, opp.id)
        assert [i.amount for i in detail.items] == [to_units("3.45"), 50]
        assert [h.to_stage for h in detail.history] == ["线索"]
    with db.sessions.begin() as s:
        loaded = svc.get_opportunity(s, actor, opp.id)
        data = loaded.as_input()
        data.items, data.amount = [], to_units("800")
        svc.update_opportunity(s, actor, opp.id, data, loaded.updated_at)
    with db.sessions() as s:
        detail = svc.get_opportunity(s, actor, opp.id)
        assert (detail.items, detail.amount) == ((), to_units("800"))  # no items left: the typed amount
    assert svc.item_amount(0.1, 3) == 0  # 0.3 units → 0
    assert svc.item_amount(0.5, 3) == 2  # 1.5 units → half up


def test_without_items_the_typed_amount_counts_and_stale_saves_are_refused(shop):
    db, actor, customer, _pen = shop
    with db.sessions.begin() as s:
        opp_id = svc.create_opportunity(s, actor, svc.OpportunityInput(customer_id=customer, name="打印机",
                                                                       amount=to_units("5000"))).id
    with db.sessions.begin() as s:
        loaded = svc.get_opportunity(s, actor, opp_id)
    with db.sessions.begin() as s:
        data = loaded.as_input()
        data.next_step = "发报价"
        svc.update_opportunity(s, actor, opp_id, data, loaded.updated_at)
    with db.sessions.begin() as s, pytest.raises(ConcurrencyError):
        svc.update_opportunity(s, actor, opp_id, loaded.as_input(), loaded.updated_at)
    with db.sessions() as s:
        assert s.get(Opportunity, opp_id).amount == to_units("5000")
        fields = {a.field for a in s.scalars(select(AuditLog).where(AuditLog.entity == "opportunities"))}
        assert {"name", "next_step"} <= fields


def test_move_stage_history_closing_and_reopening(shop):
    db, actor, customer, _pen = shop
    with db.sessions.begin() as s:
        st = _stages(s)
        opp = svc.create_opportunity(s, actor, svc.OpportunityInput(customer_id=customer, name="复印纸"))
        svc.move_stage(s, actor, opp.id, st["报价"].id)
        with pytest.raises(ValidationError):
            svc.move_stage(s, actor, opp.id, st["失败"].id)  # a lost stage needs a reason
        svc.move_stage(s, actor, opp.id, st["失败"].id, "价格高")
        assert (opp.closed_on, opp.lost_reason) == (dt.date.today(), "价格高")
        svc.move_stage(s, actor, opp.id, st["谈判"].id)
        assert (opp.closed_on, opp.lost_reason) == (None, "")
        svc.move_stage(s, actor, opp.id, st["成交"].id)
        assert opp.closed_on == dt.date.today()
        history = svc.stage_history(s, actor, opp.id)
        assert [(h.from_stage, h.to_stage, h.note) for h in history] == [
            ("", "线索", ""), ("线索", "报价", ""), ("报价", "失败", "价格高"), ("失败", "谈判", ""),
            ("谈判", "成交", "")]
        assert opp.stage_changed_at is not None


def test_create_from_a_contact_log_entry(shop):
    db, actor, customer, _pen = shop
    with db.sessions.begin() as s:
        entry = log_interaction(s, actor, customer, InteractionInput(
            channel="visit", subject="明年办公用品框架", notes="想要全年供货", outcome="下周报价"))
        draft = svc.draft_from_interaction(s, actor, entry.id)
        assert (draft.customer_id, draft.name) == (customer, "明年办公用品框架")
        assert "想要全年供货" in draft.notes and "下周报价" in draft.notes
        opp = svc.create_from_interaction(s, actor, entry.id)
        assert s.get(Interaction, entry.id).opportunity_id == opp.id
        assert opp.name == "明年办公用品框架"


def test_stage_settings_validation_and_in_use(shop):
    db, actor, customer, _pen = shop
    with db.sessions.begin() as s:
        rows = settings.list_stages(s)
        two_won = [settings.StageRow(r.id, r.name, r.probability, r.stale_days, r.is_won or r.name == "谈判",
                                     r.is_lost) for r in rows]
        with pytest.raises(ValidationError, match="won"):
            settings.save_stages(s, actor, two_won)
        bad = [settings.StageRow(r.id, r.name, 120 if r.name == "报价" else r.probability, r.stale_days, r.is_won,
                                 r.is_lost) for r in rows]
        with pytest.raises(ValidationError, match="between 0 and 100"):
            settings.save_stages(s, actor, bad)
        no_lost = [r for r in rows if not r.is_lost]
        with pytest.raises(ValidationError, match="lost"):
            settings.save_stages(s, actor, no_lost)
        svc.create_opportunity(s, actor, svc.OpportunityInput(customer_id=customer, name="x"))
    with db.sessions.begin() as s:
        rows = settings.list_stages(s)
        with pytest.raises(ValidationError, match="1 opportunities"):
            settings.save_stages(s, actor, [r for r in rows if r.name != "线索"])
        # Reorder, rename, change a probability, add a stage, drop an unused one.
        rows = [r for r in rows if r.name != "需求确认"]
        rows[0].name, rows[1].probability = "意向", 40
        rows.insert(1, settings.StageRow(None, "样品", 30, 14))
        settings.save_stages(s, actor, rows)
    with db.sessions() as s:
        assert [(r.name, r.probability) for r in settings.list_stages(s)] == [
            ("意向", 10), ("样品", 30), ("报价", 40), ("谈判", 75), ("成交", 100), ("失败", 0)]
        assert {"name", "probability"} <= {a.field for a in s.scalars(
            select(AuditLog).where(AuditLog.entity == "opportunity_stages"))}
    sales = Actor(user_id=None, username="s", role="sales")
    with db.sessions() as s, pytest.raises(PermissionDenied):
        settings.save_stages(s, sales, settings.list_stages(s))


def test_lost_reasons_add_rename_reorder_delete(shop):
    db, actor, *_ = shop
    with db.sessions.begin() as s:
        first = settings.list_lost_reasons(s)
        new = settings.add_lost_reason(s, actor, "库存不足")
        with pytest.raises(ValidationError):
            settings.add_lost_reason(s, actor, "库存不足")
        settings.rename_lost_reason(s, actor, new, "缺货")
        ids = [r.id for r in settings.list_lost_reasons(s)]
        settings.reorder_lost_reasons(s, actor, [ids[-1], *ids[:-1]])
        assert [r.name for r in settings.list_lost_reasons(s)][0] == "缺货"
        settings.delete_lost_reason(s, actor, first[0].id)
        assert first[0].name not in [r.name for r in settings.list_lost_reasons(s)]


def _row(i: int, stage: int, amount: str, close: dt.date | None) -> BoardRow:
    return BoardRow(i, 1, "c", f"o{i}", stage, to_units(amount), close, None, "", 0, None, "", "")


def test_weighted_totals_and_forecast_by_month_hand_computed():
    stages = [StageInfo(1, "a", 10, 30, False, False), StageInfo(2, "b", 25, 30, False, False),
              StageInfo(3, "c", 75, 30, False, False), StageInfo(4, "won", 100, 30, True, False),
              StageInfo(5, "lost", 0, 30, False, True), StageInfo(6, "d", 50, 30, False, False)]
    rows = [_row(1, 1, "1000.01", dt.date(2026, 7, 3)),   # weighted 100.001 yuan
            _row(2, 2, "333.33", dt.date(2026, 7, 31)),   # 83.3325
            _row(3, 3, "2000", dt.date(2026, 9, 1)),      # 1500
            _row(4, 3, "10.0001", None),                  # 7.500075
            _row(5, 4, "99999", dt.date(2026, 7, 1)),     # won: not in the open figures
            _row(6, 5, "88888", dt.date(2026, 7, 1)),     # lost: neither
            _row(7, 6, "0.0001", None), _row(8, 6, "0.0001", None)]  # half a unit each: rounded once, not twice
    t = totals(rows, stages)
    assert t.open_count == 6
    assert t.open_amount == to_units("3343.3403")
    # Σ units × p = 100001000 + 83332500 + 1500000000 + 7500075 + 50 + 50 = 1690833675 → /100 once, half up
    assert t.weighted_amount == 16908337
    assert [(f.month, f.amount, f.weighted) for f in t.forecast] == [
        ("2026-07", to_units("1333.34"), to_units("183.3335")),
        ("2026-09", to_units("2000"), to_units("1500")),
        (None, to_units("10.0003"), 75002)]  # 7500175 / 100


def test_board_rows_filters_closed_window_and_export(shop, tmp_path):
    db, actor, customer, _pen = shop
    with db.sessions.begin() as s:
        st = _stages(s)
        other = make_customer(s, actor, "深圳学校").id
        a = svc.create_opportunity(s, actor, svc.OpportunityInput(customer_id=customer, name="a", amount=100,
                                                                  expected_close=dt.date(2026, 7, 1))).id
        b = svc.create_opportunity(s, actor, svc.OpportunityInput(customer_id=other, name="=b", amount=5000)).id
        old = svc.create_opportunity(s, actor, svc.OpportunityInput(customer_id=other, name="old", amount=1)).id
        svc.move_stage(s, actor, old, st["成交"].id)
        s.get(Opportunity, old).closed_on = dt.date.today() - dt.timedelta(days=31)
    with db.sessions() as s:
        assert {r.id for r in board_rows(s, actor)} == {a, b}
        assert [r.id for r in board_rows(s, actor, BoardFilter(amount_min=1000))] == [b]
        assert [r.id for r in board_rows(s, actor, BoardFilter(close_to=dt.date(2026, 12, 31)))] == [a]
        assert [r.id for r in board_rows(s, actor, BoardFilter(customer_id=customer))] == [a]
        assert len(board_stages(s)) == 6
    with db.sessions.begin() as s:
        n = export_opportunities(s, actor, tmp_path / "p.xlsx", ids=[b, a])
    assert n == 2
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert [c.value for c in ws["B"]][1:] == ["=b", "a"]
    assert ws["B2"].data_type == "s"
    with db.sessions() as s:
        assert s.scalar(select(AuditLog.new_value).where(AuditLog.action == "export")) == "2 → p.xlsx"


def test_a_salesperson_sees_only_their_customers_opportunities(demo_db):
    with demo_db.sessions() as s:
        sales = actor_for_username(s, "sales1")
        owner = actor_for_username(s, "owner")
        mine = board_rows(s, sales)
        every = board_rows(s, owner)
        visible = set(s.scalars(scope_customers(select(Customer.id), sales)).all())
        assert mine and len(mine) < len(every)
        assert {r.customer_id for r in mine} <= visible
        assert {r.id for r in every if r.customer_id in visible} == {r.id for r in mine}
        hidden = next(r for r in every if r.customer_id not in visible)
        with pytest.raises(PermissionDenied):
            svc.get_opportunity(s, sales, hidden.id)
        with pytest.raises(PermissionDenied):
            svc.move_stage(s, sales, hidden.id, hidden.stage_id + 1)
        counter = actor_for_username(s, "counter1")
        with pytest.raises(PermissionDenied):
            board_rows(s, counter)
        with pytest.raises(PermissionDenied):
            export_opportunities(s, counter, "x.xlsx")


def test_the_demo_has_history_items_and_stale_cards(demo_db):
    from crmdesk.db.models import OpportunityItem, OpportunityStageChange

    with demo_db.sessions() as s:
        opps = s.scalars(select(Opportunity)).all()
        assert all(o.stage_changed_at is not None for o in opps)
        changes = s.scalars(select(OpportunityStageChange)).all()
        assert len(changes) > len(opps)
        last = {}
        for c in sorted(changes, key=lambda c: (c.changed_at, c.id)):
            last[c.opportunity_id] = c
        assert all(last[o.id].to_stage_id == o.stage_id for o in opps)
        items = s.scalars(select(OpportunityItem)).all()
        assert items
        for opp_id in {i.opportunity_id for i in items}:
            assert s.get(Opportunity, opp_id).amount == sum(i.amount for i in items if i.opportunity_id == opp_id)
        rows = board_rows(s, actor_for_username(s, "owner"), today=dt.date(2026, 6, 30))
        stages = {st.id: st for st in board_stages(s)}
        open_stages = {st.id for st in stages.values() if not st.is_closing}
        assert open_stages <= {r.stage_id for r in rows}
        assert any(r.days_in_stage > stages[r.stage_id].stale_days for r in rows if r.stage_id in open_stages)
