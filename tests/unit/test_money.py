from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.money import (
    MoneyError,
    allocate,
    format_amount,
    format_money,
    parse_amount,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.50", 123_450),
        ("1234.5", 123_450),
        ("0.10", 10),
        ("0.1", 10),
        ("-12", -1_200),
        ("+3.07", 307),
        (" 15 ", 1_500),
        ("0", 0),
        ("25000.00", 2_500_000),
    ],
)
def test_parse_plain_decimals(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1,234.50", "thousands separator"),
        ("12.345", "more than 2 decimal places"),
        ("abc", "not an amount"),
        ("NaN", "not an amount"),
        ("1e3", "not an amount"),
        ("", "empty"),
        ("$12.00", "not an amount"),
        ("12.", "not an amount"),
        (".5", "not an amount"),
        ("--1", "not an amount"),
    ],
)
def test_parse_refuses_what_corrupts_ledgers(text: str, why: str) -> None:
    with pytest.raises(MoneyError, match=why):
        parse_amount(text)


def test_negative_refused_when_not_allowed() -> None:
    with pytest.raises(MoneyError, match="negative"):
        parse_amount("-1.00", allow_negative=False)


def test_formats() -> None:
    assert format_amount(123_456) == "1234.56"
    assert format_amount(-5) == "-0.05"
    assert format_amount(0) == "0.00"
    assert format_money(123_456) == "$1,234.56"
    assert format_money(-500) == "-$5.00"
    assert format_money(100, "JPY") == "1.00 JPY"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_round_trips(cents: int) -> None:
    assert parse_amount(format_amount(cents)) == cents


def test_allocate_puts_odd_cents_first() -> None:
    assert allocate(100_000, 3) == [33_334, 33_333, 33_333]
    assert allocate(5, 3) == [2, 2, 1]
    assert allocate(-100, 3) == [-34, -33, -33]


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=500))
def test_allocate_sums_exactly_and_differs_by_at_most_a_cent(total: int, parts: int) -> None:
    shares = allocate(total, parts)
    assert len(shares) == parts
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, key=abs, reverse=True)  # larger (odd-cent) shares first


def test_allocate_refuses_zero_parts() -> None:
    with pytest.raises(ValueError):
        allocate(100, 0)


# ---------------------------------------------------------------- bounds and digits (issue 11)


@pytest.mark.parametrize(
    "text",
    ["١٢٣", "١٢٣.٤٥", "１２３", "１２３.００", "12.٣٤", "۱۲۳", "१२३", "1_000", "²"],
)
def test_only_ascii_digits_are_an_amount(text: str) -> None:
    with pytest.raises(MoneyError, match="not an amount"):
        parse_amount(text)


def test_the_largest_amount_and_no_more() -> None:
    from collections_tui.domain.money import MAX_AMOUNT_CENTS

    assert MAX_AMOUNT_CENTS == 10**13 - 1
    assert parse_amount("99999999999.99") == MAX_AMOUNT_CENTS
    assert parse_amount("-99999999999.99") == -MAX_AMOUNT_CENTS
    assert parse_amount("000099999999999.99") == MAX_AMOUNT_CENTS  # leading zeros are no size
    for text in ("100000000000", "100000000000.00", "-100000000000", "4111111111111111",
                 "92233720368547758.07", "9" * 5000):  # fmt: skip
        with pytest.raises(MoneyError, match=r"too large; the largest amount is 99999999999\.99"):
            parse_amount(text)


@given(st.integers())
def test_check_amount_is_the_same_bound(cents: int) -> None:
    from collections_tui.domain.money import MAX_AMOUNT_CENTS, check_amount

    if abs(cents) <= MAX_AMOUNT_CENTS:
        assert check_amount(cents) == cents
    else:
        with pytest.raises(MoneyError, match="too large"):
            check_amount(cents)


@given(
    st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1),
    st.integers(min_value=-(10**13) + 1, max_value=10**13 - 1),
)
def test_check_balance_keeps_every_balance_inside_the_bound(balance: int, effect: int) -> None:
    from collections_tui.domain.money import MAX_BALANCE_CENTS, check_balance

    if abs(balance + effect) <= MAX_BALANCE_CENTS:
        assert check_balance(balance, effect) == balance + effect
    else:
        with pytest.raises(MoneyError, match=r"past the limit of ±9999999999999\.99"):
            check_balance(balance, effect)


def test_a_balance_at_the_bound_fits_a_bigint_many_times_over() -> None:
    from collections_tui.domain.money import MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS

    assert MAX_AMOUNT_CENTS < MAX_BALANCE_CENTS
    assert (2**63 - 1) // (MAX_BALANCE_CENTS + MAX_AMOUNT_CENTS) > 9_000
