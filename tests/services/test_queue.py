"""The call engine through its services, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database

from collections_tui.domain import compliance as c
from collections_tui.domain.flags import Flag
from collections_tui.services.calls import record_call
from collections_tui.services.clock import FixedClock
from collections_tui.services.consent import add_avoid, record_consent
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.facts import load_facts, refresh_accounts
from collections_tui.services.queue import build_queue
from collections_tui.store.db import write_transaction
from collections_tui.store.models import (
    Account,
    AuditEvent,
    Callback,
    Consent,
    Contact,
    Note,
    Phone,
    Promise,
    database,
)
from tests.factories import make_account

MIDDAY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wed 12:00 Eastern, 09:00 Pacific


def at(ctx: Context, instant: datetime) -> Context:
    return replace(ctx, clock=FixedClock(instant))


def refresh_all(ctx: Context) -> None:
    with write_transaction(database.obj):
        refresh_accounts(ctx, [a.id for a in Account.select(Account.id)])


def numbers(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.account_number for r in result.rows]


def test_queue_orders_by_score_and_only_offers_callable(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "BIG", balance_cents=2_000_000, due_date=date(2026, 9, 1))
    make_account(ctx, "SMALL", balance_cents=5_000, due_date=date(2026, 9, 1))
    make_account(ctx, "OLD", balance_cents=5_000, due_date=date(2025, 9, 1))
    make_account(ctx, "CEASED", balance_cents=9_000_000, flags=Flag.CEASE)
    make_account(ctx, "NOT-DUE", balance_cents=9_000_000, due_date=date(2026, 12, 20))
    make_account(ctx, "CREDIT", balance_cents=-5_000)
    make_account(ctx, "NOPHONE", balance_cents=9_000_000, phones=())
    refresh_all(ctx)
    result = build_queue(ctx, limit=10)
    assert numbers(result) == ["BIG", "OLD", "SMALL"]
    assert all(r.callable and r.reason == "ok" for r in result.rows)
    assert result.rows[0].score > result.rows[1].score > result.rows[2].score

    with_blocked = build_queue(ctx, limit=10, include_blocked=True)
    blocked = {r.account_number: r.reason for r in with_blocked.rows if not r.callable}
    assert blocked == {"CEASED": "cease", "NOPHONE": "no_dialable_phone"}
    assert [r.rank for r in with_blocked.rows] == list(range(1, 6))


def test_empty_queue_says_why_and_when(db: Database, ctx: Context) -> None:
    night = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 01:00 Eastern, 22:00 Pacific
    ctx = at(ctx, night)
    for n in range(3):
        make_account(ctx, f"NY-{n}", phones=(f"212-555-014{n}",))
    refresh_all(ctx)
    result = build_queue(ctx, limit=50)
    assert result.rows == []
    assert result.blocked[0].reason == "outside_hours"
    assert result.blocked[0].count == 3
    assert result.blocked[0].next_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert result.explanation is not None
    assert "3 outside calling hours — next at 08:00 EST" in result.explanation


def test_hawaii_is_callable_when_the_mainland_is_not(db: Database, ctx: Context) -> None:
    late = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)  # 23:30 Eastern, 18:30 Honolulu
    ctx = at(ctx, late)
    make_account(ctx, "HI", phones=("808-555-0100",), state="HI")
    make_account(ctx, "NY", phones=("212-555-0143",), state="NY")
    make_account(ctx, "SPLIT", phones=("808-555-0101",), state="NY")  # moved, kept mobile
    refresh_all(ctx)
    result = build_queue(ctx, limit=50, include_blocked=True)
    by = {r.account_number: r for r in result.rows}
    assert by["HI"].callable and by["HI"].local_time == "18:30 HST"
    assert by["NY"].reason == "outside_hours"
    assert by["SPLIT"].reason == "outside_hours"


def test_seven_attempts_then_capped_until_the_week_rolls(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "CAP")
    for day in range(7):
        when = MIDDAY - timedelta(days=6) + timedelta(days=day)
        record_call(at(ctx, when), "CAP", "no_answer", at=when)
    result = build_queue(ctx, limit=5, include_blocked=True)
    (row,) = result.rows
    assert (row.callable, row.reason) == (False, "frequency_cap")
    assert row.next_callable_at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thu 08:00 EST
    account = Account.get(Account.number == "CAP")
    assert account.blocked_reason == "frequency_cap"
    # the eighth call is refused without an override reason, and nothing is written
    with pytest.raises(InputError, match="frequency_cap"):
        record_call(ctx, "CAP", "no_answer")
    assert Contact.select().count() == 7


def test_busy_does_not_count(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "BUSY")
    for day in range(7):
        when = MIDDAY - timedelta(days=6) + timedelta(days=day)
        record_call(at(ctx, when), "BUSY", "busy", at=when)
    assert numbers(build_queue(ctx, limit=5)) == ["BUSY"]


def test_conversation_blocks_for_a_week(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "TALK")
    record_call(ctx, "TALK", "conversation", note="Will pay Friday")
    later = at(ctx, MIDDAY + timedelta(hours=1))
    (row,) = build_queue(later, limit=5, include_blocked=True).rows
    assert row.reason == "recent_conversation"
    assert row.next_callable_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # next Wed 08:00
    assert Note.get().body == "Will pay Friday"


def test_wrong_number_marks_phone_bad_and_dispute_sets_flag(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "W", phones=("212-555-0143", "917-555-0100"))
    record_call(ctx, "W", "wrong_number", phone="(212) 555-0143")
    statuses = {p.e164: p.status for p in Phone.select()}
    assert statuses == {"+12125550143": "bad", "+19175550100": "ok"}
    record_call(at(ctx, MIDDAY + timedelta(minutes=5)), "W", "dispute", phone="917-555-0100")
    assert Account.get().flags & Flag.DISPUTE
    row = build_queue(at(ctx, MIDDAY + timedelta(days=9)), limit=5, include_blocked=True).rows[0]
    assert row.reason == "dispute"


def test_callback_is_stored_in_utc_and_is_consent_for_its_day(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "CB")
    cb_at = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)  # Fri 14:30 Eastern
    record_call(ctx, "CB", "callback_requested", callback_at=cb_at, note="call Friday 2:30")
    callback = Callback.get()
    assert callback.due_at == cb_at.replace(tzinfo=None)
    assert Consent.get().callback_at == cb_at.replace(tzinfo=None)
    # Thursday: the conversation's wait still blocks
    thu = at(ctx, datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    assert build_queue(thu, limit=5, include_blocked=True).rows[0].reason == "recent_conversation"
    # Friday at the callback time: tier 1, callable under the callback consent
    fri = at(ctx, cb_at)
    (row,) = build_queue(fri, limit=5).rows
    assert (row.tier, row.callable) == ("callback_due", True)


def test_callback_requested_needs_a_time(db: Database, ctx: Context) -> None:
    make_account(ctx, "X")
    with pytest.raises(InputError, match="needs --callback"):
        record_call(at(ctx, MIDDAY), "X", "callback_requested")


def test_promise_is_recorded(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "P")
    record_call(ctx, "P", "promise", promise_cents=12_500, promise_on=date(2026, 12, 1))
    p = Promise.get()
    assert (p.amount_cents, p.due_on) == (12_500, date(2026, 12, 1))


def test_override_is_audited_but_never_for_cease(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "DISP", flags=Flag.DISPUTE)
    make_account(ctx, "STOP", flags=Flag.CEASE)
    rec = record_call(ctx, "DISP", "conversation", override="debtor asked us to call re: proof")
    assert rec.overridden
    event = AuditEvent.get(AuditEvent.action == "compliance.override")
    assert "proof" in event.detail and event.actor == "tester"
    with pytest.raises(InputError, match="cease cannot be overridden"):
        record_call(ctx, "STOP", "no_answer", override="please")


def test_consent_lifts_the_weekly_wait(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "C")
    record_call(ctx, "C", "conversation")
    assert build_queue(at(ctx, MIDDAY + timedelta(hours=2)), limit=5).rows == []
    record_consent(at(ctx, MIDDAY + timedelta(hours=1)), "C", note="emailed: call me anytime")
    (row,) = build_queue(at(ctx, MIDDAY + timedelta(hours=2)), limit=5).rows
    assert row.callable and row.under_consent


def test_inconvenient_times_block_in_debtor_local_time(db: Database, ctx: Context) -> None:
    ctx = at(ctx, MIDDAY)
    make_account(ctx, "AV", phones=("415-555-0100",), state="CA")
    add_avoid(ctx, "AV", "mon-fri 09:00-10:00")  # 09:00 Pacific is MIDDAY
    (row,) = build_queue(ctx, limit=5, include_blocked=True).rows
    assert row.reason == "inconvenient_time"
    assert row.next_callable_at == datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


# ------------------------------------------------------------------ the pre-filter property

STATES = ["NY", "CA", "HI", "AK", "AZ", "MA", "TX", "FL", None]
PHONES = ["212-555-0143", "415-555-0100", "808-555-0100", "907-555-0100", "602-555-0100",
          "617-555-0100", "800-555-0100", "12ab"]  # fmt: skip
OUTCOMES = list(c.OUTCOMES)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    accounts=st.lists(
        st.tuples(
            st.sampled_from(STATES),
            st.lists(st.sampled_from(PHONES), min_size=0, max_size=2, unique=True),
            st.sampled_from([0, 0, 0, int(Flag.DISPUTE), int(Flag.CEASE)]),
            st.lists(
                st.tuples(st.integers(min_value=0, max_value=9 * 24), st.sampled_from(OUTCOMES)),
                max_size=9,
            ),
        ),
        min_size=1,
        max_size=8,
    ),
    hours_later=st.integers(min_value=0, max_value=8 * 24),
)
def test_queue_offers_exactly_the_accounts_the_verdict_allows(
    db: Database,
    ctx: Context,
    accounts: list[tuple[str | None, list[str], int, list[tuple[int, str]]]],
    hours_later: int,
) -> None:
    """The SQL pre-filter (cached columns, computed when events happened) never hides an
    account the verdict would allow, and the queue never offers one it refuses."""
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    for table in ("callback", "consent", "note", "contact", "ledger_entry", "phone", "account",
                  "debtor", "audit_event", "zone_set"):  # fmt: skip
        database.obj.execute_sql(f'DELETE FROM "{table}"')
    for n, (state, phones, flags, attempts) in enumerate(accounts):
        make_account(at(ctx, start), f"P{n}", state=state, phones=tuple(phones), flags=flags)
        acct_id = Account.get(Account.number == f"P{n}").id
        for offset, outcome in sorted(attempts):
            when = start + timedelta(hours=offset)
            Contact.create(
                account=acct_id, at=when.replace(tzinfo=None), outcome=outcome,
                coordinator="x", created_at=when.replace(tzinfo=None),
                phone_e164=None,
            )  # fmt: skip
    refresh_all(at(ctx, start + timedelta(hours=9 * 24)))
    now = start + timedelta(hours=9 * 24 + hours_later)
    ctx_now = at(ctx, now)
    ids = [a.id for a in Account.select(Account.id)]
    facts = load_facts(ctx_now, ids)
    expected = set()
    for item in facts.values():
        r = item.row
        due_ok = r.due_date is None or r.due_date < ctx_now.today()
        if r.balance_cents > 0 and due_ok and c.verdict(item.facts, now, ctx.policy).callable:
            expected.add(r.number)
    offered = {r.account_number for r in build_queue(ctx_now, limit=100).rows}
    assert offered == expected


def test_a_phone_the_debtor_said_is_inconvenient_is_not_dialled(db: Database, ctx: Context) -> None:
    from collections_tui.services.accounts import get_account
    from collections_tui.services.consent import mark_phone_inconvenient

    ctx = at(ctx, MIDDAY)
    make_account(ctx, "W", phones=("work:212-555-0143",))
    make_account(ctx, "TWO", phones=("212-555-0144", "212-555-0145"))
    assert mark_phone_inconvenient(ctx, "W", "(212) 555-0143", note="at work") == "+12125550143"
    mark_phone_inconvenient(ctx, "TWO", "212-555-0144")
    rows = {r.account_number: r for r in build_queue(ctx, limit=5, include_blocked=True).rows}
    assert (rows["W"].callable, rows["W"].reason) == (False, "inconvenient_time")
    assert rows["TWO"].callable  # the other phone may still be called
    phones = {p.e164: p for p in get_account(ctx, "TWO").phones}
    assert phones["+12125550144"].inconvenient and not phones["+12125550144"].dialable
    assert phones["+12125550145"].dialable
    with pytest.raises(InputError, match="has no phone"):
        mark_phone_inconvenient(ctx, "W", "212-555-0199")
    mark_phone_inconvenient(ctx, "W", "212-555-0143", inconvenient=False)
    assert build_queue(ctx, limit=5).rows[0].callable
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("avoid.phone") == 2 and "avoid.phone_clear" in actions


def test_a_time_and_a_phone_said_together_are_saved_together_or_not_at_all(
    db: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections_tui.services import audit
    from collections_tui.store.models import AvoidWindow

    ctx = at(ctx, MIDDAY)
    make_account(ctx, "W", phones=("work:212-555-0143", "212-555-0144"))
    with pytest.raises(InputError, match="has no phone"):  # not the debtor's: nothing saved
        add_avoid(ctx, "W", "sat-sun", phone="212-555-0199")
    assert AvoidWindow.select().count() == 0

    real = audit.record

    def failing(ctx: Context, action: str, *args: object, **kw: object) -> None:
        if action == "avoid.add":
            raise RuntimeError("disk full")  # the window's write fails after the phone's
        real(ctx, action, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        add_avoid(ctx, "W", "sat-sun", phone="212-555-0143")
    assert not Phone.get(Phone.e164 == "+12125550143").inconvenient  # rolled back with it
    monkeypatch.setattr(audit, "record", real)

    view = add_avoid(ctx, "W", "mon-fri 09:00-17:00", phone="(212) 555-0143", note="at work")
    assert view.spec and AvoidWindow.select().count() == 1
    assert Phone.get(Phone.e164 == "+12125550143").inconvenient
    add_avoid(ctx, "W", "sat-sun", phone="212-555-0143", phone_inconvenient=False)
    assert not Phone.get(Phone.e164 == "+12125550143").inconvenient
    assert AvoidWindow.select().count() == 2


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    callbacks=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=11),  # which account
            st.integers(min_value=-3, max_value=1),  # due, in hours from now (few: many ties)
            st.booleans(),  # done
        ),
        max_size=40,
    ),
    flagged=st.sets(st.integers(min_value=0, max_value=11), max_size=4),
    limit=st.integers(min_value=1, max_value=6),
    offset=st.integers(min_value=0, max_value=4),
    batch=st.sampled_from([1, 2, 3, 50]),
)
def test_due_callbacks_are_read_oldest_first_like_grouping_them(
    db: Database,
    ctx: Context,
    callbacks: list[tuple[int, int, bool]],
    flagged: set[int],
    limit: int,
    offset: int,
    batch: int,
) -> None:
    """Tier 1 reads callbacks in index order and stops early; it must give the accounts in
    the order of their earliest matching open due callback, then account id, as grouping
    all of them would (ties in due time across the reading batches included)."""
    from collections_tui.services.queue import _due_callbacks

    for table in ("callback", "ledger_entry", "phone", "account", "debtor", "audit_event",
                  "zone_set"):  # fmt: skip
        database.obj.execute_sql(f'DELETE FROM "{table}"')
    now = MIDDAY
    ctx = at(ctx, now)
    ids = [make_account(ctx, f"C{n}") for n in range(12)]
    with write_transaction(database.obj):
        for n in flagged:
            Account.update(flags=int(Flag.DISPUTE)).where(Account.id == ids[n]).execute()
        for n, hours, done in callbacks:
            due = (now + timedelta(hours=hours)).replace(tzinfo=None)
            Callback.create(
                account=ids[n], due_at=due, coordinator="x", created_at=due,
                done_at=due if done else None,
            )  # fmt: skip
    first: dict[int, datetime] = {}
    for n, hours, done in callbacks:
        due = now + timedelta(hours=hours)
        if done or due > now or n in flagged:
            continue
        first[ids[n]] = min(due, first.get(ids[n], due))
    expected = [a for _, a in sorted((d, a) for a, d in first.items())][offset : offset + limit]
    assert _due_callbacks(ctx, Account.flags == 0, limit, offset, batch) == expected


def test_due_callbacks_keep_ties_in_account_order_across_batches(
    db: Database, ctx: Context
) -> None:
    """Two callbacks due at the same minute, the later-created one for the lower account:
    reading one callback at a time must not give the first one read."""
    from collections_tui.services.queue import _due_callbacks

    ctx = at(ctx, MIDDAY)
    low, high = make_account(ctx, "LOW"), make_account(ctx, "HIGH")
    due = (MIDDAY - timedelta(hours=1)).replace(tzinfo=None)
    for account in (high, low):
        Callback.create(account=account, due_at=due, coordinator="x", created_at=due)
    assert _due_callbacks(ctx, Account.flags == 0, 1, 0, batch=1) == [low]
    assert _due_callbacks(ctx, Account.flags == 0, 1, 1, batch=1) == [high]
