"""The arrangement dialog (``a``), by keys, asserting what the database holds afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from peewee import Database
from textual.pilot import Pilot
from textual.widgets import Input, Static

from collections_tui.domain.arrangements import ArrangementPolicy
from collections_tui.domain.flags import Flag
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.drafts import load_draft, save_draft
from collections_tui.store.models import Arrangement, Contact, Installment, Note, Promise
from collections_tui.ui.app import WorkstationApp
from collections_tui.ui.screens.account import AccountScreen
from collections_tui.ui.screens.arrangement import ArrangementDialog, Form, work_out
from tests.factories import make_account
from tests.ui.conftest import AppRunner, settle

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # noon in New York, Friday
TODAY = date(2026, 11, 27)


async def _back_on_account(app: WorkstationApp, pilot: Pilot[None]) -> None:
    """After an arrangement is recorded the outcome dialog follows, preset to `arrangement`
    (the call still needs its outcome); a promise was the call itself. Leave it with escape."""
    from collections_tui.ui.screens.outcome import OutcomeDialog

    if isinstance(app.screen, OutcomeDialog):
        assert app.screen.outcome == "arrangement"
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(app.screen, AccountScreen)


def _at_midday(ctx: Context) -> Context:
    return replace(ctx, clock=FixedClock(MIDDAY))


def _text(app: WorkstationApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _open_dialog(app: WorkstationApp, pilot: Pilot[None]) -> ArrangementDialog:
    """Queue → enter opens the first account → a opens the dialog."""
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, AccountScreen)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, ArrangementDialog)
    return app.screen


def _installments() -> list[tuple[int, date, int]]:
    q = Installment.select().order_by(Installment.number)
    return [(i.number, i.due_on, i.amount_cents) for i in q]


async def test_record_a_three_installment_monthly_plan_by_keys(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", name="Ann Lee", balance_cents=100_000)
    async with workstation(context=ctx) as (app, pilot):
        await _open_dialog(app, pilot)
        # offers → kind → installments: 3; → payment → every (month) → first date: 12/5
        await pilot.press("tab", "tab", "3", "tab", "tab", "tab", *"12/5")
        await settle(pilot)
        assert "3 monthly payments" in _text(app, "#arr-verdict")
        assert "within policy" in _text(app, "#arr-verdict")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _back_on_account(app, pilot)
        (a,) = Arrangement.select()
        assert (a.kind, a.status, a.total_cents, a.discount_cents, a.every) == (
            "plan",
            "active",
            100_000,
            0,
            "month",
        )
        assert (a.created_by, a.approved_by) == ("tester", None)
        assert _installments() == [
            (1, date(2026, 12, 5), 33_334),
            (2, date(2027, 1, 5), 33_333),
            (3, date(2027, 2, 5), 33_333),
        ]
        assert sum(amount for _n, _d, amount in _installments()) == 100_000
        # The account screen reloaded: the arrangement is in its history.
        view = app.screen.view
        assert view is not None and [x.kind for x in view.arrangements] == ["plan"]


async def test_record_a_settlement_picked_then_adjusted(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx) as (app, pilot):
        dialog = await _open_dialog(app, pilot)
        await pilot.press("3")  # the settlement offer: 20% off, today
        await settle(pilot)
        assert dialog.form().kind == "settlement"
        assert dialog.form().settlement == "20%"
        assert "$720.00" in _text(app, "#arr-verdict")
        # kind, installments, payment, every, first date, down payment, settlement
        await pilot.press(*["tab"] * 7, *"800")
        await settle(pilot)
        words = _text(app, "#arr-verdict")
        assert "forgives $100.00" in words and "within policy" in words
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _back_on_account(app, pilot)
        (a,) = Arrangement.select()
        assert (a.kind, a.total_cents, a.discount_cents) == ("settlement", 80_000, 10_000)
        assert _installments() == [(1, TODAY, 80_000)]


async def test_outside_policy_by_a_coordinator_is_refused_and_nothing_written(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx) as (app, pilot):
        dialog = await _open_dialog(app, pilot)
        await pilot.press("tab", "tab", "2", "4")
        await settle(pilot)
        assert "needs a supervisor's approval" in _text(app, "#arr-verdict")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # still open, the message in it
        problem = _text(app, "#arr-problem")
        assert "Nothing recorded" in problem
        assert "needs a supervisor's approval" in problem
        assert "term 24 months is longer than the 12 months allowed" in problem
        assert "--approve" in problem
        assert Arrangement.select().count() == 0
        assert Installment.select().count() == 0
        # Changing the terms clears the message; within policy it records.
        await pilot.press("backspace", "backspace", "1", "2")
        await settle(pilot)
        assert _text(app, "#arr-problem") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _back_on_account(app, pilot)
        assert len(_installments()) == 12


async def test_a_supervisor_records_a_plan_outside_policy(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = replace(_at_midday(ctx), supervisors=frozenset({"tester"}))
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx) as (app, pilot):
        await _open_dialog(app, pilot)
        await pilot.press("tab", "tab", "2", "4", "ctrl+s")
        await settle(pilot)
        await _back_on_account(app, pilot)
        (a,) = Arrangement.select()
        assert a.approved_by == "tester"
        assert len(_installments()) == 24


async def test_a_promise_by_keys_records_the_call_and_the_promise(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx) as (app, pilot):
        dialog = await _open_dialog(app, pilot)
        await pilot.press("tab", "enter", "down", "down", "enter")  # kind: promise
        await settle(pilot)
        assert dialog.form().kind == "promise"
        await pilot.press("tab", *"150", "tab", *"12/5", "tab", *"pays on the 5th")
        await settle(pilot)
        assert "Promise of $150.00 on Sat 2026-12-05" in _text(app, "#arr-verdict")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _back_on_account(app, pilot)
        (p,) = Promise.select()
        assert (p.amount_cents, p.due_on, p.coordinator) == (15_000, date(2026, 12, 5), "tester")
        (c,) = Contact.select()
        assert (c.outcome, c.direction) == ("promise", "outbound")
        assert Note.get().body == "pays on the 5th"
        assert Arrangement.select().count() == 0
        assert app.current_account is None  # recording the call gave the lease back


async def test_a_promise_takes_the_note_typed_earlier_with_it(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    """Recording the call clears the note's draft, so the draft is the promise's note."""
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    save_draft(ctx, "A-1", "says payday is the 5th")
    async with workstation(context=ctx) as (app, pilot):
        await _open_dialog(app, pilot)
        assert app.screen.query_one("#arr-note", Input).value == "says payday is the 5th"
        await pilot.press("tab", "enter", "down", "down", "enter")
        await pilot.press("tab", *"75", "tab", *"12/5", "ctrl+s")
        await settle(pilot)
        await _back_on_account(app, pilot)
        assert Note.get().body == "says payday is the 5th"
        assert load_draft(ctx, "A-1") is None


async def test_a_promise_on_a_blocked_account_needs_an_override_and_never_under_cease(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    from collections_tui.store.models import AuditEvent
    from collections_tui.ui.screens.override import OverrideDialog

    ctx = _at_midday(ctx)
    make_account(ctx, "C-1", balance_cents=50_000, flags=int(Flag.CEASE))
    make_account(
        ctx, "D-1", balance_cents=50_000, flags=int(Flag.DISPUTE), phones=("212-555-0177",)
    )
    async with workstation(context=ctx) as (app, pilot):
        for number in ("C-1", "D-1"):
            app.show_account(number)
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, ArrangementDialog)
            await pilot.press("tab", "enter", "down", "down", "enter")
            await pilot.press("tab", *"50", "tab", "+", "7")
            await settle(pilot)
            assert "override" in _text(app, "#arr-verdict")
            await pilot.press("ctrl+s")
            await settle(pilot)
            if number == "C-1":
                assert "cease cannot be overridden" in _text(app, "#arr-problem")
                assert Promise.select().count() == 0
                await pilot.press("escape")
                await settle(pilot)
                continue
            assert isinstance(app.screen, OverrideDialog)
            await pilot.press(*"debtor phoned to promise", "enter")
            await settle(pilot)
            await _back_on_account(app, pilot)
    (p,) = Promise.select()
    assert (p.amount_cents, p.due_on) == (5_000, date(2026, 12, 4))
    assert Contact.get().direction == "outbound"
    event = AuditEvent.get(AuditEvent.action == "compliance.override")
    assert "debtor phoned to promise" in event.detail


async def test_the_verdict_and_schedule_follow_the_typing(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx) as (app, pilot):
        dialog = await _open_dialog(app, pilot)
        await pilot.press("tab", "tab", "3")
        await settle(pilot)
        assert "within policy" in _text(app, "#arr-verdict")
        assert dialog.preview.schedule is not None
        assert dialog.preview.schedule.count == 3
        await pilot.press("backspace", "2", "4")
        await settle(pilot)
        words = _text(app, "#arr-verdict")
        assert "within policy" not in words
        assert "term 24 months is longer than the 12 months allowed" in words
        assert dialog.preview.schedule is not None and dialog.preview.schedule.count == 24
        await pilot.press("backspace", "backspace", "0")
        await settle(pilot)
        assert "at least 1 installment" in _text(app, "#arr-verdict")
        assert dialog.preview.schedule is None
        # A payment instead of a count: typing it clears the count.
        await pilot.press("tab", *"400")
        await settle(pilot)
        assert app.screen.query_one("#arr-count", Input).value == ""
        assert dialog.preview.schedule is not None
        assert [i.amount_cents for i in dialog.preview.schedule.installments] == [
            40_000,
            40_000,
            10_000,
        ]
        await pilot.press("tab", "tab", "tab", *"12.345")  # down payment
        await settle(pilot)
        assert "Down payment: '12.345' has more than 2 decimal places" in _text(app, "#arr-verdict")
        await pilot.press("escape")
        await settle(pilot)
        await _back_on_account(app, pilot)
        assert Arrangement.select().count() == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_dialog_fits(
    db: Database, ctx: Context, workstation: AppRunner, size: tuple[int, int]
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx, size=size) as (app, pilot):
        dialog = await _open_dialog(app, pilot)
        screen = dialog.region
        box = dialog.query_one("#arr-box").region
        assert screen.contains_region(box)
        # The 12-month plan offered: at least 8 schedule rows show under the header.
        table = dialog.query_one("#arr-schedule").region
        assert box.contains_region(table) and table.height >= 9
        for kind_keys in ([], ["tab", "enter", "down", "enter"]):  # plan, then settlement
            await pilot.press(*kind_keys)
            await settle(pilot)
            shown = [
                w
                for w in dialog.query("#arr-fields Input, #arr-fields Select, #arr-keys")
                if w.display and w.parent is not None and w.parent.display
            ]
            for widget in shown:
                assert box.contains_region(widget.region), widget
                assert widget.region.height >= 1, widget
        assert dialog.query_one("#arr-settle", Input) in shown


# --------------------------------------------------------------- the working out, no screen

POLICY = ArrangementPolicy()


def test_work_out_reads_the_dates_a_coordinator_types() -> None:
    for typed, first in [
        ("2026-12-05", date(2026, 12, 5)),
        ("12/5", date(2026, 12, 5)),
        ("fri", TODAY),
        ("+7", date(2026, 12, 4)),
    ]:
        p = work_out(Form(count="2", first=typed), 10_000, TODAY, POLICY)
        assert p.schedule is not None, (typed, p.errors)
        assert p.schedule.first_due_on == first


def test_work_out_explains_what_is_wrong_in_words() -> None:
    def errors(**kw: str) -> tuple[str, ...]:
        return work_out(Form(**{"first": "today", **kw}), 2, TODAY, POLICY).errors

    assert errors(count="3") == (
        "$0.02 in 3 installments would leave an installment of $0.00; at most 2 installments",
    )
    assert errors(payment="abc") == (
        "Payment: 'abc' is not an amount; expected digits like 1234.50",
    )
    assert errors(count="1", first="2026-11-01") == (
        "First date: 2026-11-01 is before today (2026-11-27)",
    )
    assert errors(count="1", first="someday")[0].startswith("First date: 'someday' is not a date")
    assert errors() == ("Type a count of installments or a payment amount",)
    assert errors(kind="settlement", settlement="5%%") == (
        "Settlement: '5%%' is not a percentage; type e.g. 20%",
    )
    assert errors(kind="promise", amount="0") == ("Amount: a promise must be more than $0.00",)


def test_work_out_settles_by_percentage_or_amount_exactly() -> None:
    p = work_out(Form(kind="settlement", first="today", settlement="12.5%"), 10_001, TODAY, POLICY)
    assert p.settlement is not None and p.schedule is not None
    assert (p.settlement.settlement_cents, p.settlement.discount_cents) == (8_751, 1_250)
    assert p.schedule.total_cents == 8_751
    p = work_out(Form(kind="settlement", first="today", settlement="$600"), 100_000, TODAY, POLICY)
    assert p.settlement is not None and p.check is not None
    assert p.settlement.percent_off == Decimal("40.00")
    assert p.check.needs_approval
    assert "more than the 20% allowed" in p.check.broken_rules[0]


def test_work_out_follows_the_offers_on_payment_in_full_today() -> None:
    strict = ArrangementPolicy(
        min_down_percent=Decimal(10),
        settlement_needs_approval=True,
        full_payment_discount_percent=Decimal(5),
    )
    # The whole balance today is no plan: the down payment rule does not apply.
    p = work_out(Form(count="1", first="today"), 50_000, TODAY, strict)
    assert p.check is not None and not p.check.needs_approval
    # ...but it does to the same amount in two payments.
    p = work_out(Form(count="2", first="today"), 50_000, TODAY, strict)
    assert p.check is not None and p.check.broken_rules == ("no down payment; $50.00 is required",)
    # The policy's own discount for paying in full today is pre-approved; a deeper one, or
    # the same one later, is a settlement that needs approval.
    full = Form(kind="settlement", first="today", settlement="5%")
    p = work_out(full, 50_000, TODAY, strict)
    assert p.check is not None and not p.check.needs_approval
    p = work_out(replace(full, settlement="6%"), 50_000, TODAY, strict)
    assert p.check is not None and p.check.needs_approval
    p = work_out(replace(full, first="+1"), 50_000, TODAY, strict)
    assert p.check is not None and p.check.needs_approval


def test_work_out_weekly_with_a_down_payment() -> None:
    form = Form(count="3", every="week", first="12/1", down="100")
    p = work_out(form, 40_000, TODAY, POLICY)
    assert p.schedule is not None and p.check is not None
    assert [(i.due_on, i.amount_cents, i.is_down_payment) for i in p.schedule.installments] == [
        (date(2026, 12, 1), 10_000, True),
        (date(2026, 12, 8), 10_000, False),
        (date(2026, 12, 15), 10_000, False),
        (date(2026, 12, 22), 10_000, False),
    ]
    assert not p.check.needs_approval


async def test_a_note_typed_in_the_arrangement_dialog_is_kept_as_a_draft(
    db: Database, ctx: Context, workstation: AppRunner
) -> None:
    ctx = _at_midday(ctx)
    make_account(ctx, "A-1", balance_cents=90_000)
    async with workstation(context=ctx) as (app, pilot):
        dialog = await _open_dialog(app, pilot)
        dialog.query_one("#arr-note", Input).value = "will pay after the holidays"
        await pilot.press("escape")
        await settle(pilot)
    draft = load_draft(ctx, "A-1")
    assert draft is not None and draft.body == "will pay after the holidays"
