"""Payment arrangements: installment schedules, settlements, policy checks and offers.

Pure domain code: integer cents, dates passed in (never read from a clock), stdlib only.

Schedules (DESIGN §6 ``plan``)
------------------------------
- By number of installments: the balance (less any down payment) is split exactly with the
  odd cents on the earliest installments (1000.00 in 3 → 333.34, 333.33, 333.33).
- By fixed payment: every installment is the payment except a smaller (never zero) last one.
- Dates: ``week`` = +7 days, ``2weeks`` = +14 days, ``month`` = the same day of the month as
  the FIRST date, or the month's last day when the month is shorter (Jan 31 → Feb 28/29 →
  Mar 31): each date is computed from the first one, never from the previous installment.
- A down payment is row 1, due on the first date; the installments start one period later.
- Refused with a :class:`PlanError` whose message is one line for a person: a balance that is
  not positive, fewer than one installment, a payment that is not positive, a down payment
  that is negative or not less than the balance, an installment of zero (0.02 in 3), more
  than :data:`MAX_INSTALLMENTS` installments, dates past the year 9999.

Term
----
A plan's term counts the periods its regular installments cover: N monthly installments are
an N-month plan whether or not a down payment comes first (with one, the last installment is
due N months after the down payment; without, one month after the last due date ends the
term). Weekly and two-weekly plans are converted to the smallest whole number of calendar
months that covers them (52 weekly payments = 12 months, 53 = 13).

Settlements
-----------
``settlement + discount == balance`` exactly. A percentage off rounds the *discount* half-up
to the cent (a half cent goes to the debtor). The policy's largest discount is computed the
same way, so ``settle_percent(balance, policy.max_settlement_percent)`` is always within it.

Policy
------
:class:`ArrangementPolicy` holds a creditor's limits; a plan or settlement outside them is
still offered, marked as needing a supervisor's approval, with each rule it breaks written
as a sentence. The last installment of a plan is exempt from the smallest-installment rule:
it is what remains of the balance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from collections_tui.domain.money import MoneyError, format_money, parse_amount

__all__ = [
    "FREQUENCIES",
    "MAX_INSTALLMENTS",
    "ArrangementPolicy",
    "Installment",
    "Offer",
    "PlanError",
    "PolicyCheck",
    "Schedule",
    "Settlement",
    "add_period",
    "build_offers",
    "check_schedule",
    "check_settlement",
    "max_count_within_term",
    "max_discount_cents",
    "months_covering",
    "policies_from_config",
    "policy_for",
    "required_down_cents",
    "schedule_by_count",
    "schedule_by_payment",
    "settle_amount",
    "settle_percent",
]

FREQUENCIES = ("week", "2weeks", "month")
MAX_INSTALLMENTS = 1000  # 83 years monthly, 19 years weekly: anything longer is a typo

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_STEP_DAYS = {"week": 7, "2weeks": 14}
# How a rate and a count are said for each frequency: "$20.00 a month", "60 months".
_RATE = {"week": "a week", "2weeks": "every two weeks", "month": "a month"}
_COUNT_UNIT = {
    "week": ("week", "weeks"),
    "2weeks": ("payment", "payments"),
    "month": ("month", "months"),
}
_ADJECTIVE = {"week": "weekly", "2weeks": "two-weekly", "month": "monthly"}


class PlanError(ValueError):
    """A plan or settlement that cannot be made; the message is one line for a person."""


# --------------------------------------------------------------------------------- dates


def _check_every(every: str) -> None:
    if every not in FREQUENCIES:
        raise PlanError(f"unknown frequency '{every}'; use week, 2weeks or month")


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_period(start: date, every: str, k: int) -> date:
    """The date ``k`` periods after ``start``.

    ``week``/``2weeks`` add 7/14 days per period. ``month`` keeps ``start``'s day of the month
    or falls to the month's last day: from Jan 31, k=1 → Feb 28 (29 in a leap year), k=2 →
    Mar 31. Raises :class:`PlanError` for an unknown frequency or a date past the year 9999.
    """
    try:
        step = _STEP_DAYS.get(every)
        if step is not None:
            return start + timedelta(days=step * k)
        if every != "month":
            _check_every(every)
        months = start.year * 12 + start.month - 1 + k
        year, month0 = divmod(months, 12)
        month = month0 + 1
        day = start.day
        if day > 28:
            day = min(day, _days_in_month(year, month))
        return date(year, month, day)
    except (OverflowError, ValueError) as e:
        if isinstance(e, PlanError):
            raise
        raise PlanError("the schedule would run past the year 9999") from None


def months_covering(anchor: date, end: date) -> int:
    """The smallest whole number of months m with ``add_period(anchor, "month", m) >= end``."""
    if end <= anchor:
        return 0
    m = max(0, (end.year - anchor.year) * 12 + end.month - anchor.month - 1)
    while add_period(anchor, "month", m) < end:
        m += 1
    return m


def max_count_within_term(first: date, every: str, max_term_months: int) -> int:
    """The most regular installments a plan starting on ``first`` may have within the term.

    That is the largest N whose N periods end no later than ``max_term_months`` after
    ``first`` (12 months → 12 monthly, 52 weekly or 26 two-weekly installments).
    """
    _check_every(every)
    if max_term_months <= 0:
        return 0
    if every == "month":
        return max_term_months
    limit = add_period(first, "month", max_term_months)
    return (limit - first).days // _STEP_DAYS[every]


# ------------------------------------------------------------------------------ schedules


@dataclass(frozen=True, slots=True)
class Installment:
    number: int  # 1-based; the down payment, when there is one, is number 1
    due_on: date
    amount_cents: int
    is_down_payment: bool = False


@dataclass(frozen=True, slots=True)
class Schedule:
    installments: tuple[Installment, ...]
    total_cents: int  # the sum of every row, down payment included
    every: str
    down_cents: int  # 0 when there is no down payment

    @property
    def count(self) -> int:
        """Rows in the schedule, the down payment included (what ``plan`` prints)."""
        return len(self.installments)

    @property
    def regular(self) -> tuple[Installment, ...]:
        """The installments without the down payment."""
        if self.installments and self.installments[0].is_down_payment:
            return self.installments[1:]
        return self.installments

    @property
    def installment_count(self) -> int:
        """Installments after the down payment (the N of "N monthly payments")."""
        return len(self.regular)

    @property
    def first_due_on(self) -> date:
        return self.installments[0].due_on

    @property
    def last_due_on(self) -> date:
        return self.installments[-1].due_on

    @property
    def term_days(self) -> int:
        """Days from the first row's date to the last row's date."""
        return (self.last_due_on - self.first_due_on).days

    @property
    def term_months(self) -> int:
        """Calendar months the regular installments cover (see the module docstring)."""
        n = self.installment_count
        anchor = self.first_due_on
        if self.every == "month":
            return n
        return months_covering(anchor, add_period(anchor, self.every, n))

    @property
    def regular_amount_cents(self) -> int:
        """The usual installment: the first one after any down payment (also the largest)."""
        regular = self.regular
        return regular[0].amount_cents if regular else 0

    @property
    def smallest_amount_cents(self) -> int:
        """The smallest installment after any down payment, the last one included."""
        return min((i.amount_cents for i in self.regular), default=0)


def _check_plan_inputs(balance_cents: int, every: str, down_cents: int) -> None:
    _check_every(every)
    if balance_cents <= 0:
        raise PlanError("nothing to plan: the balance is not positive")
    if down_cents < 0:
        raise PlanError("the down payment cannot be negative")
    if down_cents >= balance_cents:
        raise PlanError(
            f"the down payment {format_money(down_cents)} is not less than the balance "
            f"{format_money(balance_cents)}: take it as payment in full"
        )


def _build(
    amounts: list[int], first: date, every: str, down_cents: int, total_cents: int
) -> Schedule:
    rows: list[Installment] = []
    offset = 0
    if down_cents:
        rows.append(Installment(1, first, down_cents, True))
        offset = 1
    step = _STEP_DAYS.get(every)
    if step is not None:
        add_period(first, every, len(amounts) - 1 + offset)  # refuses dates past 9999
        start = first.toordinal() + step * offset
        from_ordinal = date.fromordinal
        for i, amount in enumerate(amounts):
            rows.append(Installment(i + 1 + offset, from_ordinal(start + step * i), amount))
    else:
        # add_period(first, "month", k) for each k, stepped inline (this runs per keystroke).
        add_period(first, "month", len(amounts) - 1 + offset)  # refuses dates past 9999
        months = first.year * 12 + first.month - 1 + offset
        day = first.day
        for i, amount in enumerate(amounts):
            year, month0 = divmod(months + i, 12)
            d = day if day <= 28 else min(day, _days_in_month(year, month0 + 1))
            rows.append(Installment(i + 1 + offset, date(year, month0 + 1, d), amount))
    return Schedule(tuple(rows), total_cents, every, down_cents)


def schedule_by_count(
    balance_cents: int, count: int, first: date, every: str = "month", down_cents: int = 0
) -> Schedule:
    """``count`` installments splitting ``balance_cents`` − down exactly, odd cents first."""
    _check_plan_inputs(balance_cents, every, down_cents)
    if count < 1:
        raise PlanError("a plan needs at least 1 installment")
    if count > MAX_INSTALLMENTS:
        raise PlanError(f"{count:,} installments is too many; at most {MAX_INSTALLMENTS:,}")
    rest = balance_cents - down_cents
    if rest < count:
        after = f" after the {format_money(down_cents)} down payment" if down_cents else ""
        raise PlanError(
            f"{format_money(rest)}{after} in {count} installments would leave an installment "
            f"of {format_money(0)}; at most {rest} installment{'s' if rest != 1 else ''}"
        )
    base, extra = divmod(rest, count)
    amounts = [base + 1] * extra + [base] * (count - extra)
    return _build(amounts, first, every, down_cents, balance_cents)


def schedule_by_payment(
    balance_cents: int, payment_cents: int, first: date, every: str = "month", down_cents: int = 0
) -> Schedule:
    """Installments of ``payment_cents`` until the balance is paid; the last may be smaller."""
    _check_plan_inputs(balance_cents, every, down_cents)
    if payment_cents <= 0:
        raise PlanError("the payment must be more than $0.00")
    rest = balance_cents - down_cents
    count = -(-rest // payment_cents)
    if count > MAX_INSTALLMENTS:
        raise PlanError(
            f"{format_money(payment_cents)} {_RATE[every]} would take {count:,} installments; "
            f"at most {MAX_INSTALLMENTS:,} can be scheduled"
        )
    amounts = [payment_cents] * (count - 1) + [rest - payment_cents * (count - 1)]
    return _build(amounts, first, every, down_cents, balance_cents)


# ---------------------------------------------------------------------------- settlements


@dataclass(frozen=True, slots=True)
class Settlement:
    balance_cents: int
    settlement_cents: int  # what the debtor pays
    discount_cents: int  # what is forgiven; settlement + discount == balance
    percent_off: Decimal  # as asked for, or (settle_amount) rounded to 0.01 for display


def _div_half_up(n: int, d: int) -> int:
    """``n / d`` rounded half-up, for n ≥ 0 and d > 0."""
    return (2 * n + d) // (2 * d)


def _percent_of(balance_cents: int, percent: Decimal) -> int:
    """``percent`` % of ``balance_cents``, rounded half-up to the cent (exact integer math)."""
    num, den = percent.as_integer_ratio()
    return _div_half_up(balance_cents * num, den * 100)


def _fmt_pct(percent: Decimal) -> str:
    """20 → "20", 12.50 → "12.5" (never "2E+1")."""
    return format(percent.normalize(), "f")


def _check_percent(percent: Decimal, what: str = "the percentage off") -> None:
    if not percent.is_finite() or percent < 0 or percent > 100:
        raise PlanError(f"{what} must be between 0 and 100, not {percent}")


def settle_percent(balance_cents: int, percent_off: Decimal) -> Settlement:
    """Settle for ``percent_off`` % less; the discount is rounded half-up to the cent."""
    if balance_cents <= 0:
        raise PlanError("nothing to settle: the balance is not positive")
    _check_percent(percent_off)
    discount = _percent_of(balance_cents, percent_off)
    return Settlement(balance_cents, balance_cents - discount, discount, percent_off)


def settle_amount(balance_cents: int, settlement_cents: int) -> Settlement:
    """Settle for a stated amount (0 < amount ≤ balance); percent_off is rounded to 0.01."""
    if balance_cents <= 0:
        raise PlanError("nothing to settle: the balance is not positive")
    if settlement_cents <= 0:
        raise PlanError("a settlement must be more than $0.00")
    if settlement_cents > balance_cents:
        raise PlanError(
            f"a settlement of {format_money(settlement_cents)} is more than the balance "
            f"{format_money(balance_cents)}"
        )
    discount = balance_cents - settlement_cents
    hundredths = _div_half_up(discount * 10_000, balance_cents)
    return Settlement(balance_cents, settlement_cents, discount, Decimal(hundredths).scaleb(-2))


# --------------------------------------------------------------------------------- policy


@dataclass(frozen=True, slots=True)
class ArrangementPolicy:
    max_term_months: int = 12
    min_installment_cents: int = 2500
    min_down_cents: int = 0
    min_down_percent: Decimal = Decimal(0)
    max_settlement_percent: Decimal = Decimal(20)
    settlement_needs_approval: bool = False
    full_payment_discount_percent: Decimal = Decimal(0)

    @classmethod
    def from_config(
        cls, data: Mapping[str, object], *, base: ArrangementPolicy | None = None
    ) -> ArrangementPolicy:
        """A policy from a TOML table; keys it does not name keep ``base``'s values.

        Keys: ``max_term_months`` (integer ≥ 1); ``min_installment``, ``min_down`` (amounts
        written as strings, ``"25.00"``; or ``min_installment_cents``/``min_down_cents`` as
        integers of cents); ``min_down_percent``, ``max_settlement_percent``,
        ``full_payment_discount_percent`` (0–100, integer, decimal or string);
        ``settlement_needs_approval`` (boolean). Any other key is a ``ValueError``.
        """
        start = base if base is not None else cls()
        values: dict[str, object] = {}
        for key, value in data.items():
            target, parsed = _parse_policy_item(key, value)
            if target in values:
                raise ValueError(f"arrangement policy: {key} is given twice (in cents and not)")
            values[target] = parsed
        return cls(
            max_term_months=_pick_int(values, "max_term_months", start.max_term_months),
            min_installment_cents=_pick_int(
                values, "min_installment_cents", start.min_installment_cents
            ),
            min_down_cents=_pick_int(values, "min_down_cents", start.min_down_cents),
            min_down_percent=_pick_dec(values, "min_down_percent", start.min_down_percent),
            max_settlement_percent=_pick_dec(
                values, "max_settlement_percent", start.max_settlement_percent
            ),
            settlement_needs_approval=bool(
                values.get("settlement_needs_approval", start.settlement_needs_approval)
            ),
            full_payment_discount_percent=_pick_dec(
                values, "full_payment_discount_percent", start.full_payment_discount_percent
            ),
        )


_AMOUNT_KEYS = {"min_installment": "min_installment_cents", "min_down": "min_down_cents"}
_PERCENT_KEYS = ("min_down_percent", "max_settlement_percent", "full_payment_discount_percent")
_POLICY_KEYS = (
    "max_term_months",
    "min_installment",
    "min_installment_cents",
    "min_down",
    "min_down_cents",
    *_PERCENT_KEYS,
    "settlement_needs_approval",
)


def _pick_int(values: Mapping[str, object], key: str, default: int) -> int:
    v = values.get(key, default)
    assert isinstance(v, int)
    return v


def _pick_dec(values: Mapping[str, object], key: str, default: Decimal) -> Decimal:
    v = values.get(key, default)
    assert isinstance(v, Decimal)
    return v


def _parse_policy_item(key: str, value: object) -> tuple[str, object]:
    where = f"arrangement policy: {key}"
    if key == "max_term_months":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{where} must be a whole number of months, at least 1")
        return key, value
    if key in _AMOUNT_KEYS:
        if not isinstance(value, str):
            raise ValueError(f'{where} must be an amount in quotes, like "25.00"')
        try:
            return _AMOUNT_KEYS[key], parse_amount(value, allow_negative=False)
        except MoneyError as e:
            raise ValueError(f"{where}: {e}") from None
    if key in _AMOUNT_KEYS.values():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{where} must be a whole number of cents, 0 or more")
        return key, value
    if key in _PERCENT_KEYS:
        return key, _parse_percent(where, value)
    if key == "settlement_needs_approval":
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false")
        return key, value
    raise ValueError(f"{where}: unknown key; known keys are {', '.join(_POLICY_KEYS)}")


def _parse_percent(where: str, value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{where} must be a percentage from 0 to 100")
    try:
        if isinstance(value, Decimal | int):
            d = Decimal(value)
        elif isinstance(value, float):
            d = Decimal(repr(value))  # a percentage from TOML, not money: 12.5 → "12.5"
        elif isinstance(value, str):
            d = Decimal(value.strip().removesuffix("%").strip())
        else:
            raise ValueError(f"{where} must be a percentage from 0 to 100")
    except InvalidOperation:
        raise ValueError(f"{where} must be a percentage from 0 to 100, not {value!r}") from None
    if not d.is_finite() or d < 0 or d > 100:
        raise ValueError(f"{where} must be a percentage from 0 to 100, not {value!r}")
    return d


def policies_from_config(
    data: Mapping[str, object],
) -> tuple[ArrangementPolicy, dict[str, ArrangementPolicy]]:
    """The default policy and per-creditor policies from one TOML table.

    Layout (each creditor's table names only what differs from the default)::

        [arrangements]
        max_term_months = 12
        min_installment = "25.00"
        [arrangements.creditors."Mercy Hospital"]
        max_term_months = 24
    """
    own = {k: v for k, v in data.items() if k != "creditors"}
    default = ArrangementPolicy.from_config(own)
    creditors = data.get("creditors", {})
    if not isinstance(creditors, Mapping):
        raise ValueError("arrangement policy: creditors must be a table of tables")
    result: dict[str, ArrangementPolicy] = {}
    for name, table in creditors.items():
        if not isinstance(table, Mapping):
            raise ValueError(f"arrangement policy: creditors.{name} must be a table")
        result[str(name)] = ArrangementPolicy.from_config(table, base=default)
    return default, result


def policy_for(
    creditor: str, policies: Mapping[str, ArrangementPolicy], default: ArrangementPolicy
) -> ArrangementPolicy:
    """The creditor's policy (exact name, else ignoring case and outer spaces), or ``default``."""
    found = policies.get(creditor)
    if found is not None:
        return found
    wanted = creditor.strip().casefold()
    for name, policy in policies.items():
        if name.strip().casefold() == wanted:
            return policy
    return default


def required_down_cents(policy: ArrangementPolicy, balance_cents: int) -> int:
    """The policy's smallest down payment for a balance: the larger of the fixed amount and
    the percentage of the balance rounded UP to the cent (so the percentage is really met)."""
    num, den = policy.min_down_percent.as_integer_ratio()
    by_percent = -(-(balance_cents * num) // (den * 100)) if num > 0 else 0
    return max(policy.min_down_cents, by_percent)


# --------------------------------------------------------------------------------- checks


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    within_policy: bool
    needs_approval: bool
    broken_rules: tuple[str, ...]  # one sentence per rule broken
    # Why approval is needed when no rule is broken (a policy that wants every settlement
    # approved); empty otherwise.
    approval_note: str = ""

    @property
    def reasons(self) -> tuple[str, ...]:
        """Everything a supervisor is asked to approve, as sentences."""
        return self.broken_rules + ((self.approval_note,) if self.approval_note else ())


_OK = PolicyCheck(True, False, ())


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _term_rule(months: int, policy: ArrangementPolicy) -> str:
    allowed = _plural(policy.max_term_months, "month", "months")
    return f"term {_plural(months, 'month', 'months')} is longer than the {allowed} allowed"


def check_schedule(s: Schedule, policy: ArrangementPolicy, balance_cents: int) -> PolicyCheck:
    """Which of the policy's rules the plan breaks; any broken rule needs approval."""
    broken: list[str] = []
    if s.total_cents != balance_cents:
        broken.append(
            f"the plan totals {format_money(s.total_cents)}, not the balance of "
            f"{format_money(balance_cents)}"
        )
    months = s.term_months
    if months > policy.max_term_months:
        broken.append(_term_rule(months, policy))
    regular = s.regular
    if len(regular) > 1 and policy.min_installment_cents > 0:
        # The last installment is what remains of the balance: it may be smaller.
        smallest = min(i.amount_cents for i in regular[:-1])
        if smallest < policy.min_installment_cents:
            broken.append(
                f"installment {format_money(smallest)} is smaller than the "
                f"{format_money(policy.min_installment_cents)} minimum"
            )
    required = required_down_cents(policy, balance_cents)
    if s.down_cents < required:
        if s.down_cents:
            broken.append(
                f"down payment {format_money(s.down_cents)} is less than the "
                f"{format_money(required)} required"
            )
        else:
            broken.append(f"no down payment; {format_money(required)} is required")
    if not broken:
        return _OK
    return PolicyCheck(False, True, tuple(broken))


def max_discount_cents(policy: ArrangementPolicy, balance_cents: int) -> int:
    """The deepest discount the policy allows on a balance (rounded like settle_percent)."""
    return _percent_of(balance_cents, policy.max_settlement_percent)


def check_settlement(s: Settlement, policy: ArrangementPolicy) -> PolicyCheck:
    """A discount deeper than the policy allows needs approval, as does any settlement when
    the policy says settlements need approval."""
    broken: list[str] = []
    allowed = max_discount_cents(policy, s.balance_cents)
    if s.discount_cents > allowed:
        broken.append(
            f"settlement discount {_fmt_pct(s.percent_off)}% ({format_money(s.discount_cents)})"
            f" is more than the {_fmt_pct(policy.max_settlement_percent)}% allowed"
            f" ({format_money(allowed)})"
        )
    note = ""
    if policy.settlement_needs_approval and s.discount_cents > 0:
        note = "settlements need a supervisor's approval under this creditor's policy"
    if not broken and not note:
        return _OK
    return PolicyCheck(not broken, True, tuple(broken), note)


# --------------------------------------------------------------------------------- offers


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str  # "pay_in_full" | "shortest_plan" | "affordable_plan" | "settlement"
    title: str  # one line a coordinator reads out
    schedule: Schedule | None  # None when no plan can be made (the note says why)
    settlement: Settlement | None
    check: PolicyCheck
    note: str

    @property
    def total_cents(self) -> int:
        """What the debtor pays in all under this offer (0 when there is no schedule)."""
        if self.schedule is not None:
            return self.schedule.total_cents
        if self.settlement is not None:
            return self.settlement.settlement_cents
        return 0


_NO_PLAN = PolicyCheck(False, False, ())


def _count_phrase(n: int, every: str) -> str:
    one, many = _COUNT_UNIT[every]
    return _plural(n, one, many)


def _plan_words(s: Schedule) -> str:
    """ "$100.00 down, then 12 monthly payments of $75.00" — exact to the cent."""
    regular = s.regular
    n = len(regular)
    high = regular[0].amount_cents
    low = regular[-1].amount_cents
    if n == 1:
        body = f"1 payment of {format_money(high)}"
    else:
        body = f"{n} {_ADJECTIVE[s.every]} payments of "
        if high == low:
            body += format_money(high)
        elif regular[-2].amount_cents == high:  # a fixed payment and a smaller last one
            body += f"{format_money(high)} (the last {format_money(low)})"
        else:  # an exact split: the odd cents on the earliest
            k = sum(1 for i in regular if i.amount_cents == high)
            first = "the first" if k == 1 else f"the first {k}"
            body += f"{format_money(low)} ({first} {format_money(high)})"
    if s.down_cents:
        return f"{format_money(s.down_cents)} down, then {body}"
    return body


def _pay_in_full(balance_cents: int, today: date, policy: ArrangementPolicy) -> Offer:
    pct = policy.full_payment_discount_percent
    settlement: Settlement | None = None
    due = balance_cents
    if pct > 0:
        settlement = settle_percent(balance_cents, pct)
        due = settlement.settlement_cents
    if due <= 0:  # a 100% "discount" is a write-off, not an offer to read out
        return Offer(
            "pay_in_full",
            "Pay in full today: nothing to pay",
            None,
            settlement,
            _OK,
            "the policy's full-payment discount forgives the whole balance",
        )
    schedule = schedule_by_count(due, 1, today)
    if settlement is not None and settlement.discount_cents:
        title = (
            f"Pay in full today: {format_money(due)} "
            f"({_fmt_pct(pct)}% off {format_money(balance_cents)})"
        )
        note = f"saves {format_money(settlement.discount_cents)} for paying today"
    else:
        title = f"Pay in full today: {format_money(due)}"
        note = "the whole balance, paid today"
    # The policy's own discount for paying in full is pre-approved by that policy.
    return Offer("pay_in_full", title, schedule, settlement, _OK, note)


def _shortest_plan(balance_cents: int, today: date, policy: ArrangementPolicy, every: str) -> Offer:
    down = required_down_cents(policy, balance_cents)
    if down >= balance_cents:
        return Offer(
            "shortest_plan",
            "No plan within policy",
            None,
            None,
            _NO_PLAN,
            f"the required down payment {format_money(down)} covers the whole balance: "
            "ask for payment in full",
        )
    rest = balance_cents - down
    by_term = max_count_within_term(today, every, policy.max_term_months)
    by_size = rest // policy.min_installment_cents if policy.min_installment_cents > 0 else rest
    count = max(1, min(by_term, by_size, rest, MAX_INSTALLMENTS))
    schedule = schedule_by_count(balance_cents, count, today, every, down)
    check = check_schedule(schedule, policy, balance_cents)
    title = f"Plan within policy: {_plan_words(schedule)}"
    if count == 1 and schedule.installment_count == 1 and not down:
        note = (
            f"too small to split: each installment must be at least "
            f"{format_money(policy.min_installment_cents)}"
        )
    else:
        limit = "the longest term allowed" if by_term <= by_size else "the smallest installment"
        note = (
            f"{_count_phrase(schedule.installment_count, every)}, the last on "
            f"{schedule.last_due_on.isoformat()} ({limit})"
        )
    return Offer("shortest_plan", title, schedule, None, check, note)


def _approx_months(count: int, every: str) -> int:
    """Months a plan too long to schedule would take (average Gregorian month)."""
    if every == "month":
        return count
    return -(-(count * _STEP_DAYS[every] * 4800) // 146_097)


def _affordable_plan(
    balance_cents: int, today: date, policy: ArrangementPolicy, every: str, can_pay_cents: int
) -> Offer:
    rate = _RATE[every]
    if can_pay_cents <= 0:
        return Offer(
            "affordable_plan",
            "No plan fits what the debtor can pay",
            None,
            None,
            _NO_PLAN,
            f"the debtor can pay nothing {rate}: no plan fits",
        )
    money = format_money(can_pay_cents)
    down = required_down_cents(policy, balance_cents)
    if down >= balance_cents:
        return Offer(
            "affordable_plan",
            "No plan fits what the debtor can pay",
            None,
            None,
            _NO_PLAN,
            f"the required down payment {format_money(down)} covers the whole balance: "
            "ask for payment in full",
        )
    rest = balance_cents - down
    count = -(-rest // can_pay_cents)
    schedule: Schedule | None = None
    if count <= MAX_INSTALLMENTS:
        try:
            schedule = schedule_by_payment(balance_cents, can_pay_cents, today, every, down)
        except PlanError:
            schedule = None
    if schedule is not None:
        check = check_schedule(schedule, policy, balance_cents)
        months = schedule.term_months
    else:
        months = _approx_months(count, every)
        rules = []
        if months > policy.max_term_months:
            rules.append(_term_rule(months, policy))
        if count > 1 and can_pay_cents < policy.min_installment_cents:
            rules.append(
                f"installment {money} is smaller than the "
                f"{format_money(policy.min_installment_cents)} minimum"
            )
        check = PolicyCheck(False, True, tuple(rules))

    with_down = f" after {format_money(down)} down today" if down else ""
    if not check.needs_approval:
        assert schedule is not None
        title = f"Plan the debtor can afford: {_plan_words(schedule)}"
        if count == 1:
            note = f"{money} {rate} covers the balance{with_down} in one payment"
        else:
            note = (
                f"{money} {rate}{with_down} pays it off in {_count_phrase(count, every)}, "
                f"the last on {schedule.last_due_on.isoformat()}"
            )
        return Offer("affordable_plan", title, schedule, None, check, note)

    parts: list[str] = []
    if months > policy.max_term_months:
        if every == "month":
            parts.append(
                f"{money} {rate}{with_down} would take {_count_phrase(count, every)}; "
                f"the longest allowed is {policy.max_term_months}"
            )
        else:
            parts.append(
                f"{money} {rate}{with_down} would take {_count_phrase(count, every)} "
                f"({_plural(months, 'month', 'months')}); the longest allowed is "
                f"{_plural(policy.max_term_months, 'month', 'months')}"
            )
    if count > 1 and can_pay_cents < policy.min_installment_cents:
        parts.append(
            f"{money} {rate} is less than the "
            f"{format_money(policy.min_installment_cents)} smallest installment"
        )
    if not parts:  # some other rule (cannot happen with the policy's own down payment)
        parts.extend(check.broken_rules)
    if schedule is None:
        parts.append(f"too long to schedule (more than {MAX_INSTALLMENTS:,} installments)")
    note = "; ".join(parts) + " — needs approval"
    if schedule is not None:
        title = f"Plan the debtor can afford (needs approval): {_plan_words(schedule)}"
    else:
        title = "No plan within policy fits what the debtor can pay"
    return Offer("affordable_plan", title, schedule, None, check, note)


def _settlement_offer(balance_cents: int, today: date, policy: ArrangementPolicy) -> Offer:
    settlement = settle_percent(balance_cents, policy.max_settlement_percent)
    check = check_settlement(settlement, policy)
    pct = _fmt_pct(policy.max_settlement_percent)
    if settlement.settlement_cents <= 0:
        schedule = None
    else:
        schedule = schedule_by_count(settlement.settlement_cents, 1, today)
    title = f"Settle today for {format_money(settlement.settlement_cents)} ({pct}% off)"
    note = f"forgives {format_money(settlement.discount_cents)} of {format_money(balance_cents)}"
    if check.needs_approval:
        note += " — needs approval"
    return Offer("settlement", title, schedule, settlement, check, note)


def build_offers(
    balance_cents: int,
    today: date,
    policy: ArrangementPolicy,
    *,
    can_pay_cents: int | None = None,
    every: str = "month",
) -> list[Offer]:
    """The options a coordinator reads out, in this order:

    1. ``pay_in_full`` today, less the policy's full-payment discount if it has one;
    2. ``shortest_plan``: the plan within policy with the most installments each at least
       the smallest installment and within the longest term (balance / smallest installment,
       bounded by the term), with the policy's required down payment today, if any;
    3. ``affordable_plan`` (only when ``can_pay_cents`` is given): payments of what the debtor
       can pay each period; outside policy it is still shown, marked as needing approval, and
       its note says why (no schedule when it would exceed :data:`MAX_INSTALLMENTS`);
    4. ``settlement`` (only when ``policy.max_settlement_percent`` > 0): the deepest discount
       the policy allows, paid today.

    Plans start ``today``. Raises :class:`PlanError` for a balance that is not positive or an
    unknown frequency.
    """
    _check_every(every)
    if balance_cents <= 0:
        raise PlanError("nothing to plan: the balance is not positive")
    offers = [
        _pay_in_full(balance_cents, today, policy),
        _shortest_plan(balance_cents, today, policy, every),
    ]
    if can_pay_cents is not None:
        offers.append(_affordable_plan(balance_cents, today, policy, every, can_pay_cents))
    if policy.max_settlement_percent > 0:
        offers.append(_settlement_offer(balance_cents, today, policy))
    return offers
