"""Recording a call and what follows from it (DESIGN §4, §6 ``log-call``).

The same rules and effects whether the call is recorded in the workstation or by a dialer
through ``log-call``: an outbound attempt on an account the verdict blocks needs an override
reason (never possible for cease, attorney or bankruptcy), recorded in the audit log;
``not_in_service``/``wrong_number`` mark the phone bad; ``dispute`` sets the dispute flag;
a callback the debtor asks for is stored in UTC and is consent for that callback's local
day; a promise is stored with its amount and date. Notes are append-only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from ..domain import compliance as c
from ..domain.flags import Flag
from ..domain.money import format_amount
from ..domain.phones import parse_phone
from ..store.db import to_db, write_transaction
from ..store.models import (
    Account,
    Callback,
    Consent,
    Contact,
    Lease,
    Note,
    Phone,
    Promise,
    database,
)
from . import audit, grants
from .clock import FixedClock
from .context import Context
from .drafts import clear_draft
from .errors import Blocked, InputError, NeedsGrant, input_text, within_bounds
from .facts import load_facts, refresh_accounts
from .ledger import account_id_for

BAD_NUMBER = frozenset({"not_in_service", "wrong_number"})


@dataclass(frozen=True)
class RecordedCall:
    contact_id: int
    account_number: str
    outcome: str
    phone: str | None
    verdict: c.Verdict  # the verdict at the moment of the call, before it was recorded
    overridden: bool
    callback_id: int | None = None
    promise_id: int | None = None
    marked_bad: bool = False


def verdict_at(ctx: Context, account_id: int, at: datetime, phone: str | None = None) -> c.Verdict:
    """The verdict at ``at`` given the history before it."""
    at_ctx = replace(ctx, clock=FixedClock(at))
    loaded = load_facts(at_ctx, [account_id])[account_id]
    facts = loaded.facts
    earlier = tuple(a for a in facts.attempts if a.at <= at)
    facts = replace(facts, attempts=earlier)
    return c.verdict(facts, at, ctx.policy, phone=phone, coordinator=ctx.actor)


def record_call(
    ctx: Context,
    number: str,
    outcome: str,
    *,
    phone: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
    callback_at: datetime | None = None,
    promise_cents: int | None = None,
    promise_on: date | None = None,
    override: str | None = None,
    inbound: bool = False,
    source: str = "workstation",
) -> RecordedCall:
    if outcome not in c.OUTCOMES:
        raise InputError(f"unknown outcome '{outcome}' (expected {', '.join(c.OUTCOMES)})")
    if outcome == "callback_requested" and callback_at is None:
        raise InputError("outcome callback_requested needs --callback (when to call back)")
    if outcome == "promise" and (promise_cents is None or promise_on is None):
        raise InputError("outcome promise needs --promise AMOUNT and --promise-date DATE")
    if (promise_cents is None) != (promise_on is None):
        raise InputError("a promise needs both --promise AMOUNT and --promise-date DATE")
    if promise_cents is not None and promise_cents <= 0:
        raise InputError("a promise must be a positive amount")
    within_bounds(amounts=[promise_cents], dates=[promise_on], instants=[at, callback_at])
    if note is not None:
        note = input_text(note, "the note", multiline=True)
    if override is not None:
        override = input_text(override, "the override reason")
    when = at or ctx.now()
    if callback_at is not None and callback_at <= when:
        raise InputError("the callback time must be after the call")
    if promise_on is not None and promise_on < when.date():
        raise InputError("the promise date must not be before the call")
    if inbound and outcome in ("no_answer", "voicemail", "busy", "not_in_service"):
        raise InputError(f"an inbound call cannot have outcome {outcome}")
    db = database.obj
    with write_transaction(db):
        account_id = account_id_for(number)
        acct = Account.get_by_id(account_id)
        phones = list(
            Phone.select().where(Phone.debtor == acct.debtor_id).order_by(Phone.position, Phone.id)
        )
        e164: str | None = None
        phone_row = None
        if phone:
            parsed = parse_phone(phone, ctx.default_region)
            if parsed.e164 is None:
                raise InputError(f"phone '{phone}': {parsed.problem}")
            e164 = parsed.e164
            phone_row = next((p for p in phones if p.e164 == e164), None)
        else:
            dialable = [p for p in phones if p.valid and p.status == "ok"]
            if len(dialable) == 1:
                phone_row = dialable[0]
                e164 = phone_row.e164

        v = verdict_at(ctx, account_id, when, phone=e164 if phone_row is not None else None)
        overridden = False
        if not inbound and not v.callable:
            if not override or not override.strip():
                raise Blocked(
                    f"{number} may not be called at {when.isoformat().replace('+00:00', 'Z')}: "
                    f"{v.message} (reason {v.reason}); nothing was recorded"
                    + ("" if not v.overridable else "; give an override reason to record it"),
                    reason=v.reason,
                    overridable=v.overridable,
                )
            if not v.overridable:
                raise Blocked(
                    f"{number}: {v.reason} cannot be overridden; nothing was recorded",
                    reason=v.reason,
                    overridable=False,
                )
            granted_by: str | None = None
            if ctx.overrides_need_grant and not grants.is_supervisor(ctx):
                g = grants.use_grant(ctx, account_id, "override")
                if g is None:
                    raise NeedsGrant(
                        f"{number} may not be called now ({v.reason}); overrides need a "
                        "supervisor's grant here (collections-tui grant NUMBER --to "
                        f"{ctx.actor} --override --reason ...); nothing was recorded",
                        reason=v.reason,
                    )
                granted_by = g.granted_by
            overridden = True
            audit.record(
                ctx,
                "compliance.override",
                account_id,
                reason=v.reason,
                typed_reason=override.strip(),
                outcome=outcome,
                at=when,
                granted_by=granted_by,
            )

        contact_id = int(
            Contact.insert(
                account=account_id,
                phone=phone_row.id if phone_row is not None else None,
                phone_e164=e164,
                at=to_db(when),
                outcome=outcome,
                coordinator=ctx.actor,
                source=source,
                direction="inbound" if inbound else "outbound",
                created_at=to_db(ctx.now()),
            ).execute()
        )
        if note and note.strip():
            Note.insert(
                account=account_id,
                contact=contact_id,
                at=to_db(when),
                coordinator=ctx.actor,
                body=note.strip(),
            ).execute()

        marked_bad = False
        if outcome in BAD_NUMBER and phone_row is not None and phone_row.status != "bad":
            Phone.update(status="bad", updated_at=to_db(ctx.now())).where(
                Phone.id == phone_row.id
            ).execute()
            marked_bad = True
            audit.record(ctx, "phone.bad", account_id, phone=e164, outcome=outcome)
        if outcome == "dispute" and not acct.flags & Flag.DISPUTE:
            Account.update(flags=Account.flags.bin_or(int(Flag.DISPUTE))).where(
                Account.id == account_id
            ).execute()
            audit.record(ctx, "flag.set", account_id, flag="dispute", via="call")

        # Callbacks that had come due are answered by this call.
        Callback.update(done_at=to_db(when)).where(
            (Callback.account == account_id)
            & Callback.done_at.is_null()
            & (Callback.due_at <= to_db(when))
        ).execute()

        callback_id = None
        if callback_at is not None:
            callback_id = int(
                Callback.insert(
                    account=account_id,
                    due_at=to_db(callback_at),
                    phone_e164=e164,
                    coordinator=ctx.actor,
                    contact=contact_id,
                    created_at=to_db(ctx.now()),
                ).execute()
            )
            if outcome in c.RIGHT_PARTY:  # the debtor asked for it: consent for that day
                Consent.insert(
                    debtor=acct.debtor_id,
                    account=account_id,
                    given_at=to_db(when),
                    callback_at=to_db(callback_at),
                    source="callback",
                    note=f"callback requested for {callback_at.isoformat()}",
                    coordinator=ctx.actor,
                    created_at=to_db(ctx.now()),
                ).execute()
        promise_id = None
        if promise_cents is not None and promise_on is not None:
            promise_id = int(
                Promise.insert(
                    account=account_id,
                    amount_cents=promise_cents,
                    due_on=promise_on,
                    phone_e164=e164,
                    coordinator=ctx.actor,
                    contact=contact_id,
                    created_at=to_db(ctx.now()),
                ).execute()
            )
            audit.record(
                ctx,
                "promise.create",
                account_id,
                amount=format_amount(promise_cents),
                due_on=promise_on,
            )
        clear_draft(ctx, number)  # the note is saved: its draft is done with
        # Recording the outcome ends this coordinator's lease on the account.
        Lease.delete().where(
            (Lease.account == account_id) & (Lease.coordinator == ctx.actor)
        ).execute()
        audit.record(
            ctx,
            "call.record",
            account_id,
            outcome=outcome,
            phone=e164,
            at=when,
            source=source,
            inbound=inbound,
            overridden=overridden,
        )
        refresh_accounts(ctx, [account_id])
    return RecordedCall(
        contact_id=contact_id,
        account_number=number,
        outcome=outcome,
        phone=e164,
        verdict=v,
        overridden=overridden,
        callback_id=callback_id,
        promise_id=promise_id,
        marked_bad=marked_bad,
    )


def record_dial_override(ctx: Context, number: str, reason: str, typed: str) -> None:
    """A coordinator dials an account the verdict blocks: the typed reason goes to the audit
    log (``compliance.override`` with ``via: dial``). The block is the verdict's now (not the
    screen's): refused for cease, attorney and bankruptcy, and, where overrides need a
    supervisor's grant, without an open ``override`` grant (used up when the call is
    recorded). ``reason`` is what the coordinator was shown; the audit keeps both."""
    why = input_text(typed, "the override reason").strip()
    if not why:
        raise InputError("an override needs a typed reason")
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        v = verdict_at(ctx, account_id, ctx.now())
        if v.callable:
            return  # callable after all: nothing to override
        if not v.overridable:
            raise Blocked(
                f"{number}: {v.reason} cannot be overridden", reason=v.reason, overridable=False
            )
        strict = ctx.overrides_need_grant and not grants.is_supervisor(ctx)
        if strict and not any(g.kind == "override" for g in grants.open_grants(ctx, number)):
            raise NeedsGrant(
                f"{number}: overrides need a supervisor's grant here; ask a supervisor",
                reason=v.reason,
            )
        audit.record(
            ctx,
            "compliance.override",
            account_id,
            reason=v.reason,
            shown=reason,
            typed_reason=why,
            via="dial",
        )


def add_note(ctx: Context, number: str, body: str, *, addendum_of: int | None = None) -> int:
    """Append a note (or an addendum to an earlier one). Notes are never edited."""
    if not body.strip():
        raise InputError("a note needs some text")
    body = input_text(body, "the note", multiline=True)
    with write_transaction(database.obj):
        account_id = account_id_for(number)
        if addendum_of is not None:
            original = Note.get_or_none(Note.id == addendum_of)
            if original is None or original.account_id != account_id:
                raise InputError(f"note #{addendum_of} is not on account {number}")
        note_id = int(
            Note.insert(
                account=account_id,
                at=to_db(ctx.now()),
                coordinator=ctx.actor,
                body=body.strip(),
                addendum_of=addendum_of,
            ).execute()
        )
    return note_id
