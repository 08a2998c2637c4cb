"""Consent and inconvenient times from the account screen, by keys (DESIGN §4, §6)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from peewee import Database
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from collections_tui.services.clock import FixedClock
from collections_tui.services.consent import add_avoid, record_consent
from collections_tui.services.context import Context
from collections_tui.store.db import from_db
from collections_tui.store.models import AvoidWindow, Consent
from collections_tui.ui.screens.account import AccountScreen
from collections_tui.ui.screens.consent import ConfirmDialog, ConsentDialog
from tests.factories import make_account
from tests.ui.conftest import AppRunner, settle

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Friday noon in New York


def screen_text(app: App[None]) -> str:
    """What the terminal shows, as plain text."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def text_of(app: App[None], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def open_account(pilot: Pilot[None], key: str) -> ConsentDialog:
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountScreen)
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ConsentDialog)
    return dialog


async def test_record_consent_by_keys(db: Database, ctx: Context, workstation: AppRunner) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1", name="Ann Lee")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "c")
        assert dialog.mode == "consent"
        assert "No consent on record" in text_of(app, "#consent-current-body")
        await pilot.press(*"inbound call, asked us to ring")
        await pilot.press("tab", "tab")  # source (inbound call) → until
        assert app.focused is app.screen.query_one("#c-until", Input)
        await pilot.press(*"tomorrow 6pm")
        await pilot.pause()
        preview = text_of(app, "#consent-preview")
        assert "Sat 28 Nov 18:00 EST" in preview  # read back in the debtor's time
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        (row,) = Consent.select()
        assert row.note == "inbound call, asked us to ring"
        assert row.source == "inbound_call"
        assert row.coordinator == "tester"
        assert from_db(row.given_at) == MIDDAY
        assert from_db(row.until) == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
        assert row.revoked_at is None
        assert "consent given" in text_of(app, "#account-banner")


async def test_consent_source_is_picked_by_keys(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        await open_account(pilot, "c")
        await pilot.press(*"email of 26 Nov", "tab", "enter", "down", "enter")
        assert app.screen.query_one("#consent-source", Select).value == "email"
        await pilot.press("ctrl+s")
        await settle(pilot)
        (row,) = Consent.select()
        assert (row.source, row.note, row.until) == ("email", "email of 26 Nov", None)


async def test_past_until_stays_open_and_writes_nothing(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "c")
        app.screen.query_one("#c-until", Input).focus()
        await pilot.press(*"2026-11-01 9am", "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "already past" in text_of(app, "#consent-errors")
        assert Consent.select().count() == 0


async def test_revoke_consent_with_confirmation(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    record_consent(ctx, "A-1", at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC), note="letter")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "c")
        current = text_of(app, "#consent-current-body")
        assert "letter" in current and "to Thu 03 Dec 00:00 EST" in current
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # changed my mind
        await settle(pilot)
        assert app.screen is dialog
        assert Consent.get().revoked_at is None
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert from_db(Consent.get().revoked_at) == MIDDAY


async def test_revoke_with_nothing_in_force_says_so(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "c")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is dialog
        assert "nothing to revoke" in text_of(app, "#consent-errors")


async def test_add_avoid_window_by_keys_shows_in_banner(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "i")
        assert dialog.mode == "avoid"
        await pilot.press(*"weekdays 3-5pm")
        await pilot.pause()
        assert "mon-fri 15:00-17:00" in text_of(app, "#consent-preview")
        await pilot.press("enter", *"not at work", "enter")  # enter: next field, then save
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        (row,) = AvoidWindow.select()
        assert (row.spec, row.note, row.weekdays) == (
            "mon-fri 15:00-17:00",
            "not at work",
            "0,1,2,3,4",
        )
        assert (row.start_time, row.end_time, row.cleared_at) == ("15:00", "17:00", None)
        assert "avoid mon-fri 15:00-17:00" in text_of(app, "#account-banner")


async def test_bad_spec_shows_error_and_writes_nothing(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "i")
        await pilot.press(*"mon-fry 3")
        await pilot.pause()
        assert "✖" in text_of(app, "#consent-preview")
        assert "'fry' in 'mon-fry 3' is not a day" in text_of(app, "#consent-preview")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "is not a day" in text_of(app, "#consent-errors")
        assert AvoidWindow.select().count() == 0
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert AvoidWindow.select().count() == 0


async def test_clear_avoid_windows(db: Database, ctx: Context, workstation: AppRunner) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    add_avoid(ctx, "A-1", "sat-sun", note="family time")
    add_avoid(ctx, "A-1", "mon-fri 15:00-17:00")
    async with workstation(context=ctx) as (app, pilot):
        await open_account(pilot, "i")
        current = text_of(app, "#consent-current-body")
        assert "sat-sun" in current and "family time" in current
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "2 times" in text_of(app, "#confirm-question")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert AvoidWindow.select().where(AvoidWindow.cleared_at.is_null()).count() == 0
        assert "avoid" not in text_of(app, "#account-banner")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("mode", ["consent", "avoid"])
async def test_dialog_fits_the_terminal(
    db: Database, ctx: Context, workstation: AppRunner, size: tuple[int, int], mode: str
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1", phones=("310-555-0143",), state="CA")  # office ≠ debtor zone
    for day in range(20, 27):
        record_consent(ctx, "A-1", at=datetime(2026, 11, day, 18, 0, tzinfo=UTC), note="call")
    for spec in ("sat-sun", "mon 9am-10am", "tue 9am-10am", "wed 9am-10am", "daily 20:00-21:00"):
        add_avoid(ctx, "A-1", spec)
    async with workstation(context=ctx, size=size) as (app, pilot):
        await open_account(pilot, "c" if mode == "consent" else "i")
        screen = app.screen.region
        for widget in app.screen.query("Input, Select, #consent-preview, #consent-keys"):
            assert widget.region.height > 0, widget
            assert screen.contains_region(widget.region), (widget, widget.region)
        shown = screen_text(app)
        assert "ctrl+s" in shown and "esc cancel" in shown
        if mode == "consent":
            await pilot.press("tab", "tab", *"tomorrow 6pm")
            await pilot.pause()
            preview = text_of(app, "#consent-preview")
            assert "18:00 PST debtor = Sat 28 Nov 21:00 EST office" in preview
        else:
            await pilot.press(*"3-5pm")
            await pilot.pause()
            assert "(office 18:00-20:00 EST)" in text_of(app, "#consent-preview")


@pytest.mark.parametrize("spec", ["", "mon-fri 9am-5pm"], ids=["phone", "time_and_phone"])
async def test_a_phone_the_debtor_said_not_to_call_is_marked_by_keys(
    db: Database, ctx: Context, workstation: AppRunner, spec: str
) -> None:
    """A phone alone, or with a time in the same save (one transaction: both or neither)."""
    from collections_tui.store.models import AuditEvent, Phone

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1", phones=("home:212-555-0143", "work:212-555-0144"))
    async with workstation(context=ctx) as (app, pilot):
        await open_account(pilot, "i")
        dialog = app.screen
        assert isinstance(dialog, ConsentDialog)
        dialog.query_one("#a-spec", Input).value = spec
        dialog.query_one("#a-phone", Select).value = "+12125550144"
        dialog.query_one("#a-note", Input).value = "not at work"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        banner = text_of(app, "#account-banner")
        assert "don't call (212) 555-0144" in banner
        assert ("09:00-17:00" in banner) == bool(spec)
    marked = {p.e164: p.inconvenient for p in Phone.select()}
    assert marked == {"+12125550143": False, "+12125550144": True}
    windows = [w.spec for w in AvoidWindow.select()]
    assert windows == (["mon-fri 09:00-17:00"] if spec else [])
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    avoid = [a for a in actions if a.startswith("avoid.")]
    assert avoid == (["avoid.phone", "avoid.add"] if spec else ["avoid.phone"])


async def test_text_typed_on_after_tab_in_one_burst_goes_into_the_next_field(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    """Keys that arrive together (a fast typist over SSH) are posted to the app at once, as
    the terminal driver does, instead of one at a time as ``pilot.press`` does."""
    from textual import events

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        dialog = await open_account(pilot, "i")
        for key in [*"sat", "paste:-sun", "tab", *"family time", "tab", "shift+tab", "shift+tab"]:
            if key.startswith("paste:"):  # a paste in the middle takes its turn
                app.post_message(events.Paste(key.removeprefix("paste:")))
                continue
            char = {"tab": "\t", "shift+tab": None}.get(key, key)
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert dialog.query_one("#a-spec", Input).value == "sat-sun"
        assert dialog.query_one("#a-note", Input).value == "family time"
        assert app.focused is dialog.query_one("#a-spec", Input)  # back two fields


async def test_enter_in_one_burst_moves_on_then_saves(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from textual import events

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "A-1")
    async with workstation(context=ctx) as (app, pilot):
        await open_account(pilot, "i")
        for key in [*"sat-sun", "enter", *"family time", "enter"]:
            app.post_message(events.Key(key, "\r" if key == "enter" else key))
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)  # the second enter saved
        (row,) = AvoidWindow.select()
        assert (row.spec, row.note) == ("sat-sun", "family time")
