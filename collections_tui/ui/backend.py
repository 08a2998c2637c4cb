"""The workstation's one door to the services: every call runs on one database thread.

The UI thread never touches the database. Screens ``await backend.call(fn, ...)`` from
async workers; the function runs on a single dedicated thread (one connection, work done in
the order it was asked for, so a note is never saved after the call that cleared it), and
the result — plain dataclasses from the services, never rows — comes back to the worker.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import subprocess
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..services import leases, queue
from ..services.context import Context
from ..services.database import read_only_reason
from ..services.errors import InputError, NotFound
from ..services.ledger import account_id_for

# What the first screen needs (the queue) is imported here; the rest — the account, calls,
# consent, drafts — when first used, on the database thread, so the workstation starts sooner.

if TYPE_CHECKING:
    from ..domain.arrangements import Offer
    from ..services import accounts, calls
    from ..services.facts import Loaded
    from ..services.search import SearchHit

T = TypeVar("T")
MEMO = "memo"  # the draft field of a note typed in the `m` dialog (the outcome's is "note")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    """An account as the account screen shows it, and whether we hold its lease."""

    view: accounts.AccountView
    leased: bool  # True: this coordinator holds the lease now
    holder: str | None  # who holds it when we do not
    draft: str | None  # a note typed earlier and never saved
    offers: tuple[Offer, ...] = field(default=())


@dataclass
class Backend:
    ctx: Context
    dial_command: str | None = None
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="collections-db")
    )
    # Slow reads that nobody waits for (the blocked-accounts summary, who `n` gives next)
    # run on a second thread with its own connection, so they never delay a keypress.
    _slow: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="collections-db-slow")
    )

    first_queue: Future[queue.QueueResult] | None = None  # asked for before the UI exists

    # Rows of the queue read first: what fits on the screen (more is read as the cursor moves
    # down). Each row costs the queue its facts and a verdict: at 80×24, 20 rows instead of
    # 40 take a quarter off the first page's time.
    first_page: int = 40

    # Why the database cannot be written (None: it can): the workstation says so in a banner,
    # opens accounts without leasing them, and any write is refused in one line.
    read_only: str | None = None

    def __post_init__(self) -> None:
        self.read_only = read_only_reason()

    @staticmethod
    def page_for(lines: int) -> int:
        """The first page for a terminal of ``lines`` lines (the queue shows ~lines - 7)."""
        return max(20, min(lines - 4, 100))

    def start(self, lines: int | None = None) -> Backend:
        """Ask for the first page of the queue now, on the database thread, while the
        caller goes on to import and build the interface (``lines``: the terminal's)."""
        if lines is not None:
            self.first_page = self.page_for(lines)
        self.first_queue = self.submit(self.queue_page, self.first_page, queue.Filters(), False)
        return self

    # --- running --------------------------------------------------------------------------

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    async def call_slow(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`call`, on the second thread: for reads nobody is waiting for."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._slow, lambda: fn(*args, **kwargs))

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Start ``fn`` on the database thread now; await it later with ``asyncio.wrap_future``
        (the first queue page is asked for before the interface is even built)."""
        return self._pool.submit(fn, *args, **kwargs)

    def run_now(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the database thread and wait (quitting, or a dropped session)."""
        return self._pool.submit(fn, *args, **kwargs).result(timeout=10)

    def shutdown(self) -> None:
        self._slow.shutdown(wait=False, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=False)

    def warm_up(self, number: str | None = None) -> None:
        """At idle, before the first open: import the services an account screen uses and
        read one account (``number``, the top of the queue) as opening it would, without
        leasing it, so that the first open finds the paths and caches warm."""
        from ..domain import arrangements  # noqa: F401
        from ..services import accounts, calls, consent, drafts, grants, search  # noqa: F401

        if number is not None:
            try:
                self._read(number, leased=False, holder=None)  # reads; leases nothing
            except Exception:  # only a head start: never worth an error on screen
                log.warning("warming up on %s", number, exc_info=True)

    # --- what the screens ask for (each runs on the database thread) ------------------------

    def queue_page(
        self, limit: int, filters: queue.Filters, include_blocked: bool
    ) -> queue.QueueResult:
        return queue.build_queue(
            self.ctx, limit=limit, include_blocked=include_blocked, filters=filters
        )

    def blocked_summary(self, filters: queue.Filters) -> list[queue.BlockedCount]:
        return queue.blocked_summary(self.ctx, filters)

    def open_account(
        self, number: str, *, leased: bool = False, loaded: Loaded | None = None
    ) -> Opened:
        """Lease (or renew) and read the account; reading works even when someone else holds
        it. ``leased``: the caller has just leased it (``loaded``: with these facts)."""
        if not leased and self.read_only is None:
            leased = leases.take(self.ctx, account_id_for(number), audit_as="open")
        holder = None if leased else _holder(self.ctx, number)
        return self._read(number, leased, holder, loaded)

    def _read(
        self, number: str, leased: bool, holder: str | None, loaded: Loaded | None = None
    ) -> Opened:
        from ..domain.arrangements import build_offers
        from ..services import accounts, drafts

        view = accounts.get_account(self.ctx, number, loaded=loaded)
        d = drafts.load_draft(self.ctx, number)
        policy = self.ctx.policy_for(view.creditor)
        offers = (
            tuple(build_offers(view.balance_cents, self.ctx.today(), policy))
            if view.balance_cents > 0
            else ()
        )
        return Opened(view, leased, holder, d.body if d else None, offers)

    def reload(self, number: str) -> accounts.AccountView:
        from ..services import accounts

        return accounts.get_account(self.ctx, number)

    def take_next(self, filters: queue.Filters, skip: frozenset[str] = frozenset()) -> str | None:
        row = leases.take_next(self.ctx, filters, skip=skip)
        return None if row is None else row.account_number

    def candidates(self, filters: queue.Filters, skip: frozenset[str]) -> list[str]:
        """Who `n` would give next, fetched ahead while the coordinator works an account."""
        return leases.candidates(self.ctx, filters, skip=skip)

    def next_open(
        self,
        filters: queue.Filters,
        skip: frozenset[str],
        prefetched: list[str],
        release: str | None,
    ) -> Opened | None:
        """`n` in one trip to the database thread: give back ``release``, lease the first
        prefetched candidate still callable (or walk the queue when none is), and read it."""
        if release is not None:
            self.release(release)
        taken = leases.take_first(self.ctx, prefetched, skip=skip)
        if taken is not None:  # the facts its verdict was given are shown, not read again
            return self.open_account(taken[0], leased=True, loaded=taken[1])
        number = self.take_next(filters, skip)
        if number is None and skip:
            number = self.take_next(filters, frozenset())
        if number is None:
            return None
        return self.open_account(number, leased=True)

    def renew(self, number: str) -> bool:
        return leases.take(self.ctx, account_id_for(number))

    def release(self, number: str) -> bool:
        try:
            return leases.release(self.ctx, number)
        except (InputError, NotFound):
            return False

    def save_draft(self, number: str, body: str, field: str = "note") -> None:
        from ..services import drafts

        if body.strip():
            drafts.save_draft(self.ctx, number, body, field)
        else:
            drafts.clear_draft(self.ctx, number, field)

    def load_draft(self, number: str, field: str) -> str | None:
        from ..services import drafts

        d = drafts.load_draft(self.ctx, number, field)
        return d.body if d is not None else None

    def record_call(self, number: str, outcome: str, **kw: Any) -> calls.RecordedCall:
        from ..services import calls

        return calls.record_call(self.ctx, number, outcome, **kw)

    def add_note(self, number: str, body: str, addendum_of: int | None = None) -> int:
        from ..services import calls, drafts

        note_id = calls.add_note(self.ctx, number, body, addendum_of=addendum_of)
        drafts.clear_draft(self.ctx, number, MEMO)  # what the `m` dialog was keeping
        return note_id

    def search(self, text: str) -> list[SearchHit]:
        from ..services.search import search_accounts

        return search_accounts(self.ctx, text, limit=30)

    def audit_dial_override(self, number: str, reason: str, typed: str) -> None:
        from ..services import calls

        calls.record_dial_override(self.ctx, number, reason, typed)

    # --- dialing -----------------------------------------------------------------------------

    def dial(self, e164: str) -> str | None:
        """Run the configured dial command with the number; None when none is configured.
        Returns what happened, in words."""
        if not self.dial_command:
            return None
        try:
            parts = shlex.split(self.dial_command)
        except ValueError as exc:
            return f"the dial command in the config cannot be read: {exc}"
        if any("{number}" in p for p in parts):
            argv = [p.replace("{number}", e164) for p in parts]
        else:
            argv = [*parts, e164]
        try:
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            return f"dial command failed: {exc.strerror or exc}"
        return f"dialing {e164} ({argv[0]})"


def _holder(ctx: Context, number: str) -> str | None:
    for lease in leases.active_leases(ctx):
        if lease.account_number == number:
            return lease.coordinator
    return None
