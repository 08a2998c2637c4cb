"""The queue as a line-rendered view: only the rows on screen are drawn.

Rows arrive page by page from the database (the screen asks for more when the cursor nears
the end of what is loaded), so the widget never holds more than the pages a coordinator
has scrolled through — the Toolong way, not a DataTable with a million rows.
"""

from __future__ import annotations

import textwrap
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...domain.display import safe_text
from ...domain.money import format_money
from ...services.queue import QueueRow

TIER_SHORT = {"callback_due": "CB", "broken_promise": "BP", "scored": "  "}

# name, width (0 = takes what is left), right-aligned
COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("#", 4, True),
    ("Account", 10, False),
    ("Debtor", 0, False),
    ("Balance", 11, True),
    ("DPD", 4, True),
    ("T", 2, False),
    ("Score", 5, True),
    ("Local", 10, False),
    ("Verdict", 13, False),
)


def _fit(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if right else text.ljust(width)


def widths(total: int) -> list[int]:
    fixed = sum(w for _, w, _ in COLUMNS) + len(COLUMNS) - 1
    rest = max(total - fixed, 8)
    return [w or rest for _, w, _ in COLUMNS]


def header_text(total: int) -> str:
    return " ".join(
        _fit(name, w, right) for (name, _, right), w in zip(COLUMNS, widths(total), strict=True)
    )


def row_cells(r: QueueRow) -> list[str]:
    local = r.local_time.split(", ")
    local_text = local[0] + ("+" if len(local) > 1 else "")
    verdict = "ok" if r.callable else r.reason
    if r.callable and r.under_consent:
        verdict = "ok·consent"
    return [
        str(r.rank),
        safe_text(r.account_number),
        safe_text(r.debtor_name),
        format_money(r.balance_cents, r.currency),
        str(r.days_past_due),
        TIER_SHORT.get(r.tier, r.tier[:2]),
        str(r.score),
        safe_text(local_text),
        safe_text(verdict),
    ]


def row_text(r: QueueRow, total: int) -> str:
    return " ".join(
        _fit(cell, w, right)
        for cell, (_, _, right), w in zip(row_cells(r), COLUMNS, widths(total), strict=True)
    )


class QueueView(ScrollView, can_focus=True):
    """Rows of the queue; ``enter`` opens the one under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="queue.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="queue.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="queue.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="queue.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="queue.first"),
        Binding("end", "jump(-1)", "Last loaded", show=False, id="queue.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-view--cursor",
        "queue-view--blocked",
        "queue-view--callback",
        "queue-view--header",
    }

    DEFAULT_CSS = """
    QueueView { height: 1fr; }
    QueueView > .queue-view--cursor { background: $accent; color: $text; text-style: bold; }
    QueueView > .queue-view--blocked { color: $text-muted; }
    QueueView > .queue-view--callback { color: $warning; }
    QueueView > .queue-view--header { text-style: bold; background: $boost; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class NeedMore(Message):
        """The cursor is near the end of the loaded rows and more may exist."""

    class Highlighted(Message):
        def __init__(self, row: QueueRow | None) -> None:
            self.row = row
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[QueueRow] = []
        self.more = False  # the database may have more rows past the loaded ones
        self.empty_text = "Loading…"

    # --- data -------------------------------------------------------------------------------

    def set_rows(self, rows: list[QueueRow], *, more: bool, keep_cursor: bool = False) -> None:
        previous = self.current.account_number if (keep_cursor and self.current) else None
        self.rows = rows
        self.more = more
        self.virtual_size = Size(self.size.width, len(rows) + 2)
        index = 0
        if previous is not None:
            index = next((i for i, r in enumerate(rows) if r.account_number == previous), 0)
        self.cursor = min(index, max(len(rows) - 1, 0))
        self._scroll_cursor_visible()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def current(self) -> QueueRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # --- keys -------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        self._move(len(self.rows) - 1 if where < 0 else 0)

    def _move(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if index != self.cursor:
            self.cursor = index
            self._scroll_cursor_visible()
            self.refresh()
            self.post_message(self.Highlighted(self.current))
        if self.more and index >= len(self.rows) - max(self.size.height, 10):
            self.post_message(self.NeedMore())

    def _scroll_cursor_visible(self) -> None:
        height = max(self.size.height - 1, 1)  # line 0 is the column header
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    # --- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("queue-view--header")
            return Strip([Segment(header_text(width)[:width].ljust(width), header)])
        index = int(self.scroll_offset.y) + y - 1
        if not self.rows:
            wrapped = textwrap.wrap(safe_text(self.empty_text), max(width - 2, 10))
            if 1 <= y <= len(wrapped):
                return Strip([Segment((" " + wrapped[y - 1])[:width].ljust(width), base)])
            return Strip.blank(width, base)
        if index >= len(self.rows):
            if index == len(self.rows) and self.more:
                return Strip([Segment("  … more below".ljust(width), base)])
            return Strip.blank(width, base)
        r = self.rows[index]
        style: Style = base
        if index == self.cursor and self.has_focus:
            style = base + self.get_component_rich_style("queue-view--cursor")
        elif index == self.cursor:
            style = base + Style(reverse=True)
        elif not r.callable:
            style = base + self.get_component_rich_style("queue-view--blocked")
        elif r.tier == "callback_due":
            style = base + self.get_component_rich_style("queue-view--callback")
        text = row_text(r, width)
        if index == self.cursor:
            text = "▶" + text[1:]  # the cursor is visible without colour (NO_COLOR, 16 colours)
        return Strip([Segment(text[:width].ljust(width), style)])

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 2)
        self.refresh()
        if self.more and self.rows and len(self.rows) < self.size.height:  # grown taller
            self.post_message(self.NeedMore())

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
