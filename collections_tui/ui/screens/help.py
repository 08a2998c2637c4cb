"""`?` lists every binding of the screen it was opened from, with its id (for remapping)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..text import Content, fmt, lines, plain


def binding_lines(screen: Screen[object]) -> list[Content]:
    """Every active binding of ``screen`` (its focused widget, the screen, the app)."""
    seen: set[tuple[str, str]] = set()
    out: list[Content] = []
    for key, active in screen.active_bindings.items():
        b = active.binding
        ident = b.id or ""
        if (b.action, ident) in seen or b.action in ("help",):
            continue
        seen.add((b.action, ident))
        label = b.description or b.action
        keys = screen.app.get_key_display(b)
        out.append(
            fmt(
                "  [b]$keys[/b] $label [dim]$ident[/dim]",
                keys=f"{keys:<10}",
                label=f"{label:<22}",
                ident=ident,
            )
        )
        del key
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, of: Screen[object]) -> None:
        super().__init__()
        self.of = of

    def compose(self) -> ComposeResult:
        keys = binding_lines(self.of)
        name = type(self.of).__name__.replace("Screen", "").replace("Dialog", " dialog")
        with Vertical(classes="dialog", id="help-box"):
            yield Static(fmt("[b]Keys on the $name screen[/b]", name=name), classes="dialog-title")
            with VerticalScroll():
                yield Static(
                    lines(keys)
                    + fmt("\n\n  [b]ctrl+p[/b]     command palette: every action by name")
                    + plain(
                        '\n\nRemap any key in the config file: [keys] then id = "key", e.g.\n'
                        '  [keys]\n  "account.dial" = "D"',
                        multiline=True,
                    )
                )
            yield Static("[b]esc[/b] close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
