"""Read an account whole, as plain dataclasses (never live rows), for the CLI and the UI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..domain import compliance as c
from ..domain.aging import aging_bucket, days_past_due
from ..domain.flags import flag_names
from ..domain.phones import format_display
from ..domain.priority import ScorePart
from ..domain.zones import zone_set
from ..store.db import date_from_db, from_db
from ..store.models import (
    Account,
    Callback,
    Claim,
    Contact,
    Debtor,
    LedgerEntry,
    Note,
    Phone,
)
from .arrangements import ArrangementView, PromiseView, arrangements_for, promises_for
from .consent import AvoidView, ConsentView, list_avoid, list_consents
from .context import Context
from .errors import NotFound
from .facts import Loaded, load_facts, priority_of


@dataclass(frozen=True)
class LocalTime:
    zone: str
    time: str  # "10:00 EST"
    weekday: str  # "Fri"


@dataclass(frozen=True)
class PhoneView:
    id: int
    kind: str
    raw: str
    e164: str | None
    display: str
    extension: str | None
    valid: bool
    status: str  # ok | bad | dnc
    dialable: bool
    zones: tuple[str, ...]
    local_times: tuple[LocalTime, ...]
    problem: str | None
    inconvenient: bool = False  # the debtor said calls to this number are inconvenient


@dataclass(frozen=True)
class LedgerLine:
    posted_on: date
    kind: str
    amount_cents: int  # signed effect on the balance
    balance_after_cents: int
    reference: str | None
    memo: str
    source: str
    created_by: str


@dataclass(frozen=True)
class ContactView:
    at: datetime
    outcome: str
    phone: str | None
    coordinator: str
    source: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class NoteView:
    id: int
    at: datetime
    coordinator: str
    body: str
    addendum_of: int | None


@dataclass(frozen=True)
class CallbackView:
    due_at: datetime
    coordinator: str
    done: bool


@dataclass(frozen=True)
class ClaimView:
    claim_number: str
    payer: str
    service_date: date
    billed_cents: int
    submitted_on: date | None
    status: str
    denial_code: str | None
    paid_cents: int | None
    patient_responsibility_cents: int | None
    payer_phone: str | None
    timely_filing_days: int | None


@dataclass(frozen=True)
class VerdictView:
    callable: bool
    reason: str  # "ok" or a DESIGN §4 code
    message: str
    next_callable_at: datetime | None
    reasons: tuple[str, ...]
    overridable: bool
    under_consent: bool
    attempts_7d: int  # call attempts counted toward the 7-in-7 limit now


@dataclass(frozen=True)
class ScoreView:
    tier: str
    score: int
    parts: tuple[ScorePart, ...]


@dataclass(frozen=True)
class AccountView:
    number: str
    debtor_name: str
    debtor_type: str
    email: str | None
    address: str
    state: str | None
    country: str
    creditor: str
    currency: str
    status: str
    flags: tuple[str, ...]
    due_date: date | None
    days_past_due: int
    aging_bucket: str
    balance_cents: int
    zones: tuple[str, ...]
    local_times: tuple[LocalTime, ...]
    phones: tuple[PhoneView, ...]
    ledger: tuple[LedgerLine, ...] = field(default=())
    contacts: tuple[ContactView, ...] = field(default=())
    notes: tuple[NoteView, ...] = field(default=())
    promises: tuple[PromiseView, ...] = field(default=())
    arrangements: tuple[ArrangementView, ...] = field(default=())
    callbacks: tuple[CallbackView, ...] = field(default=())
    claims: tuple[ClaimView, ...] = field(default=())
    verdict: VerdictView | None = None
    priority: ScoreView | None = None
    consents: tuple[ConsentView, ...] = field(default=())
    inconvenient: tuple[AvoidView, ...] = field(default=())


def local_times(zones: tuple[str, ...], now: datetime) -> tuple[LocalTime, ...]:
    out = []
    for z in zones:
        t = now.astimezone(ZoneInfo(z))
        out.append(LocalTime(zone=z, time=t.strftime("%H:%M %Z"), weekday=t.strftime("%a")))
    return tuple(out)


def _zones_text(text: str) -> tuple[str, ...]:
    return tuple(z for z in text.split(",") if z)


def get_account(
    ctx: Context, number: str, *, history: int = 200, loaded: Loaded | None = None
) -> AccountView:
    """The account with its debtor, phones, ledger (oldest first, with running balance),
    calls and notes (newest first, at most ``history`` each). ``loaded``: its compliance
    facts, when the caller has just read them (they are read here otherwise)."""
    acct = Account.select(Account, Debtor).join(Debtor).where(Account.number == number).first()
    if acct is None:
        raise NotFound(f"no account '{number}'")
    debtor = acct.debtor
    now = ctx.now()
    today = ctx.today()

    phones = []
    for p in Phone.select().where(Phone.debtor == debtor.id).order_by(Phone.position, Phone.id):
        zones = _zones_text(p.zones)
        phones.append(
            PhoneView(
                id=p.id,
                kind=p.kind,
                raw=p.raw_text,
                e164=p.e164,
                display=format_display(p.e164, p.extension) if p.e164 else p.raw_text,
                extension=p.extension,
                valid=bool(p.valid),
                status=p.status,
                dialable=bool(p.valid) and p.status == "ok" and not p.inconvenient,
                zones=zones,
                local_times=local_times(zones, now),
                problem=p.problem,
                inconvenient=bool(p.inconvenient),
            )
        )
    zones = zone_set(
        debtor.state,
        debtor.country,
        [ph.zones for ph in phones if ph.dialable],
        ctx.default_zones,
    )

    ledger: list[LedgerLine] = []
    running = 0
    for e in (
        LedgerEntry.select()
        .where(LedgerEntry.account == acct.id)
        .order_by(LedgerEntry.posted_on, LedgerEntry.id)
    ):
        running += e.amount_cents
        ledger.append(
            LedgerLine(
                posted_on=date_from_db(e.posted_on) or today,
                kind=e.kind,
                amount_cents=e.amount_cents,
                balance_after_cents=running,
                reference=e.reference,
                memo=e.memo,
                source=e.source,
                created_by=e.created_by,
            )
        )

    notes_by_contact: dict[int, list[str]] = {}
    notes = []
    note_rows: Iterable[Any] = (
        Note.select()
        .where(Note.account == acct.id)
        .order_by(Note.at.desc(), Note.id.desc())
        .limit(history)
    )
    for n in note_rows:
        notes.append(
            NoteView(
                id=n.id,
                at=from_db(n.at) or now,
                coordinator=n.coordinator,
                body=n.body,
                addendum_of=n.addendum_of_id,
            )
        )
        if n.contact_id is not None:
            notes_by_contact.setdefault(n.contact_id, []).append(n.body)

    contacts = [
        ContactView(
            at=from_db(c.at) or now,
            outcome=c.outcome,
            phone=c.phone_e164,
            coordinator=c.coordinator,
            source=c.source,
            notes=tuple(notes_by_contact.get(c.id, ())),
        )
        for c in Contact.select()
        .where(Contact.account == acct.id)
        .order_by(Contact.at.desc(), Contact.id.desc())
        .limit(history)
    ]
    promises = promises_for(ctx, [acct.id]).get(acct.id, [])
    arrangement_views = arrangements_for(ctx, [acct.id]).get(acct.id, [])
    callbacks = [
        CallbackView(
            due_at=from_db(c.due_at) or now, coordinator=c.coordinator, done=c.done_at is not None
        )
        for c in Callback.select()
        .where(Callback.account == acct.id)
        .order_by(Callback.due_at.desc())
    ]
    claims = [
        ClaimView(
            claim_number=c.claim_number,
            payer=c.payer,
            service_date=date_from_db(c.service_date) or today,
            billed_cents=c.billed_cents,
            submitted_on=date_from_db(c.submitted_on),
            status=c.status,
            denial_code=c.denial_code,
            paid_cents=c.paid_cents,
            patient_responsibility_cents=c.patient_responsibility_cents,
            payer_phone=c.payer_phone,
            timely_filing_days=c.timely_filing_days,
        )
        for c in Claim.select().where(Claim.account == acct.id).order_by(Claim.service_date.desc())
    ]

    verdict_view = None
    score_view = None
    if loaded is None or loaded.row.id != acct.id:
        loaded = load_facts(ctx, [acct.id]).get(acct.id)
    if loaded is not None:
        v = c.verdict(loaded.facts, now, ctx.policy, coordinator=ctx.actor)
        week_start = now - timedelta(days=ctx.policy.cap_days)
        verdict_view = VerdictView(
            callable=v.callable,
            reason="ok" if v.callable else v.reason,
            message=v.message,
            next_callable_at=None if v.callable else v.next_callable_at,
            reasons=v.reasons,
            overridable=v.overridable,
            under_consent=v.under_consent,
            attempts_7d=c.counted_attempts(
                loaded.facts, week_start, now + timedelta(seconds=1), ctx.policy
            ),
        )
        prio = priority_of(ctx, loaded)
        score_view = ScoreView(tier=prio.tier_name, score=prio.score, parts=prio.parts)

    due = date_from_db(acct.due_date)
    dpd = days_past_due(due, today)
    address = ", ".join(
        part
        for part in (
            debtor.address1,
            debtor.city,
            " ".join(x for x in (debtor.state, debtor.postal_code) if x),
        )
        if part
    )
    return AccountView(
        number=acct.number,
        debtor_name=debtor.name,
        debtor_type=debtor.debtor_type,
        email=debtor.email,
        address=address,
        state=debtor.state,
        country=debtor.country,
        creditor=acct.creditor,
        currency=acct.currency,
        status=acct.status,
        flags=tuple(flag_names(acct.flags)),
        due_date=due,
        days_past_due=dpd,
        aging_bucket=aging_bucket(dpd),
        balance_cents=int(acct.balance_cents),
        zones=zones,
        local_times=local_times(zones, now),
        phones=tuple(phones),
        ledger=tuple(ledger),
        contacts=tuple(contacts),
        notes=tuple(notes),
        promises=tuple(promises),
        arrangements=tuple(arrangement_views),
        callbacks=tuple(callbacks),
        claims=tuple(claims),
        verdict=verdict_view,
        priority=score_view,
        consents=tuple(list_consents(acct.number)),
        inconvenient=tuple(list_avoid(acct.number)),
    )
