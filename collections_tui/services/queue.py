"""Who to call next (DESIGN §5): the top N callable accounts at ``now``, in order.

Never loads every account and never walks blocked ones:

1. Domain code decides which zone sets are inside calling hours now (a few dozen checks).
2. For each such zone set, one indexed query (``account_zone_queue``: zone set, status,
   tier, score key) returns its best accounts that the cached columns say may be callable:
   open, overdue, positive balance, no flag, ``blocked_until`` passed.
3. The candidates are merged in queue order, and each one is confirmed by the domain
   verdict — the single source of truth; the columns are only a cache. Rows the verdict
   refuses (a lease, a pending claim, an inconvenient time) are dropped and more are read.

Tier 1 (``callback_due``) comes from the callbacks table, decided at ``now``, so a callback
falls due without anything being rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peewee import Case, fn

from ..domain import compliance as c
from ..domain.aging import aging_bucket, days_past_due
from ..domain.compliance import REASONS
from ..domain.flags import Flag
from ..domain.priority import TIERS, ScorePart
from ..store.db import (
    DatabaseBusy,
    DatabaseReadOnly,
    from_db,
    read_only_reason,
    to_db,
    tuples,
    write_transaction,
)
from ..store.models import (
    Account,
    Arrangement,
    Callback,
    Installment,
    Lease,
    Meta,
    Promise,
    ZoneSet,
    database,
)
from .context import Context
from .facts import (
    CLAIM_HOLD,
    Loaded,
    load_facts,
    load_rows,
    priority_of,
    promise_states,
    refresh_accounts,
)

_FLAG_ORDER: tuple[tuple[int, str], ...] = (
    (Flag.CEASE, "cease"),
    (Flag.BANKRUPTCY, "bankruptcy"),
    (Flag.ATTORNEY, "attorney"),
    (Flag.DECEASED, "deceased"),
    (Flag.DISPUTE, "dispute"),
)
_REASON_WORDS = {
    "cease": "asked us to stop calling",
    "bankruptcy": "in bankruptcy",
    "attorney": "represented by an attorney",
    "deceased": "deceased",
    "dispute": "in dispute",
    "claim_pending": "awaiting an insurance decision",
    "no_dialable_phone": "without a dialable phone",
    "leased": "open with another coordinator",
    "recent_conversation": "spoken to in the last 7 days",
    "frequency_cap": "at 7 calls in 7 days",
    "state_cap": "at their state's call limit",
    "inconvenient_time": "at a time they said is inconvenient",
    "outside_hours": "outside calling hours",
}


@dataclass(frozen=True)
class QueueRow:
    rank: int
    account_number: str
    debtor_name: str
    creditor: str
    currency: str
    balance_cents: int
    days_past_due: int
    aging_bucket: str
    score: int
    tier: str
    callable: bool
    reason: str  # "ok" or a DESIGN §4 code
    message: str
    next_callable_at: datetime | None
    local_time: str  # the debtor's local time now, each zone: "10:00 EST" or "07:00 PST, 10:00 EST"
    score_parts: tuple[ScorePart, ...] = ()
    under_consent: bool = False


@dataclass(frozen=True)
class BlockedCount:
    reason: str
    count: int
    next_at: datetime | None  # the earliest any of them becomes callable (when computable)


@dataclass(frozen=True)
class QueueResult:
    rows: list[QueueRow]
    blocked: list[BlockedCount] = field(default_factory=list)
    explanation: str | None = None  # why nothing is callable, and when that changes


@dataclass(frozen=True)
class Filters:
    creditor: str | None = None
    tier: str | None = None  # callback_due | broken_promise | scored
    aging: str | None = None  # 0-30 | 31-60 | 61-90 | 91-120 | 120+
    search: str | None = None  # account number prefix or debtor name


def _eligible(ctx: Context, filters: Filters) -> Any:
    today = ctx.today()
    cond = (
        (Account.status == "open")
        & (Account.balance_cents > 0)
        & (Account.due_date.is_null() | (Account.due_date <= today - timedelta(days=1)))
    )
    if filters.creditor:
        cond &= Account.creditor == filters.creditor
    if filters.aging:
        lo, hi = _AGING_DAYS[filters.aging]
        cond &= Account.due_date <= today - timedelta(days=lo)
        if hi is not None:
            cond &= Account.due_date > today - timedelta(days=hi + 1)
    if filters.tier == "broken_promise":
        cond &= Account.tier == 2
    elif filters.tier == "scored":
        cond &= Account.tier == 3
    return cond


_AGING_DAYS: dict[str, tuple[int, int | None]] = {
    "0-30": (1, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "91-120": (91, 120),
    "120+": (121, None),
}


def zone_sets() -> dict[int, tuple[str, ...]]:
    return {
        int(i): tuple(z for z in zones.split(",") if z)
        for i, zones in tuples(ZoneSet.select(ZoneSet.id, ZoneSet.zones))
    }


def callable_zone_sets(ctx: Context, sets: dict[int, tuple[str, ...]]) -> list[int]:
    now = ctx.now()
    return [i for i, zones in sets.items() if c.zone_set_callable(zones, now, ctx.policy)]


def _local_time(zones: Iterable[str], now: datetime) -> str:
    parts = []
    for z in zones:
        t = now.astimezone(ZoneInfo(z))
        parts.append(t.strftime("%H:%M %Z"))
    return ", ".join(dict.fromkeys(parts))


def _row(
    ctx: Context, rank: int, item: Loaded, v: c.Verdict, tier_override: int | None
) -> QueueRow:
    r = item.row
    p = priority_of(ctx, item)
    today = ctx.today()
    dpd = days_past_due(r.due_date, today)
    tier = tier_override or p.tier
    return QueueRow(
        rank=rank,
        account_number=r.number,
        debtor_name=r.debtor_name,
        creditor=r.creditor,
        currency=r.currency,
        balance_cents=r.balance_cents,
        days_past_due=dpd,
        aging_bucket=aging_bucket(dpd),
        score=p.score,
        tier=TIERS[tier],
        callable=v.callable,
        reason="ok" if v.callable else v.reason,
        message=v.message,
        next_callable_at=v.next_callable_at if not v.callable else None,
        local_time=_local_time((lt.zone for lt in v.local_times), ctx.now()),
        score_parts=p.parts,
        under_consent=v.under_consent,
    )


def _matches_search(item: Loaded, search: str | None) -> bool:
    if not search:
        return True
    s = search.strip().lower()
    return s in item.row.number.lower() or s in item.row.debtor_name.lower()


class _Pages:
    """Keyset pagination over the queue index (``account_queue``: status, tier, score key
    descending, id), restricted to the zone sets inside calling hours now. One query a page:
    the index hands rows over in queue order, so even when only Hawaii is callable the
    database reads a few thousand index entries, never the table."""

    def __init__(self, base: Any, zone: Any, page: int) -> None:
        self.cond = base & zone
        self.page = page
        self.after: tuple[int, int, int] | None = None
        self.done = zone is None

    def fetch(self) -> list[tuple[int, int, int]]:
        """Next page of (tier, -score_key, id), in queue order."""
        if self.done:
            return []
        cond = self.cond
        if self.after is not None:
            t, neg_score, last_id = self.after
            score = -neg_score
            cond &= (
                (Account.tier > t)
                | ((Account.tier == t) & (Account.score < score))
                | ((Account.tier == t) & (Account.score == score) & (Account.id > last_id))
            )
        q = (
            Account.select(Account.tier, Account.score, Account.id)
            .where(cond)
            .order_by(Account.tier, Account.score.desc(), Account.id)
            .limit(self.page)
        )
        rows = [(int(t), -int(s), int(i)) for t, s, i in tuples(q)]
        if len(rows) < self.page:
            self.done = True
        if rows:
            self.after = rows[-1]
        self.page = min(self.page * 2, 2000)
        return rows


def _due_callbacks(
    ctx: Context, cond: Any, limit: int, offset: int = 0, batch: int | None = None
) -> list[int]:
    """Accounts with a callback come due that the cached columns say may be callable, oldest
    callback first (ties: lower account id first), after skipping ``offset`` of them.

    Read in the order of the open-callbacks index and stopped once enough accounts are
    known. (Grouping every due callback by account first, ``ORDER BY MIN(due_at)``, read all
    of them and their accounts: 4,000+ rows at a million accounts, ~50 ms of every first
    queue page, for the 40 it shows.) ``batch``: callbacks read at first (then doubled)."""
    now = to_db(ctx.now())
    want = offset + limit
    first_due: dict[int, Any] = {}  # account → its earliest matching callback's due_at
    after: tuple[Any, int] | None = None  # (due_at, id) of the last callback read
    batch = batch or max(want * 2, 50)
    while True:
        where = Callback.done_at.is_null() & (Callback.due_at <= now) & cond
        if after is not None:
            where &= (Callback.due_at > after[0]) | (
                (Callback.due_at == after[0]) & (Callback.id > after[1])
            )
        q = (
            Callback.select(Callback.due_at, Callback.id, Callback.account)
            .join(Account)
            .where(where)
            .order_by(Callback.due_at, Callback.id)
            .limit(batch)
        )
        rows = list(tuples(q))
        for due, _id, account in rows:
            first_due.setdefault(int(account), due)  # rows come oldest first
        if len(rows) < batch:  # all read
            ready = sorted((due, account) for account, due in first_due.items())
            break
        after = (rows[-1][0], int(rows[-1][1]))
        # An account due at the last due_at read may tie with one not read yet (whose id is
        # lower): only the groups before it are final.
        ready = sorted((due, a) for a, due in first_due.items() if due < after[0])
        if len(ready) >= want:
            break
        batch = min(batch * 2, 5000)
    return [account for _, account in ready[offset:want]]


def sweep_date_tiers(ctx: Context) -> int:
    """Tier 2 changes with the calendar, not only with events: a promise or installment whose
    grace ended without payment puts its account in ``broken_promise`` on that day. Before
    answering, the queue re-reads the accounts whose grace ended in the last week (a few
    hundred a day at a million accounts) and refreshes those whose cached tier is stale, so
    no background job has to have run. Returns how many accounts were refreshed.

    Housekeeping: a read must not need the write lock. When another program holds it, or
    the database is read-only, the sweep is skipped (0) and the next queue read tries again;
    meanwhile the tiers cached for a day may lag (each row's verdict is still computed)."""
    if read_only_reason() is not None:
        return 0
    today = ctx.today()
    grace = ctx.grace_days
    swept = Meta.get_or_none(Meta.key == "tier_swept_on")
    last = date.fromisoformat(swept.value) if swept is not None else None
    if last == today:
        return 0  # already done today: one primary-key read
    # Since the last sweep (at most a week back; a clock moved backwards re-reads a week).
    days_back = 8 if last is None or last > today else min(8, (today - last).days)
    lo = today - timedelta(days=grace + days_back)
    hi = today - timedelta(days=grace + 1)
    ids: set[int] = set()
    q: Any = Promise.select(Promise.account).where(
        Promise.due_on.between(lo, hi) & Promise.cancelled_at.is_null()
    )
    ids.update(int(r[0]) for r in tuples(q))
    q = (
        Installment.select(Arrangement.account)
        .join(Arrangement)
        .where(Installment.due_on.between(lo, hi) & Arrangement.status.in_(["active", "broken"]))
    )
    ids.update(int(r[0]) for r in tuples(q))
    if not ids:
        _swept(ctx, today, [])
        return 0
    cached = {
        int(i): int(t)
        for i, t in tuples(
            Account.select(Account.id, Account.tier).where(Account.id.in_(sorted(ids)))
        )
    }
    states = promise_states(ctx, sorted(ids))
    stale = [
        i for i in sorted(ids) if (2 if states.get(i, (0, 0, False))[2] else 3) != cached.get(i, 3)
    ]
    return len(stale) if _swept(ctx, today, stale) else 0


def _swept(ctx: Context, today: date, stale: list[int]) -> bool:
    """Refresh ``stale`` and mark today swept, without waiting for another program's write
    lock. False when it was busy (or read-only): the next queue read sweeps."""
    try:
        with write_transaction(database.obj, wait=False):
            if stale:
                refresh_accounts(ctx, stale)
            _mark_swept(today)
    except (DatabaseBusy, DatabaseReadOnly):
        return False
    return True


def _mark_swept(today: date) -> None:
    db = database.obj
    p = db.param
    db.execute_sql(
        f"INSERT INTO meta (key, value) VALUES ('tier_swept_on', {p}) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (today.isoformat(),),
    )


def build_queue(
    ctx: Context,
    *,
    limit: int = 50,
    include_blocked: bool = False,
    filters: Filters = Filters(),
    coordinator: str | None = None,
    explain_empty: bool = True,
    any_lease_blocks: bool = False,
    exclude: frozenset[str] = frozenset(),
) -> QueueResult:
    """The top ``limit`` callable accounts in queue order; with ``include_blocked`` the
    best blocked accounts follow (up to ``limit`` more) with their reasons. ``exclude``:
    account numbers left out (`n` passes over the accounts worked this session; left out
    in SQL, the queue does not read and judge them first)."""
    sweep_date_tiers(ctx)
    now = ctx.now()
    who: str | None = None if any_lease_blocks else (coordinator or ctx.actor)
    eligible = _eligible(ctx, filters)
    sets = zone_sets()
    open_sets = callable_zone_sets(ctx, sets)
    prefilter = (
        eligible
        & (Account.flags == 0)
        & (Account.blocked_until.is_null() | (Account.blocked_until <= to_db(now)))
    )
    held = Lease.select(Lease.account).where(Lease.expires_at > to_db(now))
    if who is not None:
        held = held.where(Lease.coordinator != who)
    prefilter &= Account.id.not_in(held)  # leased to someone else: skip in SQL
    if exclude:
        prefilter &= Account.number.not_in(sorted(exclude))

    callable_rows: list[QueueRow] = []
    refused: list[tuple[tuple[int, int, int], Loaded, c.Verdict]] = []
    seen: set[int] = set()

    # Accounts may be in a callable zone set, or (rarely: not yet refreshed) in none.
    zone: Any = Account.zone_set.in_(open_sets) if open_sets else None
    if Account.select(Account.id).where(Account.zone_set.is_null()).exists():
        unset = Account.zone_set.is_null()
        zone = unset if zone is None else (zone | unset)

    # Tier 1: callbacks that have come due.
    if filters.tier in (None, "callback_due"):
        # A few more than asked for: some due callbacks turn out not callable now.
        page, offset = max(limit + limit // 4, 10), 0
        while len(callable_rows) < limit:
            if zone is None:
                break
            cb_ids = _due_callbacks(ctx, prefilter & zone, page, offset)
            offset += page
            loaded = load_facts(ctx, cb_ids)
            for i in cb_ids:
                item = loaded.get(i)
                if item is None or not _matches_search(item, filters.search):
                    continue
                seen.add(i)
                v = c.verdict(item.facts, now, ctx.policy, coordinator=who)
                if v.callable and len(callable_rows) < limit:
                    callable_rows.append(_row(ctx, len(callable_rows) + 1, item, v, 1))
                elif not v.callable:
                    refused.append(((1, 0, i), item, v))
            if len(cb_ids) < page:
                break

    # Tiers 2 and 3: the queue index, page by page, each row confirmed by the verdict.
    if filters.tier != "callback_due":
        pages = _Pages(prefilter, zone, max(limit + limit // 2, 20))
        while len(callable_rows) < limit:
            batch = [key for key in pages.fetch() if key[2] not in seen]
            if not batch:
                if pages.done:
                    break
                continue
            loaded = load_facts(ctx, [key[2] for key in batch])
            for key in batch:
                i = key[2]
                item = loaded.get(i)
                if item is None or i in seen or not _matches_search(item, filters.search):
                    continue
                seen.add(i)
                v = c.verdict(item.facts, now, ctx.policy, coordinator=who)
                if v.callable:
                    if len(callable_rows) < limit:
                        callable_rows.append(_row(ctx, len(callable_rows) + 1, item, v, None))
                else:
                    refused.append((key, item, v))

    rows = list(callable_rows)
    if include_blocked:
        rows.extend(_blocked_rows(ctx, eligible, open_sets, refused, seen, limit, who, filters))
        for n, r in enumerate(rows, 1):
            if r.rank != n:
                rows[n - 1] = _renumber(r, n)

    blocked: list[BlockedCount] = []
    explanation = None
    if not callable_rows and explain_empty:
        blocked = blocked_summary(ctx, filters, sets, open_sets)
        explanation = explain(ctx, blocked)
    return QueueResult(rows=rows, blocked=blocked, explanation=explanation)


def _renumber(r: QueueRow, rank: int) -> QueueRow:
    from dataclasses import replace

    return replace(r, rank=rank)


def _blocked_rows(
    ctx: Context,
    eligible: Any,
    open_sets: list[int],
    refused: list[tuple[tuple[int, int, int], Loaded, c.Verdict]],
    seen: set[int],
    limit: int,
    who: str | None,
    filters: Filters,
) -> list[QueueRow]:
    now = ctx.now()
    held = Lease.select(Lease.account).where(Lease.expires_at > to_db(now))
    if who is not None:
        held = held.where(Lease.coordinator != who)
    not_prefiltered = (
        Account.id.in_(held)
        | (Account.flags != 0)
        | (Account.blocked_until > to_db(now))
        | Account.zone_set.is_null()
        | (Account.zone_set.not_in(open_sets) if open_sets else (Account.id == Account.id))
    )
    q = (
        Account.select(Account.tier, Account.score, Account.id)
        .where(eligible & not_prefiltered)
        .order_by(Account.tier, Account.score.desc(), Account.id)
        .limit(limit + len(seen))
    )
    keys = [(int(t), -int(s), int(i)) for t, s, i in tuples(q) if int(i) not in seen]
    loaded = load_facts(ctx, [k[2] for k in keys])
    candidates = list(refused)
    for key in keys:
        item = loaded.get(key[2])
        if item is None or not _matches_search(item, filters.search):
            continue
        v = c.verdict(item.facts, now, ctx.policy, coordinator=who)
        if not v.callable:
            candidates.append((key, item, v))
    candidates.sort(key=lambda t: t[0])
    out = []
    for key, item, v in candidates[:limit]:
        out.append(_row(ctx, 0, item, v, 1 if key[0] == 1 and key[1] == 0 else None))
    return out


def blocked_summary(
    ctx: Context,
    filters: Filters = Filters(),
    sets: dict[int, tuple[str, ...]] | None = None,
    open_sets: list[int] | None = None,
) -> list[BlockedCount]:
    """How many eligible accounts each reason blocks now, from the cached columns (one
    grouped query), most serious reason first, with when the first of them frees up."""
    now = ctx.now()
    sets = zone_sets() if sets is None else sets
    open_ids = set(callable_zone_sets(ctx, sets) if open_sets is None else open_sets)
    held = Account.blocked_until > to_db(now)
    # Grouped in the order of the covering index account_blocked_summary: one index-only
    # pass, no temporary sort, even at a million accounts.
    q = (
        Account.select(
            Account.flags,
            Account.zone_set,
            Account.blocked_reason,
            fn.COUNT(Account.id),
            fn.SUM(Case(None, [(held, 1)], 0)),
            fn.MIN(Case(None, [(held, Account.blocked_until)], None)),
        )
        .where(_eligible(ctx, filters))
        .group_by(Account.flags, Account.zone_set, Account.blocked_reason)
    )
    counts: dict[str, int] = {}
    next_at: dict[str, datetime] = {}
    zone_next: dict[int, datetime | None] = {}
    for flags, zone_set_id, reason, total, held_count, min_until in tuples(q):
        flags = int(flags)
        held_count = int(held_count or 0)
        if flags:
            code = next(name for bit, name in _FLAG_ORDER if flags & bit)
            counts[code] = counts.get(code, 0) + int(total)
            continue
        if held_count:
            code = reason or "frequency_cap"
            until = from_db(min_until)
            when: datetime | None
            if until is None or until >= CLAIM_HOLD:  # no date can be known
                when = None
            else:
                zones = sets.get(int(zone_set_id), ()) if zone_set_id is not None else ()
                when = _zone_set_opens(ctx, zones, until) if zones else until
            counts[code] = counts.get(code, 0) + held_count
            if when is not None and (code not in next_at or when < next_at[code]):
                next_at[code] = when
        free = int(total) - held_count
        if free and zone_set_id is not None and int(zone_set_id) not in open_ids:
            zid = int(zone_set_id)
            if zid not in zone_next:
                zone_next[zid] = _zone_set_opens(ctx, sets.get(zid, ()))
            opens = zone_next[zid]
            counts["outside_hours"] = counts.get("outside_hours", 0) + free
            if opens is not None and (
                "outside_hours" not in next_at or opens < next_at["outside_hours"]
            ):
                next_at["outside_hours"] = opens
    order = {code: n for n, code in enumerate(REASONS)}
    return [
        BlockedCount(reason=code, count=n, next_at=next_at.get(code))
        for code, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def _zone_set_opens(
    ctx: Context, zones: tuple[str, ...], after: datetime | None = None
) -> datetime | None:
    """The first instant from ``after`` (default now) inside calling hours in every zone."""
    probe = c.AccountFacts(
        phones=(c.PhoneFacts(e164="+10000000000", valid=True, status="ok", zones=zones),)
    )
    return c.verdict(probe, after or ctx.now(), ctx.policy).next_callable_at


def explain(ctx: Context, blocked: list[BlockedCount]) -> str:
    """ "412 outside calling hours — next at 08:00 Eastern; 3 in dispute"."""
    if not blocked:
        return "No open overdue accounts with a balance match."
    office = ZoneInfo(ctx.home_zone)
    parts = []
    for b in blocked:
        text = f"{b.count:,} {_REASON_WORDS.get(b.reason, b.reason)}"
        if b.next_at is not None:
            local = b.next_at.astimezone(office)
            day = (
                ""
                if local.date() == ctx.now().astimezone(office).date()
                else local.strftime("%a %d %b ")
            )
            text += f" — next at {day}{local.strftime('%H:%M %Z')}"
        parts.append(text)
    return "Nothing is callable now: " + "; ".join(parts) + "."


def next_callable_overall(blocked: list[BlockedCount]) -> datetime | None:
    times = [b.next_at for b in blocked if b.next_at is not None]
    return min(times) if times else None


def load_row(ctx: Context, account_id: int) -> QueueRow | None:
    """One account as a queue row (for the account screen and `next`)."""
    rows = load_rows([account_id])
    loaded = load_facts(ctx, [account_id], rows=rows)
    item = loaded.get(account_id)
    if item is None:
        return None
    v = c.verdict(item.facts, ctx.now(), ctx.policy, coordinator=ctx.actor)
    return _row(ctx, 1, item, v, 1 if item.callback_due else None)
