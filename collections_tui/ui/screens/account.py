"""The account screen: everything about one account, panes reachable by keys (DESIGN §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, DataTable, Sparkline, Static

from ...domain.display import safe_text
from ...domain.money import format_money
from ...services.accounts import AccountView
from ...services.errors import Blocked, InputError, NotFound
from ...services.queue import Filters
from ..backend import Opened
from ..format import short_zone, when_text
from ..text import Content, cell, fmt, lines, plain
from ..widgets.key_bar import KeyBar
from ..widgets.line import Line

if TYPE_CHECKING:
    from ..app import WorkstationApp
    from .note import NoteRequest

PREFETCH_EVERY_S = 30.0  # who `n` gives next, read again while an account is open


def open_next(app: WorkstationApp, filters: Filters | None = None) -> None:
    """Give back the open account (if any), lease the best callable one and show it.
    A second `n` while the first is on its way is ignored: cancelling the first would not
    stop its database call, which leases an account."""
    if app.next_in_flight:
        return
    app.next_in_flight = True
    app.run_worker(_open_next(app, filters or app.filters), group="next")


async def _open_next(app: WorkstationApp, filters: Filters) -> None:
    b = app.backend
    try:
        release, app.current_account = app.current_account, None
        prefetched = app.take_prefetched()
        opened = await b.call(b.next_open, filters, frozenset(app.worked), prefetched, release)
    except Exception as exc:  # shown, never a crash of the session
        app.notify(f"Could not open the next account: {exc}", severity="error", timeout=10)
        return
    finally:
        app.next_in_flight = False
    if opened is None:
        app.notify("Nothing callable now — the queue says why.", title="Queue", timeout=6)
        while isinstance(app.screen, AccountScreen):
            app.pop_screen()
        return
    number = opened.view.number
    app.current_account = number
    app.show_account(number, opened)


def prefetch_next(app: WorkstationApp) -> None:
    """Fetch who `n` would give next while the coordinator works this account."""

    async def run() -> None:
        b = app.backend
        skip = frozenset(app.worked)
        app.set_prefetched(await b.call_slow(b.candidates, app.filters, skip))

    # The function, not a coroutine: a read-ahead replaced before it starts is never made.
    app.run_worker(run, group="prefetch", exclusive=True)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CallRequest:
    """What the outcome dialog asks to record."""

    outcome: str
    note: str
    phone: str | None
    callback_at: datetime | None
    promise_cents: int | None
    promise_on: date | None
    go_next: bool


def _HEAD(title: str) -> Content:
    return plain(title, style="bold")


PANES: tuple[tuple[str, str], ...] = (
    ("overview", "1 Overview"),
    ("balance", "2 Balance"),
    ("offers", "3 Offers"),
    ("calls", "4 Calls & notes"),
    ("claims", "5 Claims"),
)


class PaneBar(Static):
    """The account's panes on one line, the one on show highlighted; keys 1–5 pick one
    (a click too, with --mouse). Plain text, not Textual's Tabs: those animate their
    underline and cost the first open of an account a few frames (DESIGN §9)."""

    DEFAULT_CSS = """
    PaneBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    active: reactive[str] = reactive("overview")

    class Picked(Message):
        def __init__(self, pane: str) -> None:
            self.pane = pane
            super().__init__()

    def watch_active(self) -> None:
        self.update(
            "  ".join(
                f"[reverse b] {label} [/]" if pane == self.active else f" {label} "  # ours
                for pane, label in PANES
            )
        )

    def on_click(self, event: events.Click) -> None:
        x = event.x - 1  # the padding
        for pane, label in PANES:
            if 0 <= x < len(label) + 2:
                self.post_message(self.Picked(pane))
                return
            x -= len(label) + 4


class AccountScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "outcome", "Outcome", id="account.outcome"),
        Binding("n", "next", "Next", id="account.next"),
        Binding("d", "dial", "Dial", id="account.dial"),
        Binding("p", "promise", "Promise", id="account.promise"),
        Binding("a", "arrangement", "Arrange", id="account.arrangement"),
        Binding("b", "callback", "Callback", id="account.callback"),
        Binding("c", "consent", "Consent", id="account.consent"),
        Binding("i", "inconvenient", "Avoid times", id="account.inconvenient"),
        Binding("m", "note", "Note", id="account.note", show=False),
        Binding("slash", "search", "Search", id="account.search", show=False),
        Binding("escape", "back", "Back", id="account.back"),
        Binding("q", "app.quit", "Quit", id="account.quit", show=False),
        Binding("1", "pane('overview')", "Overview", show=False, id="account.pane_overview"),
        Binding("2", "pane('balance')", "Balance", show=False, id="account.pane_balance"),
        Binding("3", "pane('offers')", "Offers", show=False, id="account.pane_offers"),
        Binding("4", "pane('calls')", "Calls", show=False, id="account.pane_calls"),
        Binding("5", "pane('claims')", "Claims", show=False, id="account.pane_claims"),
    ]

    def __init__(self, number: str, *, opened: Opened | None = None) -> None:
        super().__init__()
        self.number = number
        self.opened: Opened | None = None
        self._given = opened
        self._renewal: Timer | None = None
        self.recorded: str | None = None  # the outcome recorded on this visit
        self._stale: set[str] = set()  # panes not yet drawn for the account shown
        self._ready = False  # on_mount has run

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    @property
    def view(self) -> AccountView | None:
        return self.opened.view if self.opened else None

    def compose(self) -> ComposeResult:
        yield Line(plain(f"Opening {self.number}…"), id="account-header")
        yield Line("", id="account-banner")
        yield PaneBar(id="account-tabs")
        with ContentSwitcher(id="account-panes", initial="overview"):
            yield VerticalScroll(Line("", id="overview-body"), id="overview")
            with Vertical(id="balance"):
                yield Sparkline([], id="balance-spark")
                yield Line("", id="balance-caption")
                yield DataTable(id="ledger", cursor_type="row", zebra_stripes=True)
            yield VerticalScroll(Line("", id="offers-body"), id="offers")
            yield VerticalScroll(Line("", id="calls-body"), id="calls")
            yield VerticalScroll(Line("", id="claims-body"), id="claims")
        yield KeyBar()

    def on_mount(self) -> None:
        table = next(self.query("#ledger").results(DataTable), None)
        if table is None:  # the app closed while this screen was being built ahead (warm-up)
            return
        table.add_columns("Posted", "Kind", "Amount", "Balance", "Reference / memo")
        if self._given is not None:
            self.apply(self._given)
        elif self.number:  # "": built ahead of the first open (WorkstationApp.warm_up)
            self.load()
        minutes = max(self.ws.ctx.lease_minutes, 1)
        self._renewal = self.set_interval(minutes * 60 / 3, self._renew)
        # Who `n` gives next is kept fresh while the coordinator is on a long call.
        self.set_interval(PREFETCH_EVERY_S, self._refresh_next)
        self._ready = True

    def _refresh_next(self) -> None:
        if self.is_current and self.opened is not None:
            prefetch_next(self.ws)

    def request(self, number: str, opened: Opened | None = None) -> None:
        """Show ``number`` (``opened``: already read, and leased): at once, or — when this
        screen is still being built — as soon as it is mounted."""
        if not self._ready:  # on_mount has not run: it shows what it is given
            self.number, self._given = number, opened
        elif opened is not None:
            self.apply(opened)
        else:
            self.open_other(number)

    def on_unmount(self) -> None:
        if self._renewal is not None:
            self._renewal.stop()

    # --- loading ----------------------------------------------------------------------------

    @work(exclusive=True, group="account")
    async def load(self) -> None:
        b = self.ws.backend
        number = self.number
        try:
            opened = await b.call(b.open_account, number)
        except NotFound as exc:
            self.notify(str(exc), severity="error")
            if self.is_current:
                self.dismiss()
            return
        except Exception as exc:
            self.notify(f"Could not open {number}: {exc}", severity="error", timeout=10)
            return
        if self.number != number or self not in self.app.screen_stack:
            # Left (escape) or moved on to another account while this one was read: the
            # lease it took goes straight back.
            if opened.leased:
                await b.call(b.release, number)
            return
        self.apply(opened)

    def apply(self, opened: Opened) -> None:
        """Show ``opened`` (this screen is reused by `n`: refilled, not rebuilt)."""
        self.number = opened.view.number
        self.opened = opened
        self.recorded = None
        self.ws.worked.add(self.number)
        if opened.leased:
            self.ws.current_account = self.number
        self._switch("overview")
        self.show(opened.view)
        if opened.draft:
            self.notify(
                "A note you typed earlier was kept; it is in the outcome dialog (o).",
                title="Draft restored",
                timeout=6,
            )
        # Who `n` gives next is read once this account is on screen, not while it is drawn.
        self.set_timer(0.3, lambda: prefetch_next(self.ws))

    @work(exclusive=True, group="account")
    async def reload(self) -> None:
        if self.opened is None:
            return
        b = self.ws.backend
        number = self.number
        try:
            view = await b.call(b.reload, number)
        except Exception as exc:
            self.notify(f"Could not read {number} again: {exc}", severity="error")
            return
        o = self.opened
        if self.number != number or o is None or o.view.number != number:
            return  # another account is on screen now: this result is stale
        self.opened = Opened(view, o.leased, o.holder, None, o.offers)
        self.show(view)

    async def _renew(self) -> None:
        o = self.opened
        if o is None or not o.leased or self.ws.current_account != self.number:
            return
        number = self.number
        b = self.ws.backend
        try:
            kept = await b.call(b.renew, number)
        except Exception as exc:
            self.notify(f"Could not renew the lease on {number}: {exc}", severity="warning")
            return
        if not kept and self.number == number and self.opened is not None:
            # Someone took it over after it expired (a laptop asleep, a dropped link).
            self.ws.current_account = None
            o = self.opened
            self.opened = Opened(o.view, False, None, o.draft, o.offers)
            self.show(o.view)
            self.notify(
                f"{number} is now open by another coordinator: read only.",
                severity="warning",
                timeout=10,
            )

    # --- drawing ----------------------------------------------------------------------------

    def show(self, v: AccountView) -> None:
        flags = fmt(" · [b red]$flags[/]", flags=", ".join(v.flags)) if v.flags else ""
        status = "" if v.status == "open" else fmt(" · [b]$status[/b]", status=v.status)
        self.query_one("#account-header", Static).update(
            fmt(
                "[b]$number[/b] · [b]$name[/b] ($kind) · $creditor\n[b]$money[/b] · "
                "$dpd days past due · aging $bucket",
                number=v.number,
                name=v.debtor_name,
                kind=v.debtor_type,
                creditor=v.creditor,
                money=format_money(v.balance_cents, v.currency),
                dpd=v.days_past_due,
                bucket=v.aging_bucket,
            )
            + status
            + flags
        )
        self.query_one("#account-banner", Static).update(self._banner(v))
        banner = self.query_one("#account-banner", Static)
        banner.set_class(bool(v.verdict and v.verdict.callable), "callable")
        banner.set_class(not (v.verdict and v.verdict.callable), "blocked")
        # Only the pane on show is drawn now; the others when they are opened (`n` stays fast).
        self._stale = {"overview", "balance", "offers", "calls", "claims"}
        self._fill(self.query_one(ContentSwitcher).current or "overview")

    def _fill(self, pane: str) -> None:
        v = self.view
        if v is None or pane not in self._stale:
            return
        self._stale.discard(pane)
        if pane == "overview":
            self.query_one("#overview-body", Static).update(self._overview(v))
        elif pane == "balance":
            self._ledger(v)
        elif pane == "offers":
            self.query_one("#offers-body", Static).update(self._offers())
        elif pane == "calls":
            self.query_one("#calls-body", Static).update(self._calls(v))
        elif pane == "claims":
            self.query_one("#claims-body", Static).update(self._claims(v))

    def _banner(self, v: AccountView) -> Content:
        o = self.opened
        zone = self.ws.ctx.home_zone
        out: list[Content] = []
        verdict = v.verdict
        if verdict is not None:
            if verdict.callable:
                consent = " (under the debtor's consent)" if verdict.under_consent else ""
                out.append(fmt("[b]✔ Callable now[/b]$consent", consent=consent))
            else:
                nxt = (
                    f" · callable {when_text(verdict.next_callable_at, zone)}"
                    if verdict.next_callable_at and "callable from" not in verdict.message
                    else ""
                )
                out.append(
                    fmt(
                        "[b]✖ $reason[/b]: $message$next",
                        reason=verdict.reason,
                        message=verdict.message,
                        next=nxt,
                    )
                )
        local = ", ".join(f"{lt.weekday} {lt.time} ({short_zone(lt.zone)})" for lt in v.local_times)
        cap = f"attempts 7 days: {verdict.attempts_7d}" if verdict else ""
        out.append(plain(f"Local {local} · {cap}"))
        extra: list[Content] = []
        live = [c for c in v.consents if c.revoked_at is None and c.callback_at is None]
        if live and verdict is not None and verdict.under_consent:
            c = live[0]
            until = f" until {when_text(c.until, zone)}" if c.until else ""
            extra.append(plain(f"consent given {c.given_at:%d %b}{until}"))
        if v.inconvenient:
            extra.append(plain("avoid " + "; ".join(a.spec for a in v.inconvenient)))
        avoided = [p.display for p in v.phones if p.inconvenient]
        if avoided:
            extra.append(plain("don't call " + ", ".join(avoided)))
        if self.recorded is not None:
            extra.append(
                fmt(
                    "[b]$outcome recorded[/b] · lease given back · [b]n[/b] next",
                    outcome=self.recorded,
                )
            )
        elif o is not None and not o.leased:
            holder = o.holder or "another coordinator"
            extra.append(fmt("[b]open by $holder[/b] — read only", holder=holder))
        if extra:
            out.append(Content(" · ").join(extra))
        return lines(out)

    def _overview(self, v: AccountView) -> Content:
        out: list[Content] = [_HEAD("Phones")]
        for p in v.phones:
            state = "dialable" if p.dialable else (p.status if p.valid else "not valid")
            if p.inconvenient:
                state = "avoid"
            times = ", ".join(lt.time for lt in p.local_times)
            row = plain(f"  {p.kind:<6} {safe_text(p.display):<18} {state:<9} {times}")
            if p.inconvenient:
                row += fmt(" · [b]inconvenient: not dialled[/b]")
            out.append(row)
        if not v.phones:
            out.append(plain("  none"))
        if v.address:
            out.append(fmt("[b]Address[/b] $address", address=v.address))
        if v.email:
            out.append(fmt("[b]Email[/b] $email", email=v.email))
        if v.priority is not None:
            parts = " + ".join(f"{p.name} {p.points:+d}" for p in v.priority.parts)
            out.append(
                fmt(
                    "[b]Queue[/b] $tier · score $score = $parts",
                    tier=v.priority.tier,
                    score=v.priority.score,
                    parts=parts,
                )
            )
        out.append(_HEAD("Promises"))
        for pr in v.promises[:8]:
            out.append(
                plain(
                    f"  {pr.due_on:%Y-%m-%d} {format_money(pr.amount_cents, v.currency):>11} "
                    f"{pr.status:<15} paid {format_money(pr.paid_cents, v.currency)}"
                )
            )
        if not v.promises:
            out.append(plain("  none"))
        out.append(_HEAD("Arrangements"))
        for a in v.arrangements[:6]:
            nxt = (
                f" · next {a.next_due_on:%Y-%m-%d} {format_money(a.next_due_cents, v.currency)}"
                if a.next_due_on
                else ""
            )
            approved = f" · approved by {a.approved_by}" if a.approved_by else ""
            out.append(
                plain(
                    f"  #{a.id} {a.kind} {a.status} · {format_money(a.total_cents, v.currency)} "
                    f"in {len(a.installments)} · paid {format_money(a.paid_cents, v.currency)}"
                    f"{nxt}{approved}"
                )
            )
        if not v.arrangements:
            out.append(plain("  none"))
        callbacks = [c for c in v.callbacks if not c.done]
        if callbacks:
            out.append(_HEAD("Callbacks"))
            for cb in callbacks:
                when = when_text(cb.due_at, self.ws.ctx.home_zone)
                out.append(plain(f"  {when} ({cb.coordinator})"))
        return lines(out)

    def _ledger(self, v: AccountView) -> None:
        spark = self.query_one("#balance-spark", Sparkline)
        series = balance_series(v, self.ws.ctx.today(), max(self.size.width - 2, 20))
        spark.data = series
        first = v.ledger[0].posted_on if v.ledger else None
        high = max(series)
        self.query_one("#balance-caption", Static).update(
            plain(
                f"Balance over time{f' since {first:%Y-%m-%d}' if first else ''} · "
                f"highest {format_money(high, v.currency)} · now "
                f"{format_money(v.balance_cents, v.currency)} · {len(v.ledger)} entries"
            )
        )
        table = self.query_one("#ledger", DataTable)
        table.clear()
        for line in reversed(v.ledger):
            memo = " ".join(x for x in (line.reference or "", line.memo) if x)
            table.add_row(
                cell(f"{line.posted_on:%Y-%m-%d}"),
                cell(line.kind),
                cell(format_money(line.amount_cents, v.currency)),
                cell(format_money(line.balance_after_cents, v.currency)),
                cell(memo),
            )

    def _offers(self) -> Content:
        o = self.opened
        if o is None or not o.offers:
            return plain("No balance to arrange.")
        out: list[Content] = []
        for i, offer in enumerate(o.offers, 1):
            ok = "needs approval" if offer.check.needs_approval else "within policy"
            out.append(fmt("[b]$i. $title[/b] ($ok)", i=i, title=offer.title, ok=ok))
            if offer.note:
                out.append(plain(f"   {safe_text(offer.note)}"))
            for reason in offer.check.reasons:
                out.append(plain(f"   · {safe_text(reason)}"))
        out.append(fmt("\n[b]a[/b] builds and records an arrangement from these."))
        return lines(out)

    def _calls(self, v: AccountView) -> Content:
        zone = self.ws.ctx.home_zone
        out: list[Content] = [fmt("[b]Calls[/b] (newest first)")]
        for c in v.contacts[:60]:
            phone = f" {c.phone}" if c.phone else ""
            out.append(plain(f"  {when_text(c.at, zone)}  {c.outcome:<18} {c.coordinator}{phone}"))
            for n in c.notes:
                out.append(Content("      “") + plain(n, multiline=True) + "”")
        if not v.contacts:
            out.append(plain("  none"))
        out.append(fmt("[b]Notes[/b] (newest first; never edited: corrections are addenda)"))
        for note in v.notes[:60]:
            add = f" (addendum to #{note.addendum_of})" if note.addendum_of else ""
            head = plain(f"  #{note.id} {when_text(note.at, zone)} {note.coordinator}{add}: ")
            out.append(head + plain(note.body, multiline=True))
        if not v.notes:
            out.append(plain("  none"))
        return lines(out)

    def _claims(self, v: AccountView) -> Content:
        if not v.claims:
            return plain("No insurance claims on this account.")
        out: list[Content] = []
        for c in v.claims:
            paid = format_money(c.paid_cents, v.currency) if c.paid_cents is not None else "—"
            rest = (
                f" · service {c.service_date} · billed {format_money(c.billed_cents, v.currency)}"
                f" · {c.status} · paid {paid}"
                + (f" · denial {c.denial_code}" if c.denial_code else "")
                + (f" · payer {c.payer_phone}" if c.payer_phone else "")
            )
            out.append(
                fmt("[b]$claim[/b] $payer$rest", claim=c.claim_number, payer=c.payer, rest=rest)
            )
        return lines(out)

    # --- actions ----------------------------------------------------------------------------

    def action_pane(self, pane: str) -> None:
        self._switch(pane)
        self._fill(pane)
        # The arrow keys scroll the pane on show.
        shown = self.query_one(f"#{pane}")
        target = shown if shown.focusable else next(iter(shown.query(DataTable)), None)
        if target is not None:
            target.focus()

    def _switch(self, pane: str) -> None:
        self.query_one(ContentSwitcher).current = pane
        self.query_one(PaneBar).active = pane

    def on_pane_bar_picked(self, event: PaneBar.Picked) -> None:
        self.action_pane(event.pane)

    def action_back(self) -> None:
        if self.ws.current_account == self.number:
            b = self.ws.backend
            self.ws.current_account = None
            self.ws.run_worker(b.call(b.release, self.number), group="release")
        self.dismiss()

    def action_next(self) -> None:
        open_next(self.ws)

    def action_search(self) -> None:
        from .search import SearchScreen

        self.app.push_screen(SearchScreen())

    def open_other(self, number: str) -> None:
        """Show another account here (found by search, or opened from the queue): this
        one's lease is given back."""
        if number == self.number and self.opened is not None:
            if self.ws.current_account != number:
                self.load()  # back from the queue: lease it again, read it fresh
            return
        if self.ws.current_account == self.number:
            b = self.ws.backend
            self.ws.current_account = None
            self.ws.run_worker(b.call(b.release, self.number), group="release")
        self.number = number
        self.opened = None
        self.query_one("#account-header", Static).update(plain(f"Opening {number}…"))
        self.query_one("#account-banner", Static).update("")
        for body in ("#overview-body", "#offers-body", "#calls-body", "#claims-body"):
            self.query_one(body, Static).update("")
        self.query_one("#ledger", DataTable).clear()
        self.load()

    def _block(self) -> tuple[str, bool] | None:
        """The verdict's block on the account shown, as (reason, overridable); None: callable."""
        v = self.view
        if v is None or v.verdict is None or v.verdict.callable:
            return None
        return v.verdict.reason, v.verdict.overridable

    def action_outcome(self, preset: str | None = None) -> None:
        v = self.view
        if v is None:
            return
        from .outcome import OutcomeDialog

        draft = self.opened.draft if self.opened else None
        typed = self.ws.current_note
        if typed is not None and typed[0] == self.number and typed[1].strip():
            draft = typed[1]  # typed in a dialog left with escape: still a draft

        def done(request: CallRequest | None) -> None:
            if request is not None:
                self.record(request)

        self.app.push_screen(OutcomeDialog(v, preset=preset, draft=draft), done)

    def action_promise(self) -> None:
        self.action_outcome("promise")

    def action_callback(self) -> None:
        self.action_outcome("callback_requested")

    def action_note(self) -> None:
        from .note import NoteDialog

        def done(request: NoteRequest | None) -> None:
            if request is not None:
                self._add_note(request)

        v = self.view
        latest = v.notes[0].id if v is not None and v.notes else None
        self.app.push_screen(NoteDialog(self.number, latest), done)

    @work(group="write")
    async def _add_note(self, request: NoteRequest) -> None:
        b = self.ws.backend
        try:
            await b.call(b.add_note, self.number, request.body, request.addendum_of)
        except InputError as exc:
            self.notify("\n".join(exc.lines), severity="error", timeout=8)
            return
        self.notify("Addendum added" if request.addendum_of else "Note added")
        self.reload()

    @work(group="write")
    async def record(self, request: CallRequest, override: str | None = None) -> None:
        b = self.ws.backend
        number = self.number  # the account this dialog was for, whatever happens meanwhile
        block = self._block()
        if block is not None and override is None:
            override = await self._ask_override(number, *block)
            if override is None:
                return
        for _attempt in range(2):
            try:
                await b.call(
                    b.record_call,
                    number,
                    request.outcome,
                    phone=request.phone,
                    note=request.note or None,
                    callback_at=request.callback_at,
                    promise_cents=request.promise_cents,
                    promise_on=request.promise_on,
                    override=override,
                )
                break
            except Blocked as exc:
                if override is None:
                    # Blocked since the account was opened (calling hours ended, a cap):
                    # the same override as for a block known at opening.
                    override = await self._ask_override(number, exc.reason, exc.overridable)
                    if override is not None:
                        continue
                else:
                    self.notify("\n".join(exc.lines), severity="error", timeout=10)
            except InputError as exc:
                self.notify("\n".join(exc.lines), severity="error", timeout=10)
            except Exception as exc:
                self.notify(f"Nothing recorded on {number}: {exc}", severity="error", timeout=10)
            if self.opened is not None and request.note and self.number == number:
                # Nothing was recorded: the note comes back when the dialog opens again.
                o = self.opened
                self.opened = Opened(o.view, o.leased, o.holder, request.note, o.offers)
            return
        self.ws.current_note = None
        if self.ws.current_account == number:
            self.ws.current_account = None  # recording the outcome gave the lease back
        if self.opened is not None and self.number == number:
            o = self.opened
            self.opened = Opened(o.view, False, None, None, o.offers)
            self.recorded = request.outcome
        self.notify(f"Recorded {request.outcome} on {number}", timeout=3)
        if request.go_next:
            open_next(self.ws)
        elif self.number == number:
            self.reload()

    async def _ask_override(self, number: str, reason: str, overridable: bool) -> str | None:
        """The typed reason for calling a blocked account (None: refused or not given)."""
        if not overridable:
            self.notify(
                f"{reason}: this account may not be called; nothing was recorded.",
                severity="error",
                timeout=8,
            )
            return None
        from .override import OverrideDialog

        typed = await self.app.push_screen_wait(OverrideDialog(number, reason))
        if not typed:
            self.notify("Nothing recorded (no override reason).", severity="warning")
            return None
        return str(typed)

    def action_dial(self) -> None:
        v = self.view
        if v is None:
            return
        self._dial(v)

    @work(group="dial")
    async def _dial(self, v: AccountView) -> None:
        block = self._block()
        if block is not None:
            reason, overridable = block
            if not overridable:
                self.notify(f"{reason}: this account may not be called.", severity="error")
                return
            from .override import OverrideDialog

            typed = await self.app.push_screen_wait(OverrideDialog(self.number, reason))
            if not typed:
                return
            b = self.ws.backend
            try:
                await b.call(b.audit_dial_override, self.number, reason, typed)
            except InputError as exc:
                self.notify("\n".join(exc.lines), severity="error", timeout=10)
                return
        from .dial import DialScreen

        phones = [p for p in v.phones if p.dialable and p.e164]
        if not phones:
            self.notify("No dialable phone on this account.", severity="error")
            return
        await self.app.push_screen(DialScreen(v, phones))

    def action_arrangement(self) -> None:
        v = self.view
        if v is None or self.opened is None:
            return
        from .arrangement import ArrangementDialog

        def done(kind: str | None) -> None:
            if kind is None:
                return
            o = self.opened
            if kind == "promise":
                # A promise was recorded as the call: that gave the lease back.
                if o is not None:
                    self.opened = Opened(o.view, False, None, None, o.offers)
                self.recorded = "promise"
                self.reload()
                return
            self.reload()
            if self.recorded is None:
                # An arrangement is not a call: record the call's outcome now, preset.
                self.action_outcome("arrangement")

        self.app.push_screen(ArrangementDialog(v, self.opened.offers), done)

    def action_consent(self) -> None:
        self._consent_dialog("consent")

    def action_inconvenient(self) -> None:
        self._consent_dialog("avoid")

    def _consent_dialog(self, mode: str) -> None:
        v = self.view
        if v is None:
            return
        from .consent import ConsentDialog

        def done(changed: bool | None) -> None:
            if changed:
                self.reload()

        self.app.push_screen(ConsentDialog(v, mode=mode), done)


def balance_series(v: AccountView, today: date, points: int) -> list[int]:
    """The balance (cents) on ``points`` evenly spaced days from the first ledger entry to
    today: the ledger's running balance as a step function, for the sparkline. It starts at
    0, the balance before the first entry, so the plot's floor is zero owed, not the lowest
    balance seen."""
    if not v.ledger:
        return [0, v.balance_cents]
    start = v.ledger[0].posted_on
    days = max((today - start).days, 1)
    out: list[int] = [0]
    i, balance = 0, 0
    samples = max(points - 1, 2)  # after the leading 0; the last one is today
    for k in range(samples):
        day = start + timedelta(days=days * k // (samples - 1))
        while i < len(v.ledger) and v.ledger[i].posted_on <= day:
            balance = v.ledger[i].balance_after_cents
            i += 1
        out.append(balance)
    return out
