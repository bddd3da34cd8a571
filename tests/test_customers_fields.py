"""Customer types and custom fields: the type editor, value parsing/validation/formatting."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_customers_support import make_customer

from crmdesk.db.models import CustomFieldValue
from crmdesk.services.custom_fields import (FieldInfo, FieldValueError, add_field, create_type, delete_field,
                                            delete_type, format_value, list_types, parse_value, rename_type,
                                            reorder_fields, reorder_types, update_field, validate_values)
from crmdesk.services.customer_errors import CustomerError, ValidationError


def field(kind, label="值", choices=(), required=False):
    return FieldInfo(id=1, type_id=1, key="k", label=label, field_type=kind, required=required,
                     choices=tuple(choices), sort_order=1)


@pytest.mark.parametrize("kind, typed, stored, shown", [
    ("number", "１２３", "123", "123"),
    ("number", "1,234.50", "1234.5", "1234.5"),
    ("money", "¥12,000.5", "120005000", "12,000.50"),
    ("money", "-3", "-30000", "-3.00"),
    ("date", "2026年3月5日", "2026-03-05", "2026-03-05"),
    ("date", "2026/3/5", "2026-03-05", "2026-03-05"),
    ("bool", "是", "1", "yes"),
    ("bool", "No", "0", "no"),
    ("text", "  备注 ", "备注", "备注"),
    ("number", "", "", ""),
])
def test_parse_and_format(kind, typed, stored, shown):
    f = field(kind)
    assert parse_value(f, typed) == stored
    assert format_value(f, stored) == shown


@pytest.mark.parametrize("kind, typed, message", [
    ("number", "十二", "年度预算 is not a number"),
    ("money", "很多", "年度预算 is not a money amount"),
    ("date", "2026-02-30", "年度预算 is not a date"),
    ("bool", "也许", "年度预算 must be yes or no"),
    ("choice", "医院", "年度预算 must be one of 学校 / 企业"),
])
def test_bad_values_name_the_field(kind, typed, message):
    with pytest.raises(FieldValueError, match=message):
        parse_value(field(kind, "年度预算", choices=("学校", "企业")), typed)


def test_validate_values_against_type(db, owner):
    with db.sessions() as s:
        # direct-sales type (2): 行业 required choice, 年度办公用品预算 money, 协议到期日 date.
        with pytest.raises(ValidationError) as err:
            validate_values(s, 2, {4: "abc"})
        assert err.value.problems == ["行业 is required", "年度办公用品预算 is not a money amount: abc"]
        ok = validate_values(s, 2, {3: "学校", 4: "5000", 6: "2027-1-1"})
        assert ok[3] == "学校" and ok[4] == "50000000" and ok[6] == "2027-01-01" and ok[5] == ""


def test_type_editor(db, owner):
    with db.sessions.begin() as s:
        t = create_type(s, owner, "大客户")
        f1 = add_field(s, owner, t.id, "年采购额", "money", required=True)
        f2 = add_field(s, owner, t.id, "客户来源", "choice", choices=["展会", "转介绍", "展会"])
        rename_type(s, owner, t.id, "重点大客户")
        reorder_fields(s, owner, t.id, [f2.id, f1.id])
        reorder_types(s, owner, [t.id, 1, 2, 3])
        update_field(s, owner, f2.id, label="来源", choices=["展会", "网络"])
        tid, f1_id = t.id, f1.id
    with db.sessions() as s:
        types = list_types(s)
    assert [x.name for x in types] == ["重点大客户", "零售客户", "直销客户", "经销商"]
    mine = types[0]
    assert mine.code == "dakehu"
    assert [(f.label, f.field_type, f.choices) for f in mine.fields] == [
        ("来源", "choice", ("展会", "网络")), ("年采购额", "money", ())]
    with db.sessions.begin() as s:
        with pytest.raises(ValidationError, match="exists already"):
            create_type(s, owner, "零售客户")
        with pytest.raises(ValidationError, match="needs at least one choice"):
            add_field(s, owner, tid, "空选项", "choice")
        with pytest.raises(ValidationError, match="Unknown field type"):
            add_field(s, owner, tid, "坏类型", "colour")


def test_field_with_values_keeps_its_type_and_delete_removes_values(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "经销商甲", type_id=3, custom_values={7: "华南", 11: "12"}).id
    with db.sessions.begin() as s:
        with pytest.raises(CustomerError, match="cannot change"):
            update_field(s, owner, 11, field_type="text")
    with db.sessions.begin() as s:
        delete_field(s, owner, 11)
    with db.sessions() as s:
        left = s.scalars(select(CustomFieldValue.field_id).where(CustomFieldValue.customer_id == cid)).all()
    assert left == [7]


def test_type_in_use_cannot_be_deleted(db, owner):
    with db.sessions.begin() as s:
        make_customer(s, owner, "零售甲", type_id=1)
    with db.sessions.begin() as s, pytest.raises(CustomerError, match="give them another type"):
        delete_type(s, owner, 1)
    with db.sessions.begin() as s:
        t = create_type(s, owner, "临时")
        delete_type(s, owner, t.id)
    with db.sessions() as s:
        assert "临时" not in [x.name for x in list_types(s)]
