"""May we call this debtor, on this phone, at this instant? (DESIGN §4) → :class:`Verdict`.

Pure: standard library and :mod:`zoneinfo` only. Nothing here reads the clock; ``now`` is
always an argument (an aware datetime; it is converted to UTC).

The rules and their codes, most serious first (:data:`REASONS`)
----------------------------------------------------------------

``cease``, ``bankruptcy``, ``attorney``, ``deceased``, ``dispute``
    Account flags (:class:`~collections_tui.domain.flags.Flag`). No calls.
``claim_pending``
    The balance awaits an insurance decision.
``no_dialable_phone``
    No phone that is valid and has status ``ok`` (or the phone asked about is not one).
``leased``
    Another coordinator has the account open (a lease held by ``coordinator`` does not block).
``recent_conversation``
    Regulation F §1006.14(b)(2)(i)(B): no call on the local day of a right-party telephone
    conversation (inbound or outbound) or the ``conversation_wait_days - 1`` days after it.
``frequency_cap``
    §1006.14(b)(2)(i)(A): at most ``cap_attempts`` counted call attempts within
    ``cap_days`` consecutive local calendar days (the proposed call's day and the days
    before it). Counted: outbound attempts, except ``busy``/``not_in_service`` (not
    connected, §1006.14(b)(3)(ii)), calls to a number later found to be a wrong number
    (comment 14(b)(2)(i)-3: every attempt to that number up to and including the
    ``wrong_number`` finding), and calls placed under consent (§1006.14(b)(3)(i)).
``state_cap``
    Stricter state rules (``Policy.state_caps``; built in: Massachusetts, 2 per 7 days),
    by the address state.
``inconvenient_time``
    Weekly windows the debtor said are inconvenient (:class:`AvoidWindow`, in the debtor's
    local time in *each* zone), or a phone the debtor said is inconvenient to call
    (``PhoneFacts.inconvenient``; place-based, so no end time can be computed).
``outside_hours``
    The instant must be in ``[earliest, latest)`` local time in *every* zone the debtor may
    be in (:func:`debtor_zones`).

Consent (§1006.14(b)(3)(i), DESIGN §4): a recorded direct consent lifts ``frequency_cap``
and ``recent_conversation`` (never hours, inconvenient times, flags or the state cap) for
``consent_days`` local days starting on the day it was given; a callback the debtor asked
for lifts them on the callback's local day only. Consent ends early at ``until``, at
``revoked_at`` or at the next right-party conversation *after* ``given_at`` (inbound or
outbound), whichever comes first. Calls placed while a consent is in force count toward
neither federal limit.

Decisions where the specification is silent
-------------------------------------------

* **Several zones, one calendar.** Every day-based rule is evaluated in each of the
  debtor's zones separately and must pass in all of them. So a window ends at the *latest*
  local midnight among the zones: conversation on Tuesday → callable when it is Tuesday a
  week later in every zone; the cap counts the attempts of the last ``cap_days`` local days
  in each zone and blocks if any zone's count has reached the cap.
* **Consent across zones** is the *intersection* of the per-zone windows (it starts at the
  latest local start and ends at the earliest local end): conservative in the other
  direction, since consent lifts blocks.
* **Consent starts when it is received.** The window is counted from the local day of
  ``given_at`` (day 1), but a call placed *before* ``given_at`` on that day was not placed
  with consent: the consent is in force from ``given_at`` itself. (A callback consent is in
  force from the later of ``given_at`` and the start of the callback's day.) The call in
  which consent was given (``Attempt.at == given_at``) is therefore not under consent, and
  does not end it; the services must record ``given_at`` ≥ the ``at`` of that call.
* **An attempt's "under consent" status is computed**, not stored: an outbound attempt is
  under consent when some consent is in force at its ``at`` (a call whose conversation ends
  the consent was still placed under it).
* **Consent does not lift state caps**, and calls under consent count toward them
  (conservative: Massachusetts counts creditor-initiated calls). Hours and inconvenient
  times are never lifted by consent (DESIGN §4; Regulation F would allow it).
* **Date-based counting.** Attempts and conversations count by their local *date*, so an
  attempt recorded later on the same day (e.g. imported from a dialer) counts for the
  whole day. Attempts dated in the future relative to ``now`` still count on their day.
* **Avoid windows**: ``start``/``end`` missing = from the start / to the end of the day;
  ``end <= start`` wraps past midnight into the next day (``22:00-02:00``).
* **Account verdict without ``phone``**: blocked by ``no_dialable_phone`` when no phone is
  dialable, by ``inconvenient_time`` when every dialable phone is marked inconvenient.
* **``Verdict.under_consent``** is true when the account is callable and a consent is in
  force now, i.e. a call placed now counts toward neither federal limit.
* **Unknown zone names** (not in the tz database) are ignored, consistently by every
  function here; if none is left, the policy's default zones apply.
* ``next_callable_at`` is searched up to a horizon (every history-based block over, plus
  a fortnight of weekly windows); past it, or when a block cannot end by time alone
  (flags, claim, phone problems, a lease with no expiry), it is ``None``.

History the services must load: attempts with ``at >= now - (max(cap_days,
conversation_wait_days) + 2)`` days (9 days with the defaults), plus every right-party
attempt after the ``given_at`` of any consent that may still be in force (so its end is
known), and those consents.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .flags import Flag
from .zones import DEFAULT_ZONES, zone_set

__all__ = [
    "NEVER_OVERRIDABLE",
    "NOT_CONNECTED",
    "OUTCOMES",
    "OVERRIDABLE",
    "REASONS",
    "RIGHT_PARTY",
    "AccountFacts",
    "Attempt",
    "AvoidWindow",
    "Consent",
    "LocalTime",
    "PhoneFacts",
    "Policy",
    "Verdict",
    "blocked_until",
    "counted_attempts",
    "debtor_zones",
    "never_overridable",
    "verdict",
    "zone_set_callable",
]

OUTCOMES: tuple[str, ...] = (
    "no_answer",
    "voicemail",
    "busy",
    "not_in_service",
    "wrong_number",
    "third_party",
    "conversation",
    "promise",
    "arrangement",
    "paid",
    "refused",
    "dispute",
    "callback_requested",
)
RIGHT_PARTY: frozenset[str] = frozenset(
    {"conversation", "promise", "arrangement", "paid", "refused", "dispute", "callback_requested"}
)
NOT_CONNECTED: frozenset[str] = frozenset({"busy", "not_in_service"})

REASONS: tuple[str, ...] = (
    "cease",
    "bankruptcy",
    "attorney",
    "deceased",
    "dispute",
    "claim_pending",
    "no_dialable_phone",
    "leased",
    "recent_conversation",
    "frequency_cap",
    "state_cap",
    "inconvenient_time",
    "outside_hours",
)
NEVER_OVERRIDABLE: frozenset[str] = frozenset({"cease", "attorney", "bankruptcy"})
OVERRIDABLE: frozenset[str] = frozenset(REASONS) - NEVER_OVERRIDABLE

_SEVERITY: dict[str, int] = {code: i for i, code in enumerate(REASONS)}
_FLAG_CODES: tuple[tuple[int, str], ...] = (
    (int(Flag.CEASE), "cease"),
    (int(Flag.BANKRUPTCY), "bankruptcy"),
    (int(Flag.ATTORNEY), "attorney"),
    (int(Flag.DECEASED), "deceased"),
    (int(Flag.DISPUTE), "dispute"),
)


def never_overridable(flags: int) -> tuple[str, ...]:
    """The reasons among an account's ``flags`` that no override can lift (cease,
    bankruptcy, attorney), in the verdict's order; empty when an override could be used."""
    return tuple(code for bit, code in _FLAG_CODES if flags & bit and code in NEVER_OVERRIDABLE)


_UNKNOWN_ZONE = "Etc/Unknown"
_MIDNIGHT = time(0, 0)
_EARLIEST = time(8, 0)
_LATEST = time(21, 0)
_MAX_STEPS = 2000
_ONE_DAY = timedelta(days=1)


@cache
def _tz(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _default_state_caps() -> Mapping[str, int]:
    return MappingProxyType({"MA": 2})


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class Policy:
    """Calling policy. The defaults are DESIGN §4's; configuration may change them."""

    earliest: time = _EARLIEST
    latest: time = _LATEST
    cap_attempts: int = 7
    cap_days: int = 7
    conversation_wait_days: int = 7  # the day of the conversation + 6 days after
    consent_days: int = 7
    default_zones: tuple[str, ...] = DEFAULT_ZONES
    state_caps: Mapping[str, int] = field(default_factory=_default_state_caps, hash=False)
    office_zone: str = "America/New_York"  # the coordinators' zone, for messages

    def __post_init__(self) -> None:
        if not self.earliest < self.latest:
            raise ValueError("calling hours: earliest must be before latest")
        if self.earliest.tzinfo is not None or self.latest.tzinfo is not None:
            raise ValueError("calling hours are local wall times (no tzinfo)")
        for name in ("cap_attempts", "cap_days", "conversation_wait_days", "consent_days"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1")
        zones = tuple(self.default_zones)
        if not zones:
            raise ValueError("default_zones must name at least one zone")
        for z in (*zones, self.office_zone):
            if _tz(z) is None:
                raise ValueError(f"unknown time zone {z!r}")
        object.__setattr__(self, "default_zones", zones)
        caps = {str(k).strip().upper(): int(v) for k, v in self.state_caps.items()}
        if any(v < 1 for v in caps.values()):
            raise ValueError("state caps must be at least 1")
        object.__setattr__(self, "state_caps", MappingProxyType(caps))

    @classmethod
    def from_config(cls, data: Mapping[str, object]) -> Policy:
        """A policy from a configuration table, e.g. the ``[compliance]`` TOML section.

        Keys are the field names; times are ``"HH:MM"`` strings; ``default_zones`` a list
        of zone names; ``state_caps`` a table ``{MA = 2}``. Unknown keys are an error.
        """
        known = {
            "earliest",
            "latest",
            "cap_attempts",
            "cap_days",
            "conversation_wait_days",
            "consent_days",
            "default_zones",
            "state_caps",
            "office_zone",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown compliance setting(s): {', '.join(unknown)}")
        kwargs: dict[str, object] = {}
        for key, value in data.items():
            if key in ("earliest", "latest"):
                if isinstance(value, time):
                    kwargs[key] = value
                elif isinstance(value, str):
                    try:
                        kwargs[key] = time.fromisoformat(value.strip())
                    except ValueError:
                        raise ValueError(f"{key}: expected HH:MM, got {value!r}") from None
                else:
                    raise ValueError(f"{key}: expected HH:MM, got {value!r}")
            elif key in ("cap_attempts", "cap_days", "conversation_wait_days", "consent_days"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{key}: expected a whole number, got {value!r}")
                kwargs[key] = value
            elif key == "default_zones":
                if isinstance(value, str) or not isinstance(value, Iterable):
                    raise ValueError("default_zones: expected a list of zone names")
                zones = tuple(str(z) for z in value)
                for z in zones:
                    if _tz(z) is None:
                        raise ValueError(f"default_zones: unknown time zone {z!r}")
                kwargs[key] = zones
            elif key == "state_caps":
                if not isinstance(value, Mapping):
                    raise ValueError("state_caps: expected a table of STATE = attempts")
                caps: dict[str, int] = {}
                for k, v in value.items():
                    if isinstance(v, bool) or not isinstance(v, int):
                        raise ValueError(f"state_caps.{k}: expected a whole number")
                    caps[str(k)] = v
                kwargs[key] = caps
            else:  # office_zone
                if not isinstance(value, str) or _tz(value) is None:
                    raise ValueError(f"office_zone: unknown time zone {value!r}")
                kwargs[key] = value
        return cls(**kwargs)  # type: ignore[arg-type]


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    e164: str | None
    valid: bool
    status: str  # ok | bad | dnc
    zones: tuple[str, ...]  # () for toll-free / non-geographic
    inconvenient: bool = False  # the debtor said calls to this number are inconvenient


@dataclass(frozen=True, slots=True)
class Attempt:
    """One contact. ``inbound=True``: the debtor called in — not a call attempt (never
    counted toward caps), but a right-party inbound conversation starts the wait and ends
    consent."""

    at: datetime
    outcome: str
    phone_e164: str | None = None
    inbound: bool = False


@dataclass(frozen=True, slots=True)
class Consent:
    """A recorded direct consent to be called (``callback_at`` set: a callback the debtor
    asked for, which is consent for the callback's local day only)."""

    given_at: datetime
    until: datetime | None = None
    revoked_at: datetime | None = None
    callback_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AvoidWindow:
    """Times the debtor said are inconvenient, weekly, in the debtor's local time.

    ``weekdays``: 0 = Monday … 6 = Sunday. No times = the whole day; ``end <= start`` wraps
    past midnight into the next day.
    """

    weekdays: frozenset[int]
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True, slots=True)
class AccountFacts:
    flags: int = 0
    state: str | None = None
    country: str = "US"
    phones: tuple[PhoneFacts, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    consents: tuple[Consent, ...] = ()
    avoid: tuple[AvoidWindow, ...] = ()
    claim_pending: bool = False
    lease_holder: str | None = None
    lease_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LocalTime:
    zone: str
    local: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    callable: bool
    reason: str  # "ok" or the most serious code of REASONS that applies
    message: str  # one human sentence
    next_callable_at: datetime | None  # == now when callable; None when not computable
    local_times: tuple[LocalTime, ...]  # the debtor's local time now, in each zone
    reasons: tuple[str, ...] = ()  # every code that applies, most serious first
    under_consent: bool = False  # callable with a consent in force: counts toward no limit

    @property
    def overridable(self) -> bool:
        """Whether a coordinator may override this block (with a typed reason)."""
        return not self.callable and not (set(self.reasons) & NEVER_OVERRIDABLE)


# --------------------------------------------------------------------------- zones


@lru_cache(maxsize=4096)
def _known_zones(zones: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    known = tuple(z for z in zones if z and z != _UNKNOWN_ZONE and _tz(z) is not None)
    if known:
        return known
    return tuple(sorted(z for z in default if _tz(z) is not None))


@lru_cache(maxsize=4096)
def _debtor_zones(
    state: str | None,
    country: str,
    phone_zones: tuple[tuple[str, ...], ...],
    default: tuple[str, ...],
) -> tuple[str, ...]:
    return _known_zones(zone_set(state, country, phone_zones, default), default)


def _dialable(p: PhoneFacts) -> bool:
    return bool(p.e164) and p.valid and p.status == "ok"


def debtor_zones(facts: AccountFacts, policy: Policy = DEFAULT_POLICY) -> tuple[str, ...]:
    """Every zone the debtor may be in, sorted: the address state's zones and those of each
    dialable phone (toll-free and ``Etc/Unknown`` ignored); the policy's default zones when
    none is known. Equal to ``zones.zone_set`` over the dialable phones."""
    phone_zones = tuple(p.zones for p in facts.phones if _dialable(p))
    return _debtor_zones(facts.state, facts.country, phone_zones, tuple(policy.default_zones))


def zone_set_callable(
    zones: tuple[str, ...], now: datetime, policy: Policy = DEFAULT_POLICY
) -> bool:
    """Inside calling hours in every zone (the queue's SQL pre-filter over zone sets)."""
    t = _utc(now)
    earliest, latest = policy.earliest, policy.latest
    for name in _known_zones(tuple(zones), tuple(policy.default_zones)):
        tz = _tz(name)
        assert tz is not None
        wall = t.astimezone(tz).time()
        if not earliest <= wall < latest:
            return False
    return True


# --------------------------------------------------------------------------- time helpers


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"naive datetime {t.isoformat()}: compliance needs aware instants")
    return t.astimezone(UTC)


@lru_cache(maxsize=65536)
def _wall_to_utc(zone: str, ordinal: int, wall: time, fold: int) -> datetime:
    """The first instant at which the wall clock of ``zone`` on that date shows ``wall``
    (``fold`` picks the second pass of a repeated hour). A wall time inside a DST gap maps
    to the transition itself: the first instant at which the wall clock is past it."""
    tz = _tz(zone)
    assert tz is not None
    naive = datetime.combine(date.fromordinal(ordinal), wall)
    u = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if u.astimezone(tz).replace(tzinfo=None) == naive:
        return u
    # Gap: fold=0 (offset before) lands after the transition, fold=1 before it.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if lo > hi:
        lo, hi = hi, lo
    # Smallest instant in (lo, hi] whose wall clock is >= naive (monotone across the gap).
    lo_s, hi_s = 0, int((hi - lo).total_seconds())
    while lo_s < hi_s:
        mid = (lo_s + hi_s) // 2
        if (lo + timedelta(seconds=mid)).astimezone(tz).replace(tzinfo=None) >= naive:
            hi_s = mid
        else:
            lo_s = mid + 1
    return lo + timedelta(seconds=lo_s)


def _next_wall(zone: str, ordinal: int, wall: time, after: datetime) -> datetime:
    """The first instant > ``after`` at which the clock of ``zone`` shows ``wall`` on that
    local date (or, failing that, on a later date)."""
    for day in range(ordinal, ordinal + 3):
        for fold in (0, 1):
            u = _wall_to_utc(zone, day, wall, fold)
            if u > after:
                return u
    return after + _ONE_DAY  # unreachable for real zones


@lru_cache(maxsize=1024)
def _utc_midnight(ordinal: int) -> datetime:
    return datetime.fromordinal(ordinal).replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def _steady_offset(zone: str, utc_day: int, back_days: int) -> timedelta | None:
    """The zone's UTC offset if it is the same at every hour from the start of UTC day
    ``utc_day - back_days`` to the end of ``utc_day + 2`` (no transition in between), so
    local dates there are ``(t + offset).date()``; else None. Cached per (zone, day)."""
    tz = _tz(zone)
    assert tz is not None
    t = datetime.fromordinal(utc_day - back_days).replace(tzinfo=UTC)
    end = datetime.fromordinal(utc_day + 3).replace(tzinfo=UTC)
    first = t.astimezone(tz).utcoffset()
    step = timedelta(hours=1)
    while t <= end:
        if t.astimezone(tz).utcoffset() != first:
            return None
        t += step
    return first


def _day_start(zone: str, ordinal: int) -> datetime:
    return _wall_to_utc(zone, ordinal, _MIDNIGHT, 0)


@lru_cache(maxsize=1024)
def _avoid_segments(
    avoid: tuple[AvoidWindow, ...],
) -> tuple[tuple[tuple[time, time | None], ...], ...]:
    """Per weekday (0 = Monday), the blocked ``[start, end)`` wall-time segments; ``end``
    None = to the end of the day."""
    days: list[list[tuple[time, time | None]]] = [[] for _ in range(7)]
    for w in avoid:
        start = w.start or _MIDNIGHT
        end = w.end
        for wd in w.weekdays:
            if not 0 <= wd <= 6:
                raise ValueError(f"weekday {wd} out of range 0..6")
            if end is None or start < end:
                days[wd].append((start, None if end is None or end == _MIDNIGHT else end))
            else:  # wraps past midnight
                days[wd].append((start, None))
                if end != _MIDNIGHT:
                    days[(wd + 1) % 7].append((_MIDNIGHT, end))
    return tuple(tuple(sorted(d, key=lambda se: (se[0], se[1] or time.max))) for d in days)


def _count_in(days: list[int], last: int, span: int) -> int:
    """How many of the sorted day ordinals fall in ``[last - span + 1, last]``."""
    return bisect.bisect_right(days, last) - bisect.bisect_left(days, last - span + 1)


def _first_day_under(days: list[int], day: int, span: int, cap: int) -> int:
    """The first day >= ``day`` on which fewer than ``cap`` of ``days`` fall in the
    ``span``-day window ending that day (counts only drop when a day leaves the window)."""
    if _count_in(days, day, span) < cap:
        return day
    for d in days:
        leave = d + span
        if leave > day and _count_in(days, leave, span) < cap:
            return leave
    return max(day, days[-1] + span) if days else day


# --------------------------------------------------------------------------- evaluation


@dataclass(slots=True)
class _ConsentSpan:
    start: datetime
    end: datetime | None  # None: no end (cannot happen for recorded consents)
    given_at: datetime
    end_by_conversation: bool  # the end is a conversation, itself placed under consent

    def covers_call(self, at: datetime) -> bool:
        if at <= self.given_at or at < self.start:
            return False
        if self.end is None or at < self.end:
            return True
        return self.end_by_conversation and at == self.end

    def in_force(self, t: datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


class _Eval:
    """The facts of one account prepared for fast evaluation at any instant ≥ now."""

    __slots__ = (
        "avoid",
        "cap_days",
        "consents",
        "conv_ats",
        "conv_days",
        "horizon",
        "lease_until",
        "offsets",
        "policy",
        "state_cap",
        "state_days",
        "steady_from",
        "steady_to",
        "tzs",
        "zones",
    )

    def __init__(
        self,
        facts: AccountFacts,
        now: datetime,
        policy: Policy,
        zones: tuple[str, ...],
        coordinator: str | None,
    ) -> None:
        self.policy = policy
        self.zones = zones
        tzs: list[ZoneInfo] = []
        for name in zones:
            tz = _tz(name)
            assert tz is not None
            tzs.append(tz)
        self.tzs = tzs
        self.avoid = _avoid_segments(facts.avoid) if facts.avoid else None

        # Lease: an instant it ends, or None when it does not block.
        self.lease_until: datetime | None = None
        lease_open = False
        if facts.lease_holder is not None and facts.lease_holder != coordinator:
            exp = facts.lease_expires_at
            if exp is None:
                lease_open = True
            else:
                exp = _utc(exp)
                if exp > now:
                    self.lease_until = exp

        span = max(policy.cap_days, policy.conversation_wait_days) + 2
        window_start = now - timedelta(days=span)
        wrong: dict[str, datetime] = {}
        right_party: list[datetime] = []
        calls: list[Attempt] = []
        latest = now
        for a in facts.attempts:
            at = a.at
            if at.tzinfo is None:
                raise ValueError(f"attempt at naive {at.isoformat()}")
            outcome = a.outcome
            if outcome == "wrong_number" and a.phone_e164:
                seen = wrong.get(a.phone_e164)
                if seen is None or at > seen:
                    wrong[a.phone_e164] = at
            if outcome in RIGHT_PARTY:
                right_party.append(at)
            if at >= window_start:
                if at.tzinfo is not UTC:
                    at = at.astimezone(UTC)
                    a = Attempt(at, outcome, a.phone_e164, a.inbound)
                if at > latest:
                    latest = at
                if not a.inbound and outcome not in NOT_CONNECTED:
                    calls.append(a)
        right_party.sort()

        spans: list[_ConsentSpan] = []
        for c in facts.consents:
            s = self._consent_span(c, right_party)
            if s is not None:
                spans.append(s)
        self.consents = spans

        cap_ats: list[datetime] = []
        state_ats: list[datetime] = []
        for a in calls:
            if a.outcome == "wrong_number":
                continue
            if a.phone_e164 and wrong:
                found = wrong.get(a.phone_e164)
                if found is not None and a.at <= found:
                    continue
            state_ats.append(a.at)
            if not any(s.covers_call(a.at) for s in spans):
                cap_ats.append(a.at)
        conv_ats = [
            at if at.tzinfo is UTC else at.astimezone(UTC)
            for at in right_party
            if at >= window_start
        ]
        self.conv_ats = conv_ats

        if cap_ats or conv_ats or state_ats:
            utc_day = now.toordinal()
            self.offsets = [_steady_offset(name, utc_day, span) for name in zones]
            self.steady_from = _utc_midnight(utc_day - span)
            self.steady_to = _utc_midnight(utc_day + 3)
        self.cap_days = self._day_lists(cap_ats)
        self.conv_days = self._day_lists(conv_ats)
        cap = policy.state_caps.get((facts.state or "").strip().upper())
        if cap is not None and facts.country.strip().upper() == "US":
            self.state_cap: int | None = cap
            self.state_days = self._day_lists(state_ats)
        else:
            self.state_cap = None
            self.state_days = []

        ends = [latest]
        for s in spans:
            if s.end is not None:
                ends.append(s.end)
        if self.lease_until is not None:
            ends.append(self.lease_until)
        longest = max(policy.cap_days, policy.conversation_wait_days, policy.consent_days)
        self.horizon: datetime | None = (
            None if lease_open else max(ends) + timedelta(days=longest + 16)
        )

    def _day_lists(self, ats: list[datetime]) -> list[list[int]]:
        """Per zone, the sorted local-date ordinals of these UTC instants."""
        if not ats:
            return [[] for _ in self.tzs]
        out: list[list[int]] = []
        lo, hi = self.steady_from, self.steady_to
        for tz, off in zip(self.tzs, self.offsets, strict=True):
            if off is None:
                days = [at.astimezone(tz).toordinal() for at in ats]
            else:
                days = [
                    (at + off).toordinal() if lo <= at < hi else at.astimezone(tz).toordinal()
                    for at in ats
                ]
            days.sort()
            out.append(days)
        return out

    def _consent_span(self, c: Consent, right_party: list[datetime]) -> _ConsentSpan | None:
        given = _utc(c.given_at)
        anchor = given if c.callback_at is None else _utc(c.callback_at)
        days = 1 if c.callback_at is not None else self.policy.consent_days
        start = given
        end: datetime | None = None
        for name, tz in zip(self.zones, self.tzs, strict=True):
            d = anchor.astimezone(tz).toordinal()
            s = _day_start(name, d)
            e = _day_start(name, d + days)
            if s > start:
                start = s
            if end is None or e < end:
                end = e
        by_conversation = False
        for limit in (c.until, c.revoked_at):
            if limit is not None:
                lim = _utc(limit)
                if end is None or lim < end:
                    end = lim
        i = bisect.bisect_right(right_party, given)
        if i < len(right_party):
            conv = right_party[i]
            if end is None or conv <= end:
                end = conv
                by_conversation = True
        if end is not None and end <= start and not (by_conversation and end == start):
            return None
        return _ConsentSpan(start, end, given, by_conversation)

    # -- rules: each "next" answers the first instant >= t at which the rule passes

    def locals_at(self, t: datetime) -> list[datetime]:
        return [t.astimezone(tz) for tz in self.tzs]

    def hours_next(self, t: datetime, locs: list[datetime]) -> datetime:
        earliest, latest = self.policy.earliest, self.policy.latest
        best = t
        for name, loc in zip(self.zones, locs, strict=True):
            wall = loc.time()
            if earliest <= wall < latest:
                continue
            day = loc.toordinal() + (0 if wall < earliest else 1)
            u = _next_wall(name, day, earliest, t)
            if u > best:
                best = u
        return best

    def avoid_next(self, t: datetime, locs: list[datetime]) -> datetime:
        segs = self.avoid
        if segs is None:
            return t
        best = t
        for name, loc in zip(self.zones, locs, strict=True):
            wall = loc.time()
            for start, end in segs[loc.weekday()]:
                if start <= wall and (end is None or wall < end):
                    if end is None:
                        u = _next_wall(name, loc.toordinal() + 1, _MIDNIGHT, t)
                    else:
                        u = _next_wall(name, loc.toordinal(), end, t)
                    if u > best:
                        best = u
        return best

    def consent_in_force(self, t: datetime) -> bool:
        return any(s.in_force(t) for s in self.consents)

    def next_consent(self, t: datetime) -> datetime | None:
        best: datetime | None = None
        for s in self.consents:
            if s.end is not None and s.end <= t:
                continue
            u = s.start if s.start > t else t
            if best is None or u < best:
                best = u
        return best

    def _days_next(
        self,
        t: datetime,
        locs: list[datetime] | None,
        lists: list[tuple[list[list[int]], int, int]],
    ) -> datetime:
        """First instant >= t at which, in every zone, each (days, span, cap) rule passes."""
        u = t
        cur = locs
        for _ in range(_MAX_STEPS):
            if cur is None:
                cur = self.locals_at(u)
            best = u
            for i, (name, loc) in enumerate(zip(self.zones, cur, strict=True)):
                today = loc.toordinal()
                day = today
                while True:
                    moved = day
                    for per_zone, span, cap in lists:
                        moved = _first_day_under(per_zone[i], moved, span, cap)
                    if moved == day:
                        break
                    day = moved
                if day != today:
                    s = _day_start(name, day)
                    if s > best:
                        best = s
            if best == u:
                return u
            u = best
            cur = None
        return u

    def history_rules(self) -> list[tuple[list[list[int]], int, int]]:
        p = self.policy
        rules: list[tuple[list[list[int]], int, int]] = []
        if any(self.cap_days):
            rules.append((self.cap_days, p.cap_days, p.cap_attempts))
        if any(self.conv_days):
            rules.append((self.conv_days, p.conversation_wait_days, 1))
        return rules

    def history_next(self, t: datetime, locs: list[datetime] | None) -> datetime:
        """frequency cap ∧ conversation wait, or a consent in force."""
        rules = self.history_rules()
        if not rules:
            return t
        if self.consents:
            if self.consent_in_force(t):
                return t
            c = self.next_consent(t)
        else:
            c = None
        u = self._days_next(t, locs, rules)
        return u if c is None or u < c else c

    def state_next(self, t: datetime, locs: list[datetime] | None) -> datetime:
        if self.state_cap is None or not any(self.state_days):
            return t
        return self._days_next(t, locs, [(self.state_days, self.policy.cap_days, self.state_cap)])

    def lease_next(self, t: datetime) -> datetime:
        u = self.lease_until
        return u if u is not None and u > t else t

    def next_callable(
        self, start: datetime, start_locs: list[datetime] | None = None
    ) -> datetime | None:
        """The first instant >= start at which every time-based rule passes."""
        horizon = self.horizon
        if horizon is None:
            return None
        t = start
        locs = start_locs
        for _ in range(_MAX_STEPS):
            if locs is None:
                locs = self.locals_at(t)
            best = self.hours_next(t, locs)
            u = self.avoid_next(t, locs)
            if u > best:
                best = u
            u = self.history_next(t, locs)
            if u > best:
                best = u
            u = self.state_next(t, locs)
            if u > best:
                best = u
            u = self.lease_next(t)
            if u > best:
                best = u
            if best == t:
                return t
            if best > horizon:
                return None
            t = best
            locs = None
        return None

    # -- what applies now (per rule, for reasons and messages)

    def zone_counts(self, per_zone: list[list[int]], locs: list[datetime], span: int) -> int:
        if not any(per_zone):
            return 0
        return max(
            (
                _count_in(days, loc.toordinal(), span)
                for days, loc in zip(per_zone, locs, strict=True)
            ),
            default=0,
        )


# --------------------------------------------------------------------------- messages


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_label(loc: datetime) -> str:
    return f"{_WEEKDAYS[loc.weekday()]} {loc.day} {_MONTHS[loc.month - 1]}"


def _clock(loc: datetime) -> str:
    return f"{loc.hour:02d}:{loc.minute:02d}"


def _fmt_at(u: datetime, zone: str, now: datetime) -> str:
    tz = _tz(zone)
    assert tz is not None
    loc = u.astimezone(tz)
    text = f"{_clock(loc)} {loc.tzname()}"
    if loc.date() != now.astimezone(tz).date():
        text = f"{_day_label(loc)} {text}"
    return text


def _east_first(pairs: Iterable[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """(zone, local time) pairs, the zone furthest east first (for reading)."""
    return sorted(pairs, key=lambda zl: (-(zl[1].utcoffset() or timedelta()), zl[0]))


def _when(u: datetime | None, zones: Iterable[str], policy: Policy, now: datetime) -> str:
    """The words "callable from 08:00 PST, 11:00 EST": the instant in the zone whose clock
    shows the earliest time then (the one that holds the debtor back), and in the office
    zone."""
    if u is None:
        return "no callable time found by these facts"
    zone = min(zones, key=lambda z: (u.astimezone(_tz(z)).replace(tzinfo=None), z))
    parts = [_fmt_at(u, zone, now)]
    office = policy.office_zone
    if office != zone and _tz(office) is not None:
        other = _fmt_at(u, office, now)
        if other != parts[0]:
            parts.append(other)
    return "callable from " + ", ".join(parts)


# --------------------------------------------------------------------------- public API


def verdict(
    facts: AccountFacts,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    *,
    phone: str | None = None,
    coordinator: str | None = None,
) -> Verdict:
    """May we call this account (on ``phone``, if given) at ``now``?"""
    now = _utc(now)
    zones = debtor_zones(facts, policy)
    ev = _Eval(facts, now, policy, zones, coordinator)
    locs = ev.locals_at(now)
    local_times = tuple(LocalTime(z, loc) for z, loc in zip(zones, locs, strict=True))

    found: list[str] = []
    timeless = False  # a block that no instant ends
    flags = facts.flags
    if flags:
        for bit, code in _FLAG_CODES:
            if flags & bit:
                found.append(code)
                timeless = True
    if facts.claim_pending:
        found.append("claim_pending")
        timeless = True

    phone_note = ""
    inconvenient_phone = False
    if phone is None:
        dialable = [p for p in facts.phones if _dialable(p)]
        if not dialable:
            found.append("no_dialable_phone")
            timeless = True
        elif all(p.inconvenient for p in dialable):
            inconvenient_phone = True
    else:
        chosen = next((p for p in facts.phones if p.e164 == phone), None)
        if chosen is None:
            phone_note = f"{phone} is not a phone of this account"
        elif not chosen.valid:
            phone_note = f"{phone} is not a valid number"
        elif chosen.status != "ok":
            phone_note = f"{phone} is marked {chosen.status}"
        elif chosen.inconvenient:
            inconvenient_phone = True
        if phone_note:
            found.append("no_dialable_phone")
            timeless = True

    leased = facts.lease_holder is not None and facts.lease_holder != coordinator
    if leased and (ev.lease_until is not None or ev.horizon is None):
        found.append("leased")
        if ev.horizon is None:
            timeless = True

    p = policy
    consent_now = bool(ev.consents) and ev.consent_in_force(now)
    conv_count = ev.zone_counts(ev.conv_days, locs, p.conversation_wait_days)
    cap_count = ev.zone_counts(ev.cap_days, locs, p.cap_days)
    if conv_count and not consent_now:
        found.append("recent_conversation")
    if cap_count >= p.cap_attempts and not consent_now:
        found.append("frequency_cap")
    state_count = 0
    if ev.state_cap is not None:
        state_count = ev.zone_counts(ev.state_days, locs, p.cap_days)
        if state_count >= ev.state_cap:
            found.append("state_cap")
    avoid_now = ev.avoid is not None and ev.avoid_next(now, locs) > now
    if inconvenient_phone:
        found.append("inconvenient_time")
        timeless = True
    elif avoid_now:
        found.append("inconvenient_time")
    outside = [
        (z, loc)
        for z, loc in zip(zones, locs, strict=True)
        if not p.earliest <= loc.time() < p.latest
    ]
    if outside:
        found.append("outside_hours")

    if not found:
        where = ", ".join(
            f"{_clock(loc)} in {_city(z)}" for z, loc in _east_first(zip(zones, locs, strict=True))
        )
        if consent_now:
            msg = f"Callable now under consent (counts toward no call limit): {where}"
        else:
            msg = f"Callable now: {where}"
        return Verdict(True, "ok", msg, now, local_times, (), consent_now)

    found.sort(key=_SEVERITY.__getitem__)
    reasons = tuple(found)
    nxt = None if timeless else ev.next_callable(now, locs)
    reason = reasons[0]
    first_zone = _east_first(zip(zones, locs, strict=True))[0][0]

    if reason == "cease":
        msg = "Cease-communication request on file: no calls (cannot be overridden)"
    elif reason == "bankruptcy":
        msg = "Debtor in bankruptcy: no collection calls (cannot be overridden)"
    elif reason == "attorney":
        msg = "Represented by an attorney: contact the attorney, not the debtor"
    elif reason == "deceased":
        msg = "Debtor deceased: no collection calls on this account"
    elif reason == "dispute":
        msg = "Debt disputed: no calls until the dispute is resolved or verified"
    elif reason == "claim_pending":
        msg = "Insurance claim pending: do not chase the patient for this balance"
    elif reason == "no_dialable_phone":
        msg = (
            f"No dialable phone: {phone_note}"
            if phone_note
            else "No dialable phone: every number is invalid, bad or do-not-call"
        )
    elif reason == "leased":
        holder = facts.lease_holder
        if ev.lease_until is not None:
            msg = f"Open by {holder} until {_fmt_at(ev.lease_until, p.office_zone, now)}"
        else:
            msg = f"Open by {holder}"
    elif reason == "recent_conversation":
        last = max(ev.conv_ats)
        tz = _tz(first_zone)
        assert tz is not None
        spoke = last.astimezone(tz)
        msg = (
            f"Spoke with the debtor on {_day_label(spoke)}: no call for "
            f"{p.conversation_wait_days} days — {_when(nxt, zones, p, now)}"
        )
    elif reason == "frequency_cap":
        msg = (
            f"{cap_count} call attempts in {p.cap_days} days (limit {p.cap_attempts}) — "
            f"{_when(nxt, zones, p, now)}"
        )
    elif reason == "state_cap":
        state = (facts.state or "").strip().upper()
        msg = (
            f"{state} limit: {state_count} call attempts in {p.cap_days} days "
            f"(limit {ev.state_cap}) — {_when(nxt, zones, p, now)}"
        )
    elif reason == "inconvenient_time":
        if inconvenient_phone:
            which = phone if phone is not None else "every dialable number"
            msg = f"The debtor said calls to {which} are inconvenient"
        else:
            hit = first_zone
            for z, loc in zip(zones, locs, strict=True):
                segs = ev.avoid[loc.weekday()] if ev.avoid is not None else ()
                wall = loc.time()
                if any(s <= wall and (e is None or wall < e) for s, e in segs):
                    hit = z
                    break
            loc = locs[zones.index(hit)]
            at_text = f"{_WEEKDAYS[loc.weekday()]} {_clock(loc)} in {_city(hit)}"
            msg = f"Inconvenient time for the debtor: {at_text} — {_when(nxt, zones, p, now)}"
    else:  # outside_hours
        where = ", ".join(f"{_clock(loc)} in {_city(z)}" for z, loc in _east_first(outside))
        msg = f"Outside calling hours: {where} — {_when(nxt, zones, p, now)}"

    return Verdict(False, reason, msg, nxt, local_times, reasons, False)


def blocked_until(
    facts: AccountFacts, now: datetime, policy: Policy = DEFAULT_POLICY
) -> datetime | None:
    """For the queue's cached column: the earliest instant at which the history-based blocks
    (``frequency_cap``, ``recent_conversation``, ``state_cap``) that apply at ``now`` end —
    consent taken into account, so never later than the first instant the verdict becomes
    callable; None when none applies at ``now``. Leases are not included."""
    now = _utc(now)
    zones = debtor_zones(facts, policy)
    ev = _Eval(facts, now, policy, zones, None)
    locs = ev.locals_at(now)
    h = ev.history_next(now, locs)
    s = ev.state_next(now, locs)
    if h == now and s == now:
        return None
    t = max(h, s)
    for _ in range(_MAX_STEPS):
        u = max(ev.history_next(t, None), ev.state_next(t, None))
        if u == t:
            return t
        t = u
    return t


def counted_attempts(
    facts: AccountFacts,
    start: datetime,
    end: datetime,
    policy: Policy = DEFAULT_POLICY,
    *,
    for_state_cap: bool = False,
) -> int:
    """How many attempts with ``start <= at < end`` count toward the federal frequency cap
    (or, with ``for_state_cap``, toward a state cap, where calls under consent count too).

    Outbound only; ``busy``/``not_in_service`` and calls to a number later found to be a
    wrong number never count; calls under consent do not count toward the federal cap.
    For reports and the account screen; the verdict counts by local calendar days.
    """
    start, end = _utc(start), _utc(end)
    ev = _Eval(facts, end, policy, debtor_zones(facts, policy), None)
    wrong: dict[str, datetime] = {}
    for a in facts.attempts:
        if a.outcome == "wrong_number" and a.phone_e164:
            seen = wrong.get(a.phone_e164)
            if seen is None or a.at > seen:
                wrong[a.phone_e164] = a.at
    n = 0
    for a in facts.attempts:
        at = _utc(a.at)
        if not start <= at < end or a.inbound or a.outcome in NOT_CONNECTED:
            continue
        if a.outcome == "wrong_number":
            continue
        if a.phone_e164 and a.phone_e164 in wrong and at <= wrong[a.phone_e164]:
            continue
        if not for_state_cap and any(s.covers_call(at) for s in ev.consents):
            continue
        n += 1
    return n
