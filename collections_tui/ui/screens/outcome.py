"""Record outcome: call-centre hot keys 1–9, a note, callback, promise; ctrl+s saves."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ...domain.compliance import OUTCOMES
from ...domain.money import MoneyError, parse_amount
from ...domain.when import WhenError, parse_local_date, parse_local_time
from ...services.accounts import AccountView
from ..format import when_text
from ..text import Content, cell, fmt, plain
from ..widgets.line import Line
from .account import CallRequest

if TYPE_CHECKING:
    from ..app import WorkstationApp

# DESIGN §6: 1-8 are the first eight outcomes in their order, 9 is callback_requested.
HOT_KEYS: tuple[str, ...] = (*OUTCOMES[:8], "callback_requested")
OTHERS = tuple(o for o in OUTCOMES if o not in HOT_KEYS)
ORDER = HOT_KEYS + OTHERS
DRAFT_DELAY = 0.6  # seconds of quiet before a typed note is saved as a draft


class OutcomeDialog(ModalScreen[CallRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(i), f"pick({i - 1})", o, show=False, id=f"outcome.key{i}")
            for i, o in enumerate(HOT_KEYS, 1)
        ),
        Binding("ctrl+s", "save(False)", "Save", id="outcome.save", priority=True),
        Binding("ctrl+n", "save(True)", "Save & next", id="outcome.save_next", priority=True),
        Binding("n", "save(True)", "Save & next", show=False, id="outcome.next"),
        Binding("escape", "cancel", "Cancel", id="outcome.cancel"),
    ]

    def __init__(self, view: AccountView, *, preset: str | None = None, draft: str | None = None):
        super().__init__()
        self.view = view
        self.preset = preset
        self.draft = draft or ""
        self._draft_timer: Timer | None = None
        self.zone = view.local_times[0].zone if view.local_times else "America/New_York"

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    def compose(self) -> ComposeResult:
        v = self.view
        local = ", ".join(f"{lt.time}" for lt in v.local_times)
        with Vertical(id="outcome-box", classes="dialog"):
            yield Static(
                fmt(
                    "[b]Record outcome[/b] · $number $name · local $local",
                    number=v.number,
                    name=v.debtor_name,
                    local=local,
                ),
                classes="dialog-title",
            )
            with Horizontal():
                options = [
                    Option(f"{i} {o}" if i <= 9 else f"  {o}", id=o) for i, o in enumerate(ORDER, 1)
                ]
                yield OptionList(*options, id="outcome-list", compact=True)
                with Vertical(id="outcome-fields"):
                    yield Label("Note (kept as a draft while you type)")
                    yield TextArea(self.draft, id="outcome-note", soft_wrap=True, compact=True)
                    # Only numbers that may be dialled: not bad, not do-not-call, not a
                    # number the debtor said is inconvenient.
                    phones = [
                        (cell(f"{p.kind} {p.display}"), p.e164)
                        for p in v.phones
                        if p.e164 is not None and p.dialable
                    ]
                    with Horizontal(classes="field"):
                        yield Label("Phone")
                        yield Select(
                            phones,
                            prompt="which phone",
                            id="outcome-phone",
                            value=phones[0][1] if phones else Select.NULL,
                            compact=True,
                        )
                    with Horizontal(classes="field"):
                        yield Label("Callback")
                        yield Input(
                            placeholder="debtor's time: 14:30, tomorrow 9am, mon 2pm",
                            id="outcome-callback",
                            compact=True,
                        )
                    with Horizontal(classes="field"):
                        yield Label("Promise")
                        yield Input(placeholder="amount", id="promise-amount", compact=True)
                        yield Input(
                            placeholder="on: 12/5, fri, +7", id="promise-date", compact=True
                        )
            yield Line("", id="outcome-preview")
            yield Static(
                "[b]1-9[/b] outcome · [b]tab[/b] field · [b]ctrl+s[/b] save · "
                "[b]ctrl+n[/b] save+next · [b]esc[/b] cancel",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        lst = self.query_one("#outcome-list", OptionList)
        if self.preset in ORDER:
            lst.highlighted = ORDER.index(self.preset)
            self._after_pick()
        else:
            lst.highlighted = 0
            lst.focus()
        self._preview()

    # --- picking ----------------------------------------------------------------------------

    def action_pick(self, index: int) -> None:
        self.query_one("#outcome-list", OptionList).highlighted = index
        self._after_pick()

    @on(OptionList.OptionSelected, "#outcome-list")
    def _selected(self, _: OptionList.OptionSelected) -> None:
        self._after_pick()

    def _after_pick(self) -> None:
        outcome = self.outcome
        if outcome == "callback_requested":
            self.query_one("#outcome-callback", Input).focus()
        elif outcome == "promise":
            self.query_one("#promise-amount", Input).focus()
        else:
            self.query_one("#outcome-note", TextArea).focus()
        self._preview()

    @property
    def outcome(self) -> str:
        index = self.query_one("#outcome-list", OptionList).highlighted
        return ORDER[index or 0]

    @on(OptionList.OptionHighlighted, "#outcome-list")
    def _highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._preview()

    # --- live preview and drafts ------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, _: Input.Changed) -> None:
        self._preview()

    @on(TextArea.Changed, "#outcome-note")
    def _note_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        self.ws.current_note = (self.view.number, text)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft)

    async def _save_draft(self) -> None:
        note = self.ws.current_note
        if note is None:
            return
        b = self.ws.backend
        await b.call(b.save_draft, note[0], note[1])

    def _callback(self) -> datetime | None:
        text = self.query_one("#outcome-callback", Input).value.strip()
        if not text:
            return None
        return parse_local_time(text, self.ws.ctx.now(), self.zone)

    def _promise(self) -> tuple[int | None, date | None]:
        amount = self.query_one("#promise-amount", Input).value.strip()
        when = self.query_one("#promise-date", Input).value.strip()
        cents = (
            parse_amount(amount.lstrip("$").replace(",", ""), allow_negative=False)
            if amount
            else None
        )
        on_day = parse_local_date(when, self.ws.ctx.today()) if when else None
        return cents, on_day

    def _preview(self) -> None:
        parts = [fmt("Outcome [b]$outcome[/b]", outcome=self.outcome)]
        try:
            cb = self._callback()
            if cb is not None:
                parts.append(
                    plain(
                        f"callback {when_text(cb, self.zone)} debtor = "
                        f"{when_text(cb, self.ws.ctx.home_zone)} office"
                    )
                )
        except WhenError as exc:
            parts.append(plain(str(exc), style="red"))
        try:
            cents, on_day = self._promise()
            if cents is not None or on_day is not None:
                from ...domain.money import format_money

                amount = format_money(cents, self.view.currency) if cents is not None else "?"
                parts.append(plain(f"promise {amount} on {on_day or '?'}"))
        except (MoneyError, WhenError, ValueError) as exc:
            parts.append(plain(str(exc), style="red"))
        self.query_one("#outcome-preview", Static).update(Content(" · ").join(parts))

    # --- saving -----------------------------------------------------------------------------

    def action_save(self, go_next: bool) -> None:
        outcome = self.outcome
        try:
            callback_at = self._callback()
            cents, on_day = self._promise()
        except (MoneyError, WhenError, ValueError) as exc:
            self.notify(str(exc), severity="error")
            return
        if outcome == "callback_requested" and callback_at is None:
            self.notify("A callback needs a time: type it in the debtor's time.", severity="error")
            self.query_one("#outcome-callback", Input).focus()
            return
        if outcome == "promise" and (cents is None or on_day is None):
            self.notify("A promise needs an amount and a date.", severity="error")
            self.query_one("#promise-amount", Input).focus()
            return
        if (cents is None) != (on_day is None):
            self.notify("A promise needs both an amount and a date.", severity="error")
            return
        phone = self.query_one("#outcome-phone", Select).value
        note = self.query_one("#outcome-note", TextArea).text.strip()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.dismiss(
            CallRequest(
                outcome=outcome,
                note=note,
                phone=phone if isinstance(phone, str) else None,
                callback_at=callback_at,
                promise_cents=cents,
                promise_on=on_day,
                go_next=go_next,
            )
        )

    def action_cancel(self) -> None:
        # The typed note stays a draft, saved now (not after the typing pause), and is
        # offered again next time.
        if self._draft_timer is not None:
            self._draft_timer.stop()
        note = self.ws.current_note
        if note is not None and note[0] == self.view.number:
            b = self.ws.backend
            self.ws.run_worker(b.call(b.save_draft, note[0], note[1]), group="draft")
        self.dismiss(None)
