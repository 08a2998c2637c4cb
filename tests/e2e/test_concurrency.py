"""Many coordinators at once (DESIGN §8), on SQLite and on PostgreSQL.

8 processes start together and each runs ``next`` 25 times through the real command line
(``collections_tui.cli.run``) as its own coordinator at the same instant. No account may be
leased twice, no process may fail or print to stderr ("database is locked" must never reach
a user), and every lease must be in the lease table and the audit log. When fewer accounts
are left than coordinators ask for, the extra ``next`` say "nothing left" without error.
Then, one command at a time: an unexpired lease is never taken over, an expired one is,
only its holder may release it, and a released account comes back to the next caller.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.queue import build_queue
from collections_tui.store.db import tuples, write_transaction
from collections_tui.store.models import Account, AuditEvent, Lease
from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday, 12:00 in New York
PROCESSES = 8
CALLS = 25
ACCOUNTS = 220
TIMEOUT_S = 120

# One coordinator's session: import everything, say "ready", wait for the start signal so
# that all processes race from the same moment, then `next` CALLS times through the CLI.
# Each result goes out as one JSON line: the exit code and what the command printed.
CHILD = r"""
import contextlib, io, json, sys
from collections_tui.cli import run

url, now, who, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
print("ready", flush=True)
sys.stdin.readline()
for _ in range(calls):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            rc = run(["--db", url, "--now", now, "--as", who, "next", "--format", "json"])
        except SystemExit as exc:
            rc = exc.code
    print(json.dumps({"rc": rc, "out": buf.getvalue()}), flush=True)
"""


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def race(
    db_url: str, instant: datetime, coordinators: list[str], calls: int
) -> dict[str, list[Any]]:
    """Start one process per coordinator, release them together, and return for each the
    account numbers its ``next`` calls got (``None``: nothing left), in order."""
    procs: list[subprocess.Popen[str]] = []
    try:
        for who in coordinators:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", CHILD, db_url, iso(instant), who, str(calls)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                )
            )
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            assert line.strip() == "ready", p.communicate(timeout=TIMEOUT_S)
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        got: dict[str, list[Any]] = {}
        for who, p in zip(coordinators, procs, strict=True):
            out, err = p.communicate(timeout=TIMEOUT_S)
            assert p.returncode == 0, f"{who}: exit {p.returncode}\n{err}"
            assert err == "", f"{who} wrote to stderr:\n{err}"
            numbers = []
            for line in out.splitlines():
                result = json.loads(line)
                assert result["rc"] == 0, f"{who}: next exited {result['rc']}"
                shown = json.loads(result["out"])
                if shown["account_number"] is None:
                    assert shown["explanation"], shown
                else:
                    assert shown["coordinator"] == who
                numbers.append(shown["account_number"])
            assert len(numbers) == calls, f"{who}: {len(numbers)} results, expected {calls}"
            got[who] = numbers
        return got
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                with contextlib.suppress(Exception):
                    p.communicate(timeout=10)


def cli(db_url: str, instant: datetime, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "collections_tui",
            "--db",
            db_url,
            "--now",
            iso(instant),
            "--as",
            who,
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT_S,
    )


def next_for(db_url: str, instant: datetime, who: str) -> str | None:
    proc = cli(db_url, instant, who, "next", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    number: str | None = json.loads(proc.stdout)["account_number"]
    return number


def leases() -> dict[str, str]:
    q = Lease.select(Account.number, Lease.coordinator).join(Account)
    return {str(number): str(who) for number, who in tuples(q)}


def lease_takes() -> Counter[str]:
    q = AuditEvent.select(AuditEvent.actor).where(AuditEvent.action == "lease.take")
    return Counter(str(actor) for (actor,) in tuples(q))


def test_eight_coordinators_lease_concurrently(db: Database, db_url: str, ctx: Context) -> None:
    at_noon = replace(ctx, clock=FixedClock(NOW))
    with write_transaction(db):
        for n in range(ACCOUNTS):
            # distinct balances: a strict queue order, so every process wants the same
            # few accounts at the same moment (the worst case for the lease statement)
            make_account(at_noon, f"CC{n:04d}", balance_cents=10_000 + 137 * n)
    assert Account.select().count() == ACCOUNTS

    # --- 8 processes x 25 `next`, all at once --------------------------------------
    coordinators = [f"coord{i}" for i in range(PROCESSES)]
    started = time.perf_counter()
    got = race(db_url, NOW, coordinators, CALLS)
    took = time.perf_counter() - started
    taken = [n for numbers in got.values() for n in numbers]
    assert None not in taken, "an account was left but a coordinator got nothing"
    assert len(taken) == PROCESSES * CALLS
    dupes = [n for n, k in Counter(taken).items() if k > 1]
    assert not dupes, f"leased twice: {dupes}"
    # every lease is recorded, with the coordinator that was told it has it
    expected = {n: who for who, numbers in got.items() for n in numbers}
    assert leases() == expected
    assert lease_takes() == Counter({who: CALLS for who in coordinators})
    print(f"{PROCESSES}x{CALLS} concurrent `next` on {db_url.split(':')[0]}: {took:.1f}s")

    # --- fewer accounts left than asked for: the rest get "nothing left", no error --
    rest = race(db_url, NOW, ["late0", "late1", "late2", "late3"], 8)
    more = [n for numbers in rest.values() for n in numbers if n is not None]
    assert sorted(more) == sorted(set(f"CC{n:04d}" for n in range(ACCOUNTS)) - set(taken))
    assert sum(n is None for numbers in rest.values() for n in numbers) == 4 * 8 - len(more)
    for numbers in rest.values():  # once a coordinator is told "nothing", it stays so
        seen_none = False
        for n in numbers:
            seen_none = seen_none or n is None
            assert n is None or not seen_none
    held = leases()
    assert len(held) == ACCOUNTS

    # --- an unexpired lease is never taken over ------------------------------------
    assert next_for(db_url, NOW + timedelta(minutes=14), "late") is None
    assert leases() == held

    # --- an expired one is: the best account goes to the new coordinator -----------
    later = NOW + timedelta(minutes=16)
    late = replace(ctx, actor="late", clock=FixedClock(later))
    top = build_queue(late, limit=1).rows[0].account_number  # expired leases do not block
    number = next_for(db_url, later, "late")
    assert number == top
    assert held[number] != "late"
    after = leases()
    assert after[number] == "late"
    assert len(after) == ACCOUNTS  # taken over in place, not a second lease row
    assert {n: w for n, w in after.items() if n != number} == {
        n: w for n, w in held.items() if n != number
    }

    # --- only the holder may release it; released, it comes back -------------------
    refused = cli(db_url, later, held[number], "release", number)
    assert refused.returncode == 1
    assert "leased to late" in refused.stderr
    assert leases()[number] == "late"
    released = cli(db_url, later, "late", "release", number)
    assert released.returncode == 0, released.stderr
    assert released.stderr == ""
    assert number not in leases()
    assert next_for(db_url, later, "other") == number
    assert leases()[number] == "other"
