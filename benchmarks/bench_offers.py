"""Offer builder speed: build_offers must be fast enough to recompute on every keystroke.

    python benchmarks/bench_offers.py [--repeat N] [--budget-ms 5]

Times ``collections_tui.domain.arrangements.build_offers`` per call in several scenarios —
a typical call, a debtor typing what they can pay one keystroke at a time (each keystroke
parses the amount and rebuilds every offer), weekly plans, and the worst case the builder
allows (an affordable plan of MAX_INSTALLMENTS rows from the 31st of a month) — beside a
baseline in the same run: one 12-installment ``schedule_by_count``. Prints mean, p95 and
max in milliseconds; exits 1 when any scenario's p95 is over the budget (default 5 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from collections_tui.domain.arrangements import (
    MAX_INSTALLMENTS,
    ArrangementPolicy,
    build_offers,
    schedule_by_count,
)
from collections_tui.domain.money import MoneyError, parse_amount

TODAY = date(2026, 1, 31)  # the 31st: every monthly date needs the month-end rule
POLICY = ArrangementPolicy(
    max_term_months=12,
    min_installment_cents=2_500,
    min_down_percent=Decimal(10),
    max_settlement_percent=Decimal(20),
    full_payment_discount_percent=Decimal(5),
)


def time_calls(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` samples (after a short warm-up)."""
    for _ in range(min(repeat, 50)):
        fn()
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(repeat):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return samples


def typing(balance_cents: int, keystrokes: str) -> Callable[[], object]:
    """One pass of a coordinator typing ``keystrokes`` into the "can pay" field."""
    prefixes = [keystrokes[: i + 1] for i in range(len(keystrokes))]

    def run() -> object:
        last: object = None
        for text in prefixes:
            try:
                can_pay = parse_amount(text, allow_negative=False)
            except MoneyError:
                can_pay = None  # "250." is not an amount yet: the offers without it
            last = build_offers(balance_cents, TODAY, POLICY, can_pay_cents=can_pay)
        return last

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2_000)
    parser.add_argument("--budget-ms", type=float, default=5.0)
    args = parser.parse_args()

    keys = "250.00"
    worst_balance = MAX_INSTALLMENTS * 10_000  # exactly MAX_INSTALLMENTS rows of $100.00
    scenarios: list[tuple[str, Callable[[], object], int]] = [
        (
            "baseline: schedule_by_count 12 monthly",
            lambda: schedule_by_count(100_000, 12, TODAY),
            1,
        ),
        ("no can-pay: $1,000.00 monthly", lambda: build_offers(100_000, TODAY, POLICY), 1),
        (
            "affordable: $1,000.00 at $150.00/month",
            lambda: build_offers(100_000, TODAY, POLICY, can_pay_cents=15_000),
            1,
        ),
        (
            "unaffordable: $12,000.00 at $20.00/month",
            lambda: build_offers(1_200_000, TODAY, POLICY, can_pay_cents=2_000),
            1,
        ),
        (
            "weekly: $25,000.00 at $40.00/week",
            lambda: build_offers(2_500_000, TODAY, POLICY, can_pay_cents=4_000, every="week"),
            1,
        ),
        (
            "absurd: $1,000,000.00 at $0.01/week",
            lambda: build_offers(100_000_000, TODAY, POLICY, can_pay_cents=1, every="week"),
            1,
        ),
        (
            f"worst: {MAX_INSTALLMENTS} monthly rows from the 31st",
            lambda: build_offers(worst_balance, TODAY, POLICY, can_pay_cents=10_000),
            1,
        ),
        (f"typing '{keys}' ($3,400.00), per keystroke", typing(340_000, keys), len(keys)),
    ]

    print(f"build_offers, {args.repeat:,} samples each; budget {args.budget_ms:.1f} ms per call")
    print(f"{'scenario':<46} {'mean ms':>8} {'p95 ms':>8} {'max ms':>8}")
    over = False
    for name, fn, calls in scenarios:
        samples = sorted(s / calls for s in time_calls(fn, args.repeat))
        mean = statistics.fmean(samples) * 1e3
        p95 = samples[int(len(samples) * 0.95) - 1] * 1e3
        worst = samples[-1] * 1e3
        flag = ""
        if not name.startswith("baseline") and p95 > args.budget_ms:
            flag = "  OVER BUDGET"
            over = True
        print(f"{name:<46} {mean:8.3f} {p95:8.3f} {worst:8.3f}{flag}")
    print("result:", "over budget" if over else f"every p95 within {args.budget_ms:.1f} ms")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
