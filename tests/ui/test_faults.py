"""The workstation survives what the command line survives: another program holding the
write lock, a read-only database, a database fault — each shown in one line, the session
going on."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from peewee import Database
from textual.widgets import Static

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.database import DatabaseDamaged
from collections_tui.store.db import close_database, open_database
from collections_tui.store.models import Lease
from collections_tui.ui.app import WorkstationApp
from collections_tui.ui.backend import Backend
from collections_tui.ui.screens.account import AccountScreen
from collections_tui.ui.widgets.queue_view import QueueView
from tests.factories import make_account
from tests.faults import reopen, write_lock_held
from tests.ui.conftest import AppRunner, settle

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # noon in New York


async def test_the_workstation_starts_while_another_program_is_writing(
    db: Database,
    db_url: str,
    ctx: Context,
    workstation: AppRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its first queue read would run the daily tier sweep, a write: skipped at once while
    the lock is held (before, it waited the busy timeout and crashed the workstation)."""
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "W-1", name="Ann Lee", balance_cents=90_000)
    reopen(db_url, monkeypatch, busy_timeout_s=20)
    with write_lock_held(db_url):
        started = time.monotonic()
        async with workstation(context=ctx) as (app, _pilot):
            assert app.is_running
            assert [r.account_number for r in app.screen.query_one(QueueView).rows] == ["W-1"]
        assert time.monotonic() - started < 10


async def test_a_database_fault_reading_the_queue_is_one_line_not_a_crash(
    db: Database, ctx: Context, workstation: AppRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault = DatabaseDamaged("the database x.db is damaged (malformed); restore it from a backup")

    def damaged(self: Backend, *args: object) -> object:
        raise fault

    monkeypatch.setattr(Backend, "queue_page", damaged)
    async with workstation() as (app, pilot):
        assert app.is_running
        status = app.screen.query_one("#queue-status", Static)
        assert str(status.render()) == str(fault)
        assert app.screen.query_one(QueueView).empty_text == str(fault)
        await pilot.press("r")  # and again: still one line, still running
        await settle(pilot)
        assert app.is_running


async def test_a_read_only_database_opens_with_a_banner_and_accounts_can_be_read(
    tmp_path: Path, ctx: Context
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    url = f"sqlite:///{tmp_path / 'collections.db'}"
    open_database(url)
    make_account(ctx, "V-1", name="[b]Vera[/b] Holt", balance_cents=90_000)
    close_database()
    open_database(f"{url}?mode=ro")
    try:
        app = WorkstationApp(ctx)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            banner = app.screen.query_one("#queue-read-only", Static)
            assert str(banner.render()) == (
                "Read-only database (it was opened with ?mode=ro): you can look; "
                "nothing can be saved."
            )
            assert [r.account_number for r in app.screen.query_one(QueueView).rows] == ["V-1"]
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AccountScreen) and app.screen.number == "V-1"
            assert app.screen.opened is not None and not app.screen.opened.leased
            assert app.is_running
            app.hang_up()
        app.backend.shutdown()
        assert Lease.select().count() == 0
    finally:
        close_database()
