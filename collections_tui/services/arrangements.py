"""Promises and payment arrangements over time (DESIGN §5, issue 4).

Statuses are computed for ``ctx.now()`` from the rows (promises, installments, dated
payments) with :mod:`collections_tui.domain.promises`; nothing depends on a background job.
``sync_statuses`` writes the computed arrangement status back (with an audit event per
change) and completes settlements; it runs inside every payment's transaction.

Rules (see ``domain.promises`` for kept/broken):

- Payments are ledger entries of :data:`~collections_tui.domain.promises.PAYMENT_KINDS`
  (``payment``, ``insurance_payment``), whether posted by ``pay`` or imported.
- Days: a promise is *made on* and an arrangement *created on* the office day
  (``ctx.home_zone``) of its timestamp; payments count from that day.
- One arrangement at a time: recording a new one cancels the account's ``active`` one
  ("replaced by arrangement #N"). A *superseded* arrangement (any newer one exists on the
  account) keeps its stored status (a broken plan stays on record as broken) and only the
  payments posted before the newer one was created count toward it. A cancelled one counts
  payments through the day it was cancelled, for display.
- The latest, not cancelled arrangement is computed for now: ``active`` ↔ ``broken`` (an
  installment unpaid past grace; catching up makes it active again) → ``completed``.
  ``completed`` and ``cancelled`` are final for ``sync_statuses``.
- A settlement whose payments cover the settlement amount is completed: the discount is
  written off once (ledger ``writeoff``, memo ``settlement``, source ``settlement``,
  reference ``settlement-<id>``, posted on the day the payments covered it) and the account
  is closed when its balance is then exactly 0 (a credit balance stays open for a refund).
- ``broken_promise`` tier (:func:`broken_accounts`): a broken *or partially kept* promise
  not superseded — by a payment posted after its grace ended, or a promise or arrangement
  made after its due date — or a current arrangement that is broken now and not superseded
  by a promise made after the missed installment's due date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.arrangements import (
    PolicyCheck,
    Schedule,
    Settlement,
    check_schedule,
    check_settlement,
)
from ..domain.money import format_amount
from ..domain.promises import (
    PAYMENT_KINDS,
    ArrangementState,
    apply_payments,
    promise_status,
)
from ..store.db import (
    date_from_db,
    fetch,
    from_db,
    is_postgres,
    to_db,
    tuples,
    write_transaction,
)
from ..store.models import Account, Arrangement, Installment, LedgerEntry, database
from . import audit, grants, ledger
from .context import Context
from .errors import InputError, NotFound, input_text, within_bounds

__all__ = [
    "ArrangementView",
    "InstallmentView",
    "PromiseHistory",
    "PromiseView",
    "StatusChange",
    "arrangements_for",
    "broken_accounts",
    "cancel_arrangement",
    "promise_history",
    "promises_for",
    "record_arrangement",
    "settlement_reference",
    "sync_statuses",
]

_CHUNK = 500
KINDS = ("plan", "settlement")
LIVE = ("active", "broken")  # statuses sync_statuses may still change


# ------------------------------------------------------------------------------ views


@dataclass(frozen=True)
class PromiseView:
    id: int
    account_id: int
    amount_cents: int
    made_on: date
    due_on: date
    status: str  # pending | kept | partially_kept | broken
    paid_cents: int
    short_cents: int
    grace_ends: date  # the last day a payment counts
    coordinator: str
    phone_e164: str | None


@dataclass(frozen=True)
class InstallmentView:
    number: int
    due_on: date
    amount_cents: int
    paid_cents: int
    state: str  # paid | partially_paid | unpaid
    paid_on: date | None


@dataclass(frozen=True)
class ArrangementView:
    id: int
    account_id: int
    kind: str  # plan | settlement
    status: str  # active | completed | broken | cancelled (computed for now)
    total_cents: int  # what the debtor pays in all (a settlement: the settlement amount)
    discount_cents: int
    every: str | None
    created_at: datetime
    created_by: str
    approved_by: str | None
    installments: tuple[InstallmentView, ...]
    paid_cents: int
    remaining_cents: int
    next_due_on: date | None  # the oldest installment not fully paid
    next_due_cents: int  # what is still owed on it (0 when none)
    overdue_cents: int  # unpaid on installments whose due date has passed
    credit_cents: int  # paid ahead of the schedule (carried forward)
    broken_since: date | None
    superseded_by: int | None  # a newer arrangement on the account
    stored_status: str  # as last written by sync_statuses / record / cancel


@dataclass(frozen=True)
class StatusChange:
    arrangement_id: int
    account_id: int
    old: str
    new: str


@dataclass(frozen=True)
class PromiseHistory:
    kept: int  # promises kept
    missed: int  # promises broken or partially kept
    open_broken: bool  # belongs in the broken_promise tier now (promise or arrangement)


# ------------------------------------------------------------------------------ loading


@dataclass
class _Promise:
    id: int
    account_id: int
    made_on: date
    due_on: date
    amount_cents: int
    coordinator: str
    phone_e164: str | None


@dataclass
class _Arr:
    id: int
    account_id: int
    kind: str
    stored_status: str
    total_cents: int
    discount_cents: int
    every: str | None
    created_at: datetime
    created_on: date
    created_by: str
    approved_by: str | None
    status_changed_at: datetime | None
    superseded_by: int | None = None
    superseded_on: date | None = None  # the newer arrangement's creation day
    installments: list[tuple[int, date, int]] = field(default_factory=list)

    @property
    def current(self) -> bool:
        """The account's latest arrangement, not cancelled: its status is computed now."""
        return self.superseded_by is None and self.stored_status != "cancelled"


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


def _office_day(ctx: Context, instant: datetime) -> date:
    return instant.astimezone(ZoneInfo(ctx.home_zone)).date()


# The reads behind every promise state (each verdict's broken-promise tier): plain SQL, see
# store.db.fetch.
_PROMISES_SQL = (
    "SELECT id, account_id, created_at, due_on, amount_cents, coordinator, phone_e164"
    " FROM promise WHERE account_id IN ({in}) AND cancelled_at IS NULL ORDER BY due_on, id"
)
_ARRANGEMENTS_SQL = (
    'SELECT id, account_id, kind, status, total_cents, discount_cents, "every", created_at,'
    " created_by, approved_by, status_changed_at FROM arrangement WHERE account_id IN ({in})"
    " ORDER BY account_id, created_at, id"
)
_INSTALLMENTS_SQL = (
    "SELECT arrangement_id, number, due_on, amount_cents FROM installment"
    " WHERE arrangement_id IN ({in}) ORDER BY arrangement_id, number"
)
_PAYMENTS_SQL = (
    "SELECT account_id, posted_on, amount_cents FROM ledger_entry"
    " WHERE account_id IN ({in}) AND kind IN ({in}) AND posted_on <= {p}"
)


def _load_promises(ctx: Context, ids: list[int]) -> dict[int, list[_Promise]]:
    out: dict[int, list[_Promise]] = defaultdict(list)
    if not ids:
        return out
    for pid, account_id, created, due, amount, who, phone in fetch(_PROMISES_SQL, [ids]):
        made = from_db(created)
        due_on = date_from_db(due)
        assert made is not None and due_on is not None
        out[int(account_id)].append(
            _Promise(
                int(pid), int(account_id), _office_day(ctx, made), due_on, int(amount), who, phone
            )
        )
    return out


def _load_arrangements(
    ctx: Context, ids: list[int], *, installments: str = "all", lock: bool = False
) -> dict[int, list[_Arr]]:
    """Arrangements of these accounts, oldest first, with ``superseded_by`` set. Installments
    are loaded for ``all`` of them, or only for the ``current`` ones."""
    out: dict[int, list[_Arr]] = defaultdict(list)
    if not ids:
        return out
    sql = _ARRANGEMENTS_SQL + (" FOR UPDATE" if lock and is_postgres(database.obj) else "")
    for (
        aid,
        account_id,
        kind,
        status,
        total,
        discount,
        every,
        created,
        by,
        approved,
        changed,
    ) in fetch(sql, [ids]):
        created_at = from_db(created)
        assert created_at is not None
        out[int(account_id)].append(
            _Arr(
                id=int(aid),
                account_id=int(account_id),
                kind=kind,
                stored_status=status,
                total_cents=int(total),
                discount_cents=int(discount or 0),
                every=every,
                created_at=created_at,
                created_on=_office_day(ctx, created_at),
                created_by=by,
                approved_by=approved,
                status_changed_at=from_db(changed),
            )
        )
    by_id: dict[int, _Arr] = {}
    for arrs in out.values():
        for older, newer in pairwise(arrs):
            older.superseded_by = newer.id
            older.superseded_on = newer.created_on
        for a in arrs:
            if installments == "all" or a.current:
                by_id[a.id] = a
    for chunk in _chunks(sorted(by_id)):
        for arrangement_id, number, due, amount in fetch(_INSTALLMENTS_SQL, [chunk]):
            due_on = date_from_db(due)
            assert due_on is not None
            by_id[int(arrangement_id)].installments.append((int(number), due_on, int(amount)))
    return out


def _load_payments(ctx: Context, ids: Iterable[int]) -> dict[int, list[tuple[date, int]]]:
    """Payments received (positive cents) by account, posted on or before today."""
    id_list = sorted(set(ids))
    out: dict[int, list[tuple[date, int]]] = defaultdict(list)
    if not id_list:
        return out
    for account_id, posted, amount in fetch(
        _PAYMENTS_SQL, [id_list, sorted(PAYMENT_KINDS), ctx.today()]
    ):
        posted_on = date_from_db(posted)
        assert posted_on is not None
        out[int(account_id)].append((posted_on, -int(amount)))
    return out


def _state(ctx: Context, a: _Arr, payments: Sequence[tuple[date, int]]) -> ArrangementState:
    end: date | None = None
    if a.stored_status == "cancelled":
        end = _office_day(ctx, a.status_changed_at) if a.status_changed_at else None
    elif a.superseded_on is not None and a.stored_status != "completed":
        end = a.superseded_on - timedelta(days=1)
    return apply_payments(
        a.installments, payments, ctx.today(), ctx.grace_days, start=a.created_on, end=end
    )


def _status(a: _Arr, state: ArrangementState) -> str:
    return state.status if a.current else a.stored_status


# ------------------------------------------------------------------------------- reads


def promises_for(ctx: Context, account_ids: Iterable[int]) -> dict[int, list[PromiseView]]:
    """Each account's promises (not cancelled), by due date, with their status for now."""
    ids = sorted(set(account_ids))
    today = ctx.today()
    out: dict[int, list[PromiseView]] = {}
    for chunk in _chunks(ids):
        promises = _load_promises(ctx, chunk)
        payments = _load_payments(ctx, promises)
        for account_id, items in promises.items():
            paid = payments.get(account_id, [])
            views = []
            for p in items:
                st = promise_status(
                    p.amount_cents, p.made_on, p.due_on, paid, today, ctx.grace_days
                )
                views.append(
                    PromiseView(
                        id=p.id,
                        account_id=account_id,
                        amount_cents=p.amount_cents,
                        made_on=p.made_on,
                        due_on=p.due_on,
                        status=st.state,
                        paid_cents=st.paid_cents,
                        short_cents=st.short_cents,
                        grace_ends=st.grace_ends,
                        coordinator=p.coordinator,
                        phone_e164=p.phone_e164,
                    )
                )
            out[account_id] = views
    return out


def arrangements_for(ctx: Context, account_ids: Iterable[int]) -> dict[int, list[ArrangementView]]:
    """Each account's arrangements, oldest first, with their status computed for now."""
    ids = sorted(set(account_ids))
    out: dict[int, list[ArrangementView]] = {}
    for chunk in _chunks(ids):
        arrangements = _load_arrangements(ctx, chunk)
        payments = _load_payments(ctx, arrangements)
        for account_id, arrs in arrangements.items():
            paid = payments.get(account_id, [])
            out[account_id] = [_view(a, _state(ctx, a, paid)) for a in arrs]
    return out


def _view(a: _Arr, st: ArrangementState) -> ArrangementView:
    nxt = st.next_due
    return ArrangementView(
        id=a.id,
        account_id=a.account_id,
        kind=a.kind,
        status=_status(a, st),
        total_cents=a.total_cents,
        discount_cents=a.discount_cents,
        every=a.every,
        created_at=a.created_at,
        created_by=a.created_by,
        approved_by=a.approved_by,
        installments=tuple(
            InstallmentView(i.number, i.due_on, i.amount_cents, i.paid_cents, i.state, i.paid_on)
            for i in st.installments
        ),
        paid_cents=st.paid_cents,
        remaining_cents=st.remaining_cents,
        next_due_on=nxt.due_on if nxt else None,
        next_due_cents=nxt.short_cents if nxt else 0,
        overdue_cents=st.overdue_cents,
        credit_cents=st.credit_cents,
        broken_since=st.broken_since if a.current else None,
        superseded_by=a.superseded_by,
        stored_status=a.stored_status,
    )


def promise_history(ctx: Context, account_ids: Iterable[int]) -> dict[int, PromiseHistory]:
    """Per account with promises or arrangements: promises kept and missed, and whether the
    account belongs in the ``broken_promise`` tier now. One query per table per 500 ids."""
    ids = sorted(set(account_ids))
    today = ctx.today()
    grace = ctx.grace_days
    out: dict[int, PromiseHistory] = {}
    for chunk in _chunks(ids):
        promises = _load_promises(ctx, chunk)
        arrangements = _load_arrangements(ctx, chunk, installments="current")
        current = {
            account_id: a
            for account_id, arrs in arrangements.items()
            for a in arrs
            if a.current and a.stored_status in LIVE
        }
        payments = _load_payments(ctx, set(promises) | set(current))
        for account_id in sorted(set(promises) | set(arrangements)):
            paid = payments.get(account_id, [])
            items = promises.get(account_id, [])
            arranged_on = [
                a.created_on
                for a in arrangements.get(account_id, [])
                if a.stored_status != "cancelled"
            ]
            kept = missed = 0
            open_broken = False
            for p in items:
                st = promise_status(p.amount_cents, p.made_on, p.due_on, paid, today, grace)
                if st.state == "kept":
                    kept += 1
                elif st.missed:
                    missed += 1
                    superseded = (
                        any(st.grace_ends < on for on, _c in paid)
                        or any(q.made_on > p.due_on for q in items)
                        or any(on > p.due_on for on in arranged_on)
                    )
                    open_broken = open_broken or not superseded
            a = current.get(account_id)
            if a is not None and not open_broken:
                state = _state(ctx, a, paid)
                if state.status == "broken" and state.next_due is not None:
                    missed_due = state.next_due.due_on
                    open_broken = not any(q.made_on > missed_due for q in items)
            out[account_id] = PromiseHistory(kept, missed, open_broken)
    return out


def broken_accounts(ctx: Context, account_ids: Iterable[int]) -> set[int]:
    """The accounts that belong in the ``broken_promise`` tier now (see the module notes)."""
    return {i for i, h in promise_history(ctx, account_ids).items() if h.open_broken}


# ------------------------------------------------------------------------------ writes


def settlement_reference(arrangement_id: int) -> str:
    """The ledger reference of a settlement's discount write-off (one per arrangement)."""
    return f"settlement-{arrangement_id}"


def _approver(ctx: Context, account_id: int, named: str | None, reasons: Sequence[str]) -> str:
    """Who approves an offer outside policy (inside the write transaction): the actor, when
    they are a supervisor; else the supervisor whose open ``approval`` grant the actor holds
    on this account (used up). ``named``, when given, must be that supervisor."""
    why = "; ".join(reasons) or "the offer is outside policy"
    if grants.is_supervisor(ctx) and named in (None, ctx.actor):
        return ctx.actor
    if named is not None and not grants.is_supervisor(ctx, named):
        raise InputError(f"{named} is not a supervisor and cannot approve this offer ({why})")
    g = grants.use_grant(ctx, account_id, "approval")
    if g is None or (named is not None and g.granted_by != named):
        who = named or "a supervisor"
        raise InputError(
            f"this offer needs a supervisor's approval: {why}; {who} can record it or grant "
            f"it (collections-tui grant NUMBER --to {ctx.actor} --approve --reason ...)",
            list(reasons) or [why],
        )
    return str(g.granted_by)


def record_arrangement(
    ctx: Context,
    number: str,
    schedule: Schedule,
    *,
    kind: str = "plan",
    settlement: Settlement | None = None,
    approved_by: str | None = None,
    policy_check: PolicyCheck | None = None,
) -> int:
    """Store an agreed plan or settlement with its installments; returns its id.

    ``policy_check`` is the check the offer was built with (the creditor's policy); without
    one, the creditor's policy (``ctx.policy_for``) is checked against the account's balance.
    An offer that needs approval is refused (:class:`InputError` naming every broken rule)
    unless ``approved_by`` names the supervisor who approved it. The account's ``active``
    arrangement, if any, is cancelled as replaced by this one.
    """
    if kind not in KINDS:
        raise InputError(f"unknown arrangement kind '{kind}' (expected plan or settlement)")
    if not schedule.installments:
        raise InputError("an arrangement needs at least one installment")
    if kind == "settlement" and settlement is None:
        raise InputError("a settlement arrangement needs the settlement terms")
    if kind == "plan" and settlement is not None:
        raise InputError("settlement terms were given for a plan; use kind 'settlement'")
    if settlement is not None and schedule.total_cents != settlement.settlement_cents:
        raise InputError(
            f"the schedule totals {format_amount(schedule.total_cents)}, not the settlement "
            f"amount {format_amount(settlement.settlement_cents)}"
        )
    approver = (approved_by or "").strip() or None
    today = ctx.today()
    first_due = min(i.due_on for i in schedule.installments)
    if first_due < today:
        raise InputError(
            f"the first installment is due {first_due.isoformat()}, before today "
            f"({today.isoformat()})"
        )
    if any(i.amount_cents <= 0 for i in schedule.installments):
        raise InputError("every installment must be more than 0.00")
    # Each installment is paid as an amount someone enters: each within the bound.
    within_bounds(amounts=(i.amount_cents for i in schedule.installments), dates=[first_due])
    db = database.obj
    with write_transaction(db):
        account_id = ledger.account_id_for(number)
        acct: Any = Account.select(Account.balance_cents, Account.status, Account.creditor).where(
            Account.id == account_id
        )
        balance, status, creditor = next(tuples(acct))
        balance = int(balance)
        if status == "closed":
            raise InputError(f"account {number} is closed")
        if balance <= 0:
            raise InputError(f"account {number} has no balance to arrange")
        if settlement is not None and settlement.balance_cents != balance:
            raise InputError(
                f"the settlement was worked out on a balance of "
                f"{format_amount(settlement.balance_cents)}, but account {number} now owes "
                f"{format_amount(balance)}; work it out again"
            )
        check = policy_check
        if check is None:
            policy = ctx.policy_for(str(creditor))  # the creditor's own policy, or the default
            check = (
                check_settlement(settlement, policy)
                if settlement is not None
                else check_schedule(schedule, policy, balance)
            )
        if check.needs_approval:
            approver = _approver(ctx, account_id, approver, check.reasons)
        elif approver is not None and not grants.is_supervisor(ctx, approver):
            raise InputError(f"{approver} is not a supervisor and cannot approve arrangements")
        now = to_db(ctx.now())
        arrangement_id = int(
            Arrangement.insert(
                account=account_id,
                kind=kind,
                status="active",
                total_cents=schedule.total_cents,
                discount_cents=settlement.discount_cents if settlement is not None else 0,
                every=schedule.every if schedule.count > 1 else None,
                created_at=now,
                created_by=ctx.actor,
                approved_by=approver,
            ).execute()
        )
        Installment.insert_many(
            [
                {
                    "arrangement": arrangement_id,
                    "number": i.number,
                    "due_on": i.due_on,
                    "amount_cents": i.amount_cents,
                }
                for i in schedule.installments
            ]
        ).execute()
        replaced: Any = Arrangement.select(Arrangement.id).where(
            (Arrangement.account == account_id)
            & (Arrangement.status == "active")
            & (Arrangement.id != arrangement_id)
        )
        for (old_id,) in list(tuples(replaced)):
            Arrangement.update(status="cancelled", status_changed_at=now).where(
                Arrangement.id == old_id
            ).execute()
            audit.record(
                ctx,
                "arrangement.cancel",
                account_id,
                arrangement=int(old_id),
                previous="active",
                reason=f"replaced by arrangement #{arrangement_id}",
            )
        audit.record(
            ctx,
            "arrangement.create",
            account_id,
            arrangement=arrangement_id,
            kind=kind,
            total=format_amount(schedule.total_cents),
            discount=format_amount(settlement.discount_cents) if settlement else "0.00",
            installments=schedule.count,
            first_due=schedule.first_due_on,
            every=schedule.every,
            approved_by=approver,
            outside_policy=list(check.reasons),
        )
        # A payment taken before the arrangement was keyed in counts toward it at once.
        sync_statuses(ctx, [account_id])
    return arrangement_id


def cancel_arrangement(ctx: Context, arrangement_id: int, reason: str) -> None:
    """Cancel an active or broken arrangement, with the reason, in the audit log."""
    why = input_text(reason, "the reason").strip()
    if not why:
        raise InputError("cancelling an arrangement needs a reason")
    db = database.obj
    with write_transaction(db):
        row: Any = (
            Arrangement.select(Arrangement.account)
            .where(Arrangement.id == arrangement_id)
            .tuples()
            .first()
        )
        if row is None:
            raise NotFound(f"no arrangement #{arrangement_id}")
        account_id = int(row[0])
        sync_statuses(ctx, [account_id], refresh=False)  # paid off since? then it is final
        status = Arrangement.get_by_id(arrangement_id).status
        if status not in LIVE:
            raise InputError(f"arrangement #{arrangement_id} is {status}; it cannot be cancelled")
        Arrangement.update(status="cancelled", status_changed_at=to_db(ctx.now())).where(
            Arrangement.id == arrangement_id
        ).execute()
        audit.record(
            ctx,
            "arrangement.cancel",
            account_id,
            arrangement=arrangement_id,
            previous=status,
            reason=why,
        )
        from .facts import refresh_accounts

        refresh_accounts(ctx, [account_id])


def sync_statuses(
    ctx: Context, account_ids: Iterable[int], *, refresh: bool = True
) -> list[StatusChange]:
    """Write each current arrangement's status computed for now (``status``,
    ``status_changed_at``, an ``arrangement.status`` audit event per change) and complete
    settlements whose payments cover them (write-off once; close the account at 0).

    Runs in its own write transaction, or inside the caller's. With ``refresh`` (the
    default) the queue's cached tier and score of these accounts are recomputed too.
    """
    ids = sorted(set(account_ids))
    changes: list[StatusChange] = []
    if not ids:
        return changes
    db = database.obj
    with write_transaction(db):
        for chunk in _chunks(ids):
            arrangements = _load_arrangements(ctx, chunk, installments="current", lock=True)
            todo = [
                a
                for arrs in arrangements.values()
                for a in arrs
                if a.current and a.stored_status in LIVE
            ]
            if not todo:
                continue
            payments = _load_payments(ctx, {a.account_id for a in todo})
            for a in todo:
                state = _state(ctx, a, payments.get(a.account_id, []))
                if state.status != a.stored_status:
                    _set_status(ctx, a, state)
                    changes.append(StatusChange(a.id, a.account_id, a.stored_status, state.status))
                if state.status == "completed" and a.kind == "settlement":
                    _settle(ctx, a, state)
        if refresh:
            from .facts import refresh_accounts

            refresh_accounts(ctx, ids)
    return changes


def _set_status(ctx: Context, a: _Arr, state: ArrangementState) -> None:
    Arrangement.update(status=state.status, status_changed_at=to_db(ctx.now())).where(
        Arrangement.id == a.id
    ).execute()
    detail: dict[str, Any] = {
        "arrangement": a.id,
        "kind": a.kind,
        "previous": a.stored_status,
        "status": state.status,
        "paid": format_amount(state.paid_cents),
        "total": format_amount(state.total_cents),
    }
    if state.status == "broken" and state.next_due is not None:
        detail["installment"] = state.next_due.number
        detail["due_on"] = state.next_due.due_on
        detail["short"] = format_amount(state.next_due.short_cents)
        detail["broken_since"] = state.broken_since
    if state.completed_on is not None:
        detail["completed_on"] = state.completed_on
    audit.record(ctx, "arrangement.status", a.account_id, **detail)


def _settle(ctx: Context, a: _Arr, state: ArrangementState) -> None:
    """Write off a completed settlement's discount (once) and close the account at 0."""
    reference = settlement_reference(a.id)
    if a.discount_cents > 0:
        posted = (
            LedgerEntry.select(LedgerEntry.id)
            .where((LedgerEntry.account == a.account_id) & (LedgerEntry.reference == reference))
            .exists()
        )
        if not posted:
            on = min(state.completed_on or ctx.today(), ctx.today())
            ledger.post_entry(
                ctx,
                a.account_id,
                kind="writeoff",
                amount_cents=a.discount_cents,
                posted_on=on,
                reference=reference,
                memo="settlement",
                source="settlement",
            )
    acct: Any = Account.select(Account.balance_cents, Account.status).where(
        Account.id == a.account_id
    )
    balance, status = next(tuples(acct))
    if int(balance) == 0 and status != "closed":
        Account.update(status="closed", updated_at=to_db(ctx.now())).where(
            Account.id == a.account_id
        ).execute()
        audit.record(ctx, "account.close", a.account_id, reason="settlement", arrangement=a.id)
