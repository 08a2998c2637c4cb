"""The whole call loop, by keys, asserting what the database holds afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.models import Contact, Lease, Note
from collections_tui.ui.screens.account import AccountScreen
from collections_tui.ui.widgets.queue_view import QueueView
from tests.factories import make_account
from tests.ui.conftest import AppRunner, settle

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # noon in New York


async def test_open_record_no_answer_with_note_and_go_next(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1", name="Ann Lee", balance_cents=90_000)
    make_account(ctx, "A-2", name="Bo Chan", balance_cents=10_000, phones=("212-555-0144",))
    async with workstation(context=ctx) as (app, pilot):
        view = app.screen.query_one(QueueView)
        assert [r.account_number for r in view.rows] == ["A-1", "A-2"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.number == "A-1"
        assert Lease.get().coordinator == "tester"
        await pilot.press("o", "1")
        await pilot.press(*"left a message")
        await pilot.press("ctrl+n")
        await settle(pilot)
        contact = Contact.get()
        assert (contact.outcome, contact.coordinator) == ("no_answer", "tester")
        assert Note.get().body == "left a message"
        assert isinstance(app.screen, AccountScreen) and app.screen.number == "A-2"
        (lease,) = Lease.select()
        assert (lease.account.number, lease.coordinator) == ("A-2", "tester")
