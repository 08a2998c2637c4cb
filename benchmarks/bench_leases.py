"""Leases per second for concurrent coordinators (DESIGN §8), on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/bench_leases.py [--accounts 3000] [--processes 8]
        [--per-process 100] [--pg postgresql://postgres@127.0.0.1:5432/test] [--no-pg]

For each database: N callable accounts are imported, then ``--processes`` worker processes
(one coordinator each, the services imported in-process, one connection each) start
together and each calls ``services.leases.take_next`` ``--per-process`` times at the same
instant (midday in New York). Two modes (``--mode``, default both):

* ``keep``: every coordinator keeps the leases it takes, so they pile up. Confirms that no
  account was leased twice (by what the workers were told, and by the lease table).
* ``release``: every lease is released at once, as recording the call's outcome does, so
  each coordinator holds one at a time (the daily pattern). Confirms that no account was
  ever held by two coordinators at once (intervals on one monotonic clock).

Prints leases per second (wall clock, from the start signal to the last lease) and per-call
latency, beside the baseline of one coordinator alone on the same database.

PostgreSQL: ``--pg`` names a server (and a database to connect to for administration); the
benchmark creates a database of its own there and drops it at the end. It never writes to
the named database itself.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday 12:00 New York, 09:00 Los Angeles
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
# Mainland area codes only: every account is inside calling hours at NOW.
AREA_CODES = (("212", "NY"), ("312", "IL"), ("713", "TX"), ("303", "CO"), ("415", "CA"))


# ---------------------------------------------------------------- databases


def _pg_admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg2

    p = urlparse(url)
    conn = psycopg2.connect(
        dbname=p.path.lstrip("/") or "postgres",
        user=p.username or "postgres",
        password=p.password,
        host=p.hostname or "127.0.0.1",
        port=p.port or 5432,
        connect_timeout=5,
    )
    conn.autocommit = True
    return conn


@contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of ``admin_url``, dropped afterwards."""
    admin = _pg_admin(admin_url)
    name = f"bench_leases_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="bench_leases_") as folder:
        yield f"sqlite:///{Path(folder) / 'leases.db'}"


def populate(url: str, accounts: int, folder: Path) -> None:
    """``accounts`` callable accounts, through the importer (one transaction)."""
    from collections_tui.services.clock import FixedClock
    from collections_tui.services.context import Context
    from collections_tui.services.importer import import_file
    from collections_tui.store.db import close_database, open_database

    rng = random.Random(1)
    path = folder / "accounts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["account_number", "debtor_name", "balance", "phones", "state", "due_date"])
        for i in range(accounts):
            area, state = rng.choice(AREA_CODES)
            w.writerow(
                [
                    f"B{i:07d}",
                    f"Debtor {i}",
                    f"{rng.randint(1_000, 900_000) / 100:.2f}",
                    f"mobile:({area}) 555-01{rng.randint(0, 99):02d}",
                    state,
                    "2026-08-15",
                ]
            )
    open_database(url)
    try:
        import_file(Context(actor="bench", clock=FixedClock(NOW)), "accounts", path)
    finally:
        close_database()


def clear_leases(url: str) -> None:
    from collections_tui.store.db import close_database, open_database

    db = open_database(url)
    try:
        db.execute_sql("DELETE FROM lease")
    finally:
        close_database()


def lease_table(url: str) -> tuple[int, int]:
    """(rows, distinct accounts) in the lease table."""
    from collections_tui.store.db import close_database, open_database

    db = open_database(url)
    try:
        rows, distinct = db.execute_sql(
            "SELECT COUNT(*), COUNT(DISTINCT account_id) FROM lease"
        ).fetchone()
        return int(rows), int(distinct)
    finally:
        close_database()


# ---------------------------------------------------------------- workers


def coordinator(
    url: str,
    who: str,
    count: int,
    give_back: bool,
    ready: mp.Queue[Any],
    go: Event,
    out: mp.Queue[Any],
) -> None:
    """One coordinator: connect, wait for the start signal, take ``count`` leases (and with
    ``give_back`` release each one at once, as recording the call's outcome would)."""
    from collections_tui.services.clock import FixedClock
    from collections_tui.services.context import Context
    from collections_tui.services.leases import release, take_next
    from collections_tui.store.db import close_database, open_database

    open_database(url)
    ctx = Context(actor=who, clock=FixedClock(NOW))
    ready.put(who)
    go.wait()
    taken: list[str | None] = []
    held: list[tuple[str, float, float]] = []  # (account, lease surely held from, to)
    latencies: list[float] = []
    try:
        for _ in range(count):
            t0 = time.perf_counter()
            row = take_next(ctx)
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            taken.append(row.account_number if row is not None else None)
            if give_back and row is not None:
                held.append((row.account_number, t1, time.perf_counter()))
                release(ctx, row.account_number)
        out.put((who, taken, held, latencies, time.perf_counter(), None))
    except Exception as exc:  # reported by the parent, which fails the run
        error = f"{type(exc).__name__}: {exc}"
        out.put((who, taken, held, latencies, time.perf_counter(), error))
    finally:
        close_database()


def overlaps(held: list[tuple[str, str, float, float]]) -> list[str]:
    """Accounts two coordinators held at the same time (intervals on one monotonic clock:
    after the lease statement returned, before the release began)."""
    found = []
    by_account: dict[str, list[tuple[float, float, str]]] = {}
    for who, number, start, end in held:
        by_account.setdefault(number, []).append((start, end, who))
    for number, spans in by_account.items():
        spans.sort()
        found += [number for a, b in itertools.pairwise(spans) if b[0] < a[1]]
    return found


def race(url: str, processes: int, count: int, give_back: bool) -> dict[str, float]:
    """``processes`` coordinators × ``count`` leases at once; the measurements."""
    spawn = mp.get_context("spawn")  # each worker imports and connects on its own
    ready: mp.Queue[Any] = spawn.Queue()
    out: mp.Queue[Any] = spawn.Queue()
    go = spawn.Event()
    names = [f"bench{i}" for i in range(processes)]
    procs = [
        spawn.Process(target=coordinator, args=(url, who, count, give_back, ready, go, out))
        for who in names
    ]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=120)
        start = time.perf_counter()
        go.set()
        results = [out.get(timeout=600) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    end = max(r[4] for r in results)
    errors = [f"{r[0]}: {r[5]}" for r in results if r[5]]
    if errors:
        raise SystemExit("workers failed:\n  " + "\n  ".join(errors))
    taken = [n for r in results for n in r[1]]
    got = [n for n in taken if n is not None]
    rows, distinct = lease_table(url)
    if give_back:
        both = overlaps([(r[0], *h) for r in results for h in r[2]])
        if both:
            raise SystemExit(f"LEASED TWICE AT ONCE: {len(both)} accounts: {both[:10]}")
        if rows:
            raise SystemExit(f"{rows} leases left after every one was released")
    else:
        dupes = [n for n, k in Counter(got).items() if k > 1]
        if dupes:
            raise SystemExit(f"DUPLICATE LEASES: {len(dupes)} accounts leased twice: {dupes[:10]}")
        if rows != len(got) or distinct != len(got):
            raise SystemExit(f"lease table: {rows} rows ({distinct} accounts), not {len(got)}")
    latencies = sorted(x for r in results for x in r[3])
    wall = end - start
    return {
        "leases": len(got),
        "empty": len(taken) - len(got),
        "wall": wall,
        "rate": len(got) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "max": latencies[-1] * 1000,
    }


def report(label: str, m: dict[str, float]) -> None:
    print(
        f"  {label:<28} {m['leases']:>5.0f} leases in {m['wall']:6.2f}s = "
        f"{m['rate']:7.1f} leases/s   per call p50 {m['p50']:6.1f} ms, "
        f"p95 {m['p95']:6.1f} ms, max {m['max']:6.1f} ms"
        + (f"  ({m['empty']:.0f} got nothing)" if m["empty"] else "")
    )


MODES = {
    "keep": "each keeps every lease it takes (leases pile up: 8 x K held at the end)",
    "release": "each releases its lease at once (as recording the outcome does)",
}


def bench(name: str, url: str, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench_leases_csv_") as folder:
        t0 = time.perf_counter()
        populate(url, args.accounts, Path(folder))
        print(f"{name}: {args.accounts:,} accounts imported in {time.perf_counter() - t0:.1f}s")
    rates = {}
    for mode in args.modes:
        give_back = mode == "release"
        print(f" {mode}: {MODES[mode]}")
        alone = race(url, 1, args.per_process, give_back)
        report("1 coordinator (baseline)", alone)
        clear_leases(url)
        many = race(url, args.processes, args.per_process, give_back)
        report(f"{args.processes} coordinators at once", many)
        clear_leases(url)
        check = "never two holders at once" if give_back else "no account leased twice"
        print(
            f"  {check}; {args.processes} coordinators = "
            f"{many['rate'] / alone['rate']:.2f}x one alone"
        )
        rates[mode] = many["rate"]
    return rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=2000, metavar="N")
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--per-process", type=int, default=50, metavar="K")
    ap.add_argument("--mode", choices=[*MODES, "both"], default="both")
    ap.add_argument("--pg", default=DEFAULT_PG, metavar="URL", help=f"default {DEFAULT_PG}")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = ap.parse_args()
    args.modes = list(MODES) if args.mode == "both" else [args.mode]
    if args.accounts < args.processes * args.per_process:
        ap.error("--accounts must be at least --processes × --per-process")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{args.processes} processes × {args.per_process} take_next each, {cores} cores, "
        f"Python {sys.version.split()[0]}, at {NOW.isoformat()}"
    )
    summary: dict[str, dict[str, float]] = {}
    with sqlite_database() as url:
        summary["SQLite"] = bench("SQLite (WAL)", url, args)
    if not args.no_pg:
        try:
            _pg_admin(args.pg).close()
        except Exception as exc:  # no driver, or no server: say so, keep the SQLite numbers
            print(f"PostgreSQL: skipped ({str(exc).strip().splitlines()[0]})")
        else:
            with pg_database(args.pg) as url:
                summary["PostgreSQL"] = bench("PostgreSQL", url, args)
    print(f"\nleases/s, {args.processes} coordinators at once:")
    for db_name, rates in summary.items():
        print(f"  {db_name:<11} " + ", ".join(f"{m} {r:.1f}" for m, r in rates.items()))


if __name__ == "__main__":
    main()
