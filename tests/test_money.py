from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmdesk.money import MONEY_SCALE, format_yuan, to_units, to_yuan, to_yuan_2


def test_conversions():
    assert to_units("1234.5") == 12_345_000
    assert to_units(Decimal("22.368")) == 223_680
    assert to_units(0.1) == 1000
    assert to_units("") == 0
    assert to_units("-3.00005") == -30001  # half away from zero
    assert to_yuan(223_680) == Decimal("22.368")
    assert to_yuan_2(223_650) == Decimal("22.37")
    assert format_yuan(12_345_000) == "¥1,234.50"
    assert format_yuan(-12_345_000) == "-¥1,234.50"
    with pytest.raises(ValueError, match="not a money amount"):
        to_units("12元")


@given(st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_round_trip_is_exact(value):
    assert to_yuan(to_units(value)) == value


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False), max_size=50))
def test_integer_sums_equal_decimal_sums(values):
    assert to_yuan(sum(to_units(v) for v in values)) == sum(values, Decimal(0))
    assert MONEY_SCALE == 10_000
