from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.promises import (
    MISSED,
    ArrangementState,
    apply_payments,
    promise_status,
)

MADE = date(2026, 11, 20)
DUE = date(2026, 12, 1)
GRACE_ENDS = date(2026, 12, 4)  # DUE + 3 days: the last day a payment counts
DAY_AFTER = date(2026, 12, 5)  # the first day the promise is missed


def d(day: int, month: int = 12) -> date:
    return date(2026, month, day)


# ---------------------------------------------------------------------------- promises


def test_unpaid_promise_is_pending_through_the_last_day_of_grace_and_broken_the_day_after() -> None:
    assert promise_status(5_000, MADE, DUE, [], DUE, 3).state == "pending"
    on_last_day = promise_status(5_000, MADE, DUE, [], GRACE_ENDS, 3)
    assert on_last_day.state == "pending"
    assert on_last_day.grace_ends == GRACE_ENDS
    after = promise_status(5_000, MADE, DUE, [], DAY_AFTER, 3)
    assert (after.state, after.paid_cents, after.short_cents) == ("broken", 0, 5_000)
    assert after.missed


def test_payment_on_the_last_day_of_grace_keeps_the_promise() -> None:
    s = promise_status(5_000, MADE, DUE, [(GRACE_ENDS, 5_000)], d(10), 3)
    assert (s.state, s.paid_cents, s.short_cents) == ("kept", 5_000, 0)
    assert not s.missed


def test_payment_the_day_after_grace_does_not_count() -> None:
    s = promise_status(5_000, MADE, DUE, [(DAY_AFTER, 5_000)], d(10), 3)
    assert (s.state, s.paid_cents) == ("broken", 0)


def test_partial_payment_is_pending_in_grace_then_partially_kept() -> None:
    payments = [(d(3), 2_000)]
    assert promise_status(5_000, MADE, DUE, payments, GRACE_ENDS, 3).state == "pending"
    s = promise_status(5_000, MADE, DUE, payments, DAY_AFTER, 3)
    assert (s.state, s.paid_cents, s.short_cents) == ("partially_kept", 2_000, 3_000)
    assert s.missed  # a partially kept promise is a missed one: broken_promise tier
    assert "partially_kept" in MISSED and "broken" in MISSED


def test_kept_as_soon_as_covered_even_before_the_due_date() -> None:
    payments = [(d(25, 11), 3_000), (d(26, 11), 2_500)]
    early = promise_status(5_000, MADE, DUE, payments, d(26, 11), 3)
    assert (early.state, early.paid_cents, early.short_cents) == ("kept", 5_500, 0)
    assert promise_status(5_000, MADE, DUE, payments[:1], d(26, 11), 3).state == "pending"


def test_payments_before_the_promise_or_after_today_do_not_count() -> None:
    payments = [(d(19, 11), 5_000), (d(2), 5_000)]
    # --now on Nov 30: the payment posted for Dec 2 has not happened yet
    assert promise_status(5_000, MADE, DUE, payments, d(30, 11), 3).paid_cents == 0
    assert promise_status(5_000, MADE, DUE, payments, d(2), 3).state == "kept"


def test_grace_days_are_configurable() -> None:
    assert promise_status(100, MADE, DUE, [], d(2), 0).state == "broken"
    assert promise_status(100, MADE, DUE, [], d(1), 0).state == "pending"
    assert promise_status(100, MADE, DUE, [], d(11), 10).state == "pending"


_days = st.integers(min_value=0, max_value=60)


@given(
    amount=st.integers(min_value=1, max_value=100_000),
    due=_days,
    grace=st.integers(min_value=0, max_value=7),
    pays=st.lists(st.tuples(_days, st.integers(min_value=1, max_value=50_000)), max_size=6),
    today=_days,
)
def test_promise_status_is_consistent(
    amount: int, due: int, grace: int, pays: list[tuple[int, int]], today: int
) -> None:
    base = date(2026, 11, 1)
    payments = [(base + timedelta(days=o), c) for o, c in pays]
    made, due_on, now = base, base + timedelta(days=due), base + timedelta(days=today)
    s = promise_status(amount, made, due_on, payments, now, grace)
    counted = sum(c for o, c in pays if o <= min(due + grace, today))
    assert s.paid_cents == counted
    assert s.short_cents == max(0, amount - counted)
    assert (s.state == "kept") == (counted >= amount)
    if s.state == "pending":
        assert today <= due + grace
    if s.state in MISSED:
        assert today > due + grace
        assert (s.state == "broken") == (counted == 0)
    # Once kept, a promise stays kept on every later day.
    if s.state == "kept":
        later = promise_status(amount, made, due_on, payments, now + timedelta(days=30), grace)
        assert later.state == "kept"


# ------------------------------------------------------------------------ arrangements


def monthly(n: int = 3, amount: int = 10_000, first: date = DUE) -> list[tuple[int, date, int]]:
    rows = []
    for k in range(n):
        month = first.month - 1 + k
        rows.append((k + 1, date(first.year + month // 12, month % 12 + 1, first.day), amount))
    return rows


def states(s: ArrangementState) -> list[tuple[int, str, int]]:
    return [(i.number, i.state, i.paid_cents) for i in s.installments]


def test_payments_go_to_the_oldest_installment_and_overpayment_carries_forward() -> None:
    s = apply_payments(monthly(), [(d(1), 15_000)], d(1), 3)
    assert states(s) == [(1, "paid", 10_000), (2, "partially_paid", 5_000), (3, "unpaid", 0)]
    assert s.status == "active"
    assert s.paid_cents == 15_000
    assert s.remaining_cents == 15_000
    assert s.next_due is not None
    assert (s.next_due.number, s.next_due.due_on, s.next_due.short_cents) == (
        2,
        date(2027, 1, 1),
        5_000,
    )
    assert s.credit_cents == 5_000  # paid ahead toward January
    assert s.overdue_cents == 0
    assert s.installments[0].paid_on == d(1)


def test_many_small_payments_fill_installments_in_order() -> None:
    pays = [(d(1), 4_000), (d(2), 4_000), (d(3), 4_000)]
    s = apply_payments(monthly(), pays, d(3), 3)
    assert states(s) == [(1, "paid", 10_000), (2, "partially_paid", 2_000), (3, "unpaid", 0)]
    assert s.installments[0].paid_on == d(3)  # covered by the third payment


def test_broken_the_day_after_grace_ends_not_on_the_last_day() -> None:
    plan = monthly()
    on_last_day = apply_payments(plan, [], GRACE_ENDS, 3)
    assert on_last_day.status == "active"
    assert on_last_day.overdue_cents == 10_000  # past due, still within grace
    after = apply_payments(plan, [], DAY_AFTER, 3)
    assert after.status == "broken"
    assert after.broken_since == DAY_AFTER
    assert after.next_due is not None and after.next_due.number == 1


def test_a_partly_paid_installment_past_grace_breaks_the_plan() -> None:
    s = apply_payments(monthly(), [(d(1), 9_999)], DAY_AFTER, 3)
    assert s.status == "broken"
    assert s.overdue_cents == 1


def test_second_installment_missed_breaks_on_its_own_grace() -> None:
    plan = monthly()
    pays = [(d(1), 10_000)]
    assert apply_payments(plan, pays, date(2027, 1, 4), 3).status == "active"
    late = apply_payments(plan, pays, date(2027, 1, 5), 3)
    assert late.status == "broken"
    assert late.broken_since == date(2027, 1, 5)
    assert late.overdue_cents == 10_000


def test_catching_up_makes_a_broken_plan_active_again() -> None:
    plan = monthly()
    assert apply_payments(plan, [(d(10), 5_000)], d(10), 3).status == "broken"
    caught_up = apply_payments(plan, [(d(10), 5_000), (d(11), 5_000)], d(11), 3)
    assert caught_up.status == "active"
    assert caught_up.broken_since is None


def test_completed_when_every_installment_is_covered_even_early() -> None:
    s = apply_payments(monthly(), [(d(1), 10_000), (d(15), 25_000)], d(15), 3)
    assert s.status == "completed"
    assert s.next_due is None
    assert s.completed_on == d(15)
    assert s.paid_cents == 30_000
    assert s.excess_cents == 5_000
    assert s.credit_cents == 25_000  # 20,000 toward Jan and Feb plus 5,000 beyond the total
    assert all(i.state == "paid" for i in s.installments)


def test_only_payments_in_the_window_count() -> None:
    pays = [(d(30, 11), 10_000), (d(1), 10_000), (d(20), 10_000), (d(25), 10_000)]
    s = apply_payments(monthly(), pays, d(25), 3, start=d(1), end=d(20))
    assert s.paid_cents == 20_000
    future = apply_payments(monthly(), pays, d(1), 3, start=d(1))
    assert future.paid_cents == 10_000  # later payments have not happened on Dec 1


@pytest.mark.parametrize("order", [0, 1])
def test_installments_are_applied_in_due_order_whatever_the_input_order(order: int) -> None:
    plan = monthly()
    if order:
        plan = list(reversed(plan))
    s = apply_payments(plan, [(d(1), 10_000)], d(1), 3)
    assert [i.number for i in s.installments] == [1, 2, 3]
    assert s.installments[0].state == "paid"


_amounts = st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=8)
_payments = st.lists(
    st.tuples(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=60_000)),
    max_size=12,
)


@given(amounts=_amounts, pays=_payments, today=st.integers(min_value=0, max_value=250))
def test_applying_payments_property(
    amounts: list[int], pays: list[tuple[int, int]], today: int
) -> None:
    base = date(2026, 12, 1)
    plan = [(k + 1, base + timedelta(days=30 * k), a) for k, a in enumerate(amounts)]
    payments = [(base + timedelta(days=o), c) for o, c in pays]
    now = base + timedelta(days=today)
    s = apply_payments(plan, payments, now, 3)
    total = sum(amounts)
    received = sum(c for o, c in pays if o <= today)

    assert sum(i.paid_cents for i in s.installments) == min(total, received) == s.paid_cents
    assert s.excess_cents == max(0, received - total)
    # Oldest first: paid ones, then at most one partly paid, then unpaid ones.
    seen = [i.state for i in s.installments]
    first_open = next((k for k, x in enumerate(seen) if x != "paid"), len(seen))
    assert all(x == "unpaid" for x in seen[first_open + 1 :])
    for i in s.installments:
        assert 0 <= i.paid_cents <= i.amount_cents
        assert (i.paid_on is not None) == (i.state == "paid")
    assert (s.status == "completed") == (received >= total)
    if s.status == "broken":
        assert s.next_due is not None
        assert s.next_due.due_on + timedelta(days=3) < now

    # Never marks a fully paid installment unpaid: each prefix of the payments pays no
    # installment more than the whole sequence does.
    ordered = sorted(payments)
    for k in range(len(ordered) + 1):
        part = apply_payments(plan, ordered[:k], now, 3)
        for before, after in zip(part.installments, s.installments, strict=True):
            assert before.paid_cents <= after.paid_cents
            if before.state == "paid":
                assert after.state == "paid"
                assert after.paid_on == before.paid_on
