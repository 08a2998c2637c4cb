"""Promises to pay and arrangement installments: were they kept? (DESIGN §5, issue 4)

Pure domain code: integer cents, dates passed in (never read from a clock), stdlib only.
Every status is a function of the promise or schedule, the dated payments and ``today``, so
a status is always *computed for now*: ``--now`` shows tomorrow's broken promise today, and
nothing depends on a background job having run.

Payments are ``(posted_on, cents)`` pairs with positive cents (the ledger stores payments
negative; the caller flips the sign). Payments posted after ``today`` have not happened yet
and never count. Non-positive amounts are ignored.

Promises
--------
A promise of ``amount`` made on ``made_on`` for ``due_on`` counts the payments posted from
``made_on`` through ``grace_ends = due_on + grace_days`` (the last day of grace):

- ``kept`` as soon as they cover the amount — even before the due date;
- ``pending`` while not covered and ``today <= grace_ends``;
- after grace ends (``today > grace_ends``, the first day the promise is missed):
  ``partially_kept`` when something but not enough was paid, ``broken`` when nothing was.

A partially kept promise is a *missed* promise: like a broken one it puts the account in
the ``broken_promise`` tier (:data:`MISSED`). The debtor did not do what they said; the
coordinator should call.

Arrangements
------------
:func:`apply_payments` applies the payments in date order to the oldest unpaid installment
first; what is left over after an installment is covered carries forward to the next one.
An arrangement is

- ``completed`` when the payments cover every installment (early payment included);
- ``broken`` when the oldest installment not fully paid is past its grace
  (``due_on + grace_days < today``). This is the state *now*: a debtor who catches up (the
  late installment is covered) makes it ``active`` again;
- ``active`` otherwise.

Because payments go to the oldest installment first, "some installment past grace is not
fully covered" and "the oldest unpaid installment is past grace" are the same condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = [
    "MISSED",
    "PAYMENT_KINDS",
    "ArrangementState",
    "ArrangementStatus",
    "InstallmentPaid",
    "InstallmentState",
    "PromiseState",
    "PromiseStatus",
    "apply_payments",
    "promise_status",
]

PromiseState = Literal["pending", "kept", "partially_kept", "broken"]
ArrangementStatus = Literal["active", "completed", "broken"]
InstallmentPaid = Literal["paid", "partially_paid", "unpaid"]

# Promise states that put the account in the broken_promise tier.
MISSED: frozenset[str] = frozenset({"partially_kept", "broken"})

# Ledger kinds that count as the debtor paying (for promises and installments).
PAYMENT_KINDS: tuple[str, ...] = ("payment", "insurance_payment")


# -------------------------------------------------------------------------------- promises


@dataclass(frozen=True, slots=True)
class PromiseStatus:
    state: PromiseState
    paid_cents: int  # paid within the promise's window so far (may exceed the amount)
    short_cents: int  # what is still missing: max(0, amount - paid)
    grace_ends: date  # the last day a payment counts (due_on + grace days)

    @property
    def missed(self) -> bool:
        """Broken or partially kept: the account belongs in the broken_promise tier."""
        return self.state in MISSED


def promise_status(
    amount_cents: int,
    made_on: date,
    due_on: date,
    payments: Iterable[tuple[date, int]],
    today: date,
    grace_days: int,
) -> PromiseStatus:
    """The state of a promise on ``today`` (see the module documentation)."""
    grace_ends = due_on + timedelta(days=grace_days)
    last = min(grace_ends, today)
    paid = sum(cents for on, cents in payments if cents > 0 and made_on <= on <= last)
    short = max(0, amount_cents - paid)
    state: PromiseState
    if short == 0:
        state = "kept"
    elif today <= grace_ends:
        state = "pending"
    elif paid > 0:
        state = "partially_kept"
    else:
        state = "broken"
    return PromiseStatus(state, paid, short, grace_ends)


# ---------------------------------------------------------------------------- arrangements


@dataclass(frozen=True, slots=True)
class InstallmentState:
    number: int
    due_on: date
    amount_cents: int
    paid_cents: int  # applied to this installment, 0..amount
    paid_on: date | None  # the day the payments covered it in full; None while not covered

    @property
    def state(self) -> InstallmentPaid:
        if self.paid_cents >= self.amount_cents:
            return "paid"
        return "partially_paid" if self.paid_cents > 0 else "unpaid"

    @property
    def short_cents(self) -> int:
        return self.amount_cents - self.paid_cents


@dataclass(frozen=True, slots=True)
class ArrangementState:
    status: ArrangementStatus
    installments: tuple[InstallmentState, ...]  # in due order
    total_cents: int
    paid_cents: int  # applied to installments: min(total, payments counted)
    # The oldest installment not fully paid (what the debtor pays next); None when completed.
    next_due: InstallmentState | None
    overdue_cents: int  # unpaid on installments whose due date has passed (due_on < today)
    # Paid ahead: applied to installments not yet due, plus anything beyond the total.
    credit_cents: int
    excess_cents: int  # payments beyond the total (part of credit_cents)
    broken_since: date | None  # first day of being broken (due_on + grace + 1), when broken
    completed_on: date | None  # the day the payments covered the whole total, when completed

    @property
    def remaining_cents(self) -> int:
        return self.total_cents - self.paid_cents


def apply_payments(
    installments: Sequence[tuple[int, date, int]],
    payments: Iterable[tuple[date, int]],
    today: date,
    grace_days: int,
    *,
    start: date | None = None,
    end: date | None = None,
) -> ArrangementState:
    """Apply ``payments`` to ``installments`` (``(number, due_on, amount_cents)``), oldest
    unpaid installment first, overpayment carrying forward.

    Only payments posted from ``start`` (the arrangement's creation day) through ``end``
    (inclusive; e.g. the day it was cancelled) and no later than ``today`` count.
    """
    rows = sorted(installments, key=lambda i: (i[1], i[0]))
    last = today if end is None else min(end, today)
    counted = sorted(
        (on, cents)
        for on, cents in payments
        if cents > 0 and on <= last and (start is None or on >= start)
    )
    total = sum(amount for _n, _d, amount in rows)
    received = sum(cents for _on, cents in counted)

    # Each installment is covered on the day the running total of payments first reaches
    # the running total of installments through it.
    states: list[InstallmentState] = []
    pay_index = 0
    running_paid = 0
    running_due = 0
    for number, due_on, amount in rows:
        running_due += amount
        while running_paid < running_due and pay_index < len(counted):
            running_paid += counted[pay_index][1]
            pay_index += 1
        before = running_due - amount
        applied = max(0, min(amount, received - before))
        paid_on = counted[pay_index - 1][0] if running_paid >= running_due and amount else None
        if amount <= 0:  # a zero row is covered from the start
            paid_on = counted[0][0] if counted else start
        states.append(InstallmentState(number, due_on, amount, applied, paid_on))

    paid = min(total, received)
    next_due = next((s for s in states if s.paid_cents < s.amount_cents), None)
    overdue = sum(s.short_cents for s in states if s.due_on < today)
    excess = max(0, received - total)
    ahead = sum(s.paid_cents for s in states if s.due_on > today)
    status: ArrangementStatus
    broken_since: date | None = None
    completed_on: date | None = None
    grace = timedelta(days=grace_days)
    if next_due is None:
        status = "completed"
        completed_on = max((s.paid_on for s in states if s.paid_on is not None), default=start)
    elif next_due.due_on + grace < today:
        status = "broken"
        broken_since = next_due.due_on + grace + timedelta(days=1)
    else:
        status = "active"
    return ArrangementState(
        status=status,
        installments=tuple(states),
        total_cents=total,
        paid_cents=paid,
        next_due=next_due,
        overdue_cents=overdue,
        credit_cents=ahead + excess,
        excess_cents=excess,
        broken_since=broken_since,
        completed_on=completed_on,
    )
