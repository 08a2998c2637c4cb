"""Add a note to the account without recording a call (notes are append-only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from ..backend import MEMO
from ..text import fmt

if TYPE_CHECKING:
    from ..app import WorkstationApp


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
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(
                fmt(
                    "[b]Note on $number[/b] (notes are never edited; a correction is a new note)",
                    number=self.number,
                ),
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
        self._restore()

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    @work(group="memo-draft")
    async def _restore(self) -> None:
        b = self.ws.backend
        kept = await b.call(b.load_draft, self.number, MEMO)
        area = self.query_one(TextArea)
        if kept and not area.text:
            area.text = kept
            self.notify("A note you typed earlier was kept.", title="Draft restored")

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        # Kept as a draft while typed: a dropped session loses nothing.
        self.ws.current_memo = (self.number, event.text_area.text)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.6, self._save_draft)

    async def _save_draft(self) -> None:
        memo = self.ws.current_memo
        if memo is not None and memo[0] == self.number:
            b = self.ws.backend
            await b.call(b.save_draft, memo[0], memo[1], MEMO)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("The note is empty.", severity="error")
            return
        ref = self.query_one("#note-addendum", Input).value.strip().lstrip("#")
        if ref and not (ref.isascii() and ref.isdigit()):
            self.notify("The note # is a number, e.g. 12.", severity="error")
            return
        if self._timer is not None:
            self._timer.stop()
        self.ws.current_memo = None  # recording the note clears its draft
        self.dismiss(NoteRequest(text, int(ref) if ref else None))

    def action_cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        memo = self.ws.current_memo
        if memo is not None and memo[0] == self.number:
            b = self.ws.backend
            self.ws.run_worker(b.call(b.save_draft, memo[0], memo[1], MEMO), group="draft")
        self.ws.current_memo = None
        self.dismiss(None)
