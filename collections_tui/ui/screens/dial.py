"""Dial: run the configured dial command, or show the number large and copy it (OSC 52)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Digits, OptionList, Static
from textual.widgets.option_list import Option

from ...services.accounts import AccountView, PhoneView
from ..text import fmt, plain
from ..widgets.line import Line

if TYPE_CHECKING:
    from ..app import WorkstationApp


class DialScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="dial.close"),
        Binding("o", "outcome", "Outcome", id="dial.outcome"),
        Binding("y", "copy", "Copy again", id="dial.copy"),
    ]

    def __init__(self, view: AccountView, phones: list[PhoneView]) -> None:
        super().__init__()
        self.view = view
        self.phones = phones

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="dial-box"):
            yield Static(
                fmt(
                    "[b]Dial[/b] $name · $number",
                    name=self.view.debtor_name,
                    number=self.view.number,
                ),
                classes="dialog-title",
            )
            yield OptionList(
                *(
                    Option(plain(f"{p.kind:<6} {p.display}  local {_times(p)}"), id=p.e164)
                    for p in self.phones
                ),
                id="dial-phones",
            )
            yield Digits("", id="dial-digits")
            yield Line("", id="dial-status")
            yield Static(
                "[b]enter[/b] dial the highlighted phone · [b]y[/b] copy · [b]o[/b] outcome · "
                "[b]esc[/b] close",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        lst = self.query_one(OptionList)
        lst.highlighted = 0
        lst.focus()
        if len(self.phones) == 1:
            self.dial(self.phones[0])
        else:
            self._show(self.phones[0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dial(self.phones[event.option_index])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(self.phones[event.option_index])

    def _show(self, phone: PhoneView) -> None:
        self.query_one(Digits).update(phone.e164 or "")

    @work(group="dial")
    async def dial(self, phone: PhoneView) -> None:
        assert phone.e164 is not None
        self._show(phone)
        b = self.ws.backend
        result = await b.call(b.dial, phone.e164)
        if result is None:
            self.app.copy_to_clipboard(phone.e164)
            result = (
                f"No dial command configured: {phone.e164} copied to the clipboard "
                "(OSC 52, where the terminal allows). Dial it on your phone."
            )
        self.query_one("#dial-status", Static).update(plain(result))

    def action_copy(self) -> None:
        index = self.query_one(OptionList).highlighted or 0
        e164 = self.phones[index].e164 or ""
        self.app.copy_to_clipboard(e164)
        self.query_one("#dial-status", Static).update(plain(f"{e164} copied to the clipboard"))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_outcome(self) -> None:
        self.dismiss(None)
        screen = self.app.screen
        from .account import AccountScreen

        if isinstance(screen, AccountScreen):
            screen.action_outcome()


def _times(p: PhoneView) -> str:
    return ", ".join(t.time for t in p.local_times)
