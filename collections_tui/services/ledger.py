"""The ledger is the truth: an account's balance is the sum of its entries.

``account.balance_cents`` is a cache updated in the same transaction as every entry posted;
``verify_balances`` proves the cache equals the sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.ledger import LedgerError, signed_amount
from ..domain.money import MAX_BALANCE_CENTS, MoneyError, check_balance, format_amount
from ..domain.text import MAX_REFERENCE_CHARS
from ..store.db import to_db, write_transaction
from ..store.models import Account, LedgerEntry, database
from ..store.queries import balance_mismatches, from_parts, sum_parts
from . import arrangements, audit
from .context import Context
from .errors import InputError, NotFound, input_text, within_bounds


@dataclass(frozen=True)
class Posted:
    entry_id: int
    account_number: str
    balance_cents: int


def account_id_for(number: str) -> int:
    row = Account.select(Account.id).where(Account.number == number).first()
    if row is None:
        raise NotFound(f"no account '{number}'")
    return int(row.id)


def post_entry(
    ctx: Context,
    account_id: int,
    *,
    kind: str,
    amount_cents: int,
    posted_on: date,
    reference: str | None = None,
    memo: str = "",
    source: str = "system",
) -> int:
    """Post one entry (amount as given: positive, or signed for adjustments) and update the
    cached balance. Call inside a transaction. Returns the entry id.

    An entry that would take the balance past ``MAX_BALANCE_CENTS`` either way is refused
    (:class:`InputError` naming the account) before anything is written: the cached balance
    moves only when the result is within the bound, in the same statement (so two sessions
    posting at once cannot both pass the check), and the entry is inserted only after."""
    try:
        effect = signed_amount(kind, amount_cents)
    except LedgerError as exc:
        raise InputError(str(exc)) from None
    moved = (
        Account.update(balance_cents=Account.balance_cents + effect, updated_at=to_db(ctx.now()))
        .where(
            (Account.id == account_id)
            & (Account.balance_cents + effect >= -MAX_BALANCE_CENTS)
            & (Account.balance_cents + effect <= MAX_BALANCE_CENTS)
        )
        .execute()
    )
    if not moved:
        row = Account.select(Account.number, Account.balance_cents).where(Account.id == account_id)
        acct = row.first()
        if acct is None:
            raise NotFound(f"no account with id {account_id}")
        try:
            check_balance(int(acct.balance_cents), effect)
        except MoneyError as exc:
            raise InputError(f"account {acct.number}: {exc}; nothing was recorded") from None
        except (TypeError, ValueError):  # a cached balance that is not an integer
            pass
        raise InputError(
            f"account {acct.number}: its balance cannot take this entry; nothing was recorded"
        )
    entry_id = LedgerEntry.insert(
        account=account_id,
        posted_on=posted_on,
        kind=kind,
        amount_cents=effect,
        reference=reference or None,
        memo=memo,
        source=source,
        created_at=to_db(ctx.now()),
        created_by=ctx.actor,
    ).execute()
    audit.record(
        ctx,
        "ledger.post",
        account_id,
        kind=kind,
        amount=format_amount(effect),
        reference=reference,
        source=source,
    )
    return int(entry_id)


def pay(
    ctx: Context,
    number: str,
    amount_cents: int,
    *,
    on: date | None = None,
    reference: str | None = None,
    memo: str = "",
) -> Posted:
    """Record a payment received. A reference already posted on the account is refused; an
    amount past ``MAX_AMOUNT_CENTS``, a date outside the accepted window, a reference longer
    than ``MAX_REFERENCE_CHARS`` or holding control characters are refused too."""
    if amount_cents <= 0:
        raise InputError("a payment must be a positive amount")
    within_bounds(amounts=[amount_cents], dates=[on])
    if reference is not None:
        reference = input_text(reference, "the reference", max_len=MAX_REFERENCE_CHARS)
    memo = input_text(memo, "the memo")
    db = database.obj
    with write_transaction(db):
        account_id = account_id_for(number)
        if reference:
            dup = (
                LedgerEntry.select(LedgerEntry.id)
                .where((LedgerEntry.account == account_id) & (LedgerEntry.reference == reference))
                .exists()
            )
            if dup:
                raise InputError(
                    f"reference '{reference}' is already posted on account {number}; "
                    "nothing was recorded"
                )
        entry_id = post_entry(
            ctx,
            account_id,
            kind="payment",
            amount_cents=amount_cents,
            posted_on=on or ctx.today(),
            reference=reference,
            memo=memo or "payment",
            source="pay",
        )
        arrangements.sync_statuses(ctx, [account_id])
        balance = Account.get_by_id(account_id).balance_cents
    return Posted(entry_id=entry_id, account_number=number, balance_cents=int(balance))


def ledger_sum(account_id: int) -> int:
    db = database.obj
    row = db.execute_sql(
        f"SELECT {sum_parts('amount_cents')} FROM ledger_entry WHERE account_id = {db.param}",
        (account_id,),
    ).fetchone()
    return from_parts(row[0], row[1])


def verify_balances() -> list[tuple[str, int, int]]:
    """Accounts whose cached balance differs from the sum of their ledger:
    ``(number, cached, ledger_sum)``. Empty when all agree."""
    return balance_mismatches(database.obj)
