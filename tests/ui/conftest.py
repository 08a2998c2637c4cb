"""Pilot tests drive the real workstation on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from peewee import Database
from textual.pilot import Pilot

from collections_tui.services.context import Context
from collections_tui.services.team import ensure_coordinator
from collections_tui.ui.app import WorkstationApp

AppRunner = Callable[..., Any]


@pytest.fixture
def workstation(db: Database, ctx: Context) -> AppRunner:
    """``async with workstation(size=(80, 24)) as (app, pilot):`` — the app on the test db."""
    ensure_coordinator(ctx)

    @asynccontextmanager
    async def run(
        size: tuple[int, int] = (80, 24), context: Context | None = None, **kw: Any
    ) -> AsyncIterator[tuple[WorkstationApp, Pilot[None]]]:
        app = WorkstationApp(context or ctx, **kw)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            yield app, pilot
            app.hang_up()
        app.backend.shutdown()

    return run


async def settle(pilot: Pilot[Any], rounds: int = 3, timeout: float = 2.0) -> None:
    """Let workers finish their database calls and the screen redraw. A worker that waits
    for a dialog (an override reason) never completes on its own: give up waiting after
    ``timeout`` seconds a round, so the test can answer the dialog."""
    for _ in range(rounds):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pilot.app.workers.wait_for_complete()), timeout)
        await pilot.pause()
