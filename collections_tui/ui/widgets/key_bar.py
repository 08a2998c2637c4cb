"""The bottom line of every screen: its keys, drawn as one line of text.

Textual's ``Footer`` builds a widget per key and restyles each of them when it is mounted;
on the queue screen that was ~40 ms of the start and on the account screen as much again on
the first open (DESIGN §9 budgets both). This draws the same information — the screen's
shown bindings, dimmed when unavailable, the command palette's key on the right — as one
``Text``, redrawn when the screen's bindings change. Keys that do not fit are left out, the
help key (``?``, which lists them all) last of all. With ``--mouse``, clicking a key presses it.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

HELP_ACTION = "help"


class _Key(NamedTuple):
    key: str  # the key to press (as Textual names it)
    shown: str  # how it is shown: "o", "esc", "^p"
    description: str
    enabled: bool
    action: str


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyBar > .key-bar--disabled {
        color: $text-disabled;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def keys(self) -> tuple[list[_Key], _Key | None]:
        """The screen's shown keys in order (one per action), and the palette's key."""
        shown: list[_Key] = []
        actions: set[str] = set()
        palette: _Key | None = None
        app = self.app
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if binding.action == "command_palette" and app.ENABLE_COMMAND_PALETTE:
                palette = _Key(
                    binding.key, app.get_key_display(binding), "Commands", enabled, binding.action
                )
                continue
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            shown.append(
                _Key(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    enabled,
                    binding.action,
                )
            )
        return shown, palette

    def render(self) -> Text:
        width = self.size.width
        keys, palette = self.keys()
        # The help key goes in first when space is short: it lists everything else.
        help_keys = [k for k in keys if k.action.rpartition(".")[2] == HELP_ACTION]
        others = [k for k in keys if k not in help_keys]
        right = self._item(palette) if palette else None
        room = width - (len(right) + 1 if right else 0)
        needed = sum(len(self._item(k)) + 1 for k in help_keys)
        chosen: list[_Key] = []
        for k in others:
            size = len(self._item(k)) + 1
            if needed + size > room:
                break
            chosen.append(k)
            needed += size
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for k in [*chosen, *help_keys]:
            self._append(line, k)
            line.append(" ")
        if right and palette and line.cell_len + len(right) <= width:
            line.append(" " * (width - line.cell_len - len(right)))
            self._append(line, palette)
        return line

    @staticmethod
    def _item(k: _Key) -> str:
        return f" {k.shown} {k.description}"

    def _append(self, line: Text, k: _Key) -> None:
        start = line.cell_len
        key_style = self.get_component_rich_style(
            "key-bar--key" if k.enabled else "key-bar--disabled", partial=True
        )
        line.append(f" {k.shown} ", style=key_style)
        dim = None if k.enabled else self.get_component_rich_style("key-bar--disabled")
        line.append(k.description, style=dim or "")
        self._spans.append((start, line.cell_len, k.key))

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
