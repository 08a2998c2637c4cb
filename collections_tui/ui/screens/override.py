"""Ask for the typed reason that overrides a compliance block (it goes to the audit log)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..text import fmt


class OverrideDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="override.cancel"),
    ]

    def __init__(self, number: str, reason: str) -> None:
        super().__init__()
        self.number = number
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(
                fmt(
                    "[b]$number is blocked: $reason[/b]\n"
                    "Calling now needs an override. Type why (it goes to the audit log with "
                    "your name), or press esc to leave it.",
                    number=self.number,
                    reason=self.reason,
                ),
                classes="dialog-title",
            )
            yield Input(placeholder="Override reason", id="override-reason")
            yield Static("[b]enter[/b] override · [b]esc[/b] cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if len(text) < 3:
            self.notify("Type a reason (at least a few words).", severity="error")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
