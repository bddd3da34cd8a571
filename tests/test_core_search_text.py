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
