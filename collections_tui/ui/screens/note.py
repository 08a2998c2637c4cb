"""Add a note to the account without recording a call (notes are append-only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea


@dataclass(frozen=True)
class NoteRequest:
    body: str
    addendum_of: int | None  # the note this one corrects


class NoteDialog(ModalScreen[NoteRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="note.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, number: str, latest: int | None = None) -> None:
        super().__init__()
        self.number = number
        self.latest = latest  # the newest note's id: a correction usually refers to it

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(
                f"[b]Note on {escape(self.number)}[/b] (notes are never edited; "
                "a correction is a new note)",
                classes="dialog-title",
            )
            yield TextArea(id="note-text", soft_wrap=True)
            hint = f" (e.g. {self.latest}, the newest)" if self.latest else ""
            yield Input(
                placeholder=f"A correction? The note # it corrects{hint}; empty: a new note",
                id="note-addendum",
                compact=True,
            )
            yield Static("[b]ctrl+s[/b] save · [b]esc[/b] cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("The note is empty.", severity="error")
            return
        ref = self.query_one("#note-addendum", Input).value.strip().lstrip("#")
        if ref and not ref.isdigit():
            self.notify("The note # is a number, e.g. 12.", severity="error")
            return
        self.dismiss(NoteRequest(text, int(ref) if ref else None))

    def action_cancel(self) -> None:
        self.dismiss(None)
