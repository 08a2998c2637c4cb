"""The workstation's ``/`` search (``services.search.search_accounts``) at 1,000,000 accounts.

    .venv/bin/python benchmarks/bench_search.py --db /tmp/bench/search1m.db

Creates the demo database first if the file does not exist (that takes a couple of minutes;
``--from FILE`` copies an existing demo database instead, leaving FILE untouched). Opening
it migrates it to the latest schema; a database made before schema v6 gets its search
indexes then, and that one-time cost is printed. Then, in one warm process (as in the
workstation), searches what an inbound caller would give, for accounts drawn at random:

* phone: their phone written "(212) 555-0143";
* number prefix: their account number less its last two characters (about 100 accounts);
* name: a word of their name (the longer of its second and third: usually the surname);
* name, two words: first name and that word ("maria gonzalez");
* name, no match: a word that starts no name.

and prints p50/p95 per kind. Budget: p95 ≤ 100 ms each on SQLite.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BUDGET_MS = 100.0
NOW = "2026-11-25T17:00:00Z"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def samples(path: Path, n: int, seed: int) -> list[tuple[str, str, str]]:
    """(account number, debtor name, first NANP phone) of ``n`` random accounts."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top = con.execute("SELECT MAX(id) FROM account").fetchone()[0]
    rng = random.Random(seed)
    found: list[tuple[str, str, str]] = []
    while len(found) < n:
        row = con.execute(
            "SELECT a.number, d.name, p.e164 FROM account a JOIN debtor d ON d.id = a.debtor_id "
            "JOIN phone p ON p.debtor_id = d.id WHERE a.id = ? AND p.e164 LIKE '+1__________' "
            "ORDER BY p.position LIMIT 1",
            (rng.randint(1, top),),
        ).fetchone()
        if row is not None:
            found.append(row)
    con.close()
    return found


def surname(name: str) -> str:
    """The longest of the second and third words (usually the surname)."""
    words = name.split()
    return max(words[1:3] or words, key=len).strip(".,")


def formatted(e164: str) -> str:
    d = e164[2:]
    return f"({d[:3]}) {d[3:6]}-{d[6:]}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=Path("/tmp/bench/search1m.db"))
    ap.add_argument("--from", dest="source", type=Path, help="copy this demo database to --db")
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--searches", type=int, default=200, help="per kind")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        if args.source is not None:
            shutil.copyfile(args.source, args.db)
            print(f"copied {args.source} to {args.db}")
        else:
            cmd = [sys.executable, "-m", "collections_tui", "--db", f"sqlite:///{args.db}"]
            start = time.perf_counter()
            subprocess.run(
                [*cmd, "--now", NOW, "demo", "--accounts", str(args.accounts)], check=True
            )
            print(f"demo --accounts {args.accounts:,}: {time.perf_counter() - start:.1f}s")

    from collections_tui.services.context import Context
    from collections_tui.services.search import search_accounts
    from collections_tui.store.db import open_database

    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    before = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    accounts = con.execute("SELECT COUNT(*) FROM account").fetchone()[0]
    con.close()
    start = time.perf_counter()
    open_database(f"sqlite:///{args.db}")
    opened = time.perf_counter() - start
    print(f"{accounts:,} accounts; open (schema v{before} to latest): {opened:.1f}s")

    ctx = Context(actor="bench")
    picked = samples(args.db, args.searches, args.seed)
    kinds: dict[str, Callable[[tuple[str, str, str]], str]] = {
        "phone": lambda s: formatted(s[2]),
        "number prefix": lambda s: s[0][:-2],
        "name": lambda s: surname(s[1]),
        "name, two words": lambda s: f"{s[1].split()[0]} {surname(s[1])}",
        "name, no match": lambda s: "zq" + s[0][-4:],
    }
    for text in (k(picked[0]) for k in kinds.values()):  # warm the page cache a little
        search_accounts(ctx, text)
    over = False
    for kind, make in kinds.items():
        times: list[float] = []
        hits: list[int] = []
        for s in picked:
            text = make(s)
            start = time.perf_counter()
            found = search_accounts(ctx, text)
            times.append((time.perf_counter() - start) * 1000)
            hits.append(len(found))
        p95 = percentile(times, 95)
        over |= p95 > BUDGET_MS
        print(
            f"{kind:16s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
            f"max {max(times):6.1f} ms  ({len(times)} searches, "
            f"median {statistics.median(hits):.0f} hits, e.g. {make(picked[0])!r})"
        )
    print(f"budget p95 ≤ {BUDGET_MS:.0f} ms each: {'OVER' if over else 'within'}")


if __name__ == "__main__":
    main()
