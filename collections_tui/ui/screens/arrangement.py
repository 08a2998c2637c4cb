"""Arrangement dialog (``a``): build, adjust and record a plan, a settlement or a promise.

Left, the offers worked out for the account (enter or 1-4 pre-fills the fields from one);
right, the terms, typed: kind, count of installments *or* payment, frequency, first date,
down payment, settlement (an amount or a percentage off) and, for a promise, the note of the
call. On every change the schedule and the creditor's policy verdict are worked out again
with the domain functions (pure, integer cents, no database), so the coordinator reads the
dates and amounts out while the debtor is on the line. ``ctrl+s`` records through the
services on the database thread; an offer outside policy is refused by the service unless a
supervisor records it or has granted approval, and that message stays in the dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...domain.arrangements import (
    FREQUENCIES,
    ArrangementPolicy,
    Offer,
    PlanError,
    PolicyCheck,
    Schedule,
    Settlement,
    check_schedule,
    check_settlement,
    schedule_by_count,
    schedule_by_payment,
    settle_amount,
    settle_percent,
)
from ...domain.money import MoneyError, format_amount, format_money, parse_amount
from ...domain.when import WhenError, parse_local_date
from ...services.accounts import AccountView
from ...services.arrangements import record_arrangement
from ...services.calls import record_call
from ...services.drafts import load_draft
from ...services.errors import InputError
from ..text import Content, cell, fmt, lines, plain
from ..widgets.line import Line

if TYPE_CHECKING:
    from ..app import WorkstationApp

KINDS = ("plan", "settlement", "promise")
KIND_LABELS = {
    "plan": "plan (installments)",
    "settlement": "settlement (for less)",
    "promise": "promise (one payment)",
}
EVERY_LABELS = {"week": "every week", "2weeks": "every 2 weeks", "month": "every month"}
_ADJECTIVE = {"week": "weekly", "2weeks": "two-weekly", "month": "monthly"}
DATE_HINT = "2026-12-05, 12/5, fri or +7"


# ------------------------------------------------------------------------- the working out


@dataclass(frozen=True)
class Form:
    """What is typed in the dialog, as text (the dialog's fields, nothing parsed yet)."""

    kind: str = "plan"
    count: str = ""
    payment: str = ""  # each installment of a plan (instead of a count)
    every: str = "month"
    first: str = ""  # the first date, or the promise's date
    down: str = ""
    settlement: str = ""  # "720.00" (what the debtor pays) or "20%" (off the balance)
    amount: str = ""  # what the debtor promises (promise only)
    note: str = ""  # the call's note (promise only)


@dataclass(frozen=True)
class Preview:
    """The terms worked out from a :class:`Form`; ``errors`` empty when they can be recorded."""

    kind: str
    errors: tuple[str, ...] = ()
    schedule: Schedule | None = None
    settlement: Settlement | None = None
    check: PolicyCheck | None = None
    promise_cents: int | None = None
    promise_on: date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _amount(label: str, text: str, errors: list[str]) -> int | None:
    """Cents typed in a field (a leading ``$`` is allowed); None when blank or unreadable."""
    t = text.strip().removeprefix("$").strip()
    if not t:
        return None
    try:
        return parse_amount(t, allow_negative=False)
    except MoneyError as exc:
        errors.append(f"{label}: {exc}")
        return None


def _settlement(text: str, balance_cents: int, errors: list[str]) -> Settlement | None:
    t = text.strip()
    if not t:
        errors.append("Settlement: type what the debtor pays (720.00) or a percentage off (20%)")
        return None
    try:
        if t.endswith("%"):
            raw = t[:-1].strip()
            try:
                percent = Decimal(raw)
            except InvalidOperation:
                errors.append(f"Settlement: '{t}' is not a percentage; type e.g. 20%")
                return None
            return settle_percent(balance_cents, percent)
        cents = _amount("Settlement", t, errors)
        if cents is None:
            return None
        return settle_amount(balance_cents, cents)
    except PlanError as exc:
        errors.append(f"Settlement: {exc}")
        return None


def merge_checks(a: PolicyCheck, b: PolicyCheck) -> PolicyCheck:
    """One verdict from two: every broken rule of both."""
    if not a.needs_approval and not b.needs_approval:
        return a
    return PolicyCheck(
        a.within_policy and b.within_policy,
        True,
        a.broken_rules + b.broken_rules,
        a.approval_note or b.approval_note,
    )


def work_out(form: Form, balance_cents: int, today: date, policy: ArrangementPolicy) -> Preview:
    """The schedule (or promise) and the policy verdict for what is typed.

    A plan splits the balance; a settlement's schedule splits the settlement amount (one
    payment on the first date unless a count or payment is typed). A settlement is checked
    against the policy's deepest discount and, when paid in more than one row, its schedule
    against the term, smallest installment and down payment rules on the settlement amount.
    """
    errors: list[str] = []
    kind = form.kind if form.kind in KINDS else "plan"
    date_label = "Promise date" if kind == "promise" else "First date"
    first: date | None = None
    if not form.first.strip():
        errors.append(f"{date_label}: type a date ({DATE_HINT})")
    else:
        try:
            first = parse_local_date(form.first.strip(), today)
        except WhenError as exc:
            errors.append(f"{date_label}: {exc}")
        else:
            if first < today:
                errors.append(
                    f"{date_label}: {first.isoformat()} is before today ({today.isoformat()})"
                )

    if kind == "promise":
        cents = _amount("Amount", form.amount, errors)
        if cents is None and not any(e.startswith("Amount:") for e in errors):
            errors.append("Amount: type what the debtor promises to pay")
        elif cents == 0:
            errors.append("Amount: a promise must be more than $0.00")
        if errors or cents is None or first is None:
            return Preview(kind, tuple(errors))
        return Preview(kind, promise_cents=cents, promise_on=first)

    count: int | None = None
    if form.count.strip():
        try:
            count = int(form.count.strip())
        except ValueError:
            errors.append(f"Installments: '{form.count.strip()}' is not a whole number")
    payment = _amount("Payment", form.payment, errors)
    down = _amount("Down payment", form.down, errors) or 0
    if form.every not in FREQUENCIES:
        errors.append("Every: pick week, 2weeks or month")
    settlement: Settlement | None = None
    base = balance_cents
    if kind == "settlement":
        settlement = _settlement(form.settlement, balance_cents, errors)
        if settlement is not None:
            base = settlement.settlement_cents
    if count is None and payment is None and not form.count.strip():
        if kind == "settlement":
            count = 1  # the settlement in one payment
        elif not any(e.startswith("Payment:") for e in errors):
            errors.append("Type a count of installments or a payment amount")
    if errors or first is None:
        return Preview(kind, tuple(errors))
    try:
        if count is not None:
            schedule = schedule_by_count(base, count, first, form.every, down)
        else:
            assert payment is not None
            schedule = schedule_by_payment(base, payment, first, form.every, down)
    except PlanError as exc:  # a zero installment, too many, a down payment too big
        return Preview(kind, (str(exc),))
    return Preview(kind, (), schedule, settlement, _check(schedule, settlement, policy, today))


_WITHIN = PolicyCheck(True, False, ())


def _check(
    schedule: Schedule, settlement: Settlement | None, policy: ArrangementPolicy, today: date
) -> PolicyCheck:
    balance = settlement.balance_cents if settlement is not None else schedule.total_cents
    in_one_today = schedule.count == 1 and schedule.first_due_on == today
    if settlement is None:
        if in_one_today:
            # Payment in full today: no plan rule (down payment, term) applies to it, as the
            # "pay in full" offer says.
            return _WITHIN
        return check_schedule(schedule, policy, balance)
    if in_one_today:
        # The policy's own discount for paying in full today is pre-approved by that policy
        # (the "pay in full" offer); a deeper one is an ordinary settlement.
        allowed = settle_percent(balance, policy.full_payment_discount_percent).discount_cents
        if settlement.discount_cents <= allowed:
            return _WITHIN
    check = check_settlement(settlement, policy)
    if schedule.count > 1:
        check = merge_checks(check, check_schedule(schedule, policy, schedule.total_cents))
    return check


def form_for_offer(offer: Offer) -> Form | None:
    """The fields that reproduce an offer; None when the offer has no schedule to build."""
    s = offer.schedule
    if s is None:
        return None
    down = format_amount(s.down_cents) if s.down_cents else ""
    first = s.first_due_on.isoformat()
    settlement = offer.settlement
    if settlement is not None and settlement.discount_cents > 0:
        percent = format(settlement.percent_off.normalize(), "f")
        return Form(
            kind="settlement",
            count=str(s.installment_count),
            every=s.every,
            first=first,
            down=down,
            settlement=f"{percent}%",
        )
    if offer.kind == "affordable_plan" and s.installment_count > 1:
        return Form(
            kind="plan",
            payment=format_amount(s.regular_amount_cents),
            every=s.every,
            first=first,
            down=down,
        )
    return Form(kind="plan", count=str(s.installment_count), every=s.every, first=first, down=down)


def _offer_prompt(i: int, offer: Offer) -> Content:
    if offer.schedule is None:
        mark = "[b]✖[/b] not possible"
    elif offer.check.needs_approval:
        mark = "[b]✖[/b] needs approval"
    else:
        mark = "[b]✔[/b] within policy"
    return fmt(f"[b]$i[/b] $title\n  {mark}", i=i, title=offer.title)


# ---------------------------------------------------------------------------------- widgets


class OfferList(OptionList):
    """The offers; 1-4 picks one while the list has focus (elsewhere the digits are typed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(i), f"pick({i - 1})", f"Offer {i}", show=False, id=f"arrangement.offer{i}")
        for i in range(1, 5)
    ]

    def action_pick(self, index: int) -> None:
        if 0 <= index < self.option_count:
            self.highlighted = index
            self.action_select()


class ArrangementDialog(ModalScreen[str | None]):
    """Dismisses with True when something was recorded, None when cancelled."""

    DEFAULT_CSS = """
    ArrangementDialog { align: center middle; }
    ArrangementDialog.-tall #arr-top { height: 12; }
    #arr-box {
        width: 96%;
        max-width: 116;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #arr-title { height: 1; text-style: bold; }
    #arr-top { height: 8; }
    #arr-offers {
        width: 40%;
        height: 100%;
        border: none;
        border-left: tall $border-blurred;
        padding: 0;
    }
    #arr-offers:focus { border: none; border-left: tall $border; }
    #arr-fields { width: 1fr; height: 100%; padding-left: 1; }
    .arr-row { height: 1; }
    .arr-row Label { width: 13; height: 1; }
    .arr-row Input, .arr-row Select { width: 1fr; }
    #arr-bottom { height: 10; margin-top: 1; }
    #arr-schedule { width: auto; height: auto; max-height: 10; }
    #arr-words { width: 1fr; height: 10; padding-left: 1; }
    #arr-verdict, #arr-problem { height: auto; }
    #arr-problem { color: $error; text-style: bold; }
    #arr-keys { height: 1; color: $text-muted; }
    """

    # A tall terminal shows more offers. (Screen declares this as an instance attribute,
    # so mypy refuses a ClassVar annotation here.)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Record", id="arrangement.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="arrangement.cancel"),
    ]

    def __init__(self, view: AccountView, offers: tuple[Offer, ...]) -> None:
        super().__init__()
        self.view = view
        self.offers = offers
        self.preview: Preview = Preview("plan")
        self._saving = False
        self._note_timer: Timer | None = None

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    @property
    def blocked(self) -> bool:
        """The account may not be called now: a promise needs an override reason."""
        return self.view.verdict is None or not self.view.verdict.callable

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        v = self.view
        with Vertical(id="arr-box"):
            yield Static(
                plain(
                    f"Arrangement · {v.number} {v.debtor_name} · owes "
                    f"{format_money(v.balance_cents, v.currency)} · {v.creditor}"
                ),
                id="arr-title",
            )
            with Horizontal(id="arr-top"):
                yield OfferList(
                    *(
                        Option(_offer_prompt(i, o), id=f"offer-{i}")
                        for i, o in enumerate(self.offers, 1)
                    ),
                    id="arr-offers",
                )
                with Vertical(id="arr-fields"):
                    yield from self._row(
                        "kind",
                        "Kind",
                        Select(
                            [(KIND_LABELS[k], k) for k in KINDS],
                            value="plan",
                            allow_blank=False,
                            compact=True,
                            id="arr-kind",
                        ),
                    )
                    yield from self._row(
                        "count",
                        "Installments",
                        Input(
                            placeholder="how many, e.g. 6",
                            restrict=r"[0-9]*",
                            compact=True,
                            id="arr-count",
                        ),
                    )
                    yield from self._row(
                        "payment",
                        "or payment",
                        Input(placeholder="each, e.g. 75.00", compact=True, id="arr-payment"),
                    )
                    yield from self._row(
                        "amount",
                        "Amount",
                        Input(placeholder="promised, e.g. 150.00", compact=True, id="arr-amount"),
                    )
                    yield from self._row(
                        "every",
                        "Every",
                        Select(
                            [(EVERY_LABELS[f], f) for f in FREQUENCIES],
                            value="month",
                            allow_blank=False,
                            compact=True,
                            id="arr-every",
                        ),
                    )
                    yield from self._row(
                        "first",
                        "First date",
                        Input(placeholder=DATE_HINT, compact=True, id="arr-first"),
                    )
                    yield from self._row(
                        "down",
                        "Down payment",
                        Input(placeholder="none", compact=True, id="arr-down"),
                    )
                    yield from self._row(
                        "settle",
                        "Settlement",
                        Input(placeholder="pays 720.00, or 20% off", compact=True, id="arr-settle"),
                    )
                    yield from self._row(
                        "note",
                        "Note",
                        Input(placeholder="what was said", compact=True, id="arr-note"),
                    )
            with Horizontal(id="arr-bottom"):
                yield DataTable(id="arr-schedule", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="arr-words", can_focus=False):
                    yield Line("", id="arr-problem")
                    yield Line("", id="arr-verdict")
            yield Static(
                "[b]1-4[/b] offer · [b]tab[/b] next field · [b]ctrl+s[/b] record · "
                "[b]esc[/b] cancel",
                id="arr-keys",
            )

    @staticmethod
    def _row(name: str, label: str, widget: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="arr-row", id=f"arr-row-{name}"):
            yield Label(label, id=f"arr-label-{name}")
            yield widget

    def on_mount(self) -> None:
        table = self.query_one("#arr-schedule", DataTable)
        table.add_column("#", key="number")
        table.add_column("Due", key="due")
        table.add_column("Amount", key="amount")
        self._first().value = self._today().isoformat()
        pick = self._default_offer()
        offers = self.query_one("#arr-offers", OfferList)
        if pick is not None:
            offers.highlighted = pick
            self._fill_from(pick)
        if self.offers:
            offers.focus()
        else:
            self.query_one("#arr-kind", Select).focus()
        self._apply_kind()
        self._refresh()
        self._load_note()

    def _default_offer(self) -> int | None:
        """The plan within policy when there is one, else the first offer with a schedule."""
        for i, o in enumerate(self.offers):
            if o.kind == "shortest_plan" and o.schedule is not None:
                return i
        for i, o in enumerate(self.offers):
            if o.schedule is not None:
                return i
        return None

    @work(group="arrangement-note")
    async def _load_note(self) -> None:
        """A promise records the call, which clears the note's draft: offer the draft here so
        it goes with the call instead of being lost."""
        current = self.ws.current_note
        text = current[1] if current is not None and current[0] == self.view.number else None
        if text is None:
            b = self.ws.backend
            d = await b.call(load_draft, b.ctx, self.view.number)
            text = d.body if d is not None else None
        note = self.query_one("#arr-note", Input)
        if text and not note.value:
            note.value = text

    # --- reading the fields -----------------------------------------------------------------

    def _today(self) -> date:
        return self.ws.ctx.today()

    def _policy(self) -> ArrangementPolicy:
        return self.ws.ctx.policy_for(self.view.creditor)

    def _first(self) -> Input:
        return self.query_one("#arr-first", Input)

    def _input(self, name: str) -> str:
        return self.query_one(f"#arr-{name}", Input).value

    def _select(self, name: str) -> str:
        value = self.query_one(f"#arr-{name}", Select).value
        return value if isinstance(value, str) else ""

    def form(self) -> Form:
        return Form(
            kind=self._select("kind"),
            count=self._input("count"),
            payment=self._input("payment"),
            every=self._select("every"),
            first=self._input("first"),
            down=self._input("down"),
            settlement=self._input("settle"),
            amount=self._input("amount"),
            note=self._input("note"),
        )

    # --- offers -----------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#arr-offers")
    def _offer_selected(self, event: OptionList.OptionSelected) -> None:
        self._fill_from(event.option_index)
        self._refresh()

    def _fill_from(self, index: int) -> None:
        offer = self.offers[index]
        form = form_for_offer(offer)
        if form is None:
            self._problem(f"{offer.title}: {offer.note}")
            return
        self.query_one("#arr-kind", Select).value = form.kind
        self.query_one("#arr-every", Select).value = form.every
        self.query_one("#arr-count", Input).value = form.count
        self.query_one("#arr-payment", Input).value = form.payment
        self._first().value = form.first
        self.query_one("#arr-down", Input).value = form.down
        self.query_one("#arr-settle", Input).value = form.settlement
        self._apply_kind(form.kind)

    # --- live -------------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        # A plan is by count OR by payment: typing in one clears the other.
        if event.value:
            if event.input.id == "arr-count":
                self.query_one("#arr-payment", Input).value = ""
            elif event.input.id == "arr-payment":
                self.query_one("#arr-count", Input).value = ""
        if event.input.id != "arr-note":
            self._problem("")
        else:
            # The same note as the outcome dialog's: kept as a draft while typed (and on
            # SIGHUP), so a dropped session loses nothing.
            self.ws.current_note = (self.view.number, event.value)
            if self._note_timer is not None:
                self._note_timer.stop()
            self._note_timer = self.set_timer(0.6, self._save_note_draft)
        self._refresh()

    async def _save_note_draft(self) -> None:
        note = self.ws.current_note
        if note is not None and note[0] == self.view.number:
            b = self.ws.backend
            await b.call(b.save_draft, note[0], note[1])

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        if event.select.id == "arr-kind":
            self._apply_kind()
        self._problem("")
        self._refresh()

    def _apply_kind(self, kind: str | None = None) -> None:
        """Show only the fields the kind uses (hidden fields take no focus)."""
        kind = kind or self._select("kind")
        promise = kind == "promise"
        for name in ("count", "payment", "every", "down"):
            self.query_one(f"#arr-row-{name}").display = not promise
        for name in ("amount", "note"):
            self.query_one(f"#arr-row-{name}").display = promise
        self.query_one("#arr-row-settle").display = kind == "settlement"
        label = "Promise date" if promise else "First date"
        self.query_one("#arr-label-first", Label).update(label)

    def _refresh(self) -> None:
        p = work_out(self.form(), self.view.balance_cents, self._today(), self._policy())
        self.preview = p
        self._draw_schedule(p)
        self.query_one("#arr-verdict", Static).update(self._words(p))

    def _problem(self, text: str) -> None:
        self.query_one("#arr-problem", Static).update(plain(text))

    def _draw_schedule(self, p: Preview) -> None:
        table = self.query_one("#arr-schedule", DataTable)
        table.clear()
        cur = self.view.currency
        if p.promise_on is not None and p.promise_cents is not None:
            table.add_row(
                cell("1"),
                cell(f"{p.promise_on:%a %Y-%m-%d}"),
                cell(format_money(p.promise_cents, cur)),
            )
            return
        if p.schedule is None:
            return
        table.add_rows(
            (
                cell(i.number),
                cell(f"{i.due_on:%a %Y-%m-%d}"),
                cell(format_money(i.amount_cents, cur) + (" down" if i.is_down_payment else "")),
            )
            for i in p.schedule.installments
        )

    def _words(self, p: Preview) -> Content:
        cur = self.view.currency
        if p.errors:
            return lines(fmt("[b]✖[/b] $error", error=e) for e in p.errors)
        if p.promise_cents is not None and p.promise_on is not None:
            head = fmt(
                "Promise of [b]$amount[/b] on $day",
                amount=format_money(p.promise_cents, cur),
                day=f"{p.promise_on:%a %Y-%m-%d}",
            )
            v = self.view.verdict
            if self.blocked:
                why = v.reason if v is not None else "not callable"
                how = f"recorded as this call's outcome; calling is blocked ({why}): an override"
                how += " reason is asked for"
            else:
                how = "recorded as this call's outcome (promise)"
            return lines([head, how])
        s, check = p.schedule, p.check
        assert s is not None and check is not None
        rows = s.installment_count
        payments = f"{rows} {_ADJECTIVE[s.every]} payments" if rows > 1 else "1 payment"
        down = f"{format_money(s.down_cents, cur)} down, then " if s.down_cents else ""
        out = [
            fmt(
                "$down$payments · total [b]$total[/b] · last $last",
                down=down,
                payments=payments,
                total=format_money(s.total_cents, cur),
                last=f"{s.last_due_on:%a %Y-%m-%d}",
            )
        ]
        if p.settlement is not None:
            st = p.settlement
            pct = format(st.percent_off.normalize(), "f")
            out.append(
                plain(
                    f"settles {format_money(st.balance_cents, cur)} for "
                    f"{format_money(st.settlement_cents, cur)}: {pct}% off, forgives "
                    f"{format_money(st.discount_cents, cur)}"
                )
            )
        if not check.needs_approval:
            out.append(fmt("[b]✔ within policy[/b]"))
        else:
            out.append(fmt("[b]✖ needs a supervisor's approval[/b]"))
            out.extend(plain(f"  · {r}") for r in check.reasons)
        return lines(out)

    # --- recording --------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        self._refresh()
        p = self.preview
        if not p.ok:
            self._problem("Nothing recorded: " + "; ".join(p.errors))
            self.app.bell()
            return
        self._saving = True
        self._record(p, self.form().note.strip())

    @work(exclusive=True, group="arrangement-save")
    async def _record(self, p: Preview, note: str) -> None:
        b = self.ws.backend
        number = self.view.number
        cur = self.view.currency
        try:
            if p.kind == "promise":
                assert p.promise_cents is not None and p.promise_on is not None
                override = None
                if self.blocked:
                    # A promise is recorded as this call's outcome: on an account that may
                    # not be called, the same override as any other outcome (never for
                    # cease, attorney or bankruptcy).
                    v = self.view.verdict
                    reason = v.reason if v is not None else "blocked"
                    if v is None or not v.overridable:
                        self._saving = False
                        self._problem(f"Nothing recorded: {reason} cannot be overridden.")
                        return
                    from .override import OverrideDialog

                    override = await self.app.push_screen_wait(OverrideDialog(number, reason))
                    if not override:
                        self._saving = False
                        self._problem("Nothing recorded (no override reason).")
                        return
                await b.call(
                    record_call,
                    b.ctx,
                    number,
                    "promise",
                    promise_cents=p.promise_cents,
                    promise_on=p.promise_on,
                    note=note or None,
                    override=override,
                )
                done = (
                    f"Promise of {format_money(p.promise_cents, cur)} on "
                    f"{p.promise_on:%Y-%m-%d} recorded on {number}"
                )
                # Recording the call cleared the note's draft and gave the lease back.
                if self.ws.current_note is not None and self.ws.current_note[0] == number:
                    self.ws.current_note = None
                if self.ws.current_account == number:
                    self.ws.current_account = None
            else:
                assert p.schedule is not None
                arrangement_id = await b.call(
                    record_arrangement,
                    b.ctx,
                    number,
                    p.schedule,
                    kind=p.kind,
                    settlement=p.settlement,
                    policy_check=p.check,
                )
                done = (
                    f"{p.kind.capitalize()} #{arrangement_id} recorded on {number}: "
                    f"{format_money(p.schedule.total_cents, cur)} in {p.schedule.count}"
                )
        except InputError as exc:
            self._saving = False
            self._problem(f"Nothing recorded: {exc}")
            self.app.bell()
            return
        self.notify(done, timeout=4)
        self.dismiss(p.kind)

    def action_cancel(self) -> None:
        if self._note_timer is not None:
            self._note_timer.stop()
            note = self.ws.current_note
            if note is not None and note[0] == self.view.number:
                b = self.ws.backend
                self.ws.run_worker(b.call(b.save_draft, note[0], note[1]), group="draft")
        self.dismiss(None)
