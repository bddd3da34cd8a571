"""Settings → Territories: an edited rule previewed off the GUI thread (the count is the
service's, the database untouched), Apply writes it, Cancel forgets it, and the one-click
fixes of the unassigned and overlapping lists."""

from __future__ import annotations

import pytest
from settings_admin_support import boxes, context_for, ctx  # noqa: F401 - fixtures
from sqlalchemy import select, update

from crmdesk.db.models import Customer
from crmdesk.services import territories as territory_service
from crmdesk.services.actor import Actor
from crmdesk.ui.settings.territories_section import TerritoriesSection


def _section(ctx, qtbot) -> TerritoriesSection:
    section = TerritoriesSection(ctx)
    qtbot.addWidget(section)
    section.resize(1200, 900)
    section.show()
    return section


def _state(db):
    """Everything an apply would change: the definitions and each customer's owner and territory."""
    with db.sessions() as s:
        defs = territory_service.list_territories(s)
        customers = s.execute(select(Customer.id, Customer.owner_id, Customer.territory_id).order_by(Customer.id)).all()
    return defs, [tuple(r) for r in customers]


def _move_province(section: TerritoriesSection, province: str, source: str, target: str) -> None:
    section.select_territory(source)
    d = section.drafts[section._current]
    section.editor.set_values("province", [p for p in d.values("province") if p != province])
    section.select_territory(target)
    d = section.drafts[section._current]
    section.editor.set_values("province", [*d.values("province"), province])


def test_preview_shows_the_services_count_and_changes_nothing_then_apply_does(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    before = _state(ctx.db)
    _move_province(section, "湖北省", "华中", "华东")
    assert section.dirty
    assert "*" in section.model.text(section._current, 0)  # changed, not saved
    with ctx.db.sessions() as s:
        expected = territory_service.preview(s, ctx.actor, section.drafts)
    assert expected.moved > 0

    job = section.start_preview()
    assert job is not None
    qtbot.waitUntil(lambda: section.job is None, timeout=20_000)
    assert section.preview.isVisible()
    assert section.last_result.moved == expected.moved
    assert section.preview.moves_model.rowCount() == expected.moved
    assert f"{expected.moved} customers would move" in section.preview.summary.text()
    flows = section.preview.flows_model.rows()
    assert flows == expected.flows and sum(n for _a, _b, n in flows) <= expected.moved
    moved = section.preview.moves_model.row_at(0)
    assert (moved.old_territory, moved.new_territory) == ("华中", "华东")
    assert _state(ctx.db) == before  # nothing written by the preview

    section.preview.apply_button.click()
    qtbot.waitUntil(lambda: section.job is None, timeout=20_000)
    assert not boxes.shown
    assert section.preview.applied and section.last_result.moved == expected.moved
    assert not section.dirty
    defs, customers = _state(ctx.db)
    rules = {d.name: d.values("province") for d in defs}
    assert "湖北省" in rules["华东"] and "湖北省" not in rules["华中"]
    with ctx.db.sessions() as s:
        east = s.scalar(select(Customer.territory_id).where(Customer.province == "湖北省").limit(1))
        assert east == next(d.id for d in defs if d.name == "华东")
    assert customers != before[1]


def test_cancel_discards_the_edit(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    before = _state(ctx.db)
    _move_province(section, "湖北省", "华中", "华东")
    section.start_preview()
    qtbot.waitUntil(lambda: section.job is None, timeout=20_000)
    section.preview.cancel_button.click()
    assert not section.preview.isVisible() and not section.dirty
    assert "湖北省" not in section.drafts[section._current].values("province") or \
        section.drafts[section._current].name == "华中"
    assert _state(ctx.db) == before


def test_an_invalid_edit_is_reported_by_the_preview(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    section.select_territory("华北")
    section.edit_current(name="  ")
    section.start_preview()
    qtbot.waitUntil(lambda: section.job is None, timeout=20_000)
    assert boxes.shown and "name" in boxes.shown[-1][1]
    assert not section.preview.isVisible()


def test_new_territory_previews_with_a_stand_in_and_applies(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    section.new_territory()
    sales3 = next(p for p, n in section.people_names.items() if n == "张建国")
    section.edit_current(name="北京直销", priority=10, rules={"province": ("北京市",), "customer_type": ("direct",)},
                         salesperson_ids=(sales3,))
    section.start_preview()
    qtbot.waitUntil(lambda: section.job is None, timeout=20_000)
    assert not boxes.shown
    section.start_apply()
    qtbot.waitUntil(lambda: section.job is None, timeout=20_000)
    assert not boxes.shown
    assert "北京直销" in [d.name for d in section.stored]


def test_the_unassigned_fix_assigns_the_selection(ctx, qtbot, boxes):
    with ctx.db.sessions.begin() as s:
        ids = s.scalars(select(Customer.id).order_by(Customer.id).limit(2)).all()
        s.execute(update(Customer).where(Customer.id.in_(ids)).values(province="新疆维吾尔自治区"))
        territory_service.reassign(s, Actor.system(), ids)
    section = _section(ctx, qtbot)
    listed = {r["customer_id"] for r in section.unassigned.model.rows()}
    assert set(ids) <= listed
    assert section.tabs.tabText(2) == f"Unassigned ({len(listed)})"
    section.unassigned.view.selectAll()
    section.unassigned._fill_button_menu()
    action = next(a for a in section.unassigned.fix_button.menu().actions() if a.text() == "Assign to 华北")
    action.trigger()
    assert not boxes.shown
    north = next(d.id for d in section.stored if d.name == "华北")
    with ctx.db.sessions() as s:
        rows = s.execute(select(Customer.territory_id, Customer.territory_manual).where(Customer.id.in_(ids))).all()
    assert rows == [(north, True), (north, True)]
    assert section.unassigned.model.rowCount() == 0


def test_the_overlap_fix_makes_the_chosen_territory_the_main_one(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    rows = section.overlaps.model.rows()
    assert rows and all(r["main"] == "广东经销商" for r in rows)  # 广东 dealers: both 华南 and the dealer territory
    first = rows[0]
    section.overlaps.view.selectRow(0)
    section.overlaps._fill_button_menu()
    texts = [a.text() for a in section.overlaps.fix_button.menu().actions()]
    assert texts == ["Make 广东经销商 its main territory", "Make 华南 its main territory"]
    section.overlaps.fix_button.menu().actions()[1].trigger()
    south = next(d.id for d in section.stored if d.name == "华南")
    with ctx.db.sessions() as s:
        assert s.scalar(select(Customer.territory_id).where(Customer.id == first["customer_id"])) == south
    assert next(r for r in section.overlaps.model.rows() if r["customer_id"] == first["customer_id"])["main"] == "华南"


@pytest.mark.parametrize("username", ["manager"])
def test_a_manager_may_edit_territories(demo_db, qtbot, boxes, username):
    section = _section(context_for(demo_db, username), qtbot)
    assert len(section.drafts) == 7 and not boxes.shown
