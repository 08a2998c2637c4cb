"""The whole call loop, by keys, asserting what the database holds afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from peewee import Database
from textual.widgets import Static

from collections_tui.domain.flags import Flag
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.models import AuditEvent, Callback, Contact, Lease, Note
from collections_tui.ui.screens.account import AccountScreen
from collections_tui.ui.screens.override import OverrideDialog
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


async def test_callback_typed_in_the_debtors_time_is_stored_in_utc(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    # A Los Angeles phone and address: 9:00 in the morning there.
    make_account(ctx, "CB-1", phones=("415-555-0101",), state="CA")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("b")  # callback: the outcome dialog with callback_requested picked
        await settle(pilot)
        await pilot.press(*"mon 2:30pm")
        preview = str(app.screen.query_one("#outcome-preview").render())
        assert "Mon 30 Nov 14:30 PST" in preview and "17:30 EST" in preview
        await pilot.press("ctrl+s")
        await settle(pilot)
    callback = Callback.get()
    assert callback.due_at == datetime(2026, 11, 30, 22, 30)  # UTC, naive in the database
    assert Contact.get().outcome == "callback_requested"


async def test_blocked_account_asks_for_an_override_reason_that_is_audited(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "DS-1", flags=Flag.DISPUTE)
    async with workstation(context=ctx) as (app, pilot):
        app.push_screen(AccountScreen("DS-1"))
        await settle(pilot)
        banner = str(app.screen.query_one("#account-banner").render())
        assert "dispute" in banner
        await pilot.press("o", "7")
        await pilot.press(*"debtor called in")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverrideDialog)
        await pilot.press("escape")  # no reason: nothing is recorded
        await settle(pilot)
        assert Contact.select().count() == 0
        await pilot.press("o", "7", "ctrl+s")
        await settle(pilot)
        await pilot.press(*"debtor asked about the proof we sent", "enter")
        await settle(pilot)
    assert Contact.get().outcome == "conversation"
    event = AuditEvent.get(AuditEvent.action == "compliance.override")
    assert "proof we sent" in event.detail and event.actor == "tester"


async def test_cease_cannot_be_overridden(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "CE-1", flags=Flag.CEASE)
    async with workstation(context=ctx) as (app, pilot):
        app.push_screen(AccountScreen("CE-1"))
        await settle(pilot)
        await pilot.press("o", "1", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, OverrideDialog)
    assert Contact.select().count() == 0


async def test_filter_by_creditor_and_toggle_blocked(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "F-1", creditor="Lakeside Family Medicine")
    make_account(ctx, "F-2", creditor="Summit Orthopedics", phones=("212-555-0150",))
    make_account(ctx, "F-3", flags=Flag.DISPUTE, phones=("212-555-0151",))
    async with workstation(context=ctx) as (app, pilot):
        view = app.screen.query_one(QueueView)
        assert {r.account_number for r in view.rows} == {"F-1", "F-2"}
        assert "Blocked 1: 1 dispute" in str(app.screen.query_one("#queue-blocked").render())
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("enter", *"Summit", "enter", "ctrl+s")  # type to search the list
        await settle(pilot)
        assert [r.account_number for r in view.rows] == ["F-2"]
        assert "creditor=Summit Orthopedics" in str(app.screen.query_one("#queue-title").render())
        await pilot.press("f", "ctrl+r")  # clear all
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        rows = {r.account_number: r for r in view.rows}
        assert set(rows) == {"F-1", "F-2", "F-3"}
        assert (rows["F-3"].callable, rows["F-3"].reason) == (False, "dispute")


async def test_a_blocked_row_says_once_when_it_becomes_callable(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC)))  # 05:00 NY
    make_account(ctx, "H-1", phones=("212-555-0150",))
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("t")
        await settle(pilot)
        status = str(app.screen.query_one("#queue-status", Static).render())
        assert status.startswith("H-1: Outside calling hours")
        assert status.count("callable") == 1, status  # "— callable from 08:00 EST", once


async def test_help_lists_the_screens_bindings_with_ids(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "HL-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("question_mark")
        await settle(pilot)
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "queue.open" in text and "queue.search" in text and "queue.filter" in text
        await pilot.press("escape", "enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "account.dial" in text and "account.outcome" in text


async def test_keys_remapped_from_the_config(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "K-1")
    async with workstation(context=ctx, keymap={"queue.open": "space"}) as (app, pilot):
        await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_search_by_phone_opens_the_account_and_moves_the_lease(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "S-1", name="Sam Ortiz", balance_cents=50_000)
    make_account(ctx, "S-2", name="Rita Moreno", balance_cents=20_000, phones=("646-555-0188",))
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        assert Lease.get().account.number == "S-1"
        await pilot.press("slash", *"(646) 555-0188")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.number == "S-2"
        (lease,) = Lease.select()
        assert lease.account.number == "S-2"
        await pilot.press("slash", *"ortiz")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.number == "S-1"


async def test_the_account_screen_is_reused_and_leases_follow_what_is_shown(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "R-1", balance_cents=90_000)
    make_account(ctx, "R-2", balance_cents=10_000, phones=("212-555-0170",))
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        first = app.screen
        assert isinstance(first, AccountScreen) and first.number == "R-1"
        await pilot.press("escape")
        await settle(pilot)
        assert Lease.select().count() == 0
        await pilot.press("enter")  # the same account again: leased again, read fresh
        await settle(pilot)
        assert app.screen is first and Lease.get().account.number == "R-1"
        await pilot.press("escape", "down", "enter")
        await settle(pilot)
        assert app.screen is first and first.number == "R-2"
        assert "R-2" in str(first.query_one("#account-header", Static).render())
        assert [lease.account.number for lease in Lease.select()] == ["R-2"]


async def test_keys_that_arrive_together_are_handled_in_the_order_typed(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    """A note and ctrl+s (and an outcome's keys) arriving in one burst, as over a bunched
    SSH link: posted to the app at once, the way the terminal driver does, not one at a
    time with a pause after each as ``pilot.press`` does."""
    from textual import events

    names = {"ctrl+s": None, "tab": "\t", "space": " ", "down": None, "enter": "\r"}

    def burst(*keys: str) -> None:
        for key in keys:
            app.post_message(events.Key(key, names.get(key, key)))

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "K-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        burst("m", *"Sent a statement by mail", "ctrl+s")  # m opens the note dialog
        await settle(pilot)
        assert [n.body for n in Note.select()] == ["Sent a statement by mail"]
        burst("o", "2", *"Left a message", "ctrl+s")  # 2: voicemail, and on to the note
        await settle(pilot)
        call = Contact.get()
        assert call.outcome == "voicemail"
        assert Note.get(Note.contact == call).body == "Left a message"
        # enter on the list picks (by a message the list sends, not a binding), then the
        # note; an "n" that reached the list would save and go next with no note.
        burst("o", "down", "down", "enter", *"Rang out, no machine", "ctrl+s")
        await settle(pilot)
        last = Contact.select().order_by(Contact.id.desc()).get()
        assert last.outcome == "busy"
        assert Note.get(Note.contact == last).body == "Rang out, no machine"


async def test_a_note_and_an_addendum_that_corrects_it(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "N-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m", *"Debtor works nights", "ctrl+s")
        await settle(pilot)
        first = Note.get()
        await pilot.press("m", *"Correction: works days", "tab", *str(first.id), "ctrl+s")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        calls = str(app.screen.query_one("#calls-body", Static).render())
        assert f"(addendum to #{first.id})" in calls
    notes = [(n.body, n.addendum_of_id) for n in Note.select().order_by(Note.id)]
    assert notes == [("Debtor works nights", None), ("Correction: works days", first.id)]


def test_outcome_hot_keys_are_the_call_centre_keys_of_the_design() -> None:
    from collections_tui.ui.screens.outcome import HOT_KEYS, ORDER

    assert HOT_KEYS == (
        "no_answer",
        "voicemail",
        "busy",
        "not_in_service",
        "wrong_number",
        "third_party",
        "conversation",
        "promise",
        "callback_requested",
    )
    assert set(ORDER[9:]) == {"arrangement", "paid", "refused", "dispute"}


async def test_n_twice_quickly_leases_one_account_and_escape_mid_load_leases_none(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    for i in range(4):
        make_account(ctx, f"Q-{i}", balance_cents=10_000 * (5 - i), phones=(f"212-555-01{i}5",))
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("n", "n")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert [lease.account.number for lease in Lease.select()] == [app.screen.number]
        await pilot.press("escape", "down", "enter", "escape")  # leave while it loads
        await settle(pilot)
        assert Lease.select().count() == 0


async def test_palette_runs_screen_and_app_actions(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from collections_tui.ui.screens.help import HelpScreen

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "PL-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p", *"help")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_search_enter_opens_what_is_typed_not_an_older_prefix(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "X-100", phones=("212-555-0161",))
    make_account(ctx, "X-1001", phones=("212-555-0162",))
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("slash", *"X-1001", "enter")  # no pause: Enter beats the search
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.number == "X-1001"


async def test_a_block_that_starts_while_the_account_is_open_asks_for_an_override(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "T-9")
    clock = FixedClock(MIDDAY)
    async with workstation(context=replace(ctx, clock=clock)) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        clock.advance_to(datetime(2026, 11, 28, 2, 30, tzinfo=UTC))  # 21:30 New York: too late
        await pilot.press("o", "2", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverrideDialog)
        await pilot.press(*"debtor asked for a late call", "enter")
        await settle(pilot)
    assert Contact.get().outcome == "voicemail"
    assert AuditEvent.get(AuditEvent.action == "compliance.override").actor == "tester"


async def test_a_note_left_with_escape_is_kept_at_once(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from collections_tui.store.models import Draft

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "E-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o", "7", *"call her after 5", "escape")
        await settle(pilot)
        assert Draft.get().body == "call her after 5"
        await pilot.press("o")
        await settle(pilot)
        assert "call her after 5" in app.screen.query_one("#outcome-note").text  # type: ignore[attr-defined]


async def test_a_note_typed_in_the_note_dialog_is_kept_as_a_draft(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from collections_tui.store.models import Draft

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "M-1")
    async with workstation(context=ctx) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m", *"mailed a statement", "escape")
        await settle(pilot)
        assert (Draft.get().field, Draft.get().body) == ("memo", "mailed a statement")
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one("#note-text").text == "mailed a statement"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert Note.get().body == "mailed a statement"
    assert Draft.select().count() == 0


def test_the_balance_plot_starts_at_zero_and_ends_at_todays_balance() -> None:
    from datetime import date

    from collections_tui.services.accounts import LedgerLine
    from collections_tui.ui.screens.account import balance_series

    def line(day: date, after: int) -> LedgerLine:
        return LedgerLine(day, "charge", after, after, None, "", "import", "x")

    class View:
        balance_cents = 28_103
        ledger = (line(date(2025, 10, 10), 90_277), line(date(2026, 11, 27), 28_103))

    series = balance_series(View(), date(2026, 11, 27), 40)  # type: ignore[arg-type]
    assert series[0] == 0 and series[1] == 90_277 and series[-1] == 28_103
    assert len(series) == 40
