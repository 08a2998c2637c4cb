"""Money as integer minor units (cents).

Every amount in this program is an ``int`` of cents. ``Decimal`` appears only here, at the
edges: parsing what a person or a file typed, and formatting for display. Floats never.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = [
    "MoneyError",
    "allocate",
    "format_amount",
    "format_money",
    "parse_amount",
    "to_decimal",
]

_PLAIN = re.compile(r"(?P<sign>[-+]?)(?P<whole>\d+)(?:\.(?P<frac>\d{1,2}))?")
_SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£", "AUD": "A$", "MXN": "MX$"}


class MoneyError(ValueError):
    """An amount that cannot be read; the message says why, in words a coordinator reads."""


def parse_amount(text: str, *, allow_negative: bool = True) -> int:
    """Parse a plain decimal amount (``1234.50``, ``-12``, ``0.5``) into cents.

    Refuses thousands separators, more than two fraction digits, exponents, NaN, currency
    symbols and empty text, because each of those has bitten someone's ledger.
    """
    s = text.strip()
    if not s:
        raise MoneyError("amount is empty")
    m = _PLAIN.fullmatch(s)
    if m is None:
        if "," in s:
            raise MoneyError(f"'{s}' has a thousands separator; write 1234.50, not 1,234.50")
        if re.fullmatch(r"[-+]?\d*\.\d{3,}", s):
            raise MoneyError(f"'{s}' has more than 2 decimal places")
        raise MoneyError(f"'{s}' is not an amount; expected digits like 1234.50")
    frac = (m.group("frac") or "").ljust(2, "0")
    cents = int(m.group("whole")) * 100 + int(frac)
    if m.group("sign") == "-":
        cents = -cents
    if cents < 0 and not allow_negative:
        raise MoneyError(f"'{s}' is negative; a positive amount is expected")
    return cents


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
