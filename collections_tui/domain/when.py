"""Times and dates as a coordinator types them, read in a given zone (pure; ``now`` given).

``parse_local_time``: "14:30", "2:30pm", "tomorrow 9am", "mon 14:30", "2026-11-30 14:30",
"11/30 2pm" → an aware UTC instant, read in the debtor's local zone. A bare time or weekday
means the next such moment after ``now``.
``parse_local_date``: "2026-12-05", "12/5", "fri", "today", "tomorrow", "+7" → a date.
Digits are ASCII only, and every date is inside the accepted window (:mod:`.dates`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .dates import DateError, check_date

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME = re.compile(r"^([0-9]{1,2})(?::([0-9]{2}))?\s*(am|pm|a|p)?$")
_PLUS_DAYS = re.compile(r"\+([0-9]{1,3})d?")
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_US_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{2,4}))?")


class WhenError(ValueError):
    """Text that is not a time or date we can read; the message says what is expected."""


def _time(text: str) -> time:
    m = _TIME.match(text.strip().lower())
    if not m:
        raise WhenError(f"'{text}' is not a time (try 14:30 or 2:30pm)")
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise WhenError(f"'{text}': with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise WhenError(f"'{text}' is not a time of day")
    return time(hour, minute)


def _date_word(word: str, today: date) -> date | None:
    d = _read_date_word(word, today)
    if d is not None:
        try:
            check_date(d, word.strip())
        except DateError as exc:
            raise WhenError(str(exc)) from None
    return d


def _read_date_word(word: str, today: date) -> date | None:
    w = word.strip().lower()
    if w == "today":
        return today
    if w == "tomorrow":
        return today + timedelta(days=1)
    if w[:3] in DAYS and (len(w) == 3 or DAYS[DAYS.index(w[:3])] == w[:3]):
        target = DAYS.index(w[:3])
        ahead = (target - today.weekday()) % 7
        return today + timedelta(days=ahead)
    m = _PLUS_DAYS.fullmatch(w)
    if m:
        return today + timedelta(days=int(m.group(1)))
    m = _ISO_DAY.fullmatch(w)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise WhenError(f"'{word}' is not a date on the calendar") from None
    m = _US_DAY.fullmatch(w)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else today.year
        if year < 100:
            year += 2000
        try:
            d = date(year, month, day)
        except ValueError:
            raise WhenError(f"'{word}' is not a date on the calendar") from None
        if not m.group(3) and d < today:
            d = date(year + 1, month, day)
        return d
    return None


def parse_local_date(text: str, today: date) -> date:
    d = _date_word(text, today)
    if d is None:
        raise WhenError(f"'{text}' is not a date (try 2026-12-05, 12/5, fri or +7)")
    return d


def parse_local_time(text: str, now: datetime, zone: str) -> datetime:
    """The instant ``text`` names in ``zone``, as aware UTC."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    words = text.strip().split()
    if not words:
        raise WhenError("type a time, e.g. 14:30, tomorrow 9am or mon 2:30pm")
    if len(words) >= 2 and words[-1].lower() in ("am", "pm"):
        words = [*words[:-2], words[-2] + words[-1]]
    day: date | None = None
    if len(words) == 1:
        t = _time(words[0])
        day = local_now.date()
        explicit_day = False
    elif len(words) == 2:
        day = _date_word(words[0], local_now.date())
        if day is None:
            raise WhenError(f"'{words[0]}' is not a day (try tomorrow, mon or 2026-11-30)")
        t = _time(words[1])
        explicit_day = True
    else:
        raise WhenError(f"'{text}': type a day and a time, e.g. mon 14:30")
    local = datetime.combine(day, t, tzinfo=tz)
    if local <= local_now:
        if not explicit_day:
            local = datetime.combine(day + timedelta(days=1), t, tzinfo=tz)
        elif words[0][:3].lower() in DAYS:
            local = datetime.combine(day + timedelta(days=7), t, tzinfo=tz)
    # Normalise through UTC so a wall time in a DST gap lands on a real instant.
    return local.astimezone(UTC)
