"""Queue tier and an explainable score (DESIGN §5).

Tiers: 1 ``callback_due`` (a scheduled callback whose time has come), 2 ``broken_promise``
(a promise or installment whose date + grace passed without enough payment), 3 ``scored``.

The score is the sum of named parts, so the queue and the account screen can show why an
account is where it is:

- ``balance``: ``balance_per_decade`` points for each factor of ten in the balance
  ($10 → 200, $100 → 400, $1,000 → 600, $25,000 → 880 with the default weight): a larger
  balance always scores at least as high.
- ``age``: ``age_per_day`` points per day past due (an account without a due date ages from
  the day it was opened): an older account always scores higher.
- ``recent_attempt``: a penalty while the last attempt was today or yesterday (office days).
- ``history``: points for a debtor who has been reached and who keeps promises.

Why this shape: every part except ``age`` stays constant as days pass, and ``age`` grows by
the same amount for every account each day. So the database can store a *sort key*
(``score - age_per_day * day_number``) that never needs a nightly rewrite of a million rows
to keep the order right; only the accounts whose ``recent_attempt`` penalty expires are
rewritten, a few thousand a day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

TIERS: dict[int, str] = {1: "callback_due", 2: "broken_promise", 3: "scored"}
TIER_NUMBERS: dict[str, int] = {name: n for n, name in TIERS.items()}

# Day numbers are counted from here so that stored keys stay small integers.
_EPOCH = date(2000, 1, 1).toordinal()


@dataclass(frozen=True)
class Weights:
    balance_per_decade: int = 200
    age_per_day: int = 1
    recent_attempt_penalty: int = 150
    reached_bonus: int = 40  # a right-party conversation in the account's history
    kept_promise_bonus: int = 30  # per promise kept, up to three
    broken_promise_penalty: int = 20  # per promise broken, up to three


@dataclass(frozen=True)
class ScorePart:
    name: str
    points: int
    detail: str


@dataclass(frozen=True)
class Priority:
    tier: int
    tier_name: str
    score: int
    parts: tuple[ScorePart, ...]
    sort_key: int  # what the database orders by (see module docstring)


@dataclass(frozen=True)
class History:
    reached: bool = False  # any right-party conversation ever
    kept_promises: int = 0
    broken_promises: int = 0


def day_number(d: date) -> int:
    return d.toordinal() - _EPOCH


def balance_points(balance_cents: int, w: Weights = Weights()) -> int:
    dollars = max(balance_cents, 100) / 100  # a score part, not money: log needs a real number
    return round(w.balance_per_decade * math.log10(dollars))


def tier_for(*, callback_due: bool, broken_promise: bool) -> int:
    if callback_due:
        return 1
    if broken_promise:
        return 2
    return 3


def priority(
    *,
    balance_cents: int,
    aging_from: date,
    today: date,
    last_attempt_on: date | None,
    history: History = History(),
    callback_due: bool = False,
    broken_promise: bool = False,
    weights: Weights = Weights(),
) -> Priority:
    """Tier and score of an account on ``today``.

    ``aging_from`` is the due date (or, without one, the day the account was opened);
    ``last_attempt_on`` the office-calendar day of the last call attempt.
    """
    w = weights
    days = max(0, (today - aging_from).days)
    parts = [
        ScorePart(
            "balance", balance_points(balance_cents, w), f"balance {balance_cents / 100:,.2f}"
        ),
        ScorePart("age", w.age_per_day * days, f"{days} days past due"),
    ]
    recent = last_attempt_on is not None and (today - last_attempt_on).days <= 1
    if recent:
        assert last_attempt_on is not None
        when = "today" if last_attempt_on == today else "yesterday"
        parts.append(ScorePart("recent_attempt", -w.recent_attempt_penalty, f"called {when}"))
    hist = 0
    notes = []
    if history.reached:
        hist += w.reached_bonus
        notes.append("reached before")
    if history.kept_promises:
        hist += w.kept_promise_bonus * min(history.kept_promises, 3)
        notes.append(f"{history.kept_promises} promise(s) kept")
    if history.broken_promises:
        hist -= w.broken_promise_penalty * min(history.broken_promises, 3)
        notes.append(f"{history.broken_promises} promise(s) broken")
    if notes:
        parts.append(ScorePart("history", hist, ", ".join(notes)))
    score = sum(p.points for p in parts)
    tier = tier_for(callback_due=callback_due, broken_promise=broken_promise)
    # The key the database sorts by: the score without its age part, less a constant per day
    # of the aging date. score_from_key(key, today) == score for every account already due.
    sort_key = (score - w.age_per_day * days) - w.age_per_day * day_number(aging_from)
    return Priority(
        tier=tier, tier_name=TIERS[tier], score=score, parts=tuple(parts), sort_key=sort_key
    )


def fresh_sort_key(balance_cents: int, aging_from: date, weights: Weights = Weights()) -> int:
    """The stored sort key of an account with no history yet (a new import): the same value
    :func:`priority` gives it, cheaply, for bulk inserts."""
    return balance_points(balance_cents, weights) - weights.age_per_day * day_number(aging_from)


def score_from_key(sort_key: int, today: date, weights: Weights = Weights()) -> int:
    """The score shown today for an account whose stored key is ``sort_key``."""
    return sort_key + weights.age_per_day * day_number(today)
