from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from peewee import Database

from collections_tui.services.calls import record_call
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.leases import release, take_next
from collections_tui.services.queue import build_queue
from collections_tui.store.models import Lease
from tests.factories import make_account

MIDDAY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def as_(ctx: Context, who: str, instant: datetime = MIDDAY) -> Context:
    return replace(ctx, actor=who, clock=FixedClock(instant))


def test_two_coordinators_never_get_the_same_account(db: Database, ctx: Context) -> None:
    for n in range(3):
        make_account(ctx, f"L{n}", balance_cents=10_000 * (n + 1))
    ana, ben = as_(ctx, "ana"), as_(ctx, "ben")
    first = take_next(ana)
    second = take_next(ben)
    assert first is not None and second is not None
    assert (first.account_number, second.account_number) == ("L2", "L1")
    # ben's queue does not offer ana's account; with --all it is listed as leased
    rows = build_queue(ben, limit=10, include_blocked=True).rows
    reasons = {r.account_number: r.reason for r in rows}
    assert reasons["L2"] == "leased"
    # ana's own queue still shows her account
    assert "L2" in [r.account_number for r in build_queue(ana, limit=10).rows]


def test_release_and_outcome_give_the_account_back(db: Database, ctx: Context) -> None:
    make_account(ctx, "R1")
    ana, ben = as_(ctx, "ana"), as_(ctx, "ben")
    assert take_next(ana) is not None
    assert take_next(ben) is None
    assert release(ana, "R1")
    row = take_next(ben)
    assert row is not None and row.account_number == "R1"
    record_call(ben, "R1", "no_answer")
    assert Lease.select().count() == 0


def test_an_expired_lease_is_taken_over(db: Database, ctx: Context) -> None:
    make_account(ctx, "E1")
    assert take_next(as_(ctx, "ana")) is not None
    later = MIDDAY + timedelta(minutes=16)
    row = take_next(as_(ctx, "ben", later))
    assert row is not None and row.account_number == "E1"
    assert Lease.get().coordinator == "ben"


def test_concurrent_next_from_many_processes(db: Database, db_url: str, ctx: Context) -> None:
    """4 processes x 8 `next` each: no account leased twice, no error, every lease kept."""
    for n in range(40):
        make_account(ctx, f"C{n:02d}", balance_cents=5_000 + n)
    script = (
        "import json, sys\n"
        "from collections_tui.cli import run\n"
        "who, url = sys.argv[1], sys.argv[2]\n"
        "for _ in range(8):\n"
        "    run(['--db', url, '--now', '2026-11-25T17:00:00Z', '--as', who, 'next',"
        " '--format', 'json'])\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, f"coord{i}", db_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    taken: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert err == ""
        decoder = json.JSONDecoder()
        pos = 0
        while pos < len(out):
            while pos < len(out) and out[pos].isspace():
                pos += 1
            if pos >= len(out):
                break
            obj, pos = decoder.raw_decode(out, pos)
            taken.append(obj["account_number"])
    assert len(taken) == 32
    assert len(set(taken)) == 32
    assert Lease.select().count() == 32


def test_prefetched_candidates_are_confirmed_when_taken(db: Database, ctx: Context) -> None:
    """The workstation fetches who `n` would give next ahead of time; by the time `n` is
    pressed one may have been taken by someone else and another called: neither is leased."""
    from collections_tui.services.leases import candidates, take_first

    ana, ben = as_(ctx, "ana"), as_(ctx, "ben")
    for i, cents in enumerate((90_000, 50_000, 10_000)):
        make_account(ana, f"P-{i}", balance_cents=cents, phones=(f"212-555-01{i}0",))
    assert candidates(ana) == ["P-0", "P-1", "P-2"]
    assert candidates(ana, skip=frozenset({"P-0"})) == ["P-1", "P-2"]
    prefetched = candidates(ana)
    assert take_next(ben) is not None  # ben takes P-0
    record_call(ben, "P-1", "conversation")  # and talks to P-1: a week's wait
    assert (taken := take_first(ana, prefetched)) is not None and taken[0] == "P-2"
    assert Lease.get(Lease.coordinator == "ana").account.number == "P-2"
    assert take_first(ana, ["P-0", "P-1"]) is None


def test_a_prefetched_account_paid_off_meanwhile_is_not_leased(db: Database, ctx: Context) -> None:
    from collections_tui.services.leases import candidates, take_first
    from collections_tui.services.ledger import pay

    ana = as_(ctx, "ana")
    make_account(ana, "Z-1", balance_cents=90_000, phones=("212-555-0181",))
    make_account(ana, "Z-2", balance_cents=10_000, phones=("212-555-0182",))
    prefetched = candidates(ana)
    assert prefetched == ["Z-1", "Z-2"]
    pay(ana, "Z-1", 90_000)
    assert (taken := take_first(ana, prefetched)) is not None and taken[0] == "Z-2"
