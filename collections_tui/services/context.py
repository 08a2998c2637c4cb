"""What every service call needs to know: who is acting, and what time it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..domain.zones import DEFAULT_ZONES
from .clock import Clock, SystemClock


@dataclass(frozen=True)
class Context:
    actor: str
    clock: Clock = field(default_factory=SystemClock)
    default_region: str = "US"
    default_currency: str = "USD"
    default_zones: tuple[str, ...] = DEFAULT_ZONES
    home_zone: str = "America/New_York"  # the office's zone: "today" for dates typed bare

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self.now().astimezone(ZoneInfo(self.home_zone)).date()
