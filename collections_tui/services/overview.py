"""The accounts to work first, before the call engine's queue: open, overdue, largest
balances first. One indexed query, paged by the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from peewee import fn

from ..domain.aging import aging_bucket, days_past_due
from ..store.db import date_from_db, tuples
from ..store.models import Account, Debtor, ZoneSet
from .accounts import local_times
from .context import Context


@dataclass(frozen=True)
class AccountLine:
    number: str
    debtor_name: str
    creditor: str
    currency: str
    balance_cents: int
    days_past_due: int
    aging_bucket: str
    local_time: str


def account_count() -> int:
    return int(Account.select(fn.COUNT(Account.id)).scalar() or 0)


def top_accounts(ctx: Context, *, limit: int = 20) -> list[AccountLine]:
    today = ctx.today()
    overdue_before = today - timedelta(days=1)
    query = (
        Account.select(
            Account.number,
            Debtor.name,
            Account.creditor,
            Account.currency,
            Account.balance_cents,
            Account.due_date,
            ZoneSet.zones,
        )
        .join(Debtor)
        .switch(Account)
        .join(ZoneSet, join_type="LEFT OUTER")
        .where(
            (Account.status == "open")
            & (Account.balance_cents > 0)
            & (Account.due_date.is_null() | (Account.due_date <= overdue_before))
        )
        .order_by(Account.balance_cents.desc())
        .limit(limit)
    )
    out = []
    for number, name, creditor, currency, balance, due_raw, zone_key in tuples(query):
        dpd = days_past_due(date_from_db(due_raw), today)
        zones = tuple(z for z in (zone_key or "").split(",") if z)
        times = local_times(zones or ctx.default_zones, ctx.now())
        out.append(
            AccountLine(
                number=number,
                debtor_name=name,
                creditor=creditor,
                currency=currency,
                balance_cents=int(balance),
                days_past_due=dpd,
                aging_bucket=aging_bucket(dpd),
                local_time=" / ".join(t.time for t in times),
            )
        )
    return out
