"""Leases (DESIGN §8): while a coordinator has an account open, nobody else is offered it.

Taking a lease is one atomic statement on both databases:

    INSERT INTO lease (account_id, coordinator, taken_at, expires_at) VALUES (…)
    ON CONFLICT (account_id) DO UPDATE SET … WHERE lease.expires_at <= :now
    RETURNING id

It either creates the lease, takes over an expired one, or changes nothing (someone holds
it) — and says which by returning a row or not. No read-then-write race is possible, on
SQLite or PostgreSQL, so ``next`` needs no table lock: each coordinator walks the queue and
takes the first account whose statement returns a row.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..store import db as store_db
from ..store.db import DatabaseBusy, from_db, to_db, tuples, write_transaction
from ..store.models import Account, Lease, database
from . import audit
from .context import Context
from .errors import InputError
from .ledger import account_id_for
from .queue import Filters, QueueRow, build_queue

if TYPE_CHECKING:
    from .facts import Loaded

_TAKE = (
    "INSERT INTO lease (account_id, coordinator, taken_at, expires_at) VALUES ({p}, {p}, {p}, {p}) "
    "ON CONFLICT (account_id) DO UPDATE SET coordinator = excluded.coordinator, "
    "taken_at = excluded.taken_at, expires_at = excluded.expires_at "
    "WHERE lease.expires_at <= {p} OR lease.coordinator = excluded.coordinator "
    "RETURNING id"
)


@dataclass(frozen=True)
class LeaseView:
    account_number: str
    coordinator: str
    taken_at: datetime
    expires_at: datetime


def take(ctx: Context, account_id: int, *, audit_as: str | None = None) -> bool:
    """Lease the account to ``ctx.actor`` (or renew their own lease). False when another
    coordinator holds an unexpired lease."""
    db = database.obj
    now = ctx.now()
    expires = now + timedelta(minutes=ctx.lease_minutes)
    delay = 0.01
    for attempt in range(8):
        started = time.monotonic()
        try:
            with write_transaction(db):
                row = db.execute_sql(
                    _TAKE.format(p=db.param),
                    (account_id, ctx.actor, to_db(now), to_db(expires), to_db(now)),
                ).fetchone()
                if row is not None and audit_as is not None:
                    audit.record(ctx, "lease.take", account_id, via=audit_as)
            return row is not None
        except DatabaseBusy:
            # SQLite's busy timeout already waits; this covers the rare immediate BUSY
            # (e.g. a WAL checkpoint racing a writer). A lock held past the whole busy
            # timeout is another program writing: said at once, not waited for 8 times.
            if attempt == 7 or time.monotonic() - started >= store_db.BUSY_TIMEOUT_S / 2:
                raise
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)
    return False


def take_next(
    ctx: Context, filters: Filters | None = None, *, skip: frozenset[str] = frozenset()
) -> QueueRow | None:
    """Lease the best callable account nobody holds, and return it (None: nothing callable).
    ``skip``: account numbers to pass over (the workstation's accounts already worked or
    skipped this session, so `n` moves on instead of offering the same debtor again)."""
    filters = filters or Filters()
    limit = 10
    for _ in range(4):
        result = build_queue(
            ctx,
            limit=limit,
            filters=filters,
            any_lease_blocks=True,
            explain_empty=False,
            exclude=skip,
        )
        if not result.rows:
            return None
        for row in result.rows:
            if row.account_number in skip:
                continue
            account_id = account_id_for(row.account_number)
            if take(ctx, account_id, audit_as="next"):
                return row
        limit *= 4  # all taken by others in the meantime: look further down
    return None


def candidates(
    ctx: Context, filters: Filters | None = None, *, skip: frozenset[str] = frozenset(), n: int = 8
) -> list[str]:
    """The best ``n`` callable accounts nobody holds, without leasing them: the workstation
    fetches these while a coordinator works an account, so that `n` only has to confirm one
    (:func:`take_first`) instead of building the queue."""
    result = build_queue(
        ctx,
        limit=n,
        filters=filters or Filters(),
        any_lease_blocks=True,
        explain_empty=False,
        exclude=skip,
    )
    return [r.account_number for r in result.rows if r.account_number not in skip][:n]


def take_first(
    ctx: Context, numbers: list[str], *, skip: frozenset[str] = frozenset()
) -> tuple[str, Loaded] | None:
    """Lease the first of ``numbers`` that is still callable now and nobody holds (each
    confirmed by the verdict at this instant, then the atomic lease statement): its number
    and the facts that verdict was given (read just before the lease was taken; the account
    screen shows them instead of reading them again). None when none is: the caller falls
    back to :func:`take_next`."""
    from ..domain import compliance as c
    from .facts import load_facts

    todo = [n for n in numbers if n not in skip]
    if not todo:
        return None
    # Still in the queue at all: open, owing, not paid off or closed since it was fetched.
    q = Account.select(Account.number, Account.id).where(
        Account.number.in_(todo) & (Account.status == "open") & (Account.balance_cents > 0)
    )
    ids: dict[str, int] = {str(number): int(i) for number, i in tuples(q)}
    now = ctx.now()
    for number in todo:
        # One at a time: the first candidate is almost always still free and callable.
        item = load_facts(ctx, [ids[number]]).get(ids[number]) if number in ids else None
        if item is None:
            continue
        if not c.verdict(item.facts, now, ctx.policy, coordinator=ctx.actor).callable:
            continue
        if take(ctx, ids[number], audit_as="next"):
            return number, item
    return None


def release(ctx: Context, number: str, *, any_holder: bool = False) -> bool:
    """Give a lease back. Only the holder may, unless ``any_holder`` (a supervisor)."""
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        cond = Lease.account == account_id
        if not any_holder:
            holder = Lease.get_or_none(Lease.account == account_id)
            if holder is not None and holder.coordinator != ctx.actor:
                raise InputError(
                    f"{number} is leased to {holder.coordinator}, not to {ctx.actor}; "
                    "a supervisor can release it"
                )
        n = Lease.delete().where(cond).execute()
        if n:
            audit.record(ctx, "lease.release", account_id)
    return bool(n)


def release_all(ctx: Context) -> int:
    """Everything this coordinator holds (on exit, or when an SSH session drops)."""
    with write_transaction(database.obj):
        return int(Lease.delete().where(Lease.coordinator == ctx.actor).execute())


def active_leases(ctx: Context) -> list[LeaseView]:
    q = (
        Lease.select(Account.number, Lease.coordinator, Lease.taken_at, Lease.expires_at)
        .join(Account)
        .where(Lease.expires_at > to_db(ctx.now()))
        .order_by(Lease.taken_at)
    )
    out = []
    for number, who, taken, expires in tuples(q):
        t, e = from_db(taken), from_db(expires)
        assert t is not None and e is not None
        out.append(LeaseView(account_number=number, coordinator=who, taken_at=t, expires_at=e))
    return out
