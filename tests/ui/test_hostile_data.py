"""Every screen, pane and dialog shows hostile stored text as text (issue 11).

A debtor, creditor, memo, note, coordinator, claim, payer phone and denial code each carry
Textual/Rich markup (``[/]``, ``[bold red]``, ``[link=…]``, ``[@click=app.quit]``,
``[ reverse]``) and terminal control (OSC 52, OSC 0, C1 CSI, bidi override, zero-width).
Each step renders what the workstation would write to the terminal and asserts that none of
it was interpreted: the brackets are on screen as typed, no control byte is in the output,
and the app is still running (no MarkupError, no quit by ``@click``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from peewee import Database
from textual.pilot import Pilot

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.ui.app import WorkstationApp
from collections_tui.ui.screens.account import AccountScreen
from tests.factories import make_account
from tests.hostile import FORBIDDEN, make_hostile_account, visible
from tests.ui.conftest import AppRunner, settle

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def terminal_output(app: WorkstationApp, screens: list[Any] | None = None) -> str:
    """What the workstation writes to the terminal for ``screens`` (default: every screen
    of the stack), as a string."""
    out = []
    for screen in app.screen_stack if screens is None else screens:
        update = screen._compositor.render_update(full=True)
        out.append(update.render_segments(app.console) if update is not None else "")
    return "".join(out)


def assert_safe(app: WorkstationApp, where: str, *shown: str) -> str:
    assert app.is_running, f"{where}: the app stopped"
    out = terminal_output(app)
    for raw in FORBIDDEN:
        assert raw not in out, f"{where}: {raw!r} reached the terminal"
    text = visible(terminal_output(app, [app.screen]))
    for literal in shown:
        assert literal in text, f"{where}: {literal!r} not shown as text"
    return text


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_every_screen_pane_and_dialog_shows_hostile_data_as_text(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_hostile_account(ctx)
    make_account(ctx, "B-1", name="Blocked [/] Bo\x1b]0;x\x07", flags=1)  # cease: listed by t
    async with workstation(size=(120, 40), context=ctx) as (app, pilot):
        # The queue and its status line (the highlighted account's debtor and creditor).
        text = assert_safe(app, "queue", "[/]Ann [bold red]Lee")
        assert "\\x1b]52;c;" in text  # the control is shown, visibly
        await press(pilot, "t")  # blocked accounts listed
        assert_safe(app, "queue with blocked", "Blocked [/] Bo")
        await press(pilot, "t")
        await press(pilot, "enter")
        assert isinstance(app.screen, AccountScreen)
        assert_safe(app, "account overview", "[/]Ann [bold red]Lee", "[ reverse]1 Main St")
        assert_safe(app, "account header", '[link="file:///etc/passwd"]Acme[/link]')
        await press(pilot, "2")
        assert_safe(app, "balance pane", "[@click=app.quit]memo", "[/]REF")
        await press(pilot, "3")
        assert_safe(app, "offers pane")
        await press(pilot, "4")
        assert_safe(app, "calls & notes pane", "[ reverse]said", "[/]mallory", "[bold]eve")
        await press(pilot, "5")
        assert_safe(app, "claims pane", "[/]CLM", "[bold red]Payer", "[/]CO-45")
        for key, where in (
            ("o", "outcome dialog"),
            ("a", "arrangement dialog"),
            ("c", "consent dialog"),
            ("i", "inconvenient-times dialog"),
            ("d", "dial dialog"),
            ("m", "note dialog"),
            ("question_mark", "help"),
        ):
            await press(pilot, key)
            shown = ("[/]Ann",) if key in "oacid" else ()
            assert_safe(app, where, *shown)
            await press(pilot, "escape")
            assert isinstance(app.screen, AccountScreen), where
        await press(pilot, "c")
        assert_safe(app, "consent dialog: what is on record", "[/]consent")
        await press(pilot, "escape")
        await press(pilot, "i")
        assert_safe(app, "avoid dialog: what is on record", "sat-sun [/]", "[bold red]weekends")
        await press(pilot, "escape")
        await press(pilot, "slash")
        await pilot.press(*"Ann")
        await settle(pilot)
        assert_safe(app, "search", "[/]Ann [bold red]Lee")
        await press(pilot, "escape")
        await press(pilot, "escape")  # back to the queue
        await press(pilot, "f")
        assert_safe(app, "filter dialog")
        await press(pilot, "enter")  # the creditor list, open
        assert_safe(app, "filter dialog: the creditor list", '[link="file:///etc/passwd"]Acme')
        await press(pilot, "escape")
        await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        assert_safe(app, "command palette")
        await press(pilot, "escape")
        assert app.is_running


async def test_a_notification_quoting_data_is_plain_text(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    async with workstation(context=ctx) as (app, pilot):
        app.notify("Could not open [/]X[bold red]: \x1b]52;c;SGVsbG8=\x07", title="[/]t\x1b")
        await settle(pilot)
        (note,) = list(app._notifications)
        assert note.markup is False  # a toast shows it as text (Content(message))
        assert note.message == "Could not open [/]X[bold red]: \\x1b]52;c;SGVsbG8=\\x07"
        assert note.title == "[/]t\\x1b"


async def test_a_pasted_control_sequence_is_kept_as_visible_text(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    """A paste is the one way raw control characters reach a field: what is pasted is
    what is shown, and what is saved."""
    from textual import events

    from collections_tui.store.models import Note

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "P-1")
    async with workstation(context=ctx) as (app, pilot):
        await press(pilot, "enter")
        await press(pilot, "o", "1")
        app.post_message(events.Paste("copied \x1b]52;c;SGVsbG8=\x07 from\u202e mail"))
        await settle(pilot)
        assert_safe(app, "outcome dialog after the paste", "copied \\x1b]52;c;")
        await press(pilot, "ctrl+s")
        assert Note.get().body == "copied \\x1b]52;c;SGVsbG8=\\x07 from\\u202e mail"


async def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(
    db: Database,
    ctx: Context,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Textual prints an unhandled error's traceback with its locals (debtor data) on the
    terminal; the workstation logs it and prints one safe line instead."""
    from collections_tui.services.team import ensure_coordinator

    ensure_coordinator(ctx)
    app = WorkstationApp(ctx)

    def boom() -> None:
        raise RuntimeError("name [/] \x1b]0;owned\x07 and more\nsecond line")

    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await settle(pilot)
            app.call_later(boom)
            await pilot.pause()
    app.backend.shutdown()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the workstation stopped on an unexpected error" in err
    assert "\\x1b]0;owned\\x07" in err and "\x1b]" not in err
    assert "second line" not in err
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and logged[-1].exc_info is not None
    assert logged[-1].exc_info[0] is RuntimeError
