"""`f` filter the queue by creditor, aging bucket and tier."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ...services.queue import Filters
from ..text import cell

if TYPE_CHECKING:
    from ..app import WorkstationApp

AGING = ("0-30", "31-60", "61-90", "91-120", "120+")
TIERS = ("callback_due", "broken_promise", "scored")


class FilterScreen(ModalScreen[Filters | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", id="filter.apply", priority=True),
        Binding("ctrl+r", "clear", "Clear all", id="filter.clear", priority=True),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]

    def __init__(self, current: Filters) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical(classes="dialog small", id="filter-box"):
            yield Static("[b]Filter the queue[/b]", classes="dialog-title")
            yield Label("Creditor")
            yield Select(
                [(cell(c.creditor), c.creditor)] if c.creditor else [],
                id="filter-creditor",
                value=c.creditor or Select.NULL,
                prompt="any (loading the list…)",
            )
            yield Label("Aging bucket (days past due)")
            yield Select(
                [(a, a) for a in AGING],
                id="filter-aging",
                value=c.aging or Select.NULL,
                prompt="any",
            )
            yield Label("Tier")
            yield Select(
                [(t, t) for t in TIERS],
                id="filter-tier",
                value=c.tier or Select.NULL,
                prompt="any",
            )
            yield Label("Name or account number contains")
            yield Input(c.search or "", id="filter-search")
            yield Static(
                "[b]ctrl+s[/b] apply · [b]ctrl+r[/b] clear all · [b]esc[/b] cancel",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#filter-creditor", Select).focus()
        self.load_creditors()

    @work(group="creditors")
    async def load_creditors(self) -> None:
        from ...services.overview import creditors

        b = cast("WorkstationApp", self.app).backend
        names = await b.call(creditors)
        select = self.query_one("#filter-creditor", Select)
        keep = select.value
        select.set_options([(cell(n), n) for n in names])  # a name is text, not markup
        select.prompt = "any"
        if isinstance(keep, str) and keep in names:
            select.value = keep

    def on_input_submitted(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        creditor = self.query_one("#filter-creditor", Select).value
        aging = self.query_one("#filter-aging", Select).value
        tier = self.query_one("#filter-tier", Select).value
        self.dismiss(
            Filters(
                creditor=creditor if isinstance(creditor, str) else None,
                aging=aging if isinstance(aging, str) else None,
                tier=tier if isinstance(tier, str) else None,
                search=self.query_one("#filter-search", Input).value.strip() or None,
            )
        )

    def action_clear(self) -> None:
        self.dismiss(Filters())

    def action_cancel(self) -> None:
        self.dismiss(None)
