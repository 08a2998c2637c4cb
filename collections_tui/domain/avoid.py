"""Times the debtor said are inconvenient, as typed by a coordinator: ``mon-fri 15:00-17:00``,
``sat-sun``, ``mon,wed 18:00-21:00``, ``weekdays 15:00-17:00``, ``daily 20:00-21:00``."""

from __future__ import annotations

import re
from datetime import time

from .compliance import AvoidWindow

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALIASES = {
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
}
_TIME = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?\s*(am|pm)?", re.IGNORECASE)  # ASCII digits


class AvoidSpecError(ValueError):
    pass


def _day(token: str, spec: str) -> int:
    name = token[:3].lower()
    if name not in DAY_NAMES or not DAY_NAMES[DAY_NAMES.index(name)].startswith(token[:3]):
        raise AvoidSpecError(f"'{token}' in '{spec}' is not a day (mon, tue, … sun)")
    return DAY_NAMES.index(name)


def _days(text: str, spec: str) -> frozenset[int]:
    text = text.lower()
    if text in _ALIASES:
        return _ALIASES[text]
    days: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = (p.strip() for p in part.split("-", 1))
            start, end = _day(a, spec), _day(b, spec)
            i = start
            while True:
                days.add(i)
                if i == end:
                    break
                i = (i + 1) % 7
        else:
            days.add(_day(part, spec))
    if not days:
        raise AvoidSpecError(f"'{spec}' names no days")
    return frozenset(days)


def _time(text: str, spec: str, default_half: str | None = None) -> time:
    m = _TIME.fullmatch(text.strip())
    if m is None:
        raise AvoidSpecError(f"'{text}' in '{spec}' is not a time (HH:MM, or 3pm)")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    half = (m.group(3) or default_half or "").lower()
    if not half and m.group(2) is None:
        raise AvoidSpecError(
            f"'{text}' in '{spec}' is ambiguous: write 15:00 or 3pm, not a bare hour"
        )
    if half:
        if not 1 <= hour <= 12:
            raise AvoidSpecError(f"'{text}' in '{spec}' is not a time of day")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour == 24 and minute == 0:
        return time(23, 59, 59)
    if hour > 23 or minute > 59:
        raise AvoidSpecError(f"'{text}' in '{spec}' is not a time of day")
    return time(hour, minute)


def parse_avoid(spec: str) -> AvoidWindow:
    """``"mon-fri 15:00-17:00"`` → AvoidWindow(weekdays={0..4}, start=15:00, end=17:00)."""
    text = " ".join(spec.split())
    if not text:
        raise AvoidSpecError("empty inconvenient-time spec (e.g. 'mon-fri 15:00-17:00')")
    head, _, rest = text.partition(" ")
    if head[:1].isdigit():  # only a time range: every day
        days, rest = frozenset(range(7)), text
    else:
        days = _days(head, spec)
    if not rest:
        return AvoidWindow(weekdays=days)
    if "-" not in rest:
        raise AvoidSpecError(f"'{rest}' in '{spec}' is not a time range (e.g. 15:00-17:00)")
    a, b = rest.split("-", 1)
    end_half = _TIME.fullmatch(b.strip())
    half = end_half.group(3) if end_half else None
    end = _time(b, spec)
    try:
        start = _time(a, spec)
    except AvoidSpecError:
        start = _time(a, spec, default_half=half)  # "3-5pm": the pm is meant for both
    if start == end:
        raise AvoidSpecError(f"'{rest}' in '{spec}' is an empty time range")
    return AvoidWindow(weekdays=days, start=start, end=end)


def describe(w: AvoidWindow) -> str:
    days = ",".join(DAY_NAMES[d] for d in sorted(w.weekdays))
    if w.weekdays == frozenset(range(7)):
        days = "daily"
    elif w.weekdays == frozenset(range(5)):
        days = "mon-fri"
    elif w.weekdays == frozenset({5, 6}):
        days = "sat-sun"
    if w.start is None and w.end is None:
        return days
    start = w.start.strftime("%H:%M") if w.start else "00:00"
    end = w.end.strftime("%H:%M") if w.end else "24:00"
    return f"{days} {start}-{end}"
