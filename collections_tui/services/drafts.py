"""Drafts: no typed note is lost when an SSH session drops.

The workstation saves what a coordinator is typing on an account (debounced, every second or
so) and offers it back when they open the account again. A draft belongs to one coordinator,
one account and one field (``note`` by default; e.g. ``addendum``, ``promise_note``); two
coordinators typing on one account keep separate drafts.

Saving is one statement on both databases, an atomic upsert that also resolves the account
number, so it is cheap enough to run on every pause in typing:

    INSERT INTO draft (coordinator, account_id, field, body, updated_at)
    SELECT …, account.id, … FROM account WHERE account.number = …
    ON CONFLICT (coordinator, account_id, field) DO UPDATE SET body = …, updated_at = …
    RETURNING id

Drafts are scratch text, not records: they are not audited, and saving an empty (or blank)
body deletes the draft. Recording the call or the note should ``clear_draft``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..store.db import from_db, to_db, tuples
from ..store.models import Account, Draft, database
from .context import Context
from .errors import InputError, NotFound

MAX_FIELD = 32  # draft.field is VARCHAR(32)
MAX_BODY = 100_000  # characters; far beyond any note, short of an accident

_SAVE = (
    "INSERT INTO draft (coordinator, account_id, field, body, updated_at) "
    "SELECT {p}, a.id, {p}, {p}, {p} FROM account a WHERE a.number = {p} "
    "ON CONFLICT (coordinator, account_id, field) DO UPDATE "
    "SET body = excluded.body, updated_at = excluded.updated_at "
    "RETURNING id"
)


@dataclass(frozen=True)
class DraftView:
    account_number: str
    field: str
    body: str
    updated_at: datetime  # aware, UTC
    coordinator: str


def _check_field(field: str) -> str:
    if not field or not field.strip():
        raise InputError("a draft needs a field name (e.g. 'note')")
    if len(field) > MAX_FIELD:
        raise InputError(f"draft field '{field[:40]}' is longer than {MAX_FIELD} characters")
    return field


def save_draft(ctx: Context, number: str, body: str, field: str = "note") -> bool:
    """Keep ``body`` as ``ctx.actor``'s draft of ``field`` on account ``number`` (replacing
    the previous one). An empty or blank body deletes the draft. Returns True when a draft
    is now stored, False when it was deleted (or there was none)."""
    _check_field(field)
    if not body.strip():
        clear_draft(ctx, number, field)
        return False
    if len(body) > MAX_BODY:
        raise InputError(f"a draft is at most {MAX_BODY:,} characters ({len(body):,} typed)")
    db = database.obj
    row = db.execute_sql(
        _SAVE.format(p=db.param),
        (ctx.actor, field, body, to_db(ctx.now()), number),
    ).fetchone()
    if row is None:
        raise NotFound(f"no account '{number}'")
    return True


def load_draft(ctx: Context, number: str, field: str = "note") -> DraftView | None:
    """``ctx.actor``'s draft of ``field`` on account ``number``; None when there is none
    (or no such account)."""
    q = (
        Draft.select(Draft.body, Draft.updated_at)
        .join(Account)
        .where(
            (Account.number == number) & (Draft.coordinator == ctx.actor) & (Draft.field == field)
        )
    )
    for body, updated in tuples(q):
        at = from_db(updated)
        assert at is not None
        return DraftView(
            account_number=number, field=field, body=body, updated_at=at, coordinator=ctx.actor
        )
    return None


def clear_draft(ctx: Context, number: str, field: str = "note") -> bool:
    """Delete ``ctx.actor``'s draft of ``field`` on account ``number`` (after it was saved as
    a note, or abandoned). True when there was one."""
    account_ids = Account.select(Account.id).where(Account.number == number)
    n = (
        Draft.delete()
        .where(
            (Draft.account.in_(account_ids))
            & (Draft.coordinator == ctx.actor)
            & (Draft.field == field)
        )
        .execute()
    )
    return bool(n)


def drafts_for(ctx: Context) -> list[DraftView]:
    """Every draft ``ctx.actor`` has, newest first: what to offer back after a dropped
    session."""
    q = (
        Draft.select(Account.number, Draft.field, Draft.body, Draft.updated_at)
        .join(Account)
        .where(Draft.coordinator == ctx.actor)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
    )
    out = []
    for number, field, body, updated in tuples(q):
        at = from_db(updated)
        assert at is not None
        out.append(
            DraftView(
                account_number=number,
                field=field,
                body=body,
                updated_at=at,
                coordinator=ctx.actor,
            )
        )
    return out
