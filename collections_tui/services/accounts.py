"""Read an account whole, as plain dataclasses (never live rows), for the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain import compliance as c
from ..domain.aging import aging_bucket, days_past_due
from ..domain.flags import flag_names
from ..domain.phones import format_display
from ..domain.priority import ScorePart
from ..domain.zones import zone_set
from ..store.db import date_from_db, fetch, from_db
from .arrangements import ArrangementView, PromiseView, arrangements_for, promises_for
from .consent import AvoidView, ConsentView, avoid_of_debtor, consents_of_debtor
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


# The account screen's reads (every `n` in the workstation): plain SQL, see store.db.fetch.
_ACCOUNT_SQL = (
    "SELECT a.id, a.debtor_id, a.creditor, a.currency, a.status, a.flags, a.due_date,"
    " a.balance_cents, d.name, d.debtor_type, d.email, d.address1, d.city, d.state,"
    " d.postal_code, d.country FROM account a JOIN debtor d ON d.id = a.debtor_id"
    " WHERE a.number = {p}"
)
_PHONES_SQL = (
    "SELECT id, kind, raw, e164, extension, valid, status, zones, problem, inconvenient"
    " FROM phone WHERE debtor_id = {p} ORDER BY position, id"
)
_LEDGER_SQL = (
    "SELECT posted_on, kind, amount_cents, reference, memo, source, created_by"
    " FROM ledger_entry WHERE account_id = {p} ORDER BY posted_on, id"
)
_NOTES_SQL = (
    "SELECT id, at, coordinator, body, addendum_of_id, contact_id FROM note"
    " WHERE account_id = {p} ORDER BY at DESC, id DESC LIMIT {p}"
)
_CONTACTS_SQL = (
    "SELECT id, at, outcome, phone_e164, coordinator, source FROM contact"
    " WHERE account_id = {p} ORDER BY at DESC, id DESC LIMIT {p}"
)
_CALLBACKS_SQL = (
    "SELECT due_at, coordinator, done_at FROM callback WHERE account_id = {p} ORDER BY due_at DESC"
)
_CLAIMS_SQL = (
    "SELECT claim_number, payer, service_date, billed_cents, submitted_on, status,"
    " denial_code, paid_cents, patient_responsibility_cents, payer_phone, timely_filing_days"
    " FROM claim WHERE account_id = {p} ORDER BY service_date DESC"
)


def get_account(
    ctx: Context, number: str, *, history: int = 200, loaded: Loaded | None = None
) -> AccountView:
    """The account with its debtor, phones, ledger (oldest first, with running balance),
    calls and notes (newest first, at most ``history`` each). ``loaded``: its compliance
    facts, when the caller has just read them (they are read here otherwise)."""
    found = fetch(_ACCOUNT_SQL, [number])
    if not found:
        raise NotFound(f"no account '{number}'")
    (
        account_id,
        debtor_id,
        creditor,
        currency,
        status,
        flags,
        due_date,
        balance_cents,
        debtor_name,
        debtor_type,
        email,
        address1,
        city,
        state,
        postal_code,
        country,
    ) = found[0]
    account_id, debtor_id = int(account_id), int(debtor_id)
    now = ctx.now()
    today = ctx.today()

    phones = []
    for pid, kind, raw, e164, ext, valid, p_status, p_zones, problem, inconvenient in fetch(
        _PHONES_SQL, [debtor_id]
    ):
        zones = _zones_text(p_zones)
        dialable = bool(valid) and p_status == "ok" and not inconvenient
        phones.append(
            PhoneView(
                id=int(pid),
                kind=kind,
                raw=raw,
                e164=e164,
                display=format_display(e164, ext) if e164 else raw,
                extension=ext,
                valid=bool(valid),
                status=p_status,
                dialable=dialable,
                zones=zones,
                local_times=local_times(zones, now),
                problem=problem,
                inconvenient=bool(inconvenient),
            )
        )
    zones = zone_set(state, country, [ph.zones for ph in phones if ph.dialable], ctx.default_zones)

    ledger: list[LedgerLine] = []
    running = 0
    for posted, l_kind, amount, reference, memo, source, created_by in fetch(
        _LEDGER_SQL, [account_id]
    ):
        running += int(amount)
        ledger.append(
            LedgerLine(
                posted_on=date_from_db(posted) or today,
                kind=l_kind,
                amount_cents=int(amount),
                balance_after_cents=running,
                reference=reference,
                memo=memo,
                source=source,
                created_by=created_by,
            )
        )

    notes_by_contact: dict[int, list[str]] = {}
    notes = []
    for nid, at, who, body, addendum_of, contact_id in fetch(_NOTES_SQL, [account_id, history]):
        notes.append(
            NoteView(
                id=int(nid),
                at=from_db(at) or now,
                coordinator=who,
                body=body,
                addendum_of=addendum_of,
            )
        )
        if contact_id is not None:
            notes_by_contact.setdefault(int(contact_id), []).append(body)

    contacts = [
        ContactView(
            at=from_db(at) or now,
            outcome=outcome,
            phone=phone,
            coordinator=who,
            source=source,
            notes=tuple(notes_by_contact.get(int(cid), ())),
        )
        for cid, at, outcome, phone, who, source in fetch(_CONTACTS_SQL, [account_id, history])
    ]
    promises = promises_for(ctx, [account_id]).get(account_id, [])
    arrangement_views = arrangements_for(ctx, [account_id]).get(account_id, [])
    callbacks = [
        CallbackView(due_at=from_db(due) or now, coordinator=who, done=done is not None)
        for due, who, done in fetch(_CALLBACKS_SQL, [account_id])
    ]
    claims = [
        ClaimView(
            claim_number=row[0],
            payer=row[1],
            service_date=date_from_db(row[2]) or today,
            billed_cents=int(row[3]),
            submitted_on=date_from_db(row[4]),
            status=row[5],
            denial_code=row[6],
            paid_cents=None if row[7] is None else int(row[7]),
            patient_responsibility_cents=None if row[8] is None else int(row[8]),
            payer_phone=row[9],
            timely_filing_days=row[10],
        )
        for row in fetch(_CLAIMS_SQL, [account_id])
    ]

    verdict_view = None
    score_view = None
    if loaded is None or loaded.row.id != account_id:
        loaded = load_facts(ctx, [account_id]).get(account_id)
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

    due = date_from_db(due_date)
    dpd = days_past_due(due, today)
    address = ", ".join(
        part for part in (address1, city, " ".join(x for x in (state, postal_code) if x)) if part
    )
    return AccountView(
        number=number,
        debtor_name=debtor_name,
        debtor_type=debtor_type,
        email=email,
        address=address,
        state=state,
        country=country,
        creditor=creditor,
        currency=currency,
        status=status,
        flags=tuple(flag_names(int(flags))),
        due_date=due,
        days_past_due=dpd,
        aging_bucket=aging_bucket(dpd),
        balance_cents=int(balance_cents),
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
        consents=tuple(consents_of_debtor(debtor_id)),
        inconvenient=tuple(avoid_of_debtor(debtor_id)),
    )
