"""`/` search: an inbound caller gives a name, an account number or a phone number."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...domain.display import safe_text
from ...domain.money import format_money
from ..text import plain
from ..widgets.line import Line

if TYPE_CHECKING:
    from ..app import WorkstationApp

MIN_CHARS = 2
DEBOUNCE = 0.15  # seconds of quiet typing before a search runs


class SearchScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("down", "results", "Results", show=False, id="search.results"),
    ]

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search-box"):
            yield Static("[b]Search[/b] by account number, name or phone", classes="dialog-title")
            yield Input(placeholder="e.g. A-0001234, garcia, (212) 555-0143", id="search-text")
            yield OptionList(id="search-results")
            yield Line("", id="search-status")
            yield Static(
                "[b]enter[/b] open · [b]↓[/b] to the results · [b]esc[/b] close",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    shown_for: str = ""  # the text the results on screen were found for

    @on(Input.Changed, "#search-text")
    def _typed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#search-text")
    def _submitted(self, event: Input.Submitted) -> None:
        self.open_top(event.value)

    @work(exclusive=True, group="search-open")
    async def open_top(self, text: str) -> None:
        """Enter opens the best hit for what is typed now, not for an older prefix."""
        if text != self.shown_for:
            await self._search_now(text)
        results = self.query_one(OptionList)
        if results.option_count:
            self._open(results.get_option_at_index(results.highlighted or 0).id)

    @work(exclusive=True, group="search")
    async def run_search(self, text: str) -> None:
        await asyncio.sleep(DEBOUNCE)  # typing on: this search is replaced before it runs
        await self._search_now(text)

    async def _search_now(self, text: str) -> None:
        results = self.query_one(OptionList)
        status = self.query_one("#search-status", Static)
        if len(text.strip()) < MIN_CHARS:
            results.clear_options()
            status.update(plain(""))
            self.shown_for = text
            return
        b = self.ws.backend
        hits = await b.call_slow(b.search, text)  # never in front of a keypress's work
        self.shown_for = text
        results.clear_options()
        for h in hits:
            closed = "" if h.status == "open" else f" ({h.status})"
            results.add_option(
                Option(
                    plain(
                        f"{safe_text(h.account_number):<12} {safe_text(h.debtor_name)[:24]:<24} "
                        f"{format_money(h.balance_cents):>11}{closed}  {safe_text(h.matched)}"
                    ),
                    id=h.account_number,
                )
            )
        if hits:
            results.highlighted = 0
        status.update(plain(f"{len(hits)} found" if hits else "Nothing found."))

    def action_results(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def _open(self, number: str | None) -> None:
        if number is None:
            return
        from .account import AccountScreen

        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) else None
        self.dismiss(None)
        if isinstance(below, AccountScreen):
            below.open_other(number)  # an inbound caller while an account is open
        else:
            cast("WorkstationApp", self.app).show_account(number)

    def action_close(self) -> None:
        self.dismiss(None)
