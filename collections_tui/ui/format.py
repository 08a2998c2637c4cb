"""Small text helpers the screens share (times in words, money, zones)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_and_office(now: datetime, office_zone: str) -> str:
    """ "Fri 27 Nov 10:00 EST" in the office's zone."""
    t = now.astimezone(ZoneInfo(office_zone))
    return t.strftime("%a %d %b %H:%M %Z")


def when_text(at: datetime | None, zone: str = "America/New_York") -> str:
    """An instant in a zone, short: "Fri 27 Nov 13:00 EST" (empty for None)."""
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M %Z")


def short_zone(zone: str) -> str:
    """ "America/New_York" → "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
