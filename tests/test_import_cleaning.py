"""Cell parsing: money, numbers, dates, codes and text as exports write them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crmdesk.importers import cleaning
from crmdesk.importers.raw_csv import STRING


def s(*values):
    return pd.Series(list(values), dtype=STRING)


@pytest.mark.parametrize("text, units", [
    ("¥1,234.50", 12_345_000), ("￥1,234.50", 12_345_000), ("1234.5", 12_345_000), ("1 234.50元", 12_345_000),
    ("(12.00)", -120_000), ("12.00-", -120_000), ("-0.0001", -1), ("１２３．４", 1_234_000), ("", 0),
    ("  ", 0), ("RMB 8", 80_000), ("0.00005", 1), ("261.9600", 2_619_600), ("1e3", 10_000_000),
])
def test_money(text, units):
    values, bad = cleaning.parse_money(s(text))
    assert (int(values[0]), bool(bad[0])) == (units, False)


@pytest.mark.parametrize("text", ["abc", "1,2,3x", "¥", "--5"])
def test_money_rejects(text):
    values, bad = cleaning.parse_money(s(text, "1"))
    assert bad.tolist() == [text not in ("¥",), False] or (text == "¥" and not bad[0])


@pytest.mark.parametrize("text, day", [
    ("2024/3/7", dt.date(2024, 3, 7)), ("2024-03-07", dt.date(2024, 3, 7)), ("2024年3月7日", dt.date(2024, 3, 7)),
    ("3/7/2024", dt.date(2024, 3, 7)), ("45358", dt.date(2024, 3, 7)), ("45358.5", dt.date(2024, 3, 7)),
    ("2011-03-10 16:16:00", dt.date(2011, 3, 10)), ("20240307", dt.date(2024, 3, 7)), ("２０２４－３－７", dt.date(2024, 3, 7)),
    ("2024.3.7", dt.date(2024, 3, 7)),
])
def test_dates(text, day):
    values, bad = cleaning.parse_date(s(text))
    assert (values[0], bool(bad[0])) == (day, False)


def test_date_options_and_errors():
    assert cleaning.parse_date(s("3/7/2024"), dayfirst=True)[0][0] == dt.date(2024, 7, 3)
    assert cleaning.parse_date(s("07.03.24"), fmt="%d.%m.%y")[0][0] == dt.date(2024, 3, 7)
    values, bad = cleaning.parse_date(s("2024-02-30", "someday", ""))
    assert bad.tolist() == [True, True, False] and values[2] is None


def test_codes_and_text():
    assert cleaning.clean_code(s(" ＡＢ１２ ", "17850.0", "NA", "x-1")).tolist() == ["AB12", "17850", "", "x-1"]
    assert cleaning.clean_text(s("\u3000 广州文具店 ", "n/a", "Café")).tolist() == ["广州文具店", "", "Café"]


def test_numbers_and_whole_numbers():
    values, bad = cleaning.parse_number(s("1,200.5", "５", "x"))
    assert values.tolist()[:2] == [1200.5, 5.0] and bad.tolist() == [False, False, True]
    values, bad = cleaning.parse_int(s("12", "12.0", "12.5"))
    assert values.tolist()[:2] == [12, 12] and bad.tolist() == [False, False, True]


def test_footer_and_blank_rows():
    frame = pd.DataFrame({0: s("合计", "A1", "本页小计", "总 计：", "Grand Total", "", "合作社"),
                          1: s("10", "2", "", "", "", "\u3000", "1")})
    assert cleaning.footer_mask(frame, [0]).tolist() == [True, False, True, True, True, False, False]
    assert cleaning.blank_mask(frame).tolist() == [False, False, False, False, False, True, False]


def test_a_date_column_tells_its_own_order_and_two_digit_years_land():
    import datetime as dt

    import pandas as pd

    from crmdesk.importers.cleaning import day_first_column, parse_date

    amazon = pd.Series(["04-30-22", "04-29-22", "05-01-22"])  # an Amazon.in order report
    values, bad = parse_date(amazon)
    assert not bad.any() and list(values) == [dt.date(2022, 4, 30), dt.date(2022, 4, 29), dt.date(2022, 5, 1)]
    european = pd.Series(["30/4/2024", "3/7/2024"])  # the first value says day first: 3 July
    values, bad = parse_date(european)
    assert not bad.any() and list(values) == [dt.date(2024, 4, 30), dt.date(2024, 7, 3)]
    assert day_first_column(pd.Series(["3/7/2024", "4/8/2024"])) is None  # nothing tells: the setting stands
    assert day_first_column(pd.Series(["30/4/2024", "4/30/2024"])) is None  # contradicts itself
    _values, bad = parse_date(pd.Series(["30/4/2024", "4/30/2024"]))
    assert bad.tolist() == [True, False]  # month-first (the default) rejects the one that does not fit
