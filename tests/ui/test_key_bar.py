"""The bottom line of keys: what it shows, at 80 columns and narrower, and clicks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.ui.backend import Backend
from collections_tui.ui.screens.account import AccountScreen
from collections_tui.ui.widgets.key_bar import KeyBar
from tests.factories import make_account
from tests.ui.conftest import AppRunner, settle

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def bar_text(app: object) -> str:
    return str(app.screen.query_one(KeyBar).render())  # type: ignore[attr-defined]


async def test_the_key_bar_follows_the_screen_and_keeps_help_when_narrow(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "KB-1")
    async with workstation(context=ctx, size=(80, 24)) as (app, pilot):
        text = bar_text(app)
        assert " ⏎ Open " in text and " n Next " in text and " / Search " in text
        assert text.rstrip().endswith("^p Commands") and " ? Help " in text
        assert "Up" not in text  # bindings not meant to be shown stay hidden
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        text = bar_text(app)
        assert " o Outcome " in text and " d Dial " in text and " ? Help " in text
        assert "Open" not in text  # the queue's keys are gone with the queue
    async with workstation(context=ctx, size=(40, 24)) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        text = bar_text(app)
        assert len(text.rstrip()) <= 40
        assert " ? Help" in text and " o Outcome " in text  # help is never crowded out
        assert "Avoid" not in text and "Consent" not in text  # what does not fit is left out


async def test_clicking_a_key_presses_it(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "KB-2")
    async with workstation(context=ctx, size=(80, 24)) as (app, pilot):
        text = bar_text(app)
        x = text.index(" ⏎ Open") + 2
        await pilot.click(KeyBar, offset=(x, 0))
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)


def test_the_first_page_of_the_queue_fills_the_terminal() -> None:
    assert Backend.page_for(24) == 20  # 80×24: the 17 rows on show, and a few more
    assert Backend.page_for(40) == 36
    assert Backend.page_for(10) == 20
    assert Backend.page_for(500) == 100


async def test_the_first_frame_hook_runs_once_with_the_rows_drawn(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from collections_tui.ui.widgets.queue_view import QueueView

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "FF-1")
    seen: list[int] = []
    async with workstation(context=ctx, on_first_frame=lambda: seen.append(1)) as (app, pilot):
        assert seen == [1]
        assert [r.account_number for r in app.screen.query_one(QueueView).rows] == ["FF-1"]
        await pilot.press("r")  # reloading the queue is not a first frame
        await settle(pilot)
        assert seen == [1]


async def test_the_account_screen_is_built_ahead_and_an_open_during_the_build_waits(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    """At idle the account screen is built off screen (the first open only fills it in);
    Enter pressed while it is being built opens the account once it is."""
    from textual.widgets import Static

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "PB-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.pause(0.5)  # the warm-up (0.3 s after the first rows) has run
        await settle(pilot)
        screen = app._account_screen
        assert screen is not None and screen.is_running and app.screen is not screen
    async with workstation(context=ctx) as (app, pilot):
        app.warm_up()  # the build starts …
        app.show_account("PB-1")  # … and Enter comes before it is done
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen is app._account_screen
        header = str(app.screen.query_one("#account-header", Static).render())
        assert header.startswith("PB-1 ·")
        assert app.current_account == "PB-1"


async def test_the_first_page_is_read_once_at_start(
    db: Database, ctx: Context, workstation: AppRunner, monkeypatch: object
) -> None:
    """The rows drawn in the first frame are not read again when the queue is first shown
    (a second read would sit on the database thread in front of the first Enter or `n`)."""
    calls: list[int] = []
    original = Backend.queue_page

    def counted(self: Backend, *args: object, **kw: object) -> object:
        calls.append(1)
        return original(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Backend, "queue_page", counted)  # type: ignore[attr-defined]
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "Q1-1")
    backend = Backend(ctx).start(24)
    assert backend.first_queue is not None
    backend.first_queue.result(timeout=10)  # read before the app starts, as the command waits
    async with workstation(context=ctx, backend=backend) as (_app, pilot):
        await pilot.pause(0.5)
        await settle(pilot)
        assert len(calls) == 1
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")  # back on the queue: it has moved on, read it again
        await settle(pilot)
        assert len(calls) == 2


async def test_a_lease_taken_by_n_during_the_build_goes_back_when_enter_wins(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from collections_tui.services.queue import Filters
    from collections_tui.store.models import Lease

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "LB-1", balance_cents=900_000)
    make_account(ctx, "LB-2", balance_cents=1_000)
    async with workstation(context=ctx) as (app, pilot):
        b = app.backend
        opened = await b.call(b.next_open, Filters(), frozenset(), [], None)
        assert opened is not None and opened.view.number == "LB-1" and opened.leased
        app.current_account = "LB-1"
        app.warm_up()  # the account screen is being built …
        app.show_account("LB-1", opened)  # … `n` arrives …
        app.show_account("LB-2")  # … then Enter on another row
        await settle(pilot)
        header = str(app.screen.query_one("#account-header").render())  # type: ignore[attr-defined]
        assert header.startswith("LB-2 ·") and app.current_account == "LB-2"
        assert [lease.account.number for lease in Lease.select()] == ["LB-2"]


def test_warming_up_never_fails_the_session(db: Database, ctx: Context) -> None:
    backend = Backend(ctx)

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("the database went away")

    backend._read = broken  # type: ignore[method-assign]
    try:
        backend.warm_up("ANY-1")  # logged, not raised
    finally:
        backend.shutdown()


async def test_n_does_not_give_a_minutes_old_top_of_the_queue(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    """Who `n` gives next is read ahead; read too long ago (a long call, a queue left on
    screen), it is not used: `n` works the queue out at the key press."""
    from collections_tui.ui.app import PREFETCH_FRESH_S

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "ST-1", balance_cents=900_000)
    make_account(ctx, "ST-2", balance_cents=1_000)
    async with workstation(context=ctx) as (app, pilot):
        await pilot.pause(0.5)
        await settle(pilot)
        # What was read ahead says ST-2 (as if ST-1 had been worked by then) …
        app.set_prefetched(["ST-2"])
        app.prefetched_at -= PREFETCH_FRESH_S + 1  # … long ago
        await pilot.press("n")
        await settle(pilot)
        assert app.current_account == "ST-1"  # the queue now, not the stale read
        await pilot.press("escape")
        await settle(pilot)
        app.set_prefetched(["ST-2"])  # fresh: confirmed and used
        await pilot.press("n")
        await settle(pilot)
        assert app.current_account == "ST-2"
