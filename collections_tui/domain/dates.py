"""The window of dates and instants this program accepts as input (pure; no clock).

Every date or instant that comes in — a command-line option, a CSV cell, a date typed in
the workstation — must fall within :data:`FIRST_DAY` … :data:`LAST_DAY` (1900-01-01 to
2200-12-31). Outside it a value is a typo or an attack (0001-01-01 as a due date scored
740,146 and topped the queue; a call at year 1 with a +14:00 offset overflowed the
conversion to UTC): it is refused as input, with a message naming the value.
Digits are ASCII only (``date.fromisoformat`` also takes ``20261127`` and ``2026-W48-5``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "DateError",
    "check_date",
    "check_instant",
    "parse_date",
    "parse_instant",
]

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
_WINDOW = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


class DateError(ValueError):
    """A date or instant that cannot be read or is outside the window; one line for a person."""


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def check_date(value: date, text: str | None = None) -> date:
    """``value`` when it is inside the window, else :class:`DateError` (naming ``text``, as
    typed, when given)."""
    if not FIRST_DAY <= value <= LAST_DAY:
        shown = _shown(text) if text is not None else value.isoformat()
        raise DateError(f"'{shown}' is outside the dates accepted ({_WINDOW})")
    return value


def check_instant(value: datetime, text: str | None = None) -> datetime:
    """``value`` as an aware UTC instant (a naive one is read as UTC) when both its own date
    and its UTC date are inside the window, else :class:`DateError`. The window is checked
    before converting, so a year-1 or year-9999 value with an offset cannot overflow."""
    shown = _shown(text) if text is not None else value.isoformat()
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise DateError(f"'{shown}' is outside the dates accepted ({_WINDOW})")
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not FIRST_DAY <= utc.date() <= LAST_DAY:
        raise DateError(f"'{shown}' is outside the dates accepted ({_WINDOW})")
    return utc


def parse_date(text: str) -> date:
    """Strict ``YYYY-MM-DD`` in ASCII digits, inside the window."""
    s = text.strip()
    if len(s) != 10 or s[4] != "-" or s[7] != "-" or not s.isascii():
        raise DateError(f"'{_shown(s)}' is not a date; expected YYYY-MM-DD")
    try:
        value = date.fromisoformat(s)
    except ValueError:
        raise DateError(f"'{s}' is not a date; expected YYYY-MM-DD") from None
    return check_date(value, s)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant in ASCII digits (a value without an offset is UTC), inside the
    window, as an aware UTC datetime."""
    s = text.strip()
    iso = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
    try:
        if not iso.isascii():
            raise ValueError(iso)
        value = datetime.fromisoformat(iso)
    except ValueError:
        raise DateError(
            f"'{_shown(text)}' is not an ISO 8601 instant (e.g. 2026-11-27T15:30:00Z)"
        ) from None
    return check_instant(value, s)
