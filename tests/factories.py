"""Small builders for test data, through the same services the program uses."""

from __future__ import annotations

from datetime import date

from collections_tui.domain.phones import parse_phone
from collections_tui.services.context import Context
from collections_tui.services.facts import refresh_accounts
from collections_tui.services.ledger import post_entry
from collections_tui.store.db import to_db, write_transaction
from collections_tui.store.models import Account, Debtor, Phone, database


def make_account(
    ctx: Context,
    number: str,
    *,
    name: str = "Pat Doe",
    balance_cents: int = 10_000,
    phones: tuple[str, ...] = ("212-555-0143",),
    state: str | None = "NY",
    creditor: str = "Lakeside Family Medicine",
    due_date: date | None = date(2026, 9, 1),
    flags: int = 0,
) -> int:
    now = to_db(ctx.now())
    with write_transaction(database.obj):
        debtor = Debtor.create(name=name, state=state, country="US", created_at=now, updated_at=now)
        for i, raw in enumerate(phones):
            p = parse_phone(raw, "US", "mobile")
            Phone.create(
                debtor=debtor,
                position=i,
                kind=p.kind,
                raw_text=p.raw,
                e164=p.e164,
                extension=p.extension,
                valid=p.valid,
                zones=",".join(p.zones),
                problem=p.problem,
                created_at=now,
                updated_at=now,
            )
        acct = Account.create(
            number=number,
            debtor=debtor,
            creditor=creditor,
            due_date=due_date,
            flags=flags,
            created_at=now,
            updated_at=now,
        )
        if balance_cents:
            post_entry(
                ctx,
                acct.id,
                kind="charge" if balance_cents > 0 else "adjustment",
                amount_cents=balance_cents,
                posted_on=date(2026, 8, 1),
                memo="opening balance",
            )
        refresh_accounts(ctx, [acct.id])
    return int(acct.id)
