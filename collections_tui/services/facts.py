"""From rows to the domain's facts, in bulk, and the cached queue columns kept current.

``load_facts(ids, now)`` builds the :class:`~collections_tui.domain.compliance.AccountFacts`
of many accounts with one query per table (never one per account), so the queue can confirm
every row it shows with the verdict. ``refresh_accounts(ctx, ids)`` recomputes the cached
columns the queue's SQL pre-filter reads — zone set, ``blocked_until``/``blocked_reason``,
tier, score key, ``last_attempt_at`` — and is called by every service that changes one of
their inputs (a call, a payment, a promise, consent, inconvenient times, an import).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..domain import compliance as c
from ..domain.claims import AWAITING_DECISION
from ..domain.priority import History, Priority, priority
from ..domain.zones import zone_set
from ..store.db import date_from_db, fetch, from_db, to_db
from ..store.models import (
    Account,
)
from .context import Context
from .zonesets import ZoneSetCache

_CHUNK = 500

# blocked_until for an account whose balance awaits an insurance decision: no date can be
# known, so the pre-filter holds it until the claim's status changes (which refreshes it).
CLAIM_HOLD = datetime(9999, 12, 31, tzinfo=UTC)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


@dataclass(frozen=True)
class AccountRow:
    id: int
    number: str
    debtor_id: int
    debtor_name: str
    creditor: str
    currency: str
    status: str
    flags: int
    balance_cents: int
    due_date: date | None
    created_on: date
    state: str | None
    country: str
    zone_set_id: int | None
    tier: int
    score_key: int


@dataclass(frozen=True)
class Loaded:
    row: AccountRow
    facts: c.AccountFacts
    attempts_all: tuple[c.Attempt, ...]  # the loaded history (for last attempt and history)
    callback_due: bool
    broken_promise: bool
    history: History


def _history_start(now: datetime, policy: c.Policy) -> datetime:
    return now - timedelta(days=max(policy.cap_days, policy.conversation_wait_days) + 2)


_ROWS_SQL = (
    "SELECT a.id, a.number, a.debtor_id, d.name, a.creditor, a.currency, a.status, a.flags,"
    " a.balance_cents, a.due_date, a.created_at, d.state, d.country, a.zone_set_id, a.tier,"
    " a.score FROM account a JOIN debtor d ON d.id = a.debtor_id WHERE a.id IN ({in})"
)
_PHONES_SQL = (
    "SELECT debtor_id, e164, valid, status, zones, inconvenient FROM phone"
    " WHERE debtor_id IN ({in}) ORDER BY debtor_id, position, id"
)
_CONSENTS_SQL = (
    "SELECT debtor_id, given_at, until, revoked_at, callback_at FROM consent"
    " WHERE debtor_id IN ({in}) AND (given_at >= {p} OR callback_at >= {p})"
)
_AVOID_SQL = (
    "SELECT debtor_id, weekdays, start_time, end_time FROM avoid_window"
    " WHERE debtor_id IN ({in}) AND cleared_at IS NULL"
)
_ATTEMPTS_SQL = (
    "SELECT account_id, at, outcome, phone_e164, direction FROM contact"
    " WHERE account_id IN ({in}) AND at >= {p}"
)
_CLAIMS_SQL = "SELECT account_id FROM claim WHERE account_id IN ({in}) AND status IN ({in})"
_CALLBACKS_SQL = (
    "SELECT account_id FROM callback"
    " WHERE account_id IN ({in}) AND done_at IS NULL AND due_at <= {p}"
)
_LEASES_SQL = (
    "SELECT account_id, coordinator, expires_at FROM lease"
    " WHERE account_id IN ({in}) AND expires_at > {p}"
)
_REACHED_SQL = (
    "SELECT DISTINCT account_id FROM contact WHERE account_id IN ({in}) AND outcome IN ({in})"
)


def load_rows(ids: Sequence[int]) -> dict[int, AccountRow]:
    out: dict[int, AccountRow] = {}
    for chunk in _chunks(list(ids)):
        for r in fetch(_ROWS_SQL, [list(chunk)]):
            created = from_db(r[10])
            out[int(r[0])] = AccountRow(
                id=int(r[0]),
                number=r[1],
                debtor_id=int(r[2]),
                debtor_name=r[3],
                creditor=r[4],
                currency=r[5],
                status=r[6],
                flags=int(r[7]),
                balance_cents=int(r[8]),
                due_date=date_from_db(r[9]),
                created_on=created.date() if created else date(2000, 1, 1),
                state=r[11],
                country=r[12] or "US",
                zone_set_id=r[13],
                tier=int(r[14]),
                score_key=int(r[15]),
            )
    return out


def _time_of(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def load_facts(
    ctx: Context, ids: Sequence[int], *, rows: dict[int, AccountRow] | None = None
) -> dict[int, Loaded]:
    """Facts for each account id (unknown ids are left out)."""
    now = ctx.now()
    policy = ctx.policy
    rows = rows if rows is not None else load_rows(ids)
    ids = [i for i in ids if i in rows]
    if not ids:
        return {}
    debtor_ids = sorted({rows[i].debtor_id for i in ids})

    phones: dict[int, list[c.PhoneFacts]] = {}
    for chunk in _chunks(debtor_ids):
        for debtor_id, e164, valid, status, zones, inconvenient in fetch(
            _PHONES_SQL, [list(chunk)]
        ):
            phones.setdefault(int(debtor_id), []).append(
                c.PhoneFacts(
                    e164=e164,
                    valid=bool(valid),
                    status=status,
                    zones=tuple(z for z in (zones or "").split(",") if z),
                    inconvenient=bool(inconvenient),
                )
            )

    consents: dict[int, list[c.Consent]] = {}
    earliest_consent: dict[int, datetime] = {}
    horizon = now - timedelta(days=policy.consent_days + 2)
    recent_callback = to_db(now - timedelta(days=2))
    for chunk in _chunks(debtor_ids):
        for debtor_id, given, until, revoked, callback in fetch(
            _CONSENTS_SQL, [list(chunk), to_db(horizon), recent_callback]
        ):
            given_at = from_db(given)
            assert given_at is not None
            consents.setdefault(int(debtor_id), []).append(
                c.Consent(
                    given_at=given_at,
                    until=from_db(until),
                    revoked_at=from_db(revoked),
                    callback_at=from_db(callback),
                )
            )
            d = int(debtor_id)
            earliest_consent[d] = min(earliest_consent.get(d, given_at), given_at)

    avoid: dict[int, list[c.AvoidWindow]] = {}
    for chunk in _chunks(debtor_ids):
        for debtor_id, weekdays, start, end in fetch(_AVOID_SQL, [list(chunk)]):
            avoid.setdefault(int(debtor_id), []).append(
                c.AvoidWindow(
                    weekdays=frozenset(int(d) for d in weekdays.split(",") if d != ""),
                    start=_time_of(start),
                    end=_time_of(end),
                )
            )

    # Attempts: the rule windows need the last few days; a consent needs the conversations
    # since it was given. History (reached, promises) is read from its own tables below.
    attempts: dict[int, list[c.Attempt]] = {}
    base_start = _history_start(now, policy)
    by_start: dict[datetime, list[int]] = {}
    for i in ids:
        start = min(base_start, earliest_consent.get(rows[i].debtor_id, base_start))
        by_start.setdefault(start, []).append(i)
    for start, group in by_start.items():
        for chunk in _chunks(group):
            for account_id, at, outcome, e164, direction in fetch(
                _ATTEMPTS_SQL, [list(chunk), to_db(start)]
            ):
                when = from_db(at)
                assert when is not None
                attempts.setdefault(int(account_id), []).append(
                    c.Attempt(
                        at=when, outcome=outcome, phone_e164=e164, inbound=direction == "inbound"
                    )
                )

    pending_claims: set[int] = set()
    callbacks_due: set[int] = set()
    leases: dict[int, tuple[str, datetime]] = {}
    reached: set[int] = set()
    awaiting = sorted(AWAITING_DECISION)
    right_party = sorted(c.RIGHT_PARTY)
    at_now = to_db(now)
    for chunk in _chunks(ids):
        ch = list(chunk)
        pending_claims.update(int(r[0]) for r in fetch(_CLAIMS_SQL, [ch, awaiting]))
        callbacks_due.update(int(r[0]) for r in fetch(_CALLBACKS_SQL, [ch, at_now]))
        for account_id, who, expires in fetch(_LEASES_SQL, [ch, at_now]):
            exp = from_db(expires)
            assert exp is not None
            leases[int(account_id)] = (who, exp)
        reached.update(int(r[0]) for r in fetch(_REACHED_SQL, [ch, right_party]))

    promise_status = promise_states(ctx, ids)

    out: dict[int, Loaded] = {}
    for i in ids:
        r = rows[i]
        lease = leases.get(i)
        facts = c.AccountFacts(
            flags=r.flags,
            state=r.state,
            country=r.country,
            phones=tuple(phones.get(r.debtor_id, ())),
            attempts=tuple(sorted(attempts.get(i, ()), key=lambda a: a.at)),
            consents=tuple(consents.get(r.debtor_id, ())),
            avoid=tuple(avoid.get(r.debtor_id, ())),
            claim_pending=i in pending_claims and r.balance_cents > 0,
            lease_holder=lease[0] if lease else None,
            lease_expires_at=lease[1] if lease else None,
        )
        kept, broken, open_broken = promise_status.get(i, (0, 0, False))
        out[i] = Loaded(
            row=r,
            facts=facts,
            attempts_all=facts.attempts,
            callback_due=i in callbacks_due,
            broken_promise=open_broken,
            history=History(reached=i in reached, kept_promises=kept, broken_promises=broken),
        )
    return out


def promise_states(ctx: Context, ids: Sequence[int]) -> dict[int, tuple[int, int, bool]]:
    """Per account: (promises kept, promises missed, belongs in the ``broken_promise`` tier
    now) — a missed promise or a broken arrangement not yet answered (see
    :mod:`collections_tui.services.arrangements`)."""
    from . import arrangements

    return {
        i: (h.kept, h.missed, h.open_broken)
        for i, h in arrangements.promise_history(ctx, ids).items()
    }


def priority_of(ctx: Context, loaded: Loaded) -> Priority:
    r = loaded.row
    last = max((a.at for a in loaded.attempts_all if not a.inbound), default=None)
    office = ZoneInfo(ctx.home_zone)
    return priority(
        balance_cents=r.balance_cents,
        aging_from=r.due_date or r.created_on,
        today=ctx.today(),
        last_attempt_on=last.astimezone(office).date() if last else None,
        history=loaded.history,
        callback_due=loaded.callback_due,
        broken_promise=loaded.broken_promise,
        weights=ctx.weights,
    )


def refresh_accounts(ctx: Context, ids: Iterable[int]) -> None:
    """Recompute the queue's cached columns for these accounts. Call inside the write
    transaction that changed them."""
    from ..store.models import database

    id_list = sorted(set(ids))
    if not id_list:
        return
    now = ctx.now()
    cache = ZoneSetCache(database.obj)
    loaded = load_facts(ctx, id_list)
    for i, item in loaded.items():
        facts = item.facts
        zones = zone_set(
            facts.state,
            facts.country,
            [p.zones for p in facts.phones if p.valid and p.status == "ok"],
            ctx.policy.default_zones,
        )
        until = c.blocked_until(facts, now, ctx.policy)
        reason: str | None = None
        if facts.claim_pending:
            until, reason = CLAIM_HOLD, "claim_pending"
        elif until is not None:
            v = c.verdict(facts, now, ctx.policy)
            reason = next(
                (
                    x
                    for x in v.reasons
                    if x in ("recent_conversation", "frequency_cap", "state_cap")
                ),
                "frequency_cap",
            )
        p = priority_of(ctx, item)
        last = max((a.at for a in item.attempts_all if not a.inbound), default=None)
        values: dict[Any, Any] = {
            Account.zone_set: cache.id_for(zones),
            Account.blocked_until: to_db(until) if until else None,
            Account.blocked_reason: reason,
            Account.tier: 3 if p.tier == 1 else p.tier,  # callback_due is decided live
            Account.score: p.sort_key,
        }
        if last is not None:
            values[Account.last_attempt_at] = to_db(last)
        Account.update(values).where(Account.id == i).execute()
