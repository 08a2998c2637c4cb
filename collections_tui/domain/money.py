"""Money as integer minor units (cents).

Every amount in this program is an ``int`` of cents. ``Decimal`` appears only here, at the
edges: parsing what a person or a file typed, and formatting for display. Floats never.

Bounds (the one home of both, DESIGN §3):

- :data:`MAX_AMOUNT_CENTS`: no amount entered by any path (a person, a file, the config) is
  larger than 99,999,999,999.99 either way. :func:`parse_amount` enforces it, so every
  parser gets it; services that take cents directly call :func:`check_amount`.
- :data:`MAX_BALANCE_CENTS`: no account's balance (the sum of its ledger) goes past
  ±9,999,999,999,999.99; :func:`check_balance` is called before an entry is posted. A
  balance that fits stays 2**63 / 10**15 ≈ 9,000 times inside a BIGINT, so the cached
  balance never overflows (SQLite turns an overflowing integer into a REAL), and sums over
  many accounts are taken in parts (``store.queries.exact_sum``).
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = [
    "MAX_AMOUNT_CENTS",
    "MAX_BALANCE_CENTS",
    "MoneyError",
    "allocate",
    "check_amount",
    "check_balance",
    "format_amount",
    "format_money",
    "parse_amount",
    "to_decimal",
]

MAX_AMOUNT_CENTS = 10**13 - 1  # 99,999,999,999.99: the largest amount anything may enter
MAX_BALANCE_CENTS = 10**15 - 1  # 9,999,999,999,999.99: the largest balance either way

# ASCII digits only: ``\d`` (and int()) also take Arabic-Indic, full-width and other digits.
_PLAIN = re.compile(r"(?P<sign>[-+]?)(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?")
_TOO_PRECISE = re.compile(r"[-+]?[0-9]*\.[0-9]{3,}")
_MAX_WHOLE_DIGITS = len(str(MAX_AMOUNT_CENTS // 100))
_SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£", "AUD": "A$", "MXN": "MX$"}


class MoneyError(ValueError):
    """An amount that cannot be read; the message says why, in words a coordinator reads."""


def parse_amount(text: str, *, allow_negative: bool = True) -> int:
    """Parse a plain decimal amount (``1234.50``, ``-12``, ``0.5``) into cents.

    Refuses thousands separators, more than two fraction digits, exponents, NaN, currency
    symbols, digits other than ASCII 0-9, empty text, and amounts larger than
    :data:`MAX_AMOUNT_CENTS`, because each of those has bitten someone's ledger.
    """
    s = text.strip()
    if not s:
        raise MoneyError("amount is empty")
    m = _PLAIN.fullmatch(s)
    if m is None:
        shown = s if len(s) <= 40 else s[:40] + "…"
        if "," in s:
            raise MoneyError(f"'{shown}' has a thousands separator; write 1234.50, not 1,234.50")
        if _TOO_PRECISE.fullmatch(s):
            raise MoneyError(f"'{shown}' has more than 2 decimal places")
        raise MoneyError(f"'{shown}' is not an amount; expected digits like 1234.50")
    whole = m.group("whole").lstrip("0")
    if len(whole) > _MAX_WHOLE_DIGITS:  # before int(): a 5,000-digit text is not an amount
        raise MoneyError(_too_large(s))
    frac = (m.group("frac") or "").ljust(2, "0")
    cents = int(whole or "0") * 100 + int(frac)
    if m.group("sign") == "-":
        cents = -cents
    if cents < 0 and not allow_negative:
        raise MoneyError(f"'{s}' is negative; a positive amount is expected")
    if abs(cents) > MAX_AMOUNT_CENTS:
        raise MoneyError(_too_large(s))
    return cents


def _too_large(text: str) -> str:
    shown = text if len(text) <= 24 else text[:20] + "…"
    return f"'{shown}' is too large; the largest amount is {format_amount(MAX_AMOUNT_CENTS)}"


def check_amount(cents: int) -> int:
    """``cents`` when it is within :data:`MAX_AMOUNT_CENTS` either way, else
    :class:`MoneyError` (for services that take cents from a caller rather than text)."""
    if abs(cents) > MAX_AMOUNT_CENTS:
        raise MoneyError(
            f"{format_amount(cents)} is too large; the largest amount is "
            f"{format_amount(MAX_AMOUNT_CENTS)}"
        )
    return cents


def check_balance(balance_cents: int, effect_cents: int) -> int:
    """The balance after an entry of ``effect_cents`` (signed) is posted, or
    :class:`MoneyError` when it would pass :data:`MAX_BALANCE_CENTS` either way."""
    after = balance_cents + effect_cents
    if abs(after) > MAX_BALANCE_CENTS:
        raise MoneyError(
            f"posting {format_amount(effect_cents)} would take the balance to "
            f"{format_amount(after)}, past the limit of ±{format_amount(MAX_BALANCE_CENTS)}"
        )
    return after


def format_amount(cents: int) -> str:
    """Plain machine form: ``123456`` → ``1234.56``; ``-5`` → ``-0.05``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def format_money(cents: int, currency: str = "USD") -> str:
    """Human form with symbol and grouping: ``123456`` → ``$1,234.56``; ``-500`` → ``-$5.00``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    symbol = _SYMBOLS.get(currency)
    body = f"{whole:,}.{frac:02d}"
    if symbol is None:
        return f"{sign}{body} {currency}"
    return f"{sign}{symbol}{body}"


def to_decimal(cents: int) -> Decimal:
    """Exact Decimal for JSON/CSV edges that want a number rather than text."""
    return Decimal(cents).scaleb(-2)


def allocate(total: int, parts: int) -> list[int]:
    """Split ``total`` cents into ``parts`` amounts that sum to it exactly.

    The odd cents go to the earliest parts: 100000 in 3 → [33334, 33333, 33333].
    For a negative total the split mirrors the positive one.
    """
    if parts <= 0:
        raise ValueError("parts must be at least 1")
    sign = -1 if total < 0 else 1
    base, extra = divmod(abs(total), parts)
    return [sign * (base + (1 if i < extra else 0)) for i in range(parts)]
