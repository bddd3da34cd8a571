from crmdesk.core.search_text import customer_search_text, phone_variants, pinyin_keys


def test_pinyin_keys_handle_polyphones_and_mixed_text():
    assert pinyin_keys("重庆长江办公用品") == ("chongqingchangjiangbangongyongpin", "cqcjbgyp")
    assert pinyin_keys("A4复印纸") == ("a4fuyinzhi", "a4fyz")


def test_customer_search_text_has_names_phones_and_pinyin():
    text = customer_search_text("广州晨光文具店", "KH0001", ("020-8888 1234", "13800138000"), ("张伟",))
    for key in ("广州晨光文具店", "kh0001", "020-8888 1234", "02088881234", "13800138000", "张伟",
                "guangzhouchenguangwenjudian", "gzcgwjd", "zhangwei", "zw"):
        assert key in text
    assert phone_variants("13800138000") == ("13800138000",)
    assert phone_variants("  ") == ()


def test_abbreviation_may_skip_characters_of_the_name(db, owner):
    """`gzwj` finds 广州…文具 shops even with characters between (the issue's own example)."""
    from crmdesk.db.models import Customer
    from crmdesk.services.customer_query import CustomerQuery, search_customer_ids

    names = {"A": "广州市天河区晨星文具店", "B": "广州文具批发部", "C": "广州市第三中学", "D": "深圳文具店"}
    with db.sessions.begin() as s:
        for code, name in names.items():
            s.add(Customer(code=code, name=name, credit_limit=0, search_text=customer_search_text(name, code)))
    with db.sessions() as s:
        def found(text):
            return {s.get(Customer, i).code for i in search_customer_ids(s, owner, CustomerQuery(text=text))}

        assert found("gzwj") == {"A", "B"}
        assert found("guangzhou") == {"A", "B", "C"}
        assert found("gzs") == {"A", "C"}  # three letters: contiguous only, so not 广州文具批发部
        assert found("szwjd") == {"D"}
