"""Issue 4's two flows end to end: an arrangement agreed on a call is completed by payments
through `pay` and an imported file; a missed installment moves the account up the queue on
the day its grace ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from peewee import Database

from collections_tui.domain.arrangements import schedule_by_count
from collections_tui.services.arrangements import arrangements_for, record_arrangement
from collections_tui.services.calls import record_call
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.importer import import_file
from collections_tui.services.ledger import account_id_for, pay, verify_balances
from collections_tui.services.queue import build_queue
from tests.factories import make_account

CALL = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday 12:00 Eastern


def at(ctx: Context, when: datetime) -> Context:
    return replace(ctx, clock=FixedClock(when))


def test_arrangement_on_a_call_completed_by_pay_and_import(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    ctx = at(ctx, CALL)
    make_account(ctx, "F-1", balance_cents=30_000)
    record_call(ctx, "F-1", "arrangement", note="3 x $100, first today")
    plan = schedule_by_count(30_000, 3, date(2026, 11, 25), "month")
    arrangement_id = record_arrangement(ctx, "F-1", plan)

    pay(at(ctx, CALL), "F-1", 10_000, on=date(2026, 11, 25), reference="P1")
    later = at(ctx, datetime(2026, 12, 26, 17, 0, tzinfo=UTC))
    pay(later, "F-1", 10_000, on=date(2026, 12, 26), reference="P2")
    (view,) = arrangements_for(later, [account_id_for("F-1")])[account_id_for("F-1")]
    assert (view.status, view.paid_cents, view.next_due_on) == ("active", 20_000, date(2027, 1, 25))

    f = tmp_path / "payments.csv"
    f.write_text(
        "account_number,posted_on,kind,amount,reference\nF-1,2027-01-20,payment,100.00,P3\n",
        encoding="utf-8",
    )
    end = at(ctx, datetime(2027, 1, 21, 17, 0, tzinfo=UTC))
    import_file(end, "transactions", f)
    (view,) = arrangements_for(end, [account_id_for("F-1")])[account_id_for("F-1")]
    assert view.id == arrangement_id
    assert (view.status, view.paid_cents, view.remaining_cents) == ("completed", 30_000, 0)
    assert verify_balances() == []


def test_missed_installment_moves_the_account_up_on_the_right_day(
    db: Database, ctx: Context
) -> None:
    ctx = at(ctx, CALL)
    make_account(ctx, "BIG", balance_cents=2_500_000)  # would otherwise be first
    make_account(ctx, "F-2", balance_cents=20_000)
    record_call(ctx, "F-2", "arrangement")
    record_arrangement(ctx, "F-2", schedule_by_count(20_000, 2, date(2026, 12, 1), "month"))

    def first_row(when: datetime) -> tuple[str, str]:
        rows = build_queue(at(ctx, when), limit=5).rows
        return rows[0].account_number, rows[0].tier

    # Installment due Tue 1 Dec, grace 3 days: still only missed-in-grace on Fri 4 Dec
    assert first_row(datetime(2026, 12, 4, 17, 0, tzinfo=UTC)) == ("BIG", "scored")
    # Sat 5 Dec the grace has passed: broken_promise tier, above every scored account
    assert first_row(datetime(2026, 12, 5, 17, 0, tzinfo=UTC)) == ("F-2", "broken_promise")
