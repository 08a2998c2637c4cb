"""The queue screen: who to call next, in order, paged from the database (DESIGN §5)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from ...domain.money import format_money
from ...services.database import StoreError
from ...services.queue import BlockedCount, Filters, QueueResult
from ..backend import Backend
from ..format import local_and_office, when_text
from ..text import Content, fmt, plain
from ..widgets.key_bar import KeyBar
from ..widgets.line import Line
from ..widgets.queue_view import QueueView

if TYPE_CHECKING:
    from ..app import WorkstationApp

MAX_ROWS = 2000  # a coordinator works the top; past this, narrow with a filter or search
log = logging.getLogger(__name__)


class QueueScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("n", "next", "Next", id="queue.next"),
        Binding("slash", "search", "Search", id="queue.search"),
        Binding("f", "filter", "Filter", id="queue.filter"),
        Binding("t", "toggle_blocked", "Blocked", id="queue.toggle_blocked"),
        Binding("r", "refresh", "Refresh", id="queue.refresh"),
        Binding("q", "app.quit", "Quit", id="queue.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.include_blocked = False
        self.page = Backend.first_page  # the first page's rows (the backend's, once mounted)
        self.limit = self.page
        self.result: QueueResult | None = None
        self._shown = False

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    def compose(self) -> ComposeResult:
        read_only = self.ws.backend.read_only
        if read_only is not None:
            banner = f"Read-only database ({read_only}): you can look; nothing can be saved."
            yield Line(plain(banner), id="queue-read-only")
        yield Line("", id="queue-title")
        yield Line("", id="queue-blocked")
        yield QueueView(id="queue")
        yield Line("", id="queue-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.page = self.limit = self.ws.backend.first_page
        self.query_one(QueueView).focus()
        first, self.ws.first_queue = self.ws.first_queue, None
        if first is None:
            self.load()
            return
        self.set_timer(0.3, self.ws.warm_up)  # after the first rows are drawn
        if first.done() and first.exception() is None:
            # Read while the interface was built: the first frame shows the rows (no
            # "Loading" frame drawn first), and the blocked summary — a second, slower
            # query — starts once that frame is out.
            self._show(first.result(), keep_cursor=False, count_later=True)
        else:
            self.load(first=first)

    def on_screen_resume(self) -> None:
        if not self._shown:  # the first showing: on_mount has read (or is reading) it
            self._shown = True
            return
        if self.result is not None:  # back from an account: the queue has moved on
            self.load(keep_cursor=True)

    # --- loading ----------------------------------------------------------------------------

    @work(exclusive=True, group="queue")
    async def load(
        self, keep_cursor: bool = False, first: Future[QueueResult] | None = None
    ) -> None:
        view = self.query_one(QueueView)
        if not view.rows:
            view.empty_text = "Loading the queue…"
            view.refresh()
        try:
            if first is not None and self.limit == self.page and not self.include_blocked:
                result = await asyncio.wrap_future(first)
            else:
                result = await self.ws.backend.call(
                    self.ws.backend.queue_page, self.limit, self.filters, self.include_blocked
                )
        except Exception as exc:  # one line on screen, never the end of the session
            self._show_fault(exc)
            return
        self._show(result, keep_cursor=keep_cursor)

    def _show_fault(self, exc: Exception) -> None:
        """The queue could not be read: say why in one line (a database fault in its own
        words; anything else as an unexpected error, its traceback in the log)."""
        if isinstance(exc, StoreError):
            text = str(exc)
        else:
            log.error("reading the queue", exc_info=exc)
            text = f"unexpected error: {exc}"
        line = (text.splitlines() or [type(exc).__name__])[0]
        view = self.query_one(QueueView)
        if not view.rows:
            view.empty_text = line
            view.refresh()
        self.query_one("#queue-status", Static).update(plain(line))
        self.call_after_refresh(self.ws.first_frame_drawn)

    def _show(self, result: QueueResult, *, keep_cursor: bool, count_later: bool = False) -> None:
        view = self.query_one(QueueView)
        self.result = result
        callable_rows = [r for r in result.rows if r.callable]
        more = len(callable_rows) >= self.limit and self.limit < MAX_ROWS
        view.empty_text = result.explanation or "Nothing to call with these filters."
        view.set_rows(result.rows, more=more, keep_cursor=keep_cursor)
        self._draw_title(len(callable_rows), more)
        if self.filters == self.ws.filters:
            # `n` from here confirms the top of what is shown (still callable? free?) instead
            # of working the queue out again at the key press.
            self.ws.set_prefetched([r.account_number for r in callable_rows[:10]])
        self.call_after_refresh(self.ws.first_frame_drawn)
        if result.blocked:
            self._draw_blocked(result.blocked)
        elif count_later:
            self.set_timer(0.1, self._count_blocked)
        else:
            self._count_blocked()

    @work(exclusive=True, group="blocked")
    async def _count_blocked(self) -> None:
        counts = await self.ws.backend.call_slow(self.ws.backend.blocked_summary, self.filters)
        self._draw_blocked(counts)

    def _draw_title(self, n: int, more: bool) -> None:
        now = self.ws.backend.ctx.now()
        shown = f"{n}{'+' if more else ''} callable"
        parts = [
            fmt(
                "[b]Queue[/b] · $shown · $now",
                shown=shown,
                now=local_and_office(now, self.ws.ctx.home_zone),
            )
        ]
        f = self.filters
        active = [
            x
            for x in (
                f.creditor and f"creditor={f.creditor}",
                f.aging and f"aging={f.aging}",
                f.tier and f"tier={f.tier}",
                f.search and f"search={f.search!r}",
            )
            if x
        ]
        if active:
            parts.append(plain("filter: " + ", ".join(active)))
        if self.include_blocked:
            parts.append(fmt("[i]blocked listed[/i]"))
        self.query_one("#queue-title", Static).update(Content(" · ").join(parts))

    def _draw_blocked(self, blocked: list[BlockedCount]) -> None:
        widget = self.query_one("#queue-blocked", Static)
        if not blocked:
            widget.update("")
            widget.display = False
            return
        total = sum(b.count for b in blocked)
        words = ", ".join(
            f"{b.count:,} {b.reason}" for b in sorted(blocked, key=lambda b: -b.count)[:4]
        )
        more = "" if len(blocked) <= 4 else f", +{len(blocked) - 4} more reasons"
        widget.update(
            fmt(
                "Blocked $total: $words$more · [b]t[/b] lists them",
                total=f"{total:,}",
                words=words,
                more=more,
            )
        )
        widget.display = True

    def on_queue_view_need_more(self, _: QueueView.NeedMore) -> None:
        if self.limit < MAX_ROWS:
            self.limit = min(self.limit * 2, MAX_ROWS)
            self.load(keep_cursor=True)

    def on_queue_view_highlighted(self, message: QueueView.Highlighted) -> None:
        status = self.query_one("#queue-status", Static)
        r = message.row
        if r is None:
            status.update(plain(self.result.explanation or "" if self.result else ""))
            return
        parts = " + ".join(f"{p.name} {p.points:+d}" for p in r.score_parts) or ""
        if r.callable:
            text = (
                f"{r.account_number} {r.debtor_name} · {format_money(r.balance_cents, r.currency)}"
                f" · {r.creditor} · local {r.local_time}" + (f" · score {parts}" if parts else "")
            )
        else:
            when = when_text(r.next_callable_at, self.ws.ctx.home_zone)
            # The time-bound reasons say when already ("… — callable from 08:00 PST, 11:00
            # EST"); the others (a callback, a cap) get it added.
            said = "callable from" in r.message
            until = f" · callable {when}" if r.next_callable_at and not said else ""
            text = f"{r.account_number}: {r.message}{until}"
        status.update(plain(text))

    # --- actions ----------------------------------------------------------------------------

    def action_open(self) -> None:
        row = self.query_one(QueueView).current
        if row is not None:
            self.ws.show_account(row.account_number)

    def action_next(self) -> None:
        from .account import open_next

        open_next(self.ws, self.filters)

    def action_refresh(self) -> None:
        self.limit = self.page
        self.load(keep_cursor=True)

    def action_toggle_blocked(self) -> None:
        self.include_blocked = not self.include_blocked
        self.limit = self.page
        self.load()

    def action_search(self) -> None:
        from .search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_filter(self) -> None:
        from .filter import FilterScreen

        def done(result: Filters | None) -> None:
            if result is not None:
                self.filters = result
                self.ws.filters = result
                self.ws.set_prefetched([])
                self.limit = self.page
                self.load()

        self.app.push_screen(FilterScreen(self.filters), done)
