from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from peewee import Database

from collections_tui.domain.arrangements import (
    ArrangementPolicy,
    Schedule,
    check_schedule,
    schedule_by_count,
    settle_percent,
)
from collections_tui.services.arrangements import (
    arrangements_for,
    broken_accounts,
    cancel_arrangement,
    promise_history,
    promises_for,
    record_arrangement,
    settlement_reference,
    sync_statuses,
)
from collections_tui.services.calls import record_call
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError, NotFound
from collections_tui.services.grants import grant
from collections_tui.services.ledger import pay, verify_balances
from collections_tui.services.team import ensure_coordinator
from collections_tui.store.models import (
    Account,
    Arrangement,
    AuditEvent,
    Installment,
    LedgerEntry,
)
from tests.factories import make_account


def on(ctx: Context, day: date) -> Context:
    """The same context on another office day (15:00 UTC: 10:00 in New York)."""
    return replace(ctx, clock=FixedClock(datetime(day.year, day.month, day.day, 15, tzinfo=UTC)))


def actions(account_id: int | None = None) -> list[str]:
    q = AuditEvent.select().order_by(AuditEvent.id)
    if account_id is not None:
        q = q.where(AuditEvent.account == account_id)
    return [a.action for a in q]


def audit_details(action: str) -> list[dict[str, object]]:
    q = AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [json.loads(a.detail) for a in q]


def promise(ctx: Context, number: str, cents: int, due: date) -> None:
    """A promise made on an inbound call (never blocked by the calling rules)."""
    record_call(ctx, number, "promise", promise_cents=cents, promise_on=due, inbound=True)


PLAN_FIRST = date(2026, 12, 1)  # the clock's today is Friday 2026-11-27


def three_months(balance: int = 30_000) -> Schedule:
    return schedule_by_count(balance, 3, PLAN_FIRST)  # Dec 1, Jan 1, Feb 1


# ------------------------------------------------------------------------- recording


def test_record_arrangement_stores_installments_and_is_audited(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    arrangement_id = record_arrangement(ctx, "A-1", three_months())
    row = Arrangement.get_by_id(arrangement_id)
    assert (row.kind, row.status, row.total_cents, row.discount_cents, row.every) == (
        "plan",
        "active",
        30_000,
        0,
        "month",
    )
    assert row.created_by == "tester"
    assert [
        (i.number, str(i.due_on), i.amount_cents)
        for i in Installment.select().order_by(Installment.number)
    ] == [(1, "2026-12-01", 10_000), (2, "2027-01-01", 10_000), (3, "2027-02-01", 10_000)]
    assert "arrangement.create" in actions(acct)

    (view,) = arrangements_for(ctx, [acct])[acct]
    assert view.status == "active"
    assert (view.next_due_on, view.next_due_cents) == (PLAN_FIRST, 10_000)
    assert view.overdue_cents == 0
    assert [i.state for i in view.installments] == ["unpaid"] * 3
    assert arrangements_for(ctx, [999]) == {}


def boss_aware(ctx: Context, boss: Context) -> Context:
    """The coordinator's context in a team whose config names ``boss`` a supervisor."""
    return replace(ctx, supervisors=boss.supervisors)


def test_offer_outside_policy_needs_an_approver(db: Database, ctx: Context) -> None:
    make_account(ctx, "A-1", balance_cents=30_000)
    long_plan = schedule_by_count(30_000, 24, PLAN_FIRST)  # 24 months of $12.50
    with pytest.raises(InputError, match="supervisor's approval: term 24 months") as err:
        record_arrangement(ctx, "A-1", long_plan)
    assert any("smaller than the $25.00 minimum" in line for line in err.value.lines)
    assert Arrangement.select().count() == 0
    assert Installment.select().count() == 0

    check = check_schedule(long_plan, ArrangementPolicy(), 30_000)
    with pytest.raises(InputError, match="approval"):
        record_arrangement(ctx, "A-1", long_plan, policy_check=check, approved_by="  ")
    # Naming a supervisor is not an approval: the supervisor acts in their own session.
    boss = replace(ctx, actor="sam.supervisor", supervisors=frozenset({"sam.supervisor"}))
    with pytest.raises(InputError, match=r"sam\.supervisor can record it or grant it"):
        record_arrangement(
            boss_aware(ctx, boss),
            "A-1",
            long_plan,
            policy_check=check,
            approved_by="sam.supervisor",
        )
    with pytest.raises(InputError, match="tester is not a supervisor"):
        record_arrangement(ctx, "A-1", long_plan, policy_check=check, approved_by="tester")
    assert Arrangement.select().count() == 0
    arrangement_id = record_arrangement(boss, "A-1", long_plan, policy_check=check)
    assert Arrangement.get_by_id(arrangement_id).approved_by == "sam.supervisor"
    (created,) = audit_details("arrangement.create")
    assert created["approved_by"] == "sam.supervisor"
    assert created["outside_policy"] == list(check.reasons)

    # The creditor's own, looser policy, passed as the check, needs no approval.
    loose = ArrangementPolicy(max_term_months=36, min_installment_cents=1_000)
    other = make_account(ctx, "A-2", balance_cents=30_000)
    record_arrangement(ctx, "A-2", long_plan, policy_check=check_schedule(long_plan, loose, 30_000))
    assert arrangements_for(ctx, [other])[other][0].approved_by is None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("past", "before today"),
        ("closed", "is closed"),
        ("unknown", "no account 'NOPE'"),
        ("kind", "unknown arrangement kind"),
        ("terms", "needs the settlement terms"),
    ],
)
def test_bad_arrangements_are_refused(db: Database, ctx: Context, case: str, message: str) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    number, schedule, kind = "A-1", three_months(), "plan"
    if case == "past":
        schedule = schedule_by_count(30_000, 3, date(2026, 11, 26))
    elif case == "closed":
        Account.update(status="closed").where(Account.id == acct).execute()
    elif case == "unknown":
        number = "NOPE"
    elif case == "kind":
        kind = "lease"
    elif case == "terms":
        kind = "settlement"
    with pytest.raises(InputError, match=message):
        record_arrangement(ctx, number, schedule, kind=kind)
    assert Arrangement.select().count() == 0


def test_a_new_arrangement_replaces_the_active_one(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    first = record_arrangement(ctx, "A-1", three_months())
    pay(ctx, "A-1", 5_000)  # toward the first plan
    later = on(ctx, date(2026, 11, 30))
    second = record_arrangement(later, "A-1", schedule_by_count(25_000, 5, PLAN_FIRST))
    assert Arrangement.get_by_id(first).status == "cancelled"
    cancels = audit_details("arrangement.cancel")
    assert cancels == [
        {"arrangement": first, "previous": "active", "reason": f"replaced by arrangement #{second}"}
    ]
    old, new = arrangements_for(later, [acct])[acct]
    assert (old.id, old.status, old.superseded_by, old.paid_cents) == (
        first,
        "cancelled",
        second,
        5_000,
    )
    assert (new.id, new.status, new.paid_cents) == (second, "active", 0)


# -------------------------------------------------------------------- payments → status


def test_payments_through_pay_complete_the_plan(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    arrangement_id = record_arrangement(ctx, "A-1", three_months())

    pay(ctx, "A-1", 15_000)
    sync_statuses(ctx, [acct])  # what every payment does (a no-op once pay does it itself)
    assert Arrangement.get_by_id(arrangement_id).status == "active"
    (view,) = arrangements_for(ctx, [acct])[acct]
    assert view.status == "active"
    assert [(i.state, i.paid_cents) for i in view.installments] == [
        ("paid", 10_000),
        ("partially_paid", 5_000),
        ("unpaid", 0),
    ]
    assert (view.next_due_on, view.next_due_cents) == (date(2027, 1, 1), 5_000)
    assert view.credit_cents == 15_000  # all of it is ahead of the schedule on Nov 27

    january = on(ctx, date(2027, 1, 2))
    pay(january, "A-1", 15_000)
    sync_statuses(january, [acct])
    row = Arrangement.get_by_id(arrangement_id)
    assert row.status == "completed"
    assert row.status_changed_at is not None
    (status_event,) = audit_details("arrangement.status")
    assert status_event["previous"] == "active" and status_event["status"] == "completed"
    assert sync_statuses(january, [acct]) == []  # nothing left to change
    assert arrangements_for(january, [acct])[acct][0].next_due_on is None
    # A completed plan is not a cash settlement: the account stays open.
    assert Account.get_by_id(acct).status == "open"


def test_missed_installment_breaks_the_plan_the_day_after_grace(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    arrangement_id = record_arrangement(ctx, "A-1", three_months())
    pay(on(ctx, date(2026, 11, 30)), "A-1", 4_000)  # part of the Dec 1 installment

    last_day = on(ctx, date(2026, 12, 4))  # Dec 1 + 3 days of grace
    assert broken_accounts(last_day, [acct]) == set()
    assert sync_statuses(last_day, [acct]) == []
    (view,) = arrangements_for(last_day, [acct])[acct]
    assert (view.status, view.overdue_cents) == ("active", 6_000)

    day_after = on(ctx, date(2026, 12, 5))
    assert broken_accounts(day_after, [acct]) == {acct}  # computed: no sync needed
    (view,) = arrangements_for(day_after, [acct])[acct]
    assert (view.status, view.broken_since, view.stored_status) == (
        "broken",
        date(2026, 12, 5),
        "active",
    )
    changes = sync_statuses(day_after, [acct])
    assert [(c.old, c.new) for c in changes] == [("active", "broken")]
    assert Arrangement.get_by_id(arrangement_id).status == "broken"
    (event,) = audit_details("arrangement.status")
    assert event["installment"] == 1
    assert event["short"] == "60.00"
    assert broken_accounts(day_after, [acct]) == {acct}

    # Catching up makes it active again and takes the account out of the tier.
    dec8 = on(ctx, date(2026, 12, 8))
    pay(dec8, "A-1", 6_000)
    sync_statuses(dec8, [acct])
    assert Arrangement.get_by_id(arrangement_id).status == "active"
    assert [(e["previous"], e["status"]) for e in audit_details("arrangement.status")] == [
        ("active", "broken"),
        ("broken", "active"),
    ]
    assert broken_accounts(dec8, [acct]) == set()


def test_a_promise_to_catch_up_supersedes_the_broken_plan(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    record_arrangement(ctx, "A-1", three_months())
    dec7 = on(ctx, date(2026, 12, 7))
    assert broken_accounts(dec7, [acct]) == {acct}
    promise(dec7, "A-1", 10_000, date(2026, 12, 10))
    assert broken_accounts(dec7, [acct]) == set()
    # ...until that promise is broken in turn.
    assert broken_accounts(on(ctx, date(2026, 12, 14)), [acct]) == {acct}


def test_cancelled_arrangement(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    arrangement_id = record_arrangement(ctx, "A-1", three_months())
    with pytest.raises(InputError, match="needs a reason"):
        cancel_arrangement(ctx, arrangement_id, "  ")
    with pytest.raises(NotFound):
        cancel_arrangement(ctx, 999_999, "typo")
    cancel_arrangement(ctx, arrangement_id, "debtor filed a dispute")
    row = Arrangement.get_by_id(arrangement_id)
    assert row.status == "cancelled" and row.status_changed_at is not None
    (event,) = audit_details("arrangement.cancel")
    assert event == {
        "arrangement": arrangement_id,
        "previous": "active",
        "reason": "debtor filed a dispute",
    }
    with pytest.raises(InputError, match="is cancelled"):
        cancel_arrangement(ctx, arrangement_id, "again")

    much_later = on(ctx, date(2027, 3, 1))
    assert arrangements_for(much_later, [acct])[acct][0].status == "cancelled"
    assert broken_accounts(much_later, [acct]) == set()
    assert sync_statuses(much_later, [acct]) == []


def test_a_paid_off_plan_cannot_be_cancelled(db: Database, ctx: Context) -> None:
    make_account(ctx, "A-1", balance_cents=30_000)
    arrangement_id = record_arrangement(ctx, "A-1", three_months())
    pay(ctx, "A-1", 30_000)  # sync_statuses not called yet: cancel finds out itself
    with pytest.raises(InputError, match="is completed"):
        cancel_arrangement(ctx, arrangement_id, "changed my mind")


# ---------------------------------------------------------------------------- settlements


def test_settlement_paid_writes_off_the_discount_and_closes_the_account(
    db: Database, ctx: Context
) -> None:
    acct = make_account(ctx, "A-1", balance_cents=100_000)
    terms = settle_percent(100_000, Decimal(20))
    schedule = schedule_by_count(terms.settlement_cents, 2, PLAN_FIRST, "2weeks")
    arrangement_id = record_arrangement(ctx, "A-1", schedule, kind="settlement", settlement=terms)
    row = Arrangement.get_by_id(arrangement_id)
    assert (row.kind, row.total_cents, row.discount_cents) == ("settlement", 80_000, 20_000)

    dec1 = on(ctx, PLAN_FIRST)
    pay(dec1, "A-1", 40_000)
    sync_statuses(dec1, [acct])
    assert Arrangement.get_by_id(arrangement_id).status == "active"
    assert LedgerEntry.select().where(LedgerEntry.kind == "writeoff").count() == 0

    dec14 = on(ctx, date(2026, 12, 14))
    pay(dec14, "A-1", 40_000)
    sync_statuses(dec14, [acct])
    assert Arrangement.get_by_id(arrangement_id).status == "completed"
    (writeoff,) = LedgerEntry.select().where(LedgerEntry.kind == "writeoff")
    assert (writeoff.amount_cents, writeoff.memo, writeoff.source, writeoff.reference) == (
        -20_000,
        "settlement",
        "settlement",
        settlement_reference(arrangement_id),
    )
    assert str(writeoff.posted_on) == "2026-12-14"
    account = Account.get_by_id(acct)
    assert (account.balance_cents, account.status) == (0, "closed")
    assert verify_balances() == []
    assert "account.close" in actions(acct)

    # Idempotent: another sync (or another payment) never writes off twice.
    assert sync_statuses(on(ctx, date(2026, 12, 20)), [acct]) == []
    assert LedgerEntry.select().where(LedgerEntry.kind == "writeoff").count() == 1
    assert Arrangement.get_by_id(arrangement_id).status == "completed"


def test_settlement_in_one_payment_today(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=50_000)
    terms = settle_percent(50_000, Decimal(10))
    record_arrangement(
        ctx,
        "A-1",
        schedule_by_count(terms.settlement_cents, 1, ctx.today()),
        kind="settlement",
        settlement=terms,
    )
    pay(ctx, "A-1", 45_000)
    sync_statuses(ctx, [acct])
    account = Account.get_by_id(acct)
    assert (account.balance_cents, account.status) == (0, "closed")
    assert verify_balances() == []
    assert arrangements_for(ctx, [acct])[acct][0].status == "completed"


def test_bad_settlements_are_refused(db: Database, ctx: Context) -> None:
    make_account(ctx, "A-1", balance_cents=50_000)
    stale = settle_percent(60_000, Decimal(10))
    with pytest.raises(InputError, match="work it out again"):
        record_arrangement(
            ctx,
            "A-1",
            schedule_by_count(stale.settlement_cents, 1, ctx.today()),
            kind="settlement",
            settlement=stale,
        )
    terms = settle_percent(50_000, Decimal(10))
    with pytest.raises(InputError, match=r"not the settlement amount 450\.00"):
        record_arrangement(
            ctx,
            "A-1",
            schedule_by_count(50_000, 1, ctx.today()),
            kind="settlement",
            settlement=terms,
        )
    with pytest.raises(InputError, match="use kind 'settlement'"):
        record_arrangement(ctx, "A-1", schedule_by_count(45_000, 1, ctx.today()), settlement=terms)
    deep = settle_percent(50_000, Decimal(25))  # the default policy allows 20%
    deep_schedule = schedule_by_count(deep.settlement_cents, 1, ctx.today())
    with pytest.raises(InputError, match=r"approval: settlement discount 25% \(\$125.00\)"):
        record_arrangement(ctx, "A-1", deep_schedule, kind="settlement", settlement=deep)
    assert Arrangement.select().count() == 0
    ensure_coordinator(ctx)
    boss = replace(ctx, actor="sam", supervisors=frozenset({"sam"}))
    grant(boss, "A-1", "tester", "approval", "hardship letter on file")
    coordinator = boss_aware(ctx, boss)
    arrangement_id = record_arrangement(
        coordinator, "A-1", deep_schedule, kind="settlement", settlement=deep
    )
    assert Arrangement.get_by_id(arrangement_id).approved_by == "sam"
    # A grant is used once.
    with pytest.raises(InputError, match="approval"):
        record_arrangement(coordinator, "A-1", deep_schedule, kind="settlement", settlement=deep)
    assert Arrangement.get_by_id(arrangement_id).discount_cents == 12_500


# ------------------------------------------------------------------------------- promises


def test_promise_statuses_over_time(db: Database, ctx: Context) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    promise(ctx, "A-1", 5_000, PLAN_FIRST)

    (p,) = promises_for(ctx, [acct])[acct]
    assert (p.amount_cents, p.due_on, p.status, p.grace_ends, p.coordinator) == (
        5_000,
        PLAN_FIRST,
        "pending",
        date(2026, 12, 4),
        "tester",
    )
    assert p.made_on == date(2026, 11, 27)
    assert promises_for(on(ctx, date(2026, 12, 4)), [acct])[acct][0].status == "pending"
    assert broken_accounts(on(ctx, date(2026, 12, 4)), [acct]) == set()
    # --now shows the broken promise of the day after grace today, with no job run.
    dec5 = on(ctx, date(2026, 12, 5))
    assert promises_for(dec5, [acct])[acct][0].status == "broken"
    assert broken_accounts(dec5, [acct]) == {acct}
    assert promise_history(dec5, [acct])[acct].missed == 1


def test_partially_kept_promise_is_in_the_broken_tier_until_a_later_payment(
    db: Database, ctx: Context
) -> None:
    acct = make_account(ctx, "A-1", balance_cents=30_000)
    promise(ctx, "A-1", 5_000, PLAN_FIRST)
    pay(on(ctx, date(2026, 12, 3)), "A-1", 2_000)
    dec5 = on(ctx, date(2026, 12, 5))
    (p,) = promises_for(dec5, [acct])[acct]
    assert (p.status, p.paid_cents, p.short_cents) == ("partially_kept", 2_000, 3_000)
    assert broken_accounts(dec5, [acct]) == {acct}
    dec6 = on(ctx, date(2026, 12, 6))
    pay(dec6, "A-1", 500)  # any payment after grace: the debtor is paying again
    assert broken_accounts(dec6, [acct]) == set()
    assert promises_for(dec6, [acct])[acct][0].status == "partially_kept"  # history stays


def test_kept_promise_and_newer_promise(db: Database, ctx: Context) -> None:
    kept = make_account(ctx, "A-1", balance_cents=30_000)
    promise(ctx, "A-1", 5_000, PLAN_FIRST)
    pay(ctx, "A-1", 5_000)  # early
    assert promises_for(ctx, [kept])[kept][0].status == "kept"

    renegotiated = make_account(ctx, "A-2", balance_cents=30_000)
    promise(ctx, "A-2", 5_000, PLAN_FIRST)
    dec8 = on(ctx, date(2026, 12, 8))
    assert broken_accounts(dec8, [kept, renegotiated]) == {renegotiated}
    promise(dec8, "A-2", 2_500, date(2026, 12, 15))
    assert broken_accounts(dec8, [kept, renegotiated]) == set()
    history = promise_history(dec8, [kept, renegotiated])
    assert (history[kept].kept, history[kept].missed) == (1, 0)
    assert (history[renegotiated].kept, history[renegotiated].missed) == (0, 1)
    # An arrangement made after the due date supersedes a broken promise too.
    third = make_account(ctx, "A-3", balance_cents=30_000)
    promise(ctx, "A-3", 5_000, PLAN_FIRST)
    assert broken_accounts(dec8, [third]) == {third}
    record_arrangement(dec8, "A-3", schedule_by_count(30_000, 3, date(2026, 12, 15)))
    assert broken_accounts(dec8, [third]) == set()


def test_broken_accounts_over_many_chunks(db: Database, ctx: Context) -> None:
    a = make_account(ctx, "A-1", balance_cents=30_000)
    b = make_account(ctx, "A-2", balance_cents=30_000)
    promise(ctx, "A-1", 5_000, PLAN_FIRST)
    record_arrangement(ctx, "A-2", three_months())
    ids = [*range(10_000, 10_600), a, b]  # unknown ids are fine
    assert broken_accounts(on(ctx, date(2026, 12, 5)), ids) == {a, b}
    assert broken_accounts(ctx, []) == set()


def test_without_a_check_the_creditors_own_policy_is_applied(db: Database, ctx: Context) -> None:
    loose = ArrangementPolicy(max_term_months=36, min_installment_cents=1_000)
    ctx = replace(ctx, creditor_policies={"Lakeside Family Medicine": loose})
    make_account(ctx, "L-1", balance_cents=30_000)  # the factory's creditor: Lakeside
    make_account(ctx, "O-1", balance_cents=30_000, creditor="Other Clinic")
    long_plan = schedule_by_count(30_000, 24, PLAN_FIRST)
    assert record_arrangement(ctx, "L-1", long_plan) > 0
    with pytest.raises(InputError, match="supervisor's approval"):
        record_arrangement(ctx, "O-1", long_plan)
