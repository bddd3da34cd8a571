"""Issue 13, live refresh: another process (another PC) edits while this one's screens are open.
The customer list follows within seconds and keeps the search text being typed and the
selection; on PostgreSQL the LISTEN thread hears the writing transaction's NOTIFY."""

from __future__ import annotations

import threading

from multipc_support import finish, python
from pg_fixture import new_pg_database
from sqlalchemy import select
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures

from crmdesk.db import notify, open_database
from crmdesk.db.models import Customer
from crmdesk.ui.live_refresh import REMOTE, LiveRefresh


def _rename_elsewhere(url: str, customer_id: int, name: str):
    return python(
        "from crmdesk.db import open_database\n"
        "from crmdesk.db.models import Customer\n"
        f"db = open_database({url!r})\n"
        "with db.sessions.begin() as s:\n"
        f"    s.get(Customer, {customer_id}).name = {name!r}\n")


def _shown(page, row: int) -> list[str]:
    model = page.model
    return [str(model.data(model.index(row, col))) for col in range(model.columnCount())]


def test_customer_list_follows_another_pc_and_keeps_search_and_selection(page, ctx, qtbot):
    with ctx.read() as s:
        customer = s.scalars(select(Customer).where(Customer.archived.is_(False)).order_by(Customer.id)).first()
        code, customer_id = customer.code, customer.id
    page.view.search_edit.insert(code)
    qtbot.waitUntil(lambda: not page._search_timer.isActive() and page.model.rowCount() >= 1, timeout=5000)
    row = page.model.ids.index(customer_id)
    page.view.table.selectRow(row)
    assert page.selected_ids() == [customer_id]
    announced: list[set] = []
    ctx.bus.changed.connect(lambda entities: announced.append(set(entities)))
    live = LiveRefresh(ctx, interval_ms=200)
    live.start()
    try:
        finish(_rename_elsewhere(ctx.db.url, customer_id, "另一台电脑改的名字"))
        qtbot.waitUntil(lambda: any(REMOTE in e and "customers" in e for e in announced), timeout=15000)
        qtbot.waitUntil(lambda: any("另一台电脑改的名字" in text for text in _shown(page, page.model.ids.index(
            customer_id)) if customer_id in page.model.ids), timeout=15000)
    finally:
        live.stop()
    assert page.view.search_edit.text() == code  # what the user typed stays
    assert page.selected_ids() == [customer_id]  # and so does the selection


def test_own_commits_are_not_announced_as_remote(ctx):
    watch = notify.FeedWatch(ctx.db)
    assert watch.poll() == set()  # the starting point
    with ctx.db.sessions.begin() as s:
        s.scalars(select(Customer)).first().grade = "Z"
    assert watch.poll() == set()


def test_postgres_listener_hears_another_process(pg_server):
    url = new_pg_database(pg_server, "live")
    db = open_database(url)
    try:
        with db.sessions.begin() as s:
            s.add(Customer(code="L001", name="监听客户"))
        with db.sessions() as s:
            customer_id = s.scalar(select(Customer.id).where(Customer.code == "L001"))
        heard = threading.Event()
        listener = notify.Listener(db, heard.set)
        listener.start()
        watch = notify.FeedWatch(db)
        watch.poll()
        try:
            import time

            time.sleep(0.5)  # LISTEN issued
            finish(_rename_elsewhere(url, customer_id, "改名"))
            assert heard.wait(20), "no NOTIFY reached the listener"
        finally:
            listener.stop()
        assert "customers" in watch.poll()
    finally:
        db.dispose()


def test_open_form_with_edits_is_not_reloaded_but_says_changed(ctx, qtbot, boxes):
    from crmdesk.ui.customers.form.dialog import CustomerFormDialog

    with ctx.read() as s:
        customer_id = s.scalars(select(Customer.id).where(Customer.archived.is_(False)).order_by(Customer.id)).first()
    form = CustomerFormDialog(ctx, customer_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.basic.short_name_edit, "Mine")  # the user is typing
    typed = form.basic.short_name_edit.text()
    assert form.dirty
    live = LiveRefresh(ctx, interval_ms=200)
    live.start()
    try:
        finish(_rename_elsewhere(ctx.db.url, customer_id, "别人改的名字"))
        qtbot.waitUntil(lambda: "changed by someone else" in form.header.text(), timeout=15000)
    finally:
        live.stop()
    assert form.basic.short_name_edit.text() == typed  # the user's edit stays
    assert not form.save()  # and saving over the other PC's change is refused with the message
    assert boxes.shown[-1][0] == "warning"


def test_a_save_waits_for_another_process_import_and_says_whose(ctx, qtbot, tmp_path):
    import os

    from multipc_support import wait_for

    started, done = tmp_path / "started", tmp_path / "done"
    holder = python(
        "import time\n"
        "from crmdesk.db import writers\n"
        f"with writers.writing({ctx.db.url!r}, 'big.csv'):\n"
        f"    open({str(started)!r}, 'w').close()\n"
        "    time.sleep(2)\n"
        f"    open({str(done)!r}, 'w').close()\n", home=os.environ["CRMDESK_HOME"])
    wait_for(started, holder)
    said: list[str] = []
    ctx.bus.status_message.connect(said.append)
    with ctx.write("customers") as s:  # waits (a busy dialog) until the other import is done
        s.scalars(select(Customer)).first().grade = "W"
    assert done.exists()  # the other import had finished before the save went on
    holder.communicate(timeout=30)
    assert any("waiting for the import of big.csv to finish" in text for text in said)
