"""The debtor's own words about being called: consent (DESIGN §4) and inconvenient times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.avoid import AvoidSpecError, describe, parse_avoid

__all__ = [
    "AvoidSpecError",
    "AvoidView",
    "ConsentView",
    "add_avoid",
    "clear_avoid",
    "list_avoid",
    "list_consents",
    "parse_avoid",
    "record_consent",
    "revoke_consent",
]
from ..domain.phones import parse_phone
from ..store.db import fetch, from_db, to_db, write_transaction
from ..store.models import Account, AvoidWindow, Consent, Phone, database
from . import audit
from .context import Context
from .errors import InputError, input_text, within_bounds
from .facts import refresh_accounts
from .ledger import account_id_for


@dataclass(frozen=True)
class ConsentView:
    given_at: datetime
    until: datetime | None
    revoked_at: datetime | None
    callback_at: datetime | None
    source: str
    note: str
    coordinator: str


@dataclass(frozen=True)
class AvoidView:
    id: int
    spec: str
    note: str
    coordinator: str
    created_at: datetime


def _debtor_of(account_id: int) -> int:
    return int(Account.get_by_id(account_id).debtor_id)


def record_consent(
    ctx: Context,
    number: str,
    *,
    at: datetime | None = None,
    until: datetime | None = None,
    note: str = "",
    source: str = "inbound_call",
) -> int:
    within_bounds(instants=[at, until])
    note = input_text(note, "the note", multiline=True)
    given = at or ctx.now()
    if until is not None and until <= given:
        raise InputError("--until must be after the time consent was given")
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        consent_id = int(
            Consent.insert(
                debtor=_debtor_of(account_id),
                account=account_id,
                given_at=to_db(given),
                until=to_db(until) if until else None,
                source=source,
                note=note,
                coordinator=ctx.actor,
                created_at=to_db(ctx.now()),
            ).execute()
        )
        audit.record(ctx, "consent.record", account_id, given_at=given, until=until, note=note)
        refresh_accounts(ctx, [account_id])
    return consent_id


def revoke_consent(ctx: Context, number: str, *, at: datetime | None = None) -> int:
    """End every consent still in force. Returns how many were ended."""
    within_bounds(instants=[at])
    when = at or ctx.now()
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        n = (
            Consent.update(revoked_at=to_db(when))
            .where(
                (Consent.debtor == _debtor_of(account_id))
                & Consent.revoked_at.is_null()
                & (Consent.until.is_null() | (Consent.until > to_db(when)))
            )
            .execute()
        )
        audit.record(ctx, "consent.revoke", account_id, at=when, ended=n)
        refresh_accounts(ctx, [account_id])
    return int(n)


def add_avoid(
    ctx: Context,
    number: str,
    spec: str,
    *,
    note: str = "",
    phone: str | None = None,
    phone_inconvenient: bool = True,
) -> AvoidView:
    """Record a time the debtor said is inconvenient ("weekdays 3-5 pm"). ``phone``, when
    given, is marked (or, with ``phone_inconvenient=False``, unmarked) inconvenient in the
    same transaction: what the debtor said in one breath is saved together or not at all."""
    try:
        window = parse_avoid(spec)
    except AvoidSpecError as exc:
        raise InputError(f"--when: {exc}") from None
    note = input_text(note, "the note", multiline=True)
    text = describe(window)
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        debtor = _debtor_of(account_id)
        if phone is not None:  # first: a phone not on the account refuses the whole save
            _mark_phone(ctx, number, account_id, debtor, phone, phone_inconvenient, note)
        avoid_id = int(
            AvoidWindow.insert(
                debtor=debtor,
                weekdays=",".join(str(d) for d in sorted(window.weekdays)),
                start_time=window.start.strftime("%H:%M") if window.start else None,
                end_time=window.end.strftime("%H:%M") if window.end else None,
                spec=text,
                note=note,
                coordinator=ctx.actor,
                created_at=to_db(ctx.now()),
            ).execute()
        )
        audit.record(ctx, "avoid.add", account_id, spec=text, note=note)
        refresh_accounts(ctx, [account_id])
    return AvoidView(id=avoid_id, spec=text, note=note, coordinator=ctx.actor, created_at=ctx.now())


def clear_avoid(ctx: Context, number: str) -> int:
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        n = (
            AvoidWindow.update(cleared_at=to_db(ctx.now()))
            .where(
                (AvoidWindow.debtor == _debtor_of(account_id)) & AvoidWindow.cleared_at.is_null()
            )
            .execute()
        )
        audit.record(ctx, "avoid.clear", account_id, cleared=n)
        refresh_accounts(ctx, [account_id])
    return int(n)


def mark_phone_inconvenient(
    ctx: Context, number: str, phone: str, *, inconvenient: bool = True, note: str = ""
) -> str:
    """The debtor said calls to ``phone`` are inconvenient ("that's my work number"): the
    compliance verdict no longer counts it dialable (§4 inconvenient_time), and the queue
    follows. ``inconvenient=False`` takes that back. Returns the phone in E.164."""
    note = input_text(note, "the note", multiline=True)
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        e164 = _mark_phone(
            ctx, number, account_id, _debtor_of(account_id), phone, inconvenient, note
        )
        refresh_accounts(ctx, [account_id])
    return e164


def _mark_phone(
    ctx: Context,
    number: str,
    account_id: int,
    debtor: int,
    phone: str,
    inconvenient: bool,
    note: str,
) -> str:
    """Mark (or unmark) one of the debtor's phones inconvenient, audited; inside the
    caller's transaction, which refreshes the account's facts once."""
    parsed = parse_phone(phone, ctx.default_region)
    if parsed.e164 is None:
        raise InputError(f"phone '{phone}': {parsed.problem}")
    n = (
        Phone.update(inconvenient=inconvenient)
        .where((Phone.debtor == debtor) & (Phone.e164 == parsed.e164))
        .execute()
    )
    if not n:
        raise InputError(f"{number} has no phone {parsed.e164}")
    audit.record(
        ctx,
        "avoid.phone" if inconvenient else "avoid.phone_clear",
        account_id,
        phone=parsed.e164,
        note=note,
    )
    return parsed.e164


def list_avoid(number: str) -> list[AvoidView]:
    return avoid_of_debtor(_debtor_of(account_id_for(number)))


def avoid_of_debtor(debtor_id: int) -> list[AvoidView]:
    """The debtor's inconvenient times still in force, oldest first."""
    out = []
    for i, spec, note, who, created in fetch(
        "SELECT id, spec, note, coordinator, created_at FROM avoid_window"
        " WHERE debtor_id = {p} AND cleared_at IS NULL ORDER BY id",
        [debtor_id],
    ):
        when = from_db(created)
        assert when is not None
        out.append(AvoidView(id=int(i), spec=spec, note=note, coordinator=who, created_at=when))
    return out


def list_consents(number: str) -> list[ConsentView]:
    return consents_of_debtor(_debtor_of(account_id_for(number)))


def consents_of_debtor(debtor_id: int) -> list[ConsentView]:
    """The debtor's consents, newest first."""
    out = []
    for given, until, revoked, callback, source, note, who in fetch(
        "SELECT given_at, until, revoked_at, callback_at, source, note, coordinator"
        " FROM consent WHERE debtor_id = {p} ORDER BY given_at DESC, id DESC",
        [debtor_id],
    ):
        g = from_db(given)
        assert g is not None
        out.append(
            ConsentView(
                given_at=g,
                until=from_db(until),
                revoked_at=from_db(revoked),
                callback_at=from_db(callback),
                source=source,
                note=note,
                coordinator=who,
            )
        )
    return out
