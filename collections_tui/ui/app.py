"""The workstation: queue → open → dial → record → next, from the keyboard (DESIGN §1, §6)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from concurrent import futures
from concurrent.futures import Future
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.widget import Widget

from ..domain.display import safe_text
from ..services.context import Context
from ..services.queue import Filters, QueueResult
from .backend import MEMO, Backend, Opened
from .commands import WorkstationCommands
from .screens.queue import QueueScreen

if TYPE_CHECKING:
    from .screens.account import AccountScreen

log = logging.getLogger(__name__)
FIRST_QUEUE_WAIT_S = 0.5
# Who `n` gives next, read ahead, is used for this long (the account screen reads it again
# every 30 s while an account is open; the queue screen when it is reloaded).
PREFETCH_FRESH_S = 45.0
# A key waits at most this long for the one before it to be handled (app.on_event).
KEY_ORDER_WAIT_S = 0.5


class WorkstationApp(App[None]):
    """One coordinator's session. Every database call goes through :class:`Backend`."""

    CSS_PATH = "app.tcss"
    TITLE = "collections-tui"
    COMMANDS = App.COMMANDS | {WorkstationCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+p", "command_palette", "Commands", id="app.palette", show=False),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False, priority=True),
    ]

    def __init__(
        self,
        ctx: Context,
        *,
        dial_command: str | None = None,
        keymap: Mapping[str, str] | None = None,
        open_number: str | None = None,
        backend: Backend | None = None,
        on_first_frame: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._on_first_frame = on_first_frame
        self.ctx = ctx
        self.backend = backend or Backend(ctx, dial_command=dial_command).start()
        self.open_number = open_number
        self.sub_title = safe_text(ctx.actor)
        self._keymap = dict(keymap or {})
        self.current_account: str | None = None  # the account whose lease we hold
        self.current_note: tuple[str, str] | None = None  # (account, text) being typed
        self.current_memo: tuple[str, str] | None = None  # the same, in the `m` note dialog
        self._hung_up = False
        self._keys_waiting: deque[events.Key | events.Paste] = deque()  # typed, not handled
        self._key_now: events.Key | events.Paste | None = None  # being handled
        self._key_follow: asyncio.Task[None] | None = None  # held: asyncio keeps tasks weakly
        self._account_screen: AccountScreen | None = None
        self._building: Awaitable[Any] | None = None  # the account screen, built ahead
        self._building_for: tuple[str, Opened | None] | None = None
        # Accounts opened this session: `n` passes over them (the queue would offer a debtor
        # just called again, since one unanswered attempt leaves them callable).
        self.worked: set[str] = set()
        self.prefetched: list[str] = []  # who `n` would give next (confirmed when pressed)
        self.prefetched_at = 0.0  # when (time.monotonic()) they were read
        self.next_in_flight = False  # a `n` is on its way to the database
        self.filters = Filters()  # the queue's filters; `n` follows them
        # The first page of the queue, asked for before the interface is built.
        self.first_queue: Future[QueueResult] | None = self.backend.first_queue

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages quote data (an account number, a
        service's error that echoes a file), so they are never read as markup, and their
        controls are shown, not sent. ``markup`` is accepted and ignored."""
        super().notify(
            safe_text(message, multiline=True),
            title=safe_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    async def on_event(self, event: events.Event) -> None:
        """Keys are handled one after the other, each to its end, in the order typed.

        Textual hands a key to the focused widget's own queue and goes on to the next key
        at once; the key's binding (``o``, ``2``, ``tab``) runs only when the key has
        travelled back up from the widget. Keys that arrive together — a fast typist, or an
        SSH link that bunches them after a stall — then overtook each other: ``ctrl+s``
        saved a note before its last letters were in the field, or an outcome before its
        hot key had chosen it, and text typed after ``tab`` went into the field just left.
        Here a key waits until the one before it is done: handled by the widgets it went
        through, by its binding, and by a screen that binding opened."""
        if (
            isinstance(event, (events.Key, events.Paste))  # a paste takes its turn too
            and not event.is_forwarded
            and event is not self._key_now
        ):
            if isinstance(event, events.Paste) and not event.text.isprintable():
                # A paste is the one way raw control characters get into a field (a typed
                # control key is a key, not a character): what goes in is what is shown.
                event = events.Paste(safe_text(event.text, multiline=True))
            self._keys_waiting.append(event)
            if self._key_now is None:
                await self._next_key()
            return
        await super().on_event(event)

    async def _next_key(self) -> None:
        if self._key_now is not None or not self._keys_waiting:
            return
        key = self._keys_waiting.popleft()
        sent_to: Widget | None = None
        try:
            self._key_now = key
            sent_to = self.focused or self.screen  # where App.on_event sends it
            await super().on_event(key)
        finally:
            self._key_follow = asyncio.create_task(self._follow_key(sent_to))

    async def _follow_key(self, sent_to: Widget | None) -> None:
        """Wait until the key just sent is done, then hand out the next one. Twice over the
        widgets it went through: what a handler sent on (a list's "selected", a field's
        "submitted", a change of focus) is handled in the second pass. At most
        KEY_ORDER_WAIT_S in all."""
        deadline = asyncio.get_running_loop().time() + KEY_ORDER_WAIT_S
        try:
            for _ in range(2):
                way = sent_to.ancestors_with_self if sent_to is not None else [self]
                for node in (*way, self.screen):  # the widget … its screen, the app
                    await _handled(node, deadline)
        finally:
            self._key_now = None
            self.call_later(self._next_key)

    def get_default_screen(self) -> QueueScreen:
        """The queue is the bottom of the screen stack (no empty default screen is built
        first, then covered)."""
        return QueueScreen()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        if self.open_number:
            self.show_account(self.open_number)

    def set_prefetched(self, numbers: list[str]) -> None:
        self.prefetched, self.prefetched_at = numbers, time.monotonic()

    def take_prefetched(self) -> list[str]:
        """Who `n` gives next, if read recently enough: the order moves (a callback comes
        due, another coordinator works the top), and `n` must not give a minutes-old top.
        Older than PREFETCH_FRESH_S: none, and `n` works the queue out again."""
        numbers, self.prefetched = self.prefetched, []
        fresh = time.monotonic() - self.prefetched_at <= PREFETCH_FRESH_S
        return numbers if fresh else []

    def first_frame_drawn(self) -> None:
        """The queue's first rows are on screen (called once, after that frame)."""
        hook, self._on_first_frame = self._on_first_frame, None
        if hook is not None:
            hook()

    def show_account(self, number: str, opened: Opened | None = None) -> None:
        """Show an account on the one account screen (built once, refilled after that: no
        rebuild, no teardown, so opening the next account stays fast)."""
        from .screens.account import AccountScreen

        building = self._building
        if building is not None:  # being built ahead (warm_up): show it once it is
            previous, self._building_for = self._building_for, (number, opened)
            if previous is not None:
                old_number, old_opened = previous
                if old_opened is not None and old_opened.leased and old_number != number:
                    # `n` leased an account, then Enter asked for another before either
                    # was shown: the latest wins, and the lease `n` took goes back.
                    if self.current_account == old_number:
                        self.current_account = None
                    self.run_worker(self.backend.call(self.backend.release, old_number))
            return
        screen = self._account_screen
        if screen is None:
            screen = self._account_screen = AccountScreen(number, opened=opened)
            self.install_screen(screen, name="account")  # kept when popped
            self.push_screen(screen)
            return
        if self.screen is not screen:
            self.push_screen(screen)
        screen.request(number, opened)

    def warm_up(self) -> None:
        """Once the queue is on screen: load what opening an account needs (its screen's
        modules here, the services on the database thread), so the first Enter or `n` of
        the session does not pay for it."""
        from .screens import account, outcome  # noqa: F401

        # On the database thread itself: it is its connection (page cache) that the first
        # open reads through. A key pressed meanwhile waits for this (tens of ms, once).
        top = self.prefetched[0] if self.prefetched else None
        self.run_worker(self.backend.call(self.backend.warm_up, top), group="warm-up")
        self._prebuild_account_screen()

    def _prebuild_account_screen(self) -> None:
        """Build the account screen now, off screen, so that the first open only fills it
        in (building it — tabs, table, sparkline — took ~80 ms of the first `n`, DESIGN §9).
        Textual builds a screen when it is first pushed, in ``App._get_screen``: called
        here, it composes and mounts the screen without showing it. A Textual without that
        method gets the screen built at the first open, as before."""
        from .screens.account import AccountScreen

        if self._account_screen is not None:
            return
        screen = self._account_screen = AccountScreen("")
        self.install_screen(screen, name="account")  # kept when popped
        build = getattr(self, "_get_screen", None)
        if not callable(build):
            return
        _screen, mounted = build(screen)
        self._building = mounted

        async def built() -> None:
            try:
                await mounted
            finally:
                self._building = None
                wanted, self._building_for = self._building_for, None
                if wanted is not None:  # Enter or `n` came while it was being built
                    self.show_account(*wanted)

        self.run_worker(built(), group="warm-up")

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # --- an unexpected error ------------------------------------------------------------------

    def _print_error_renderables(self) -> None:
        """Textual ends the app on an unhandled exception and prints its traceback, locals
        included — debtor data, on the coordinator's terminal. Here the traceback goes to the
        log, and the terminal gets one line. (Overrides a private method of Textual's, which
        ``tests/ui/test_hostile_data.py`` checks is still called.)"""
        renderables = getattr(self, "_exit_renderables", None)
        if not renderables:
            return
        error = self._exception
        log.error("the workstation stopped on an unexpected error", exc_info=error)
        renderables.clear()
        what = f"{type(error).__name__}: {error}" if error is not None else "unknown"
        first = safe_text(what.splitlines()[0] if what.strip() else what)[:200]
        sys.stderr.write(
            f"collections-tui: the workstation stopped on an unexpected error ({first}); "
            "nothing half-written was kept; details in the log\n"
        )

    # --- leases and drafts on the way out ---------------------------------------------------

    def hang_up(self) -> None:
        """The session is ending (quit, SIGHUP, SIGTERM): keep the note being typed as a
        draft and give the lease back. Runs on the database thread and waits for it."""
        if self._hung_up:
            return
        self._hung_up = True
        # Each on its own: a draft that cannot be saved must not keep the lease held.
        try:
            if self.current_note is not None:
                number, text = self.current_note
                self.backend.run_now(self.backend.save_draft, number, text)
            if self.current_memo is not None:
                number, text = self.current_memo
                self.backend.run_now(self.backend.save_draft, number, text, MEMO)
        except Exception:  # the session is going away: log, never raise
            log.exception("saving the draft on exit")
        try:
            if self.current_account is not None:
                self.backend.run_now(self.backend.release, self.current_account)
        except Exception:
            log.exception("releasing the lease on exit")

    async def action_quit(self) -> None:
        self.hang_up()
        self.exit()


async def _handled(node: MessagePump, deadline: float) -> None:
    """Until ``node`` has handled what is in its queue now (or the deadline, loop time)."""
    left = deadline - asyncio.get_running_loop().time()
    done = asyncio.Event()
    if left > 0 and node.call_later(done.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), left)


def _on_hangup(app: WorkstationApp) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        app.hang_up()
        app.backend.shutdown()
        # The terminal is gone: nothing more can be drawn. Leave at once.
        os._exit(128 + signum)

    return handler


def run_workstation(
    ctx: Context,
    *,
    dial_command: str | None = None,
    keymap: Mapping[str, str] | None = None,
    mouse: bool = False,
    open_number: str | None = None,
    backend: Backend | None = None,
    on_first_frame: Callable[[], None] | None = None,
) -> int:
    app = WorkstationApp(
        ctx,
        dial_command=dial_command,
        keymap=keymap,
        open_number=open_number,
        backend=backend,
        on_first_frame=on_first_frame,
    )
    if app.first_queue is not None:
        # Let the first page of the queue finish (it is read while Textual was imported)
        # before the interface starts: the first frame then shows it, and drawing does not
        # compete with it for the interpreter. Bounded: a slow database gets the "Loading"
        # screen instead of a blank terminal.
        futures.wait([app.first_queue], timeout=FIRST_QUEUE_WAIT_S)
    previous = {}
    for sig in (signal.SIGHUP, signal.SIGTERM):
        previous[sig] = signal.signal(sig, _on_hangup(app))
    try:
        app.run(mouse=mouse)
    finally:
        app.hang_up()
        app.backend.shutdown()
        for sig, old in previous.items():
            signal.signal(sig, old)
    return app.return_code or 0
