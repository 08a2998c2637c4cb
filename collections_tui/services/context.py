"""What every service call needs to know: who is acting, and what time it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..domain.arrangements import ArrangementPolicy, policy_for
from ..domain.compliance import DEFAULT_POLICY, Policy
from ..domain.priority import Weights
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
    policy: Policy = DEFAULT_POLICY
    weights: Weights = field(default_factory=Weights)
    grace_days: int = 3  # a promise is broken when unpaid this many days after its date
    lease_minutes: int = 15
    arrangement_policy: ArrangementPolicy = field(default_factory=ArrangementPolicy)
    creditor_policies: dict[str, ArrangementPolicy] = field(default_factory=dict)
    supervisors: frozenset[str] = frozenset()  # named by the config file ([team])
    overrides_need_grant: bool = False  # [team] overrides = "supervisor"

    def policy_for(self, creditor: str) -> ArrangementPolicy:
        """The arrangement policy for a creditor (its own, or the default)."""
        return policy_for(creditor, self.creditor_policies, self.arrangement_policy)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self.now().astimezone(ZoneInfo(self.home_zone)).date()
