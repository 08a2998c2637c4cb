from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.priority import History, priority, score_from_key

TODAY = date(2026, 11, 27)


def test_parts_explain_the_score() -> None:
    p = priority(
        balance_cents=100_000,
        aging_from=TODAY - timedelta(days=45),
        today=TODAY,
        last_attempt_on=TODAY,
        history=History(reached=True, kept_promises=1),
    )
    assert {part.name: part.points for part in p.parts} == {
        "balance": 600,
        "age": 45,
        "recent_attempt": -150,
        "history": 70,
    }
    assert p.score == 565
    assert (p.tier, p.tier_name) == (3, "scored")


def test_tiers() -> None:
    base = dict(balance_cents=5_000, aging_from=TODAY, today=TODAY, last_attempt_on=None)
    assert priority(**base, callback_due=True, broken_promise=True).tier_name == "callback_due"  # type: ignore[arg-type]
    assert priority(**base, broken_promise=True).tier_name == "broken_promise"  # type: ignore[arg-type]


balances = st.integers(min_value=1, max_value=10_000_000_00)
ages = st.integers(min_value=1, max_value=3_000)


@given(balances, balances, ages)
def test_same_age_larger_balance_never_lower(b1: int, b2: int, age: int) -> None:
    lo, hi = sorted((b1, b2))
    due = TODAY - timedelta(days=age)
    s_lo = priority(balance_cents=lo, aging_from=due, today=TODAY, last_attempt_on=None).score
    s_hi = priority(balance_cents=hi, aging_from=due, today=TODAY, last_attempt_on=None).score
    assert s_hi >= s_lo


@given(balances, ages, ages)
def test_same_balance_older_scores_higher(balance: int, a1: int, a2: int) -> None:
    young, old = sorted((a1, a2))
    kw = dict(balance_cents=balance, today=TODAY, last_attempt_on=None)
    s_young = priority(aging_from=TODAY - timedelta(days=young), **kw).score  # type: ignore[arg-type]
    s_old = priority(aging_from=TODAY - timedelta(days=old), **kw).score  # type: ignore[arg-type]
    assert s_old > s_young or young == old


def test_just_attempted_scores_lower() -> None:
    kw = dict(balance_cents=50_000, aging_from=TODAY - timedelta(days=60), today=TODAY)
    fresh = priority(last_attempt_on=None, **kw).score  # type: ignore[arg-type]
    called = priority(last_attempt_on=TODAY, **kw).score  # type: ignore[arg-type]
    two_days = priority(last_attempt_on=TODAY - timedelta(days=2), **kw).score  # type: ignore[arg-type]
    assert called < fresh == two_days


@given(
    st.lists(st.tuples(balances, ages), min_size=2, max_size=20),
    st.integers(min_value=0, max_value=400),
)
def test_stored_key_keeps_the_order_as_days_pass(
    accounts: list[tuple[int, int]], later: int
) -> None:
    """Order by stored key == order by today's score, on any later day, without a rewrite."""
    keyed = []
    for balance, age in accounts:
        p = priority(
            balance_cents=balance,
            aging_from=TODAY - timedelta(days=age),
            today=TODAY,
            last_attempt_on=None,
        )
        keyed.append(p.sort_key)
        assert score_from_key(p.sort_key, TODAY) == p.score
    day = TODAY + timedelta(days=later)
    for (balance, age), key in zip(accounts, keyed, strict=True):
        p_later = priority(
            balance_cents=balance,
            aging_from=TODAY - timedelta(days=age),
            today=day,
            last_attempt_on=None,
        )
        assert score_from_key(key, day) == p_later.score


@given(balances, st.integers(min_value=-400, max_value=3_000))
def test_fresh_sort_key_equals_priority(balance: int, age: int) -> None:
    from collections_tui.domain.priority import fresh_sort_key

    aging_from = TODAY - timedelta(days=age)
    p = priority(balance_cents=balance, aging_from=aging_from, today=TODAY, last_attempt_on=None)
    assert fresh_sort_key(balance, aging_from) == p.sort_key
