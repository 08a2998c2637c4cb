"""Realistic synthetic data, deterministic for a seed: ``collections-tui demo``.

What a new user sees should look like a real collections floor: people and small
businesses owing several creditors (medical offices with insurance claims among them),
phones in every US time zone (and some that disagree with the address, because people move
and keep their mobiles), balances with a long tail in every aging bucket, ledgers whose sum
is the balance to the cent, and a history of calls with the outcomes, notes, promises (kept,
broken, upcoming), payment plans and callbacks (with the consent they imply) that such calls
leave behind. Calls were placed inside calling hours and spaced the way DESIGN §4 allows.

Same seed + same account count + same clock → the same database content, row for row.
Everything is dated relative to the clock, so ``--now`` moves the whole history with it.

The queue's cached columns (zone set, ``blocked_until``/``blocked_reason``, tier, score,
``last_attempt_at``) are computed with the same domain functions and inputs as
``services.facts.refresh_accounts`` (a test proves refreshing changes nothing), so the queue
is right from the first start.

Speed (a million accounts in under two minutes on SQLite, 2 cores): no ORM rows. The
accounts are cut into at most 8 *segments* (a pure function of the count), each with its
own random stream and ids counted from 1. Small demos, and PostgreSQL, generate here and
insert chunk by chunk with ``store.bulk.insert_rows``, ids shifted to fresh ones from
``reserve_ids``. Large SQLite demos have worker processes generate segments in parallel,
each into a SQLite file of its own, and this process copies each file in with one
``INSERT ... SELECT`` per table, shifting ids in SQL, while the workers make the next ones.
Either way it is one transaction: all or nothing. Dates and times are
pre-formatted text (``YYYY-MM-DD`` / ``YYYY-MM-DD HH:MM:SS``, naive UTC, as the store writes
on SQLite; PostgreSQL casts the same text to DATE / TIMESTAMP).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peewee import Database

from ..domain import compliance
from ..domain import demo_names as names
from ..domain.claims import AWAITING_DECISION
from ..domain.demo_places import CITIES, RESERVED_EXCHANGES, TOLL_FREE_CODES
from ..domain.flags import Flag
from ..domain.money import allocate
from ..domain.phones import parse_phone
from ..domain.priority import History, Weights, day_number, priority
from ..domain.zones import STATE_ZONES, zone_key, zone_set
from ..store.bulk import insert_rows, reserve_ids
from ..store.db import is_postgres, to_db, write_transaction
from ..store.models import Account, Coordinator, database
from . import audit
from .context import Context
from .errors import InputError
from .facts import CLAIM_HOLD
from .zonesets import ZoneSetCache

__all__ = ["CHUNK_ACCOUNTS", "DemoReport", "account_number", "generate_demo"]

CHUNK_ACCOUNTS = 20_000  # accounts generated and written per step (bounds memory)


@dataclass(frozen=True)
class DemoReport:
    accounts: int
    debtors: int
    phones: int
    ledger_entries: int
    contacts: int
    notes: int
    promises: int
    arrangements: int
    callbacks: int
    claims: int
    seconds: float


def account_number(seed: int, n: int) -> str:
    """The demo account number ``n`` (1-based) of a seed: ``D1-0000001``."""
    return f"D{seed}-{n:07d}"


# --------------------------------------------------------------------------- columns

_COLUMNS: dict[str, tuple[str, ...]] = {
    "debtor": (
        "id",
        "name",
        "debtor_type",
        "email",
        "address1",
        "city",
        "state",
        "postal_code",
        "country",
        "created_at",
        "updated_at",
    ),
    "phone": (
        "id",
        "debtor_id",
        "position",
        "kind",
        "raw",
        "e164",
        "extension",
        "valid",
        "status",
        "zones",
        "problem",
        "created_at",
        "updated_at",
    ),
    "account": (
        "id",
        "number",
        "debtor_id",
        "creditor",
        "currency",
        "due_date",
        "status",
        "flags",
        "balance_cents",
        "created_at",
        "updated_at",
        "zone_set_id",
        "blocked_until",
        "tier",
        "score",
        "last_attempt_at",
        "blocked_reason",
    ),
    "ledger_entry": (
        "id",
        "account_id",
        "posted_on",
        "kind",
        "amount_cents",
        "reference",
        "memo",
        "source",
        "created_at",
        "created_by",
    ),
    "contact": (
        "id",
        "account_id",
        "phone_id",
        "phone_e164",
        "at",
        "outcome",
        "coordinator",
        "source",
        "created_at",
    ),
    "note": ("id", "account_id", "contact_id", "at", "coordinator", "body", "addendum_of_id"),
    "promise": (
        "id",
        "account_id",
        "amount_cents",
        "due_on",
        "phone_e164",
        "coordinator",
        "contact_id",
        "created_at",
        "cancelled_at",
    ),
    "arrangement": (
        "id",
        "account_id",
        "kind",
        "status",
        "total_cents",
        "discount_cents",
        "every",
        "created_at",
        "created_by",
        "approved_by",
        "status_changed_at",
    ),
    "installment": ("id", "arrangement_id", "number", "due_on", "amount_cents"),
    "callback": (
        "id",
        "account_id",
        "due_at",
        "phone_e164",
        "coordinator",
        "contact_id",
        "created_at",
        "done_at",
    ),
    "consent": (
        "id",
        "debtor_id",
        "account_id",
        "given_at",
        "until",
        "revoked_at",
        "callback_at",
        "source",
        "note",
        "coordinator",
        "created_at",
    ),
    "claim": (
        "id",
        "account_id",
        "claim_number",
        "payer",
        "service_date",
        "billed_cents",
        "submitted_on",
        "status",
        "denial_code",
        "paid_cents",
        "patient_responsibility_cents",
        "payer_phone",
        "timely_filing_days",
        "created_at",
        "updated_at",
    ),
}
# Parents before children (foreign keys are checked on SQLite).
_TABLES: tuple[str, ...] = tuple(_COLUMNS)

# --------------------------------------------------------------------- frequencies

# Call outcomes and how often a coordinator sees each (per attempt).
_OUTCOME_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("no_answer", 33),
    ("voicemail", 27),
    ("busy", 4),
    ("not_in_service", 2),
    ("wrong_number", 2),
    ("third_party", 5),
    ("conversation", 8),
    ("promise", 8),
    ("arrangement", 2),
    ("paid", 3),
    ("refused", 2),
    ("dispute", 1),
    ("callback_requested", 3),
)
_RIGHT_PARTY = frozenset(
    ("conversation", "promise", "arrangement", "paid", "refused", "dispute", "callback_requested")
)
# Chance that a call with this outcome gets a note.
_NOTE_CHANCE: dict[str, float] = {
    "no_answer": 0.12,
    "voicemail": 0.35,
    "busy": 0.1,
    "not_in_service": 0.8,
    "wrong_number": 0.9,
    "third_party": 0.8,
}

_AWAITING_PAYER = AWAITING_DECISION
_INSURER_PAID = frozenset(("paid", "partially_paid"))
_PAYMENT_KINDS = frozenset(("payment", "insurance_payment"))  # what keeps a promise
_BLOCK_REASONS = ("recent_conversation", "frequency_cap", "state_cap")
_COMMITMENTS = frozenset(("promise", "arrangement", "callback_requested"))
_ADDENDUM = "Addendum: the amount in the note above was mistyped; see the promise on file"
_SUPERVISOR = "kmorgan"  # approves settlements in the demo

_SECONDS_PER_DAY = 86_400
_BACK_DAYS = 2_200  # how far back the calendar tables reach
_AHEAD_DAYS = 800
_EXCHANGES_PER_AREA_CODE = 48
_SHORTCUT_OK: dict[Weights, bool] = {}  # see _Generator._priority_shortcut_is_exact
# (seed, area code) → [(exchange, zones)]: built once per process, shared by its segments.
_EXCHANGES: dict[tuple[int, str], list[tuple[str, tuple[str, ...]]]] = {}


def _pool(weighted: Sequence[tuple[Any, int]]) -> tuple[list[Any], list[float]]:
    """Items and cumulative probabilities, for ``items[bisect(cum, r())]``."""
    total = float(sum(w for _, w in weighted))
    items: list[Any] = []
    cum: list[float] = []
    acc = 0.0
    for item, w in weighted:
        acc += w
        items.append(item)
        cum.append(acc / total)
    cum[-1] = 1.0
    return items, cum


def _ascii_word(text: str) -> str:
    return "".join(ch for ch in text.lower() if "a" <= ch <= "z")


def _by_day_and_order(entry: tuple[Any, ...]) -> tuple[int, int]:
    return entry[0], entry[1]


def _add_months(d: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, or the month's last day (Jan 31 → Feb 28)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    if month == 12:
        last = 31
    else:
        last = (dt.date(year, month + 1, 1) - timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


# ------------------------------------------------------------------------- helpers


@dataclass(slots=True)
class _Phone:
    id: int
    kind: str
    raw: str
    e164: str | None
    extension: str | None
    valid: bool
    status: str
    zones: tuple[str, ...]
    toll_free: bool
    problem: str | None
    updated: str | None = None  # when a call marked it bad

    @property
    def dialable(self) -> bool:
        return self.valid and self.status == "ok"


@dataclass(slots=True)
class _Contact:
    off: int  # day offset (0 = today)
    outcome: str
    ts: int = 0  # UTC epoch seconds
    id: int = 0
    phone: _Phone | None = None
    coordinator: str = ""
    promise_days: int = 0  # promise: due this many days after the call
    callback_days: int = 0  # callback_requested: follow-up this many days later


@dataclass(frozen=True)
class _Rules:
    """The context's rules the queue facts depend on, in a form a worker process can get."""

    policy: compliance.Policy
    weights: Weights
    grace_days: int
    home_zone: str

    @classmethod
    def of(cls, ctx: Context) -> _Rules:
        return cls(ctx.policy, ctx.weights, ctx.grace_days, ctx.home_zone)

    def to_json(self) -> dict[str, Any]:
        p = self.policy
        return {
            "policy": {
                "earliest": p.earliest.isoformat(),
                "latest": p.latest.isoformat(),
                "cap_attempts": p.cap_attempts,
                "cap_days": p.cap_days,
                "conversation_wait_days": p.conversation_wait_days,
                "consent_days": p.consent_days,
                "default_zones": list(p.default_zones),
                "state_caps": dict(p.state_caps),
                "office_zone": p.office_zone,
            },
            "weights": dataclasses.asdict(self.weights),
            "grace_days": self.grace_days,
            "home_zone": self.home_zone,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Rules:
        return cls(
            compliance.Policy.from_config(data["policy"]),
            Weights(**data["weights"]),
            int(data["grace_days"]),
            str(data["home_zone"]),
        )


@dataclass(slots=True)
class _Story:
    """What an account's queue facts are computed from (DESIGN §9: zone set, blocked_until,
    tier, score), gathered while its history is made."""

    attempts: list[tuple[int, str, str | None]]  # (UTC epoch seconds, outcome, e164)
    promises: list[tuple[int, int, int]]  # (office day made, day due, amount)
    # (office day created, stored status, installment due days, amounts), oldest first
    arrangements: list[tuple[int, str, list[int], list[int]]]
    payments: list[tuple[int, int]]  # (day posted, amount) of payments and insurance payments
    callback_due: bool
    claim_pending: bool
    aging_from: int  # the due date's day, or the day the account was opened

    @property
    def reached(self) -> bool:
        return any(o in compliance.RIGHT_PARTY for _t, o, _e in self.attempts)


def _promise_history(
    promises: list[tuple[int, int, int]],
    arrangements: list[tuple[int, str, list[int], list[int]]],
    payments: list[tuple[int, int]],
    grace: int,
) -> tuple[int, int, bool]:
    """(kept, missed, belongs in the broken_promise tier now) -- the rule of
    ``services.arrangements.promise_history``, on day numbers (0 = today).

    ``promises`` are (office day made, day due, amount); ``arrangements`` (office day
    created, stored status, installment due days, installment amounts), oldest first;
    ``payments`` (day posted, cents) of every payment kind."""
    if not promises and not arrangements:
        return 0, 0, False
    paid = [(d, a) for d, a in payments if d <= 0]  # posted after today: not yet happened
    kept = missed = 0
    open_broken = False
    arranged_on = [made for made, status, _d, _a in arrangements if status != "cancelled"]
    for made, due, amount in promises:
        # domain.promises.promise_status: payments from the day it was made through grace
        grace_ends = due + grace
        last = min(grace_ends, 0)
        if sum(a for d, a in paid if a > 0 and made <= d <= last) >= amount:
            kept += 1
        elif grace_ends < 0:  # missed (broken or partially kept)
            missed += 1
            if not open_broken:
                open_broken = not (
                    any(d > grace_ends for d, _a in paid)
                    or any(m > due for m, _d, _a in promises)
                    or any(on > due for on in arranged_on)
                )
    if arrangements and not open_broken:
        created, status, dues, amounts = arrangements[-1]  # the current one, when live
        if status in ("active", "broken"):
            # domain.promises.apply_payments: payments from the creation day, oldest
            # installment first; the oldest not fully covered decides the status.
            received = sum(a for d, a in paid if a > 0 and d >= created)
            running = 0
            for due, _number, amount in sorted(zip(dues, range(len(dues)), amounts, strict=True)):
                running += amount
                if received < running:
                    if due + grace < 0:  # broken: unpaid past grace
                        open_broken = not any(m > due for m, _d, _a in promises)
                    break
    return kept, missed, open_broken


def _utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _db_text(instant: datetime) -> str:
    """An instant as the store writes it on SQLite (naive UTC, ``str(datetime)``)."""
    return str(instant.astimezone(UTC).replace(tzinfo=None))


class _Calendar:
    """Pre-formatted dates and times relative to the clock, and calling-hour windows."""

    def __init__(self, now: datetime, today: dt.date, office_zone: str) -> None:
        self.now_ts = int(now.timestamp())
        self.today = today
        self._office = ZoneInfo(office_zone)
        self.day0 = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp())
        first = today - timedelta(days=_BACK_DAYS)
        self.dates = [
            (first + timedelta(days=i)).isoformat() for i in range(_BACK_DAYS + _AHEAD_DAYS)
        ]
        self.hms = [
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        ]
        self.weekday0 = today.weekday()
        self._offsets: dict[tuple[str, int], int] = {}
        self._windows: dict[tuple[tuple[str, ...], int], tuple[int, int, int]] = {}
        self._zoneinfo: dict[str, ZoneInfo] = {}
        self._posted: dict[int, str] = {}

    def day_text(self, off: int) -> str:
        return self.dates[off + _BACK_DAYS]

    def posted_at(self, off: int) -> str:
        """When an entry dated ``off`` was keyed in: early afternoon UTC that day, never
        after the clock."""
        found = self._posted.get(off)
        if found is None:
            t = self.day0 + off * _SECONDS_PER_DAY + 13 * 3600 + 300
            found = self._posted[off] = self.ts(min(t, self.now_ts))
        return found

    def ts(self, t: int) -> str:
        d, s = divmod(t - self.day0, _SECONDS_PER_DAY)
        return self.dates[d + _BACK_DAYS] + " " + self.hms[s]

    def day(self, t: int) -> int:
        """The UTC calendar day offset of an instant."""
        return (t - self.day0) // _SECONDS_PER_DAY

    def office_day(self, t: int) -> int:
        """The day offset of an instant on the office's calendar (``rules.home_zone``, the
        zone ``today`` is in), as the services take a timestamp's day: the offset in force
        at that instant (an evening call on a daylight-saving weekend keeps its day)."""
        return (datetime.fromtimestamp(t, self._office).date() - self.today).days

    def date_of(self, off: int) -> dt.date:
        return self.today + timedelta(days=off)

    def off_of(self, d: dt.date) -> int:
        return (d - self.today).days

    def utc_offset(self, zone: str, off: int) -> int:
        key = (zone, off)
        found = self._offsets.get(key)
        if found is None:
            tz = self._zoneinfo.get(zone)
            if tz is None:
                tz = self._zoneinfo[zone] = ZoneInfo(zone)
            d = self.date_of(off)
            delta = datetime(d.year, d.month, d.day, 12, tzinfo=tz).utcoffset()
            found = self._offsets[key] = int(delta.total_seconds()) if delta else 0
        return found

    def local_midnight(self, zone: str, off: int) -> int:
        return self.day0 + off * _SECONDS_PER_DAY - self.utc_offset(zone, off)

    def window(self, zones: tuple[str, ...], off: int) -> tuple[int, int, int]:
        """Calling hours on local day ``off`` in every zone: (start, end, earliest midnight)
        as UTC epoch seconds; start is 08:00 in the latest zone, end 21:00 in the earliest."""
        key = (zones, off)
        found = self._windows.get(key)
        if found is None:
            base = self.day0 + off * _SECONDS_PER_DAY
            start = max(base + 8 * 3600 - self.utc_offset(z, off) for z in zones)
            end = min(base + 21 * 3600 - self.utc_offset(z, off) for z in zones)
            midnight = min(base - self.utc_offset(z, off) for z in zones)
            found = self._windows[key] = (start, max(start + 1800, end), midnight)
        return found


class _Generator:
    """Generates the rows of one demo run, chunk by chunk, from one ``random.Random``."""

    def __init__(
        self,
        seed: int,
        segment: int,
        first_account: int,
        now: datetime,
        today: dt.date,
        rules: _Rules,
    ) -> None:
        self.seed = seed
        self.now = now
        self.rules = rules
        self.grace = rules.grace_days
        self._debtor_id = 0
        self._promises: list[tuple[int, int, int]] = []  # (office day made, day due, amount)
        # (created day, status, due days, amounts): the account's plans, for its queue facts
        self._arrangements: list[tuple[int, str, list[int], list[int]]] = []
        self._consents: list[tuple[int, int]] = []  # callback consents: (given, callback at)
        # One random stream per segment: segments can be made in parallel, same result.
        self.rng = random.Random(f"demo:{seed}:{segment}")
        self.cal = _Calendar(now, today, rules.home_zone)
        self.now_str = self.cal.ts(self.cal.now_ts)
        # Ids local to the segment, from 1; the writer shifts them to free ids.
        self.ids: dict[str, Callable[[], int]] = {t: itertools.count(1).__next__ for t in _TABLES}
        self.account_seq = first_account - 1
        self.rows: dict[str, list[Any]] = {t: [] for t in _TABLES}
        self._zone_sets: dict[
            tuple[str, tuple[tuple[str, ...], ...]], tuple[tuple[str, ...], str]
        ] = {}
        self._build_pools()
        self._today_number = day_number(today)
        self._fast_priority = False
        self._fast_priority = self._priority_shortcut_is_exact()

    # ------------------------------------------------------------------ pools

    def _build_pools(self) -> None:
        self._spread = {
            c.name: (
                (math.log(c.low_cents) + math.log(c.high_cents)) / 2,
                (math.log(c.high_cents) - math.log(c.low_cents)) / 4,
            )
            for c in names.CREDITORS
        }
        self.cities, self.city_cum = _pool([(c, c.weight) for c in CITIES])
        self.person_creditors, self.person_creditor_cum = _pool(
            [(c, c.weight) for c in names.CREDITORS]
        )
        self.business_creditors, self.business_creditor_cum = _pool(
            [(c, c.weight) for c in names.CREDITORS if c.businesses]
        )
        self.outcomes, self.outcome_cum = _pool(_OUTCOME_WEIGHTS)
        self.payers, self.payer_cum = _pool([(p, p.weight) for p in names.PAYERS])
        self.first_names = (names.FEMALE_FIRST, names.MALE_FIRST)
        # Notes pre-rendered per outcome and pronoun: {day} varies within each list.
        self.notes: dict[tuple[str, int], list[str]] = {}
        for outcome, templates in names.NOTES.items():
            for g, (p, cap) in enumerate((("she", "She"), ("he", "He"), ("they", "They"))):
                rendered = [
                    t.format(p=p, P=cap, day=day)
                    for t in templates
                    for day in names.PAYDAYS
                    if "{day}" in t or day == names.PAYDAYS[0]
                ]
                self.notes[(outcome, g)] = rendered
        garbage = (
            "555-0143",
            "(000) 123-4567",
            "123-4567",
            "911",
            "1-800-FLOWERS",
            "212-555-01",
            "N/A",
            "call work",
            "0000000000",
            "(999) 999-9999",
            "+1 (123) 456-7890",
            "same as home",
        )
        self.garbage: list[Any] = [
            p for p in (parse_phone(g, "US", "other") for g in garbage) if not p.valid
        ]

    def exchanges(self, npa: str) -> list[tuple[str, tuple[str, ...]]]:
        """Valid exchanges (NXX) of an area code, with the zones phonenumbers gives them.
        Chosen once per run from the seed; every one is checked with ``parse_phone``."""
        found = _EXCHANGES.get((self.seed, npa))
        if found is None:
            pick = random.Random(f"{self.seed}:{npa}")
            candidates = [str(n) for n in range(201, 1000) if str(n) not in RESERVED_EXCHANGES]
            pick.shuffle(candidates)
            found = []
            for nxx in candidates:
                low = parse_phone(f"+1{npa}{nxx}0000")
                high = parse_phone(f"+1{npa}{nxx}9999")
                if low.valid and high.valid and low.zones == high.zones and not low.toll_free:
                    found.append((nxx, low.zones))
                if len(found) >= _EXCHANGES_PER_AREA_CODE:
                    break
            if not found:  # pragma: no cover - the tests check every area code
                raise RuntimeError(f"no valid exchange for area code {npa}")
            _EXCHANGES[(self.seed, npa)] = found
        return found

    def zones_of(self, state: str, phones: list[_Phone]) -> tuple[tuple[str, ...], str]:
        """``domain.zones.zone_set`` of the address and the dialable phones, and its key as
        stored; memoised (there are only dozens of distinct sets)."""
        key = (state, tuple(p.zones for p in phones if p.valid and p.status == "ok"))
        found = self._zone_sets.get(key)
        if found is None:
            zones = zone_set(state, "US", key[1])
            found = self._zone_sets[key] = (zones, zone_key(zones))
        return found

    # ------------------------------------------------------------------ people

    def _person(self) -> tuple[str, int, str | None]:
        r = self.rng.random
        g = 0 if r() < 0.5 else 1
        firsts = self.first_names[g]
        first = firsts[int(r() * len(firsts))]
        last = names.LAST[int(r() * len(names.LAST))]
        x = r()
        if x < 0.04:
            # hyphenated or two-part surnames
            other = names.LAST[int(r() * len(names.LAST))]
            if other != last:
                last = f"{last}-{other}"
        if x > 0.82:
            middle = chr(65 + int(r() * 26))
            name = f"{first} {middle}. {last}"
        else:
            name = f"{first} {last}"
        if g == 1 and r() < 0.02:
            name += " Jr."
        pronoun = 2 if r() < 0.03 else g
        email = None
        y = r()
        if y < 0.55:
            f, la = _ascii_word(first), _ascii_word(last)
            dom = names.EMAIL_DOMAINS[int(r() * 3)]
            if y < 0.25:
                email = f"{f}.{la}@{dom}"
            elif y < 0.42:
                email = f"{f[:1]}{la}{int(r() * 90) + 10}@{dom}"
            else:
                email = f"{f}{la[:1]}{int(r() * 40) + 60}@{dom}"
        return name, pronoun, email

    def _business(self) -> tuple[str, int, str | None]:
        r = self.rng.random
        trade = names.BUSINESS_TRADES[int(r() * len(names.BUSINESS_TRADES))]
        suffix = names.BUSINESS_SUFFIXES[int(r() * len(names.BUSINESS_SUFFIXES))]
        if trade in ("Dental", "Chiropractic", "Law Office", "Accounting") and r() < 0.6:
            suffix = "PC"
        x = r()
        if x < 0.45:
            base = f"{names.LAST[int(r() * len(names.LAST))]} {trade}"
        elif x < 0.65:
            base = f"{names.STREETS[int(r() * len(names.STREETS))]} Street {trade}"
        elif x < 0.9:
            adj = names.BUSINESS_ADJECTIVES[int(r() * len(names.BUSINESS_ADJECTIVES))]
            base = f"{adj} {trade}"
        else:
            a = names.LAST[int(r() * len(names.LAST))]
            b = names.LAST[int(r() * len(names.LAST))]
            base = f"{a} & {b} {trade}"
        name = f"{base} {suffix}" if suffix else base
        email = None
        if r() < 0.7:
            slug = _ascii_word(base)[:24]
            box = ("billing", "office", "info", "accounts")[int(r() * 4)]
            email = f"{box}.{slug}@{names.EMAIL_DOMAINS[int(r() * 3)]}"
        return name, 2, email

    def _address(self, city: Any) -> tuple[str, str]:
        r = self.rng.random
        num = int(10 ** (0.3 + r() * 3.7))
        street = names.STREETS[int(r() * len(names.STREETS))]
        kind = names.STREET_TYPES[int(r() * len(names.STREET_TYPES))]
        line = f"{num} {street} {kind}"
        if r() < 0.15:
            line += f" {names.UNITS[int(r() * len(names.UNITS))]}"
        zip3 = city.zip3[int(r() * len(city.zip3))]
        return line, f"{zip3}{int(r() * 100):02d}"

    def _number(self, npa: str) -> tuple[str, str, tuple[str, ...]]:
        """(raw as a person typed it, E.164, zones) of a fresh number in an area code."""
        r = self.rng.random
        ex = self.exchanges(npa)
        nxx, zones = ex[int(r() * len(ex))]
        line = f"{int(r() * 10000):04d}"
        style = r()
        if style < 0.35:
            raw = f"({npa}) {nxx}-{line}"
        elif style < 0.65:
            raw = f"{npa}-{nxx}-{line}"
        elif style < 0.75:
            raw = f"{npa}.{nxx}.{line}"
        elif style < 0.87:
            raw = f"{npa}{nxx}{line}"
        elif style < 0.95:
            raw = f"+1 {npa} {nxx} {line}"
        else:
            raw = f"1-{npa}-{nxx}-{line}"
        return raw, f"+1{npa}{nxx}{line}", zones

    def _phones(self, city: Any, business: bool) -> list[_Phone]:
        r = self.rng.random
        x = r()
        n = 1 if x < 0.55 else (2 if x < 0.9 else 3)
        out: list[_Phone] = []
        kinds = (
            ("work", "mobile", "work")
            if business
            else (("mobile", "home", "work") if r() < 0.75 else ("home", "mobile", "work"))
        )
        for i in range(n):
            kind = kinds[i]
            y = r()
            ext = None
            toll_free = False
            zones: tuple[str, ...] = ()
            if y < 0.012:
                g = self.garbage[int(r() * len(self.garbage))]
                out.append(
                    _Phone(
                        self.ids["phone"](),
                        kind,
                        g.raw,
                        g.e164,
                        g.extension,
                        False,
                        "ok",
                        (),
                        False,
                        g.problem,
                    )
                )
                continue
            if y < 0.02 or (business and kind == "work" and y < 0.08):
                npa = TOLL_FREE_CODES[int(r() * len(TOLL_FREE_CODES))]
                toll_free = True
                nxx = str(200 + int(r() * 800))
                if nxx in RESERVED_EXCHANGES:
                    nxx = "464"
                line = f"{int(r() * 10000):04d}"
                raw, e164 = f"1-{npa}-{nxx}-{line}", f"+1{npa}{nxx}{line}"
            else:
                home = city
                if kind == "mobile" and r() < 0.13:
                    home = self._elsewhere(city)
                npa = home.area_codes[int(r() * len(home.area_codes))]
                raw, e164, zones = self._number(npa)
            if kind == "work" and r() < 0.12:
                ext = str(int(r() * 900) + 100)
                raw += f" x{ext}"
            z = r()
            status = "dnc" if z < 0.012 else ("bad" if z < 0.03 else "ok")
            out.append(
                _Phone(
                    self.ids["phone"](), kind, raw, e164, ext, True, status, zones, toll_free, None
                )
            )
        return out

    def _elsewhere(self, city: Any) -> Any:
        """A city in another time zone (the debtor moved and kept the mobile)."""
        home = STATE_ZONES[city.state]
        r = self.rng.random
        for _ in range(20):
            other = self.cities[bisect.bisect(self.city_cum, r())]
            if STATE_ZONES[other.state] != home and not (set(STATE_ZONES[other.state]) & set(home)):
                return other
        return city  # pragma: no cover

    # ------------------------------------------------------------------ debtors

    def debtor(self, accounts_left: int) -> int:
        """One debtor with 1-3 accounts; returns how many accounts were made."""
        r = self.rng.random
        rows = self.rows
        business = r() < 0.2
        name, pronoun, email = self._business() if business else self._person()
        city = self.cities[bisect.bisect(self.city_cum, r())]
        address1, postal = self._address(city)
        debtor_id = self._debtor_id = self.ids["debtor"]()
        phones = self._phones(city, business)
        # Calls are placed inside calling hours in every zone the debtor may be in.
        call_zones = self.zones_of(city.state, phones)[0]
        x = r()
        n_accounts = 1 if x < 0.9 else (2 if x < 0.99 else 3)
        n_accounts = min(n_accounts, accounts_left)
        creditors: list[Any] = []
        pending: list[tuple[list[Any], _Story]] = []
        first_ts = self.cal.now_ts
        for _ in range(n_accounts):
            cum = self.business_creditor_cum if business else self.person_creditor_cum
            pool = self.business_creditors if business else self.person_creditors
            creditor = pool[bisect.bisect(cum, r())]
            tries = 0
            while creditor in creditors and tries < 5:
                creditor = pool[bisect.bisect(cum, r())]
                tries += 1
            creditors.append(creditor)
            row, created_ts, story = self._account(
                debtor_id, creditor, business, pronoun, phones, call_zones, city.state
            )
            pending.append((row, story))
            first_ts = min(first_ts, created_ts)
        # Queue facts once every call is known: a number found bad no longer says where the
        # debtor is, and a callback on one account is consent for the debtor's day.
        zones = self.zones_of(city.state, phones)[1]
        for row, story in pending:
            row[11] = zones  # the writer turns the zone key into a zone_set id
            self._queue_facts(row, story, phones, city.state)
            rows["account"].append(row)
        self._consents = []
        created = self.cal.ts(first_ts)
        rows["debtor"].append(
            (
                debtor_id,
                name,
                "business" if business else "person",
                email,
                address1,
                city.name,
                city.state,
                postal,
                "US",
                created,
                created,
            )
        )
        for pos, p in enumerate(phones):
            rows["phone"].append(
                (
                    p.id,
                    debtor_id,
                    pos,
                    p.kind,
                    p.raw,
                    p.e164,
                    p.extension,
                    p.valid,
                    p.status,
                    ",".join(p.zones),
                    p.problem,
                    created,
                    p.updated or created,
                )
            )
        return n_accounts

    def _queue_facts(
        self,
        row: list[Any],
        story: _Story,
        phones: list[_Phone],
        state: str,
    ) -> None:
        """blocked_until, blocked_reason, tier and score, computed the way
        ``services.facts.refresh_accounts`` does (same domain functions, same inputs), so
        the queue's SQL pre-filter agrees with the verdict on demo data from the start."""
        cal = self.cal
        rules = self.rules
        policy = rules.policy
        now_ts = cal.now_ts
        day = _SECONDS_PER_DAY
        consents = (
            [
                (given, callback)
                for given, callback in self._consents
                if given >= now_ts - (policy.consent_days + 2) * day or callback >= now_ts - 2 * day
            ]
            if self._consents
            else []
        )
        start = now_ts - (max(policy.cap_days, policy.conversation_wait_days) + 2) * day
        for given, _callback in consents:
            start = min(start, given)
        recent = [a for a in story.attempts if a[0] >= start]
        # Only a recent conversation or enough recent attempts can block (consent only ever
        # lifts a block), so most accounts need no evaluation at all.
        cap = min(policy.cap_attempts, policy.state_caps.get(state, policy.cap_attempts))
        if recent and (
            len(recent) >= cap or any(o in compliance.RIGHT_PARTY for _t, o, _e in recent)
        ):
            facts = compliance.AccountFacts(
                flags=row[7],
                state=state,
                country="US",
                phones=tuple(
                    compliance.PhoneFacts(p.e164, p.valid, p.status, p.zones) for p in phones
                ),
                attempts=tuple(compliance.Attempt(_utc(t), o, e) for t, o, e in recent),
                consents=tuple(
                    compliance.Consent(given_at=_utc(g), callback_at=_utc(cb)) for g, cb in consents
                ),
                claim_pending=story.claim_pending,
            )
            until = compliance.blocked_until(facts, self.now, policy)
            if until is not None:
                row[12] = _db_text(until)
                if len(recent) < cap:  # under both caps: only the conversation wait is left
                    row[16] = "recent_conversation"
                else:
                    reasons = compliance.verdict(facts, self.now, policy).reasons
                    row[16] = next((x for x in reasons if x in _BLOCK_REASONS), "frequency_cap")
        if story.claim_pending:  # never callable while the payer decides: held indefinitely
            row[12] = _db_text(CLAIM_HOLD)
            row[16] = "claim_pending"
        kept, broken, open_broken = _promise_history(
            story.promises, story.arrangements, story.payments, self.grace
        )
        last_on = cal.office_day(recent[-1][0]) if recent else None
        tier, key = self._priority(
            row[8],
            story.aging_from,
            last_on,
            story.reached,
            kept,
            broken,
            story.callback_due,
            open_broken,
        )
        row[13] = 3 if tier == 1 else tier  # callback_due is decided live by the queue
        row[14] = key

    def _priority_shortcut_is_exact(self) -> bool:
        """Compare the shortcut with ``domain.priority.priority`` on a grid of inputs
        (once per process and weights): if that function ever changes, the demo falls back
        to calling it rather than writing scores the queue would not agree with."""
        w = self.rules.weights
        known = _SHORTCUT_OK.get(w)
        if known is None:
            grid = itertools.product(
                (-500, 0, 99, 1_500, 123_456, 2_500_000),
                (-400, -1, 3),
                (None, -2, -1, 0),
                (False, True),
                (0, 4),
                (0, 1, 5),
                (False, True),
                (False, True),
            )
            known = True
            for args in grid:
                self._fast_priority = False
                expected = self._priority(*args)
                self._fast_priority = True
                if self._priority(*args) != expected:
                    known = False
                    break
            self._fast_priority = False
            _SHORTCUT_OK[w] = known
        return known

    def _priority(
        self,
        balance: int,
        aging_from: int,
        last_on: int | None,
        reached: bool,
        kept: int,
        broken: int,
        callback_due: bool,
        broken_promise: bool,
    ) -> tuple[int, int]:
        """(tier, sort key) of ``domain.priority.priority`` -- by its own formula when a
        check at start-up found the shortcut below exact, else by calling it."""
        w = self.rules.weights
        if not self._fast_priority:
            cal = self.cal
            p = priority(
                balance_cents=balance,
                aging_from=cal.date_of(aging_from),
                today=cal.today,
                last_attempt_on=cal.date_of(last_on) if last_on is not None else None,
                history=History(reached=reached, kept_promises=kept, broken_promises=broken),
                callback_due=callback_due,
                broken_promise=broken_promise,
                weights=w,
            )
            return p.tier, p.sort_key
        points = round(w.balance_per_decade * math.log10(max(balance, 100) / 100))
        if last_on is not None and last_on >= -1:
            points -= w.recent_attempt_penalty
        if reached:
            points += w.reached_bonus
        points += w.kept_promise_bonus * min(kept, 3) - w.broken_promise_penalty * min(broken, 3)
        tier = 1 if callback_due else (2 if broken_promise else 3)
        return tier, points - w.age_per_day * (self._today_number + aging_from)

    # ------------------------------------------------------------------ accounts

    def _account(
        self,
        debtor_id: int,
        creditor: Any,
        business: bool,
        pronoun: int,
        phones: list[_Phone],
        call_zones: tuple[str, ...],
        state: str,
    ) -> tuple[list[Any], int, _Story]:
        rng = self.rng
        r = rng.random
        cal = self.cal
        rows = self.rows
        next_id = self.ids
        self.account_seq += 1
        seq = self.account_seq
        account_id = next_id["account"]()
        number = account_number(self.seed, seq)
        owner = names.COORDINATORS[int(r() * len(names.COORDINATORS))]

        # --- what kind of account: aging bucket, closed, credit, not yet due -------------
        x = r()
        status = "open"
        category = "overdue"
        due_off: int | None
        if x < 0.035:
            category = "closed"
            due_off = -(20 + int(r() * 400))
        elif x < 0.05:
            category = "credit"
            due_off = -(5 + int(r() * 200))
        elif x < 0.12:
            category = "current"
            due_off = 1 + int(r() * 28)
        elif x < 0.145:
            category = "nodue"
            due_off = None
        else:
            y = r()
            if y < 0.18:
                dpd = 1 + int(r() * 30)
            elif y < 0.34:
                dpd = 31 + int(r() * 30)
            elif y < 0.48:
                dpd = 61 + int(r() * 30)
            elif y < 0.6:
                dpd = 91 + int(r() * 30)
            else:
                dpd = 121 + min(int(rng.expovariate(1 / 200)), 1300)
            due_off = -dpd
        charge_off = (due_off - 30) if due_off is not None else -(10 + int(r() * 300))

        # --- balance: log-normal around the creditor's typical bill, $15..$25,000 --------
        mu, sigma = self._spread[creditor.name]
        target = max(1_500, min(2_500_000, int(math.exp(rng.gauss(mu, sigma)))))

        # --- insurance claim (medical creditors only) ------------------------------------
        claim_status: str | None = None
        service_off = charge_off
        ins_off = charge_off
        submitted_off = charge_off
        if creditor.medical and category != "credit" and r() < 0.62:
            dpd_now = -due_off if due_off is not None else 30
            y = r()
            if dpd_now <= 60 and y < 0.4:
                claim_status = ("submitted", "pending", "in_process", "appealed")[int(y * 10)]
            elif y < 0.62:
                claim_status = "paid"
            elif y < 0.72:
                claim_status = "partially_paid"
            elif y < 0.92 or dpd_now > 150:
                claim_status = "denied"
            else:
                claim_status = "appealed"
            if category == "closed":
                claim_status = "paid"
            if claim_status in _AWAITING_PAYER:
                # Awaiting the payer's decision: recent service, not yet the patient's to pay.
                submitted_off = min(-2, charge_off + 30) - int(r() * 25)
                ins_off = submitted_off
            else:
                anchor = due_off if due_off is not None else charge_off + 30
                ins_off = anchor - 30 - int(r() * 7)
                submitted_off = ins_off - 14 - int(r() * 30)
            service_off = submitted_off - 1 - int(r() * 20)
            charge_off = service_off

        # --- flags that stop calls (a dispute may also come from a call) -----------------
        flags = 0
        if category in ("overdue", "nodue"):
            f = r()
            if f < 0.015:
                flags = Flag.CEASE
            elif f < 0.027:
                flags = Flag.ATTORNEY
            elif f < 0.039:
                flags = Flag.BANKRUPTCY
            elif f < 0.049 and not business:
                flags = Flag.DECEASED
            elif f < 0.06:
                flags = Flag.DISPUTE

        # --- the calls and what they left behind -----------------------------------------
        contacts: list[_Contact] = []
        awaiting_payer = claim_status in _AWAITING_PAYER
        dialable = [p for p in phones if p.dialable]
        if category in ("overdue", "nodue", "closed") and dialable:
            start = max((due_off + 3) if due_off is not None else charge_off + 25, charge_off + 10)
            if start <= -1:
                contacts = self._plan_calls(start, category, awaiting_payer, flags)

        # Money the calls brought in: (kind, amount > 0 or -1 = "the rest", day, memo, by).
        reductions: list[tuple[str, int, int, str, str]] = []
        open_callback_ts: int | None = None
        unpaid_plan: int | None = None
        n_contacts = len(contacts)
        for i in range(n_contacts):
            c = contacts[i]
            if not dialable:
                del contacts[i:]
                break
            phone = (
                dialable[0]
                if (len(dialable) == 1 or r() < 0.7)
                else dialable[int(r() * len(dialable))]
            )
            c.phone = phone
            c.id = next_id["contact"]()
            c.coordinator = (
                owner if r() < 0.8 else names.COORDINATORS[int(r() * len(names.COORDINATORS))]
            )
            if c.ts == 0:
                c.ts = self._call_time(call_zones, c.off)
            outcome = c.outcome
            is_last = i == n_contacts - 1
            follow_up = None if is_last else contacts[i + 1]
            if outcome == "not_in_service" or outcome == "wrong_number":
                phone.status = "bad"
                phone.updated = cal.ts(c.ts + 120)
                dialable = [p for p in phones if p.dialable]
            elif outcome == "dispute":
                flags |= Flag.DISPUTE
            elif outcome == "promise":
                self._promise(account_id, c, target, reductions, category)
            elif outcome == "paid":
                if category == "closed" and is_last:
                    reductions.append(
                        ("payment", -1, c.off, "Payment - card, paid in full", c.coordinator)
                    )
                else:
                    amount = self._round_amount(target * (0.2 + r() * 0.4))
                    reductions.append(("payment", amount, c.off, "Payment - card", c.coordinator))
            elif outcome == "arrangement":
                unpaid = self._arrangement(account_id, c, target, reductions, follow_up)
                if is_last:
                    unpaid_plan = unpaid
            elif outcome == "callback_requested":
                due_ts = self._callback(account_id, c, follow_up, call_zones)
                if is_last:
                    open_callback_ts = due_ts
            if r() < _NOTE_CHANCE.get(outcome, 0.92):
                texts = self.notes[(outcome, pronoun)]
                note_id = next_id["note"]()
                note_ts = c.ts + 60 + int(r() * 240)
                rows["note"].append(
                    (
                        note_id,
                        account_id,
                        c.id,
                        cal.ts(note_ts),
                        c.coordinator,
                        texts[int(r() * len(texts))],
                        None,
                    )
                )
                if r() < 0.01:
                    rows["note"].append(
                        (
                            next_id["note"](),
                            account_id,
                            None,
                            cal.ts(note_ts + 600),
                            c.coordinator,
                            _ADDENDUM,
                            note_id,
                        )
                    )
            rows["contact"].append(
                (
                    c.id,
                    account_id,
                    phone.id,
                    phone.e164,
                    cal.ts(c.ts),
                    outcome,
                    c.coordinator,
                    "demo",
                    cal.ts(c.ts + 30),
                )
            )
        if contacts and r() < 0.06:
            # A note about mail or email, not tied to a call.
            off = min(-1, contacts[-1].off + 1)
            rows["note"].append(
                (
                    next_id["note"](),
                    account_id,
                    None,
                    cal.ts(cal.day0 + off * _SECONDS_PER_DAY + 14 * 3600 + int(r() * 7200)),
                    owner,
                    names.GENERAL_NOTES[int(r() * len(names.GENERAL_NOTES))],
                    None,
                )
            )

        # --- the balance and the ledger that sums to it ----------------------------------
        if category == "closed":
            balance = 0
            status = "closed"
            if not any(a == -1 for _k, a, *_rest in reductions):
                pay_off = min(-1, charge_off + 20 + int(r() * 60))
                if contacts:
                    pay_off = max(pay_off, contacts[-1].off)
                reductions.append(("payment", -1, pay_off, "Payment - online portal", "system"))
        elif category == "credit":
            balance = -(500 + int(r() * 15_000))  # overpaid: the account owes the debtor
            pay_off = min(-1, charge_off + 15 + int(r() * 40))
            reductions.append(("payment", -1, pay_off, "Payment - check", "system"))
        elif unpaid_plan is not None:
            balance = unpaid_plan
            if balance == 0:
                status = "closed"
        else:
            balance = target
        if category in ("overdue", "nodue") and r() < 0.25:
            # a partial payment before anyone called
            pay_off = min(-1, charge_off + 20 + int(r() * 40))
            if contacts:
                pay_off = min(pay_off, contacts[0].off - 1)
            if pay_off > charge_off:
                memo = names.PAYMENT_MEMOS[int(r() * len(names.PAYMENT_MEMOS))]
                reductions.append(
                    (
                        "payment",
                        self._round_amount(target * (0.1 + r() * 0.3)),
                        pay_off,
                        memo,
                        "system",
                    )
                )
        if category == "overdue" and balance > 2_000 and r() < 0.03:
            reductions.append(
                (
                    "writeoff",
                    self._round_amount(balance * (0.05 + r() * 0.25)),
                    -1 - int(r() * 20),
                    "Hardship write-off",
                    owner,
                )
            )
        known = sum(a for _k, a, *_rest in reductions if a > 0)
        for k, red in enumerate(reductions):
            if red[1] == -1:  # the payment that settled (or overpaid) the account
                rest = max(1_000, target - known) + (-balance if balance < 0 else 0)
                reductions[k] = (red[0], rest, red[2], red[3], red[4])
                known += rest
        patient_part = balance + known  # billed to the debtor, net of the insurer

        claim_number: str | None = None
        payer: Any = None
        insurer_paid = 0
        contractual = 0
        if claim_status is not None:
            claim_number = f"CLM{self.seed}-{seq:07d}"
            payer = self.payers[bisect.bisect(self.payer_cum, r())]
            if claim_status in _INSURER_PAID:
                insurer_paid = self._round_amount(max(patient_part, 2_000) * (0.8 + r() * 4.0))
                insurer_paid += int(r() * 100)
                contractual = int((patient_part + insurer_paid) * (0.15 + r() * 0.45))
        late_fee = 0
        correction = 0
        if not creditor.medical and category == "overdue" and due_off is not None:
            y = r()
            if y < 0.2 and patient_part > 6_000:
                late_fee = 2_500 + int(r() * 1_500)
            elif y > 0.96 and patient_part > 6_000:
                correction = 100 + int(r() * 3_000)
        charges_total = patient_part + insurer_paid + contractual - late_fee + correction

        entries: list[tuple[int, int, str, int, str | None, str, str]] = []
        memos = creditor.charge_memos
        if charges_total >= 20_000 and r() < 0.4:
            second = (charges_total * (2 + int(r() * 5))) // 10
            parts = [(charges_total - second, 0), (second, 0 if creditor.medical else 30)]
        else:
            parts = [(charges_total, 0)]
        for k, (amount, earlier) in enumerate(parts):
            entries.append(
                (
                    charge_off - earlier,
                    0,
                    "charge",
                    amount,
                    f"INV{seq:07d}-{k + 1}",
                    memos[int(r() * len(memos))],
                    "system",
                )
            )
        if late_fee:
            entries.append(
                (
                    min(-1, due_off + 10 if due_off is not None else -1),
                    1,
                    "adjustment",
                    late_fee,
                    None,
                    "Late fee",
                    "system",
                )
            )
        if correction:
            entries.append(
                (
                    min(-1, charge_off + 12),
                    1,
                    "adjustment",
                    -correction,
                    None,
                    "Billing correction",
                    owner,
                )
            )
        if insurer_paid:
            entries.append(
                (
                    ins_off,
                    1,
                    "insurance_payment",
                    -insurer_paid,
                    f"ERA-{claim_number}",
                    f"{payer.name} EOB payment",
                    "system",
                )
            )
            entries.append(
                (
                    ins_off,
                    2,
                    "adjustment",
                    -contractual,
                    None,
                    f"Contractual adjustment, {payer.name}",
                    "system",
                )
            )
        for j, (kind, amount, off, memo, by) in enumerate(reductions):
            entries.append(
                (
                    max(off, charge_off),
                    3,
                    kind,
                    -amount,
                    f"PMT{seq:07d}-{j + 1}" if kind == "payment" else None,
                    memo,
                    by,
                )
            )
        entries.sort(key=_by_day_and_order)
        ledger_rows = rows["ledger_entry"]
        balance_cents = 0
        next_entry = next_id["ledger_entry"]
        for off, _order, kind, amount, ref, memo, by in entries:
            balance_cents += amount
            ledger_rows.append(
                (
                    next_entry(),
                    account_id,
                    cal.day_text(off),
                    kind,
                    amount,
                    ref,
                    memo,
                    "demo",
                    cal.posted_at(off),
                    by,
                )
            )
        assert balance_cents == balance, (number, balance_cents, balance)

        # --- the claim --------------------------------------------------------------------
        if claim_status is not None:
            denial = None
            responsibility: int | None = None
            paid: int | None = None
            if claim_status in _INSURER_PAID:
                paid, responsibility = insurer_paid, patient_part
            elif claim_status == "denied":
                denial = names.DENIAL_CODES[int(r() * len(names.DENIAL_CODES))]
                paid = 0
                responsibility = charges_total if denial.startswith("PR") else None
            elif claim_status == "appealed":
                denial = names.DENIAL_CODES[int(r() * len(names.DENIAL_CODES))]
            decided = (
                submitted_off if claim_status == "submitted" else max(submitted_off + 9, ins_off)
            )
            rows["claim"].append(
                (
                    next_id["claim"](),
                    account_id,
                    claim_number,
                    payer.name,
                    cal.day_text(service_off),
                    charges_total,
                    cal.day_text(submitted_off),
                    claim_status,
                    denial,
                    paid,
                    responsibility,
                    payer.phone,
                    payer.timely_filing_days,
                    cal.posted_at(submitted_off),
                    cal.posted_at(min(decided, -1)),
                )
            )

        # --- what the queue facts are computed from, once the debtor is complete -------------
        created_ts = cal.day0 + charge_off * _SECONDS_PER_DAY + 13 * 3600
        last_ts = contacts[-1].ts if contacts else None
        updated_ts = max(
            created_ts, last_ts or 0, cal.day0 + entries[-1][0] * _SECONDS_PER_DAY + 13 * 3600
        )
        story = _Story(
            attempts=[(c.ts, c.outcome, c.phone.e164 if c.phone else None) for c in contacts],
            promises=self._promises,
            arrangements=self._arrangements,
            payments=[(e[0], -e[3]) for e in entries if e[2] in _PAYMENT_KINDS],
            callback_due=open_callback_ts is not None and open_callback_ts <= cal.now_ts,
            claim_pending=awaiting_payer and balance > 0,
            aging_from=due_off if due_off is not None else cal.day(created_ts),
        )
        self._promises = []
        self._arrangements = []
        row = [
            account_id,
            number,
            debtor_id,
            creditor.name,
            "USD",
            cal.day_text(due_off) if due_off is not None else None,
            status,
            int(flags),
            balance,
            cal.ts(created_ts),
            cal.ts(min(updated_ts, cal.now_ts)),
            None,  # zone set key: filled in by the debtor once every call is known
            None,  # blocked_until
            3,  # tier
            0,  # score (the priority sort key)
            cal.ts(last_ts) if last_ts is not None else None,
            None,  # blocked_reason
        ]
        return row, created_ts, story

    # ------------------------------------------------------------------ calls

    def _plan_calls(
        self, start: int, category: str, awaiting_payer: bool, flags: int
    ) -> list[_Contact]:
        """Outcomes first, then days placed backwards from the most recent call, spaced the
        way the rules allow: ≥ 4 days between attempts (so never more than 2 in 7 days,
        which keeps even Massachusetts legal), ≥ 7 after a conversation, past a promise's
        date + grace, past a broken plan's missed installment, or on the day of a callback
        the debtor asked for."""
        rng = self.rng
        r = rng.random
        span = -1 - start
        x = r()
        if awaiting_payer:
            n = 0 if x < 0.7 else 1
        elif category == "closed":
            n = 0 if x < 0.35 else (1 if x < 0.8 else 2)
        else:
            n = (
                0
                if x < 0.2
                else 1
                if x < 0.47
                else 2
                if x < 0.69
                else 3
                if x < 0.85
                else (4 if x < 0.95 else 5)
            )
            n = min(n, 1 + span // 8)
        if n <= 0:
            return []
        outcomes, cum = self.outcomes, self.outcome_cum
        picked: list[_Contact] = []
        for _ in range(n):
            o = outcomes[bisect.bisect(cum, r())]
            if awaiting_payer and o in ("promise", "arrangement", "paid"):
                o = "conversation"
            picked.append(_Contact(0, o))
            if o == "dispute":
                break  # no more calls once the debt is disputed
        last = picked[-1]
        if category == "closed":
            last.outcome = "paid"
        if flags and flags != Flag.DISPUTE and last.outcome in _COMMITMENTS:
            last.outcome = "refused"
        for c in picked:
            if c.outcome == "promise":
                c.promise_days = 2 + int(r() * 18)
            elif c.outcome == "callback_requested":
                c.callback_days = 1 + int(r() * 5)
        # The most recent call: days ago usually, sometimes weeks or months.
        if last.outcome == "callback_requested":
            off = -1 - int(r() * 4)
            y = r()
            due = 0 if y < 0.45 else (1 + int(r() * 5) if y < 0.85 else -1)
            last.callback_days = max(0, due - off)
        elif last.outcome in ("promise", "arrangement") and r() < 0.5:
            off = -1 - int(r() * 12)  # a recent promise or plan: some still upcoming
        elif last.outcome == "arrangement" and r() < 0.6:
            off = -40 - int(r() * 200)  # a plan made months ago: running, paid off or broken
        else:
            off = -1 - min(int(rng.expovariate(1 / 9)), 200)
        off = self._weekday(off)
        if off < start:
            off = self._weekday(start + int(r() * (span + 1)))
            if off < start:
                off = start
        last.off = off
        placed = 1
        for i in range(len(picked) - 2, -1, -1):
            c = picked[i]
            o = c.outcome
            if o == "promise":
                gap = c.promise_days + self.grace + 1 + int(r() * 10)
            elif o == "callback_requested":
                gap = c.callback_days
            elif o == "arrangement":
                gap = 50 + int(r() * 30)  # the plan ran a while, then broke
            elif o in _RIGHT_PARTY:
                gap = 7 + int(r() * 21)
            else:
                gap = 4 + int(r() * 18)
            off = picked[i + 1].off - gap
            if o != "callback_requested":
                off = self._weekday(off)
            if off < start:
                break
            c.off = off
            placed += 1
        return picked[len(picked) - placed :]

    def _weekday(self, off: int) -> int:
        """Move a Sunday to the Saturday before (few collectors work Sundays)."""
        if (self.cal.weekday0 + off) % 7 == 6:
            return off - 1
        return off

    def _call_time(self, zones: tuple[str, ...], off: int) -> int:
        """An instant inside calling hours in every zone, on local day ``off`` (or the
        day before, when that instant has not happened yet)."""
        r = self.rng.random
        cal = self.cal
        while True:
            start, end, _midnight = cal.window(zones, off)
            t = start + 300 + int(r() * max(60, end - start - 1800))
            if t < cal.now_ts - 300:
                return t
            off -= 1

    @staticmethod
    def _round_amount(cents: float) -> int:
        """Amounts people name on the phone: whole dollars, often round numbers."""
        dollars = max(10, int(cents / 100))
        if dollars >= 200:
            dollars = (dollars // 25) * 25
        elif dollars >= 50:
            dollars = (dollars // 10) * 10
        return dollars * 100

    def _promise(
        self,
        account_id: int,
        c: _Contact,
        target: int,
        reductions: list[tuple[str, int, int, str, str]],
        category: str,
    ) -> None:
        """A promise to pay: kept (paid by its date + grace), broken, or still upcoming."""
        r = self.rng.random
        cal = self.cal
        amount = target if target < 15_000 else self._round_amount(target * (0.15 + r() * 0.5))
        due = c.off + c.promise_days
        if due + self.grace < 0:
            if category == "closed" or r() < 0.5:  # kept; otherwise broken
                pay_off = min(-1, max(c.off + 1, due - 2 + int(r() * 5)))
                paid = amount if r() < 0.85 else amount + self._round_amount(amount * 0.2)
                reductions.append(("payment", paid, pay_off, "Payment - as promised", "system"))
        elif due < 0 and r() < 0.4:
            # paid early or on the day; the grace period has not run out yet anyway
            reductions.append(
                ("payment", amount, min(-1, max(c.off + 1, due)), "Payment - as promised", "system")
            )
        self._promises.append((cal.office_day(c.ts + 45), due, amount))
        phone = c.phone
        self.rows["promise"].append(
            (
                self.ids["promise"](),
                account_id,
                amount,
                cal.day_text(due),
                phone.e164 if phone is not None else None,
                c.coordinator,
                c.id,
                cal.ts(c.ts + 45),
                None,
            )
        )

    def _arrangement(
        self,
        account_id: int,
        c: _Contact,
        target: int,
        reductions: list[tuple[str, int, int, str, str]],
        follow_up: _Contact | None,
    ) -> int:
        """A payment plan (or a settlement) agreed on a call: active, completed or broken.
        Returns the amount still unpaid."""
        r = self.rng.random
        cal = self.cal
        settlement = r() < 0.12
        x = r()
        every = "month" if x < 0.6 else ("2weeks" if x < 0.85 else "week")
        total = max(target, 6_000)
        discount = 0
        if settlement:
            discount = self._round_amount(total * (0.2 + r() * 0.2))
            total -= discount
            n = 1 + int(r() * 3)
        else:
            n = max(2, min(3 + int(r() * 10), total // 2_500))
        amounts = allocate(total, n)
        first = c.off + 3 + int(r() * 12)
        start = cal.date_of(first)
        step = 7 if every == "week" else 14
        dues = [
            cal.off_of(_add_months(start, k)) if every == "month" else first + k * step
            for k in range(n)
        ]
        # Installments are paid as they come due, until one is missed.
        horizon = 0 if follow_up is None else follow_up.off
        missed: int | None = None
        if follow_up is not None:
            missed = min(int(r() * 3), n - 1)
            while missed > 0 and dues[missed] + self.grace >= horizon:
                missed -= 1
        elif r() < 0.25:
            late = [k for k in range(n) if dues[k] + self.grace < 0]
            if late:
                missed = late[int(r() * len(late))]
        paid = 0
        for k in range(n):
            if (missed is not None and k >= missed) or dues[k] >= horizon:
                break
            pay_off = max(c.off + 1, min(horizon - 1, dues[k] - int(r() * 3)))
            reductions.append(
                (
                    "payment",
                    amounts[k],
                    pay_off,
                    f"Payment - plan installment {k + 1} of {n}",
                    "system",
                )
            )
            paid += amounts[k]
        changed: int | None = None
        if missed is not None:
            plan_status = "broken"
            changed = cal.day0 + (dues[missed] + self.grace + 1) * _SECONDS_PER_DAY + 3600
        elif paid == total:
            plan_status = "completed"
            changed = cal.day0 + dues[-1] * _SECONDS_PER_DAY + 15 * 3600
            if discount:
                reductions.append(
                    ("writeoff", discount, min(-1, dues[-1]), "Settlement discount", c.coordinator)
                )
        else:
            plan_status = "active"
        arrangement_id = self.ids["arrangement"]()
        self.rows["arrangement"].append(
            (
                arrangement_id,
                account_id,
                "settlement" if settlement else "plan",
                plan_status,
                total,
                discount,
                every if n > 1 else None,
                cal.ts(c.ts + 90),
                c.coordinator,
                _SUPERVISOR if settlement else None,
                cal.ts(min(changed, cal.now_ts - 60)) if changed is not None else None,
            )
        )
        self._arrangements.append((cal.office_day(c.ts + 90), plan_status, dues, amounts))
        installments = self.rows["installment"]
        next_installment = self.ids["installment"]
        for k in range(n):
            installments.append(
                (next_installment(), arrangement_id, k + 1, cal.day_text(dues[k]), amounts[k])
            )
        return 0 if plan_status == "completed" else total - paid

    def _callback(
        self,
        account_id: int,
        c: _Contact,
        follow_up: _Contact | None,
        zones: tuple[str, ...],
    ) -> int:
        """A callback the debtor asked for: done by the next call, or still open (due now,
        later today, or on a coming day). Returns when it is due."""
        r = self.rng.random
        cal = self.cal
        done: str | None = None
        if follow_up is not None:
            follow_up.ts = self._call_time(zones, follow_up.off)
            due_ts = follow_up.ts - follow_up.ts % 900
            done = cal.ts(follow_up.ts)
        else:
            start, end, _midnight = cal.window(zones, c.off + c.callback_days)
            due_ts = start + 1800 + int(r() * max(60, end - start - 5400))
            due_ts -= due_ts % 900
            if due_ts <= c.ts:
                due_ts = c.ts + 7200 - (c.ts % 900)
        self.rows["consent"].append(
            (
                self.ids["consent"](),
                self._debtor_id,
                account_id,
                cal.ts(c.ts + 50),
                None,
                None,
                cal.ts(due_ts),
                "callback",
                "Asked to be called back",
                c.coordinator,
                cal.ts(c.ts + 50),
            )
        )
        self._consents.append((c.ts + 50, due_ts))
        phone = c.phone
        self.rows["callback"].append(
            (
                self.ids["callback"](),
                account_id,
                cal.ts(due_ts),
                phone.e164 if phone is not None else None,
                c.coordinator,
                c.id,
                cal.ts(c.ts + 50),
                done,
            )
        )
        return due_ts

    # ------------------------------------------------------------------ chunks

    def chunk(self, n_accounts: int) -> dict[str, list[Any]]:
        """The rows of about ``n_accounts`` more accounts (a debtor's accounts are never
        split between chunks), table by table."""
        made = 0
        while made < n_accounts:
            made += self.debtor(n_accounts - made)
        rows, self.rows = self.rows, {t: [] for t in _TABLES}
        return rows


# ----------------------------------------------------------------------------- writing

# Which columns hold ids, and of which table (the generator's ids are local to a segment).
_ID_COLUMNS: dict[str, tuple[tuple[int, str], ...]] = {
    "debtor": ((0, "debtor"),),
    "phone": ((0, "phone"), (1, "debtor")),
    "account": ((0, "account"), (2, "debtor")),
    "ledger_entry": ((0, "ledger_entry"), (1, "account")),
    "contact": ((0, "contact"), (1, "account"), (2, "phone")),
    "note": ((0, "note"), (1, "account"), (2, "contact"), (6, "note")),
    "promise": ((0, "promise"), (1, "account"), (6, "contact")),
    "arrangement": ((0, "arrangement"), (1, "account")),
    "installment": ((0, "installment"), (1, "arrangement")),
    "callback": ((0, "callback"), (1, "account"), (5, "contact")),
    "consent": ((0, "consent"), (1, "debtor"), (2, "account")),
    "claim": ((0, "claim"), (1, "account")),
}
_ZONE_COLUMN = 11  # account.zone_set_id holds the zone key until it is written

SEGMENT_MIN_ACCOUNTS = 25_000
MAX_SEGMENTS = 8  # SQLite attaches at most 10 databases to a connection
_WORKERS_FROM = 50_000  # accounts; from here (SQLite) other processes generate the rows
_MAX_WORKERS = 4


def _segments(accounts: int) -> list[tuple[int, int, int]]:
    """(segment, first account, accounts) -- a pure function of the count, so the same
    count and seed give the same data however the segments are made."""
    n = max(1, min(MAX_SEGMENTS, -(-accounts // SEGMENT_MIN_ACCOUNTS)))
    size = -(-accounts // n)
    return [(k, k * size + 1, min(size, accounts - k * size)) for k in range(n)]


def _segment_chunks(
    seed: int,
    segment: int,
    first: int,
    count: int,
    now: datetime,
    today: dt.date,
    rules: _Rules,
) -> Iterator[tuple[int, dict[str, list[Any]]]]:
    gen = _Generator(seed, segment, first, now, today, rules)
    end = first - 1 + count
    while gen.account_seq < end:
        rows = gen.chunk(min(CHUNK_ACCOUNTS, end - gen.account_seq))
        yield gen.account_seq, rows


class _Counts:
    def __init__(self) -> None:
        self.rows = dict.fromkeys(_TABLES, 0)

    def report(self, seconds: float) -> DemoReport:
        c = self.rows
        return DemoReport(
            accounts=c["account"],
            debtors=c["debtor"],
            phones=c["phone"],
            ledger_entries=c["ledger_entry"],
            contacts=c["contact"],
            notes=c["note"],
            promises=c["promise"],
            arrangements=c["arrangement"],
            callbacks=c["callback"],
            claims=c["claim"],
            seconds=seconds,
        )


class _ZoneSets:
    def __init__(self, db: Database) -> None:
        self.cache = ZoneSetCache(db)
        self.ids: dict[str, int] = {}

    def id_for(self, key: str) -> int:
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = self.cache.id_for(key.split(","))
        return found


def _write_here(
    db: Database,
    seed: int,
    accounts: int,
    now: datetime,
    today: dt.date,
    rules: _Rules,
    counts: _Counts,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Generate in this process and insert with ``insert_rows`` (PostgreSQL, and small
    demos on SQLite). Local ids become fresh ids from ``reserve_ids``, chunk by chunk."""
    zones = _ZoneSets(db)
    for segment, first, count in _segments(accounts):
        written = dict.fromkeys(_TABLES, 0)  # rows of this segment already written
        for done, rows in _segment_chunks(seed, segment, first, count, now, today, rules):
            fresh = {t: reserve_ids(db, t, len(rows[t])) for t in _TABLES}
            for table in _TABLES:
                maps = [(col, fresh[ref], written[ref] + 1) for col, ref in _ID_COLUMNS[table]]
                out = []
                for row in rows[table]:
                    new = list(row)
                    for col, ids, base in maps:
                        local = new[col]
                        if local is not None:
                            new[col] = ids[local - base]
                    if table == "account":
                        new[_ZONE_COLUMN] = zones.id_for(new[_ZONE_COLUMN])
                    out.append(tuple(new))
                counts.rows[table] += insert_rows(db, table, _COLUMNS[table], out)
            for table in _TABLES:
                written[table] += len(rows[table])
            if progress is not None:
                progress(done, accounts)


def _worker_main() -> None:  # pragma: no cover - runs in a child process (tests check its rows)
    """A generating process: reads its job (JSON) from stdin, writes each segment's rows
    into a SQLite file of its own, says ``done SEGMENT`` on stdout after each, or
    ``error`` and a traceback on stderr."""
    import json
    import sqlite3
    import sys
    import traceback

    try:
        job = json.loads(sys.stdin.readline())
        now = datetime.fromisoformat(job["now"])
        today = dt.date.fromisoformat(job["today"])
        rules = _Rules.from_json(job["rules"])
        for segment, first, count, path in job["segments"]:
            con = sqlite3.connect(path, isolation_level=None)
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            con.execute("BEGIN")
            for table, columns in _COLUMNS.items():
                # id is the rowid: rows are written in id order and read back in it free
                rest = ", ".join(columns[1:])
                con.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, {rest})')
            chunks = _segment_chunks(job["seed"], segment, first, count, now, today, rules)
            for _done, rows in chunks:
                for table, columns in _COLUMNS.items():
                    marks = ", ".join("?" for _ in columns)
                    con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows[table])
            con.execute("COMMIT")
            con.close()
            print(f"done {segment}", flush=True)
    except BaseException:
        print("error", flush=True)
        traceback.print_exc()
        sys.exit(1)


def _write_with_workers(
    db: Database,
    seed: int,
    accounts: int,
    now: datetime,
    today: dt.date,
    rules: _Rules,
    counts: _Counts,
    progress: Callable[[int, int], None] | None,
    attached: list[str],
    workdir: str,
) -> None:
    """SQLite, large demos: other Python processes generate the segments in parallel, each
    into a SQLite file of its own; this process attaches each file in turn and copies it
    in with one ``INSERT ... SELECT`` per table, shifting the local ids to free ids in SQL
    (so no row passes through Python here). Plain subprocesses, not multiprocessing:
    nothing of this process -- its open database, its ``__main__`` -- is re-run or
    inherited. Attached files are detached by the caller after the transaction."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    segments = _segments(accounts)
    n_workers = max(1, min(_MAX_WORKERS, os.cpu_count() or 1, len(segments)))
    root = str(Path(__file__).resolve().parents[2])  # where collections_tui is importable
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    code = "from collections_tui.services.demo import _worker_main; _worker_main()"
    paths = [str(Path(workdir) / f"segment-{k}.db") for k, _f, _c in segments]
    procs: list[subprocess.Popen[str]] = []
    try:
        for w in range(n_workers):
            job = {
                "seed": seed,
                "now": now.isoformat(),
                "today": today.isoformat(),
                "rules": rules.to_json(),
                "segments": [
                    [k, first, count, paths[k]]
                    for k, first, count in segments
                    if k % n_workers == w
                ],
            }
            proc = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                text=True,
            )
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.close()
            procs.append(proc)
        zones = _ZoneSets(db)
        base = {t: reserve_ids(db, t, 1)[0] - 1 for t in _TABLES}
        for k, first, count in segments:
            proc = procs[k % n_workers]
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != f"done {k}":
                proc.wait()
                raise RuntimeError(
                    f"the demo data generator failed on segment {k} (exit code "
                    f"{proc.returncode}); its error is above"
                )
            schema = f"demo_segment_{k}"
            db.execute_sql(f"ATTACH DATABASE {db.param} AS {schema}", (paths[k],))
            attached.append(schema)
            for (key,) in db.execute_sql(
                f'SELECT zone_set_id FROM {schema}."account" GROUP BY zone_set_id ORDER BY MIN(id)'
            ).fetchall():
                zones.id_for(key)
            start = dict(base)  # where this segment's ids begin, table by table
            for table in _TABLES:
                columns = list(_COLUMNS[table])
                exprs = [f'"{c}"' for c in columns]
                for col, ref in _ID_COLUMNS[table]:
                    exprs[col] = f'"{columns[col]}" + {int(start[ref])}'
                if table == "account":
                    exprs[_ZONE_COLUMN] = (
                        '(SELECT z.id FROM main."zone_set" AS z WHERE z.zones = s.zone_set_id)'
                    )
                names_sql = ", ".join(f'"{c}"' for c in columns)
                db.execute_sql(
                    f'INSERT INTO main."{table}" ({names_sql}) '
                    f'SELECT {", ".join(exprs)} FROM {schema}."{table}" AS s ORDER BY s.id'
                )
                n = int(db.execute_sql(f'SELECT COUNT(*) FROM {schema}."{table}"').fetchone()[0])
                base[table] += n
                counts.rows[table] += n
            if os.name == "posix":  # the copy is done; free the space at once
                os.unlink(paths[k])
            if progress is not None:
                progress(first + count - 1, accounts)
        for proc in procs:
            proc.wait()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _demo_exists(seed: int) -> bool:
    prefix = f"D{seed}-"
    upper = f"D{seed}."  # '.' sorts right after '-': the range is exactly this seed's numbers
    query = Account.select(Account.id).where((Account.number >= prefix) & (Account.number < upper))
    return bool(query.exists())


def _add_coordinators(ctx: Context) -> None:
    """The demo's coordinators, as plain coordinators (never supervisors: a demo must not
    hand anyone supervisor powers in a shared database)."""
    have = {c.name for c in Coordinator.select(Coordinator.name)}
    created = to_db(ctx.now())
    for name in (*names.COORDINATORS, _SUPERVISOR):
        if name not in have:
            Coordinator.insert(name=name, role="coordinator", created_at=created).execute()


def _use_workers(db: Database, accounts: int) -> bool:
    import sys

    if is_postgres(db) or accounts < _WORKERS_FROM or not sys.executable:
        return False
    return _database_dir(db) is not None


def _database_dir(db: Database) -> str | None:
    """The folder of a file SQLite database (segment files go beside it: same disk, and a
    place the user chose for data); None for an in-memory one."""
    import os

    target = str(getattr(db, "database", "") or "")
    if not target or target == ":memory:" or target.startswith("file:"):
        return None
    return os.path.dirname(os.path.abspath(target))


def generate_demo(
    ctx: Context,
    *,
    accounts: int = 2000,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Fill the database with ``accounts`` realistic accounts, deterministic for ``seed``
    and the clock, in one transaction. Refuses (InputError, nothing written) when this
    seed's demo data is already there. ``progress(done, total)`` is called as accounts
    are written."""
    import shutil
    import tempfile

    if accounts < 1:
        raise InputError("the demo needs at least 1 account")
    if seed < 0:
        raise InputError("the demo seed must be 0 or more")
    started = time.perf_counter()
    db = database.obj
    now, today, rules = ctx.now(), ctx.today(), _Rules.of(ctx)
    counts = _Counts()
    attached: list[str] = []
    workdir: str | None = None
    try:
        with write_transaction(db):
            if _demo_exists(seed):
                raise InputError(
                    f"demo data for seed {seed} is already in this database (account "
                    f"{account_number(seed, 1)}); use another --seed or a new database"
                )
            _add_coordinators(ctx)
            # Indexes are kept up to date as rows arrive: the copying overlaps the workers'
            # generating, so that is quicker than rebuilding them all at the end.
            if _use_workers(db, accounts):
                workdir = tempfile.mkdtemp(prefix=".demo-", dir=_database_dir(db))
                _write_with_workers(
                    db, seed, accounts, now, today, rules, counts, progress, attached, workdir
                )
            else:
                _write_here(db, seed, accounts, now, today, rules, counts, progress)
            detail = {k: v for k, v in counts.report(0.0).__dict__.items() if k != "seconds"}
            audit.record(
                ctx,
                "demo.generate",
                None,
                seed=seed,
                first_account=account_number(seed, 1),
                **detail,
            )
    finally:
        for schema in attached:
            with contextlib.suppress(Exception):
                db.execute_sql(f"DETACH DATABASE {schema}")
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return counts.report(round(time.perf_counter() - started, 3))
