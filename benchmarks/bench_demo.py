"""How long ``collections-tui demo --accounts N`` takes, and what it writes.

    python benchmarks/bench_demo.py --accounts 1000000 [--db sqlite:///path.db] [--seed 1] [--cli]

Runs ``generate_demo`` into a fresh temporary SQLite file (or the database ``--db`` names),
then prints the seconds (generation + writing + commit), the CPU seconds of this process and
of the generating worker processes, the rows per table, the file size and the peak resident
memory. ``--cli`` times the real command instead (``python -m collections_tui demo``, a fresh
process: start-up and imports included). Budget (2 cores): 1,000,000 accounts in at most
120 s. The machine's load average is printed because other work on the machine slows it.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.demo import generate_demo
from collections_tui.store.db import close_database, open_database

BUDGET_S = {1_000_000: 120.0}
TABLES = (
    "debtor",
    "phone",
    "account",
    "ledger_entry",
    "contact",
    "note",
    "promise",
    "arrangement",
    "installment",
    "callback",
    "claim",
    "consent",
    "zone_set",
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--now", default="2026-11-27T15:00:00+00:00", help="the fixed clock")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database")
    ap.add_argument("--cli", action="store_true", help="time `python -m collections_tui demo`")
    args = ap.parse_args()

    tmp = None
    url = args.db
    if url is None:
        tmp = tempfile.mkdtemp(prefix="bench-demo-")
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
    if args.cli:
        import subprocess

        command = [sys.executable, "-m", "collections_tui", "--db", url, "--now", args.now]
        command += ["demo", "--accounts", str(args.accounts), "--seed", str(args.seed)]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=Path(__file__).resolve().parents[1])
        seconds = time.perf_counter() - started
        print(f"command       {' '.join(command[1:])}")
        print(f"seconds       {seconds:.1f} (end to end)")
    db = open_database(url)
    ctx = Context(actor="bench", clock=FixedClock(datetime.fromisoformat(args.now).astimezone(UTC)))

    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 5 or done == total:
            print(f"  {done:>10,}/{total:,} accounts  {now - started:6.1f}s", flush=True)
            last[0] = now

    if not args.cli:
        started = time.perf_counter()
        report = generate_demo(ctx, accounts=args.accounts, seed=args.seed, progress=progress)
        seconds = time.perf_counter() - started

    rows = {t: int(db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in TABLES}
    close_database()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_rss, child_rss = me.ru_maxrss / 1024, kids.ru_maxrss / 1024
    cpu_self, cpu_kids = me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    print(f"accounts      {args.accounts:,} (seed {args.seed}) into {url}")
    if not args.cli:
        print(f"seconds       {seconds:.1f}  (generate_demo reports {report.seconds:.1f})")
    if args.cli:
        print(f"cpu seconds   {cpu_kids:.1f} (the command and its worker processes)")
        print(f"peak RSS      {child_rss:,.0f} MB (largest of the command and its workers)")
    else:
        print(f"cpu seconds   {cpu_self:.1f} (writer) + {cpu_kids:.1f} (worker processes); ")
        print(f"peak RSS      {self_rss:,.0f} MB (writer), {child_rss:,.0f} MB (largest worker)")
    print(f"load average  {load:.2f} on {os.cpu_count()} cores (other work slows this down)")
    total = 0
    for table, n in rows.items():
        total += n
        print(f"  {table:<14} {n:>12,}  {n / max(1, args.accounts):5.2f} per account")
    print(f"  {'all rows':<14} {total:>12,}")
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        print(f"file size     {size / 1e6:,.0f} MB")
    budget = BUDGET_S.get(args.accounts)
    if budget is not None:
        verdict = "within" if seconds <= budget else "OVER"
        print(f"budget        {budget:.0f} s: {verdict}")
    if tmp is not None and not args.keep:
        for p in Path(tmp).iterdir():
            p.unlink()
        os.rmdir(tmp)
    elif tmp is not None:
        print(f"kept          {tmp}")
    return 0 if budget is None or seconds <= budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
