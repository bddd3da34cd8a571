"""Migration 0006 on a database with opportunities, cases and a rule-made task: nothing is
lost, each opportunity gets its stage history row, resolved cases their resolved time, the
case types and lost reasons are seeded — and deleting a contact clears it from opportunities
(the column is a plain integer, see the migration)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from crmdesk.db import connect, open_database
from crmdesk.db.migrate import upgrade

T = dt.datetime(2025, 3, 1, 9, 30)


def _old_shop(path):
    old = connect(path)
    upgrade(old, "0005")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, display_name, role, active, phone, created_at, updated_at) "
                          "VALUES (1, 'boss', '老板', 'owner', 1, '', :t, :t)"), {"t": T})
        conn.execute(text(
            "INSERT INTO customers (id, code, name, short_name, grade, status, province, city, district, address, "
            "phone, mobile, email, tax_id, credit_limit, payment_terms_days, notes, is_incomplete, archived, "
            "search_text, created_at, updated_at) VALUES (1, 'KH1', '广州文具店', '', 'A', 'active', '广东', '广州', "
            "'', '', '', '', '', '', 0, 0, '', 0, 0, '', :t, :t)"), {"t": T})
        conn.execute(text("INSERT INTO contacts (id, customer_id, name, role, phone, mobile, email, wechat, "
                          "birthday, notes, is_primary, created_at, updated_at) VALUES (5, 1, '王经理', '', '', '', "
                          "'', '', NULL, '', 1, :t, :t)"), {"t": T})
        stage = conn.execute(text("SELECT id FROM opportunity_stages WHERE name = '报价'")).scalar_one()
        conn.execute(text("INSERT INTO opportunities (id, customer_id, owner_id, stage_id, name, amount, "
                          "expected_close, opened_on, source, lost_reason, notes, created_at, updated_at) VALUES "
                          "(7, 1, 1, :s, '年度办公用品', 1000000000, '2025-04-01', '2025-02-01', '', '', '', :t, :t)"),
                     {"s": stage, "t": T})
        conn.execute(text("INSERT INTO service_cases (id, number, customer_id, case_type, subject, description, "
                          "status, priority, opened_at, closed_at, feedback, created_at, updated_at) VALUES "
                          "(3, 'FW1', 1, 'repair', '打印机卡纸', '', 'resolved', 2, :t, :c, '', :t, :t)"),
                     {"t": T, "c": T + dt.timedelta(days=2)})
    old.dispose()
    return stage


def test_upgrade_to_0006_keeps_the_pipeline_and_cases(tmp_path):
    path = tmp_path / "old.db"
    stage = _old_shop(path)
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            history = conn.execute(text("SELECT opportunity_id, from_stage_id, to_stage_id, changed_at, user_id "
                                        "FROM opportunity_stage_changes")).all()
            opp = conn.execute(text("SELECT amount, stage_changed_at, next_step, contact_id FROM opportunities")).one()
            case = conn.execute(text("SELECT status, resolved_at, due_at FROM service_cases")).one()
            types = conn.execute(text("SELECT code FROM case_types ORDER BY sort_order")).scalars().all()
            reasons = conn.execute(text("SELECT COUNT(*) FROM lost_reasons")).scalar()
        assert [(h[0], h[1], h[2], h[4]) for h in history] == [(7, None, stage, 1)]
        assert str(history[0][3]).startswith("2025-03-01 09:30")
        assert opp[0] == 1000000000 and str(opp[1]).startswith("2025-03-01") and opp[2] == "" and opp[3] is None
        assert case[0] == "resolved" and str(case[1]).startswith("2025-03-03") and case[2] is None
        assert types == ["delivery", "repair", "return", "complaint", "consult", "other"]
        assert reasons >= 5
    finally:
        db.dispose()


def test_deleting_a_contact_clears_it_from_opportunities(session, owner):
    from crmdesk.db.models import Opportunity
    from crmdesk.services import contacts
    from crmdesk.services.customers import CustomerInput, create_customer

    c = create_customer(session, owner, CustomerInput(name="佛山华通文具"))
    person = contacts.add_contact(session, owner, c.id, contacts.ContactInput(name="李四"))
    stage = session.execute(text("SELECT id FROM opportunity_stages ORDER BY sort_order")).scalar()
    opp = Opportunity(customer_id=c.id, stage_id=stage, name="复印纸", amount=0, contact_id=person.id)
    session.add(opp)
    session.flush()
    contacts.delete_contact(session, owner, person.id)
    session.flush()
    session.refresh(opp)
    assert opp.contact_id is None
