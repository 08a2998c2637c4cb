"""The screens and dialogs of the workstation, reached by keys from a seeded demo database.

Used by the snapshot tests (tests/ui/test_snapshots.py) and by the script that draws the
README's screenshots (screenshots/make_screenshots.py), so both show the same thing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from textual import events
from textual.pilot import Pilot

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.demo import generate_demo
from collections_tui.services.team import ensure_coordinator
from collections_tui.store.db import close_database, open_database

NOW = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Friday, noon in New York
NIGHT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # 05:00 New York, 00:00 Hawaii: nobody callable
DEMO_ACCOUNTS = 300
SEED = 7
COORDINATOR = "maria"


def make_demo(path: Path) -> None:
    """A small demo database, the same for the same code (seeded, fixed clock)."""
    open_database(f"sqlite:///{path}")
    try:
        ctx = Context(actor=COORDINATOR, clock=FixedClock(NOW))
        ensure_coordinator(ctx)
        generate_demo(ctx, accounts=DEMO_ACCOUNTS, seed=SEED)
    finally:
        close_database()


async def settle(pilot: Pilot[None], rounds: int = 3, timeout: float = 2.0) -> None:
    for _ in range(rounds):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pilot.app.workers.wait_for_complete()), timeout)
        await pilot.pause()


def keys(*presses: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Press each key, settling after each. ``type:text`` types the text a key at a time;
    ``paste:text`` pastes it into the focused field in one go (as a terminal does), so what
    the field does with a partial text — a search run for "ev" before "evans" — cannot get
    into the picture on a slow machine."""

    async def run(pilot: Pilot[None]) -> None:
        # Past the start's timers (the blocked summary 0.1 s after the first rows, the
        # warm-up at 0.3 s), so the picture does not depend on how fast the machine is.
        await pilot.pause(0.5)
        await settle(pilot)
        for p in presses:
            if len(p) > 1 and p.startswith("type:"):
                await pilot.press(*p.removeprefix("type:"))
            elif p.startswith("paste:"):
                focused = pilot.app.focused
                assert focused is not None, f"nothing focused to paste {p!r} into"
                focused.post_message(events.Paste(p.removeprefix("paste:")))
            else:
                await pilot.press(p)
            await settle(pilot)
        # Toasts fade and cursors blink on timers: clear the toasts and stop the blinking
        # (cursor shown) so the pictures do not depend on when they are taken.
        pilot.app.clear_notifications()
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await settle(pilot)  # the last updates laid out (a status line that wraps, say)

    return run


def blocked_account(*presses: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Open the first account in dispute (blocked, overridable), then press keys."""

    async def run(pilot: Pilot[None]) -> None:
        from collections_tui.domain.flags import Flag
        from collections_tui.store.models import Account
        from collections_tui.ui.app import WorkstationApp

        await settle(pilot)
        row = (
            Account.select(Account.number)
            .where(Account.flags.bin_and(int(Flag.DISPUTE)) != 0)
            .order_by(Account.number)
            .first()
        )
        assert row is not None and isinstance(pilot.app, WorkstationApp)
        pilot.app.show_account(row.number)
        await keys(*presses)(pilot)

    return run


def with_avoid_window(*presses: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Open the top account, which has an inconvenient time on record, then press keys."""

    async def run(pilot: Pilot[None]) -> None:
        from collections_tui.services.consent import add_avoid
        from collections_tui.ui.app import WorkstationApp
        from collections_tui.ui.screens.account import AccountScreen

        await keys("enter")(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AccountScreen) and isinstance(pilot.app, WorkstationApp)
        add_avoid(pilot.app.ctx, screen.number, "sat-sun", note="works weekends")
        screen.reload()
        await keys(*presses)(pilot)

    return run


# name → (clock, the keys that reach the screen)
SCENES: dict[str, tuple[datetime, Callable[[Pilot[None]], Awaitable[None]]]] = {
    "queue": (NOW, keys()),
    "queue_blocked": (NOW, keys("t")),
    "queue_nothing_callable": (NIGHT, keys()),
    "filter": (NOW, keys("f")),
    "search": (NOW, keys("slash", "paste:evans")),
    "help": (NOW, keys("question_mark")),
    "account": (NOW, keys("enter")),
    "account_balance": (NOW, keys("enter", "2")),
    "account_offers": (NOW, keys("enter", "3")),
    "account_calls": (NOW, keys("enter", "4")),
    "account_claims": (NOW, keys("enter", "5")),
    "outcome": (NOW, keys("enter", "o", "8", "type:150", "tab", "type:fri")),
    "outcome_callback": (NOW, keys("enter", "b", "type:mon 2:30pm")),
    "arrangement": (NOW, keys("enter", "a")),
    "consent": (NOW, keys("enter", "c")),
    "avoid": (NOW, keys("enter", "i")),
    "dial": (NOW, keys("enter", "d")),
    "note": (NOW, keys("enter", "m", "type:Sent a statement by mail")),
    "palette": (NOW, keys("enter", "ctrl+p", "type:dial")),
    "confirm": (NOW, with_avoid_window("i", "ctrl+r")),
    "blocked_account": (NOW, blocked_account()),
    "override": (NOW, blocked_account("o", "7", "type:Debtor called in", "ctrl+s")),
}
