"""``Line``: a ``Static`` whose height follows its text on every update.

Textual (8.2.8, the newest release) keeps each widget's box model in a cache keyed by a
counter that ``refresh(layout=True)`` bumps only when no layout is already pending for that
widget. When the screen lays out between a first update and a second one (another widget
asked for the layout), the height of the first text is cached under the current counter, and
the second text is laid out at that stale height. On the queue this cut the status line —
the highlighted account, its creditor, local time and score — to its first line, about one
start in five under load; the dialogs' previews and the account header are ``height: auto``
texts updated the same way. Bumping the counter on every update ties the cached height to
the text.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


class Line(Static):
    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if layout and hasattr(self, "_layout_updates"):  # Textual's own counter (private)
            self._layout_updates += 1  # a new text is a new height (see the module's note)
        super().update(content, layout=layout)
