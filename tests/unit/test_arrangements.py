from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.arrangements import (
    FREQUENCIES,
    MAX_INSTALLMENTS,
    ArrangementPolicy,
    Installment,
    Offer,
    PlanError,
    Schedule,
    add_period,
    build_offers,
    check_schedule,
    check_settlement,
    max_count_within_term,
    policies_from_config,
    policy_for,
    required_down_cents,
    schedule_by_count,
    schedule_by_payment,
    settle_amount,
    settle_percent,
)
from collections_tui.domain.money import format_amount

TODAY = date(2026, 11, 27)


def rows(s: Schedule) -> list[tuple[int, str, str]]:
    """The ``plan --format csv`` rows: number, due_on, amount."""
    return [(i.number, i.due_on.isoformat(), format_amount(i.amount_cents)) for i in s.installments]


# ------------------------------------------------------------------ DESIGN §6 examples


def test_design_split_odd_cents_first() -> None:
    s = schedule_by_count(100_000, 3, date(2026, 1, 15))
    assert rows(s) == [
        (1, "2026-01-15", "333.34"),
        (2, "2026-02-15", "333.33"),
        (3, "2026-03-15", "333.33"),
    ]
    assert s.total_cents == 100_000
    assert s.down_cents == 0
    assert s.count == 3
    assert s.regular_amount_cents == 33_334


def test_design_month_end_keeps_first_day() -> None:
    s = schedule_by_count(90_000, 3, date(2026, 1, 31))
    assert [i.due_on for i in s.installments] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_leap_year_month_end() -> None:
    s = schedule_by_count(90_000, 3, date(2028, 1, 31))
    assert [i.due_on for i in s.installments] == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]


def test_thirty_day_months() -> None:
    s = schedule_by_count(90_000, 3, date(2026, 8, 31))
    assert [i.due_on for i in s.installments] == [
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
    ]


def test_fixed_payment_leaves_smaller_last() -> None:
    s = schedule_by_payment(100_000, 30_000, date(2026, 1, 31))
    assert rows(s) == [
        (1, "2026-01-31", "300.00"),
        (2, "2026-02-28", "300.00"),
        (3, "2026-03-31", "300.00"),
        (4, "2026-04-30", "100.00"),
    ]


def test_fixed_payment_that_divides_evenly() -> None:
    s = schedule_by_payment(90_000, 30_000, TODAY)
    assert [i.amount_cents for i in s.installments] == [30_000, 30_000, 30_000]


def test_fixed_payment_larger_than_balance_is_one_installment() -> None:
    s = schedule_by_payment(5_000, 30_000, TODAY)
    assert rows(s) == [(1, TODAY.isoformat(), "50.00")]


@pytest.mark.parametrize(
    ("every", "dates"),
    [
        ("week", ["2026-01-31", "2026-02-07", "2026-02-14", "2026-02-21"]),
        ("2weeks", ["2026-01-31", "2026-02-14", "2026-02-28", "2026-03-14"]),
        ("month", ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]),
    ],
)
def test_frequencies(every: str, dates: list[str]) -> None:
    s = schedule_by_count(40_000, 4, date(2026, 1, 31), every)
    assert [i.due_on.isoformat() for i in s.installments] == dates
    assert s.every == every


def test_down_payment_is_row_one_and_installments_start_a_period_later() -> None:
    s = schedule_by_count(100_000, 3, date(2026, 1, 31), down_cents=10_000)
    assert rows(s) == [
        (1, "2026-01-31", "100.00"),
        (2, "2026-02-28", "300.00"),
        (3, "2026-03-31", "300.00"),
        (4, "2026-04-30", "300.00"),
    ]
    assert s.installments[0].is_down_payment
    assert not any(i.is_down_payment for i in s.installments[1:])
    assert (s.count, s.installment_count, s.down_cents, s.total_cents) == (4, 3, 10_000, 100_000)
    assert s.regular_amount_cents == 30_000


def test_down_payment_splits_the_rest_exactly() -> None:
    s = schedule_by_count(100_000, 3, TODAY, "week", down_cents=5_000)
    assert rows(s) == [
        (1, "2026-11-27", "50.00"),
        (2, "2026-12-04", "316.67"),
        (3, "2026-12-11", "316.67"),
        (4, "2026-12-18", "316.66"),
    ]


def test_down_payment_with_fixed_payment() -> None:
    s = schedule_by_payment(100_000, 40_000, TODAY, "2weeks", down_cents=10_000)
    assert rows(s) == [
        (1, "2026-11-27", "100.00"),
        (2, "2026-12-11", "400.00"),
        (3, "2026-12-25", "400.00"),
        (4, "2027-01-08", "100.00"),
    ]


def test_schedule_properties() -> None:
    s = schedule_by_count(120_000, 12, date(2026, 1, 31))
    assert s.first_due_on == date(2026, 1, 31)
    assert s.last_due_on == date(2026, 12, 31)
    assert s.term_days == 334
    assert s.term_months == 12
    with_down = schedule_by_count(120_000, 12, date(2026, 1, 31), down_cents=100)
    assert with_down.term_months == 12
    assert with_down.last_due_on == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("count", "every", "months"),
    [(52, "week", 12), (53, "week", 13), (26, "2weeks", 12), (27, "2weeks", 13), (4, "week", 1)],
)
def test_term_months_of_weekly_plans(count: int, every: str, months: int) -> None:
    s = schedule_by_count(count * 10_000, count, date(2026, 1, 1), every)
    assert s.term_months == months


# -------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("call", "why"),
    [
        (lambda: schedule_by_count(2, 3, TODAY), r"\$0.02 in 3 installments .* \$0.00"),
        (lambda: schedule_by_count(0, 3, TODAY), "nothing to plan: the balance is not positive"),
        (lambda: schedule_by_count(-500, 3, TODAY), "nothing to plan"),
        (lambda: schedule_by_count(1_000, 0, TODAY), "at least 1 installment"),
        (lambda: schedule_by_count(1_000, 2, TODAY, down_cents=-1), "cannot be negative"),
        (lambda: schedule_by_count(1_000, 2, TODAY, down_cents=1_000), "not less than"),
        (lambda: schedule_by_count(1_000, 2, TODAY, down_cents=2_000), "payment in full"),
        (lambda: schedule_by_count(1_002, 3, TODAY, down_cents=1_000), "after the"),
        (lambda: schedule_by_count(1_000, 2, TODAY, "fortnight"), "unknown frequency"),
        (lambda: schedule_by_count(10**9, MAX_INSTALLMENTS + 1, TODAY), "too many"),
        (lambda: schedule_by_payment(1_000, 0, TODAY), "more than \\$0.00"),
        (lambda: schedule_by_payment(1_000, -5, TODAY), "more than \\$0.00"),
        (lambda: schedule_by_payment(0, 100, TODAY), "nothing to plan"),
        (lambda: schedule_by_payment(10**9, 1, TODAY), "at most 1,000"),
        (lambda: schedule_by_count(1_000, 3, date(9999, 11, 1)), "past the year 9999"),
        (lambda: schedule_by_count(1_000, 3, date(9999, 12, 20), "week"), "past the year 9999"),
    ],
)
def test_refusals_say_why(call: Callable[[], object], why: str) -> None:
    with pytest.raises(PlanError, match=why) as e:
        call()
    assert "\n" not in str(e.value)


def test_plan_error_is_a_value_error() -> None:
    assert issubclass(PlanError, ValueError)


def test_add_period() -> None:
    jan31 = date(2026, 1, 31)
    assert add_period(jan31, "month", 0) == jan31
    assert add_period(jan31, "month", 1) == date(2026, 2, 28)
    assert add_period(jan31, "month", 13) == date(2027, 2, 28)
    assert add_period(jan31, "month", 12) == date(2027, 1, 31)
    assert add_period(date(2027, 12, 31), "month", 2) == date(2028, 2, 29)
    assert add_period(date(2100, 1, 29), "month", 1) == date(2100, 2, 28)
    assert add_period(date(2000, 1, 30), "month", 1) == date(2000, 2, 29)
    assert add_period(jan31, "week", 3) == date(2026, 2, 21)
    assert add_period(jan31, "2weeks", 2) == date(2026, 2, 28)
    with pytest.raises(PlanError, match="unknown frequency"):
        add_period(jan31, "year", 1)


def test_max_count_within_term() -> None:
    assert max_count_within_term(TODAY, "month", 12) == 12
    assert max_count_within_term(date(2026, 1, 1), "week", 12) == 52
    assert max_count_within_term(date(2026, 1, 1), "2weeks", 12) == 26
    assert max_count_within_term(TODAY, "month", 0) == 0


# ------------------------------------------------------------------------ properties

balances = st.integers(min_value=1, max_value=100_000_000)
firsts = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
everies = st.sampled_from(FREQUENCIES)


def assert_sound(s: Schedule, balance: int, first: date, down: int) -> None:
    assert sum(i.amount_cents for i in s.installments) == balance == s.total_cents
    assert all(i.amount_cents > 0 for i in s.installments)
    assert [i.number for i in s.installments] == list(range(1, s.count + 1))
    dates = [i.due_on for i in s.installments]
    assert dates[0] == first
    assert all(a < b for a, b in pairwise(dates))
    if down:
        assert s.installments[0] == Installment(1, first, down, True)
    else:
        assert not any(i.is_down_payment for i in s.installments)
    offset = 1 if down else 0
    for k, inst in enumerate(s.regular):
        assert inst.due_on == add_period(first, s.every, k + offset)
    if s.every == "month":  # every date from the FIRST date's day, or the month's last
        for inst in s.installments:
            assert inst.due_on.day == first.day or (inst.due_on + timedelta(days=1)).day == 1


@st.composite
def by_count_args(draw: st.DrawFn) -> tuple[int, int, int]:
    balance = draw(st.integers(min_value=2, max_value=100_000_000))
    down = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=balance - 1)))
    count = draw(st.integers(min_value=1, max_value=min(120, balance - down)))
    return balance, count, down


@given(by_count_args(), firsts, everies)
def test_by_count_is_exact_and_odd_cents_come_first(
    args: tuple[int, int, int], first: date, every: str
) -> None:
    balance, count, down = args
    s = schedule_by_count(balance, count, first, every, down)
    assert_sound(s, balance, first, down)
    amounts = [i.amount_cents for i in s.regular]
    assert len(amounts) == count
    assert all(a >= b for a, b in pairwise(amounts))
    assert amounts[0] - amounts[-1] <= 1


@given(
    st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=MAX_INSTALLMENTS)
)
def test_zero_installment_is_refused_exactly_when_cents_run_out(balance: int, count: int) -> None:
    if count > balance:
        with pytest.raises(PlanError, match=r"\$0\.00"):
            schedule_by_count(balance, count, TODAY)
    else:
        assert schedule_by_count(balance, count, TODAY).count == count


@st.composite
def by_payment_args(draw: st.DrawFn) -> tuple[int, int, int]:
    balance = draw(st.integers(min_value=2, max_value=100_000_000))
    down = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=balance - 1)))
    rest = balance - down
    payment = draw(st.integers(min_value=max(1, -(-rest // 150)), max_value=rest + 1_000))
    return balance, payment, down


@given(by_payment_args(), firsts, everies)
def test_by_payment_is_the_payment_then_a_smaller_last(
    args: tuple[int, int, int], first: date, every: str
) -> None:
    balance, payment, down = args
    s = schedule_by_payment(balance, payment, first, every, down)
    assert_sound(s, balance, first, down)
    amounts = [i.amount_cents for i in s.regular]
    assert all(a == payment for a in amounts[:-1])
    assert 0 < amounts[-1] <= payment


percents = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False)


@given(balances, percents)
def test_settle_percent_adds_up(balance: int, percent: Decimal) -> None:
    s = settle_percent(balance, percent)
    assert s.settlement_cents + s.discount_cents == balance == s.balance_cents
    assert 0 <= s.discount_cents <= balance
    exact = Decimal(balance) * percent / 100
    assert abs(Decimal(s.discount_cents) - exact) <= Decimal("0.5")
    assert s.percent_off == percent


@given(st.data())
def test_settle_amount_adds_up(data: st.DataObject) -> None:
    balance = data.draw(balances)
    amount = data.draw(st.integers(min_value=1, max_value=balance))
    s = settle_amount(balance, amount)
    assert s.settlement_cents == amount
    assert s.settlement_cents + s.discount_cents == balance
    assert Decimal(0) <= s.percent_off <= Decimal(100)


@given(balances, st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
def test_the_policys_own_settlement_is_within_it(balance: int, percent: Decimal) -> None:
    policy = ArrangementPolicy(max_settlement_percent=percent)
    assert check_settlement(settle_percent(balance, percent), policy).within_policy


@given(
    balances,
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=50_000),
    st.decimals(min_value=0, max_value=50, places=1, allow_nan=False),
    firsts,
    everies,
)
def test_the_plan_within_policy_is_within_it(
    balance: int, term: int, min_inst: int, down_pct: Decimal, today: date, every: str
) -> None:
    policy = ArrangementPolicy(
        max_term_months=term, min_installment_cents=min_inst, min_down_percent=down_pct
    )
    offers = build_offers(balance, today, policy, every=every)
    shortest = next(o for o in offers if o.kind == "shortest_plan")
    if shortest.schedule is None:
        assert required_down_cents(policy, balance) >= balance
        return
    assert shortest.check.within_policy, shortest.check.broken_rules
    assert shortest.schedule.total_cents == balance
    assert shortest.schedule.term_months <= term


# --------------------------------------------------------------------------- settlements


def test_settle_percent_rounds_the_discount_half_up() -> None:
    s = settle_percent(333, Decimal(20))  # 66.6 cents off → 67
    assert (s.settlement_cents, s.discount_cents) == (266, 67)
    s = settle_percent(1_005, Decimal(10))  # 100.5 cents off → 101 (the half cent to the debtor)
    assert (s.settlement_cents, s.discount_cents) == (904, 101)
    s = settle_percent(100_000, Decimal("12.5"))
    assert (s.settlement_cents, s.discount_cents) == (87_500, 12_500)


def test_settle_amount_reports_percent() -> None:
    s = settle_amount(100_000, 80_000)
    assert (s.discount_cents, s.percent_off) == (20_000, Decimal("20.00"))
    assert settle_amount(300, 200).percent_off == Decimal("33.33")


@pytest.mark.parametrize(
    ("call", "why"),
    [
        (lambda: settle_percent(1_000, Decimal(101)), "between 0 and 100"),
        (lambda: settle_percent(1_000, Decimal(-1)), "between 0 and 100"),
        (lambda: settle_percent(1_000, Decimal("NaN")), "between 0 and 100"),
        (lambda: settle_percent(0, Decimal(10)), "not positive"),
        (lambda: settle_amount(1_000, 0), "more than \\$0.00"),
        (lambda: settle_amount(1_000, 1_001), "more than the balance"),
        (lambda: settle_amount(-1, 1), "not positive"),
    ],
)
def test_settlement_refusals(call: Callable[[], object], why: str) -> None:
    with pytest.raises(PlanError, match=why):
        call()


# -------------------------------------------------------------------------------- policy

POLICY = ArrangementPolicy()


def test_policy_term_too_long() -> None:
    s = schedule_by_count(1_800_000, 18, TODAY)
    c = check_schedule(s, POLICY, 1_800_000)
    assert (c.within_policy, c.needs_approval) == (False, True)
    assert c.broken_rules == ("term 18 months is longer than the 12 months allowed",)


def test_policy_weekly_term_too_long() -> None:
    s = schedule_by_count(530_000, 53, date(2026, 1, 1), "week")
    c = check_schedule(s, POLICY, 530_000)
    assert c.broken_rules == ("term 13 months is longer than the 12 months allowed",)
    ok = schedule_by_count(520_000, 52, date(2026, 1, 1), "week")
    assert check_schedule(ok, POLICY, 520_000).within_policy


def test_policy_installment_too_small() -> None:
    s = schedule_by_count(10_000, 5, TODAY)
    c = check_schedule(s, POLICY, 10_000)
    assert c.needs_approval
    assert c.broken_rules == ("installment $20.00 is smaller than the $25.00 minimum",)


def test_policy_allows_a_smaller_last_installment() -> None:
    s = schedule_by_payment(10_000, 4_000, TODAY)  # 40, 40, 20
    assert check_schedule(s, POLICY, 10_000).within_policy
    assert check_schedule(schedule_by_count(2_000, 1, TODAY), POLICY, 2_000).within_policy


def test_policy_down_payment_too_small() -> None:
    policy = ArrangementPolicy(min_down_cents=5_000, min_down_percent=Decimal(10))
    assert required_down_cents(policy, 100_000) == 10_000
    assert required_down_cents(policy, 20_000) == 5_000
    assert required_down_cents(ArrangementPolicy(min_down_percent=Decimal(10)), 10_001) == 1_001
    s = schedule_by_count(100_000, 3, TODAY, down_cents=5_000)
    c = check_schedule(s, policy, 100_000)
    assert c.broken_rules == ("down payment $50.00 is less than the $100.00 required",)
    none = check_schedule(schedule_by_count(100_000, 3, TODAY), policy, 100_000)
    assert none.broken_rules == ("no down payment; $100.00 is required",)
    enough = schedule_by_count(100_000, 3, TODAY, down_cents=10_000)
    assert check_schedule(enough, policy, 100_000).within_policy


def test_policy_several_rules_at_once() -> None:
    s = schedule_by_count(40_000, 20, TODAY)
    c = check_schedule(s, POLICY, 40_000)
    assert c.broken_rules == (
        "term 20 months is longer than the 12 months allowed",
        "installment $20.00 is smaller than the $25.00 minimum",
    )


def test_policy_plan_not_totalling_the_balance() -> None:
    c = check_schedule(schedule_by_count(90_000, 3, TODAY), POLICY, 100_000)
    assert c.broken_rules == ("the plan totals $900.00, not the balance of $1,000.00",)


def test_settlement_too_deep_needs_approval() -> None:
    c = check_settlement(settle_percent(100_000, Decimal(25)), POLICY)
    assert (c.within_policy, c.needs_approval) == (False, True)
    assert c.broken_rules == (
        "settlement discount 25% ($250.00) is more than the 20% allowed ($200.00)",
    )
    assert check_settlement(settle_percent(100_000, Decimal(20)), POLICY).within_policy
    deep = check_settlement(settle_amount(100_000, 79_999), POLICY)
    assert deep.needs_approval
    assert deep.broken_rules[0].startswith("settlement discount 20% ($200.01)")


def test_settlements_needing_approval_by_policy() -> None:
    policy = ArrangementPolicy(settlement_needs_approval=True)
    c = check_settlement(settle_percent(100_000, Decimal(10)), policy)
    assert (c.within_policy, c.needs_approval, c.broken_rules) == (True, True, ())
    assert "approval" in c.approval_note
    assert c.reasons == (c.approval_note,)


def test_policy_from_config() -> None:
    p = ArrangementPolicy.from_config(
        {
            "max_term_months": 24,
            "min_installment": "50.00",
            "min_down": "10",
            "min_down_percent": 5,
            "max_settlement_percent": 12.5,
            "settlement_needs_approval": True,
            "full_payment_discount_percent": "3%",
        }
    )
    assert p == ArrangementPolicy(
        max_term_months=24,
        min_installment_cents=5_000,
        min_down_cents=1_000,
        min_down_percent=Decimal(5),
        max_settlement_percent=Decimal("12.5"),
        settlement_needs_approval=True,
        full_payment_discount_percent=Decimal(3),
    )
    assert ArrangementPolicy.from_config({}) == ArrangementPolicy()
    assert ArrangementPolicy.from_config(
        {"min_installment_cents": 1_000}
    ).min_installment_cents == (1_000)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"max_term": 12}, "unknown key"),
        ({"max_term_months": 0}, "at least 1"),
        ({"max_term_months": "12"}, "whole number of months"),
        ({"max_term_months": True}, "whole number of months"),
        ({"min_installment": 25}, "amount in quotes"),
        ({"min_installment": "25.001"}, "more than 2 decimal places"),
        ({"min_installment": "-5.00"}, "negative"),
        ({"min_down_cents": -1}, "cents"),
        ({"min_installment": "1.00", "min_installment_cents": 100}, "twice"),
        ({"max_settlement_percent": 120}, "0 to 100"),
        ({"max_settlement_percent": "lots"}, "0 to 100"),
        ({"max_settlement_percent": True}, "0 to 100"),
        ({"settlement_needs_approval": "yes"}, "true or false"),
    ],
)
def test_policy_from_config_refuses(data: dict[str, object], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        ArrangementPolicy.from_config(data)


def test_per_creditor_policies_inherit_the_default() -> None:
    default, creditors = policies_from_config(
        {
            "max_term_months": 6,
            "min_installment": "30.00",
            "creditors": {"Mercy Hospital": {"max_term_months": 24}},
        }
    )
    assert default == ArrangementPolicy(max_term_months=6, min_installment_cents=3_000)
    mercy = creditors["Mercy Hospital"]
    assert (mercy.max_term_months, mercy.min_installment_cents) == (24, 3_000)
    assert policy_for("Mercy Hospital", creditors, default) is mercy
    assert policy_for(" mercy hospital ", creditors, default) is mercy
    assert policy_for("Acme Dental", creditors, default) is default
    with pytest.raises(ValueError, match="unknown key"):
        policies_from_config({"creditors": {"X": {"term": 1}}})


# -------------------------------------------------------------------------------- offers


def kinds(offers: list[Offer]) -> list[str]:
    return [o.kind for o in offers]


def test_offers_for_an_affordable_debtor() -> None:
    offers = build_offers(100_000, TODAY, POLICY, can_pay_cents=15_000)
    assert kinds(offers) == ["pay_in_full", "shortest_plan", "affordable_plan", "settlement"]
    full, shortest, affordable, settlement = offers

    assert full.schedule is not None and rows(full.schedule) == [(1, "2026-11-27", "1000.00")]
    assert full.settlement is None and full.total_cents == 100_000
    assert full.title == "Pay in full today: $1,000.00"

    assert shortest.schedule is not None
    assert shortest.schedule.installment_count == 12  # 1000/25 = 40, bounded by 12 months
    assert shortest.schedule.total_cents == 100_000
    assert shortest.check.within_policy
    assert "12 monthly payments of $83.33 (the first 4 $83.34)" in shortest.title

    assert affordable.schedule is not None
    assert [i.amount_cents for i in affordable.schedule.installments] == [15_000] * 6 + [10_000]
    assert affordable.check.within_policy and not affordable.check.needs_approval
    assert affordable.note == "$150.00 a month pays it off in 7 months, the last on 2027-05-27"
    assert affordable.total_cents == 100_000

    assert settlement.settlement is not None
    assert (settlement.settlement.settlement_cents, settlement.settlement.discount_cents) == (
        80_000,
        20_000,
    )
    assert settlement.check.within_policy
    assert settlement.title == "Settle today for $800.00 (20% off)"


def test_offers_for_an_unaffordable_debtor() -> None:
    policy = ArrangementPolicy(min_installment_cents=1_000)
    offers = build_offers(120_000, TODAY, policy, can_pay_cents=2_000)
    affordable = next(o for o in offers if o.kind == "affordable_plan")
    assert affordable.note == (
        "$20.00 a month would take 60 months; the longest allowed is 12 — needs approval"
    )
    assert (affordable.check.within_policy, affordable.check.needs_approval) == (False, True)
    assert affordable.check.broken_rules == ("term 60 months is longer than the 12 months allowed",)
    assert affordable.schedule is not None and affordable.schedule.installment_count == 60


def test_offers_below_the_smallest_installment() -> None:
    offers = build_offers(20_000, TODAY, POLICY, can_pay_cents=2_000)
    affordable = next(o for o in offers if o.kind == "affordable_plan")
    assert affordable.check.broken_rules == (
        "installment $20.00 is smaller than the $25.00 minimum",
    )
    assert affordable.note == (
        "$20.00 a month is less than the $25.00 smallest installment — needs approval"
    )


def test_offers_too_long_to_schedule() -> None:
    offers = build_offers(100_000_000, TODAY, POLICY, can_pay_cents=1, every="week")
    affordable = next(o for o in offers if o.kind == "affordable_plan")
    assert affordable.schedule is None
    assert affordable.check.needs_approval
    assert "100,000,000 weeks" in affordable.note
    assert "too long to schedule" in affordable.note


def test_offers_when_the_debtor_can_pay_nothing() -> None:
    offers = build_offers(100_000, TODAY, POLICY, can_pay_cents=0)
    affordable = next(o for o in offers if o.kind == "affordable_plan")
    assert affordable.schedule is None
    assert not affordable.check.within_policy and not affordable.check.needs_approval
    assert "no plan fits" in affordable.note


def test_offers_with_a_full_payment_discount_and_a_required_down() -> None:
    policy = ArrangementPolicy(
        full_payment_discount_percent=Decimal(5),
        min_down_percent=Decimal(10),
        max_settlement_percent=Decimal(0),
    )
    offers = build_offers(100_000, TODAY, policy, can_pay_cents=30_000, every="2weeks")
    assert kinds(offers) == ["pay_in_full", "shortest_plan", "affordable_plan"]
    full, shortest, affordable = offers
    assert full.total_cents == 95_000
    assert full.settlement is not None and full.settlement.discount_cents == 5_000
    assert full.title == "Pay in full today: $950.00 (5% off $1,000.00)"
    assert full.check.within_policy

    assert shortest.schedule is not None
    assert shortest.schedule.installments[0] == Installment(1, TODAY, 10_000, True)
    assert shortest.schedule.installment_count == 26  # 900/25 = 36, bounded by 26 fortnights
    assert shortest.check.within_policy

    assert affordable.schedule is not None
    assert rows(affordable.schedule) == [
        (1, "2026-11-27", "100.00"),
        (2, "2026-12-11", "300.00"),
        (3, "2026-12-25", "300.00"),
        (4, "2027-01-08", "300.00"),
    ]
    assert affordable.check.within_policy


def test_offers_for_a_small_balance() -> None:
    offers = build_offers(4_000, TODAY, POLICY)
    shortest = next(o for o in offers if o.kind == "shortest_plan")
    assert shortest.schedule is not None and shortest.schedule.count == 1
    assert "too small to split" in shortest.note


def test_offers_refuse_nonsense() -> None:
    with pytest.raises(PlanError, match="nothing to plan"):
        build_offers(0, TODAY, POLICY)
    with pytest.raises(PlanError, match="unknown frequency"):
        build_offers(1_000, TODAY, POLICY, every="daily")


@given(
    balances,
    st.one_of(st.none(), st.integers(min_value=0, max_value=10_000_000)),
    firsts,
    everies,
)
def test_offers_always_add_up(balance: int, can_pay: int | None, today: date, every: str) -> None:
    for offer in build_offers(balance, today, POLICY, can_pay_cents=can_pay, every=every):
        if offer.schedule is not None:
            s = offer.schedule
            assert s.first_due_on == today
            assert all(i.amount_cents > 0 for i in s.installments)
            expected = offer.settlement.settlement_cents if offer.settlement else balance
            assert s.total_cents == expected
        assert offer.check.within_policy or offer.note
        assert offer.check.within_policy != bool(offer.check.broken_rules) or (
            offer.schedule is None
        )
