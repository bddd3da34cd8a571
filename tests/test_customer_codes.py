"""New customer codes continue the shop's numbering (issue 14, item 6): the dominant existing
pattern, per customer type when the data shows one, or a pattern fixed in Settings."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_customers_support import make_customer

from crmdesk.db.models import AuditLog, CustomerType
from crmdesk.services.customer_codes import (detected_pattern, next_code, numbering_overview, parse_pattern,
                                             save_patterns)
from crmdesk.services.customer_errors import ValidationError


def _types(s):
    return list(s.scalars(select(CustomerType).order_by(CustomerType.sort_order, CustomerType.id)))


def test_an_empty_shop_starts_at_c000001(db, owner):
    with db.sessions.begin() as s:
        assert make_customer(s, owner, "第一家").code == "C000001"
        assert make_customer(s, owner, "第二家").code == "C000002"


def test_the_first_new_customer_continues_kh00xxxx(db, owner):
    with db.sessions.begin() as s:
        for n in (1, 2, 3, 17):
            make_customer(s, owner, f"老客户{n}", code=f"KH00{n:04d}")
        make_customer(s, owner, "手工编号", code="VIP-1")
        new = make_customer(s, owner, "新客户")
    assert new.code == "KH000018"


def test_a_type_with_its_own_numbering_keeps_it(db, owner):
    with db.sessions.begin() as s:
        retail, dealer = _types(s)[0], _types(s)[-1]
        for n in range(1, 8):
            make_customer(s, owner, f"门店{n}", code=f"KH{n:06d}", type_id=retail.id)
        for n in range(1, 6):
            make_customer(s, owner, f"经销商{n}", code=f"JX{n:04d}", type_id=dealer.id)
        assert make_customer(s, owner, "新经销商", type_id=dealer.id).code == "JX0006"
        assert make_customer(s, owner, "新门店", type_id=retail.id).code == "KH000008"
        # A type with too few codes of its own follows the shop's dominant pattern.
        other = _types(s)[1]
        assert make_customer(s, owner, "新学校", type_id=other.id).code == "KH000009"


def test_settings_fix_a_pattern_per_type_and_automatic_undoes_it(db, owner):
    with db.sessions.begin() as s:
        dealer = _types(s)[-1]
        for n in (39, 40, 41):
            make_customer(s, owner, f"老客户{n}", code=f"KH0000{n}")
        assert save_patterns(s, owner, {dealer.code: "DL-####", None: ""}) == 1
        assert make_customer(s, owner, "经销商", type_id=dealer.id).code == "DL-0001"
        assert make_customer(s, owner, "门店").code == "KH000042"
        lines = {line.type_code: line for line in numbering_overview(s)}
        assert lines[dealer.code].pattern == "DL-####" and lines[dealer.code].next_code == "DL-0002"
        assert lines[None].detected == "KH######" and lines[None].next_code == "KH000043"
        assert save_patterns(s, owner, {dealer.code: "automatic"}) == 1
        assert next_code(s, dealer.id) == "KH000043"
        keys = [r.field for r in s.scalars(select(AuditLog).where(AuditLog.entity == "settings"))]
    assert keys == [f"customer_codes.pattern.{dealer.code}"] * 2


def test_bad_patterns_are_refused_with_the_text():
    assert parse_pattern("KH######").code(7) == "KH000007"
    for bad in ("KH", "KH##", "K#H###", "#####X"):
        with pytest.raises(ValidationError, match="KH######"):
            parse_pattern(bad)


def test_detection_reads_the_newest_codes(db, owner):
    with db.sessions.begin() as s:
        make_customer(s, owner, "旧", code="OLD1")
        assert detected_pattern(s).text == "C######"  # one digit is no numbering
        for n in range(1, 4):
            make_customer(s, owner, f"新{n}", code=f"KH{n:06d}")
        assert detected_pattern(s).text == "KH######"
