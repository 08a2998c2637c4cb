"""`?` lists every binding of the screen it was opened from, with its id (for remapping)."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_lines(screen: Screen[object]) -> list[str]:
    """Every active binding of ``screen`` (its focused widget, the screen, the app)."""
    seen: set[tuple[str, str]] = set()
    out: list[str] = []
    for key, active in screen.active_bindings.items():
        b = active.binding
        ident = b.id or ""
        if (b.action, ident) in seen or b.action in ("help",):
            continue
        seen.add((b.action, ident))
        label = b.description or b.action
        keys = screen.app.get_key_display(b)
        out.append(f"  [b]{escape(keys):<10}[/b] {escape(label):<22} [dim]{escape(ident)}[/dim]")
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
        lines = binding_lines(self.of)
        name = type(self.of).__name__.replace("Screen", "").replace("Dialog", " dialog")
        with Vertical(classes="dialog", id="help-box"):
            yield Static(f"[b]Keys on the {escape(name)} screen[/b]", classes="dialog-title")
            with VerticalScroll():
                yield Static(
                    "\n".join(lines)
                    + "\n\n  [b]ctrl+p[/b]     command palette: every action by name"
                    + '\n\nRemap any key in the config file: [keys] then id = "key", e.g.\n'
                    + '  [keys]\n  "account.dial" = "D"'
                )
            yield Static("[b]esc[/b] close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
