"""`collections-tui queue --limit 50` at 1,000,000 accounts (DESIGN §9: ≤ 0.5 s).

    python benchmarks/bench_queue.py --db /tmp/bench/demo1m.db --accounts 1000000

Creates the demo database first if the file does not exist (that takes a while), then
times the whole command (process start included) at midday, at an hour when almost
nothing is callable (04:30 UTC: only the Pacific, Alaska and Hawaii), and at 10:00 UTC
(nothing in the US is callable), each beside the raw SQL top-50 on an indexed column.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

NOW = "2026-11-25T17:00:00Z"
HOURS = {
    "midday (12:00 Eastern)": "2026-11-25T17:00:00Z",
    "almost nothing callable (04:30 UTC)": "2026-11-26T04:30:00Z",
    "nothing callable (10:00 UTC)": "2026-11-26T10:00:00Z",
}


def run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=Path("/tmp/bench/demo1m.db"))
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    exe = [sys.executable, "-m", "collections_tui", "--db", f"sqlite:///{args.db}"]
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        took, out = run([*exe, "--now", NOW, "demo", "--accounts", str(args.accounts)])
        print(f"demo --accounts {args.accounts:,}: {took:.1f}s\n  {out.strip()}")

    con = sqlite3.connect(args.db)
    raw = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        con.execute(
            "SELECT id FROM account WHERE status = 'open' ORDER BY status, tier, score LIMIT 50"
        ).fetchall()
        raw.append(time.perf_counter() - t)
    base = []
    for _ in range(args.repeat):
        t, _ = run([sys.executable, "-c", "import collections_tui.cli"])
        base.append(t)
    print(
        f"baseline raw SQL top-50: {statistics.median(raw) * 1000:.1f} ms; "
        f"python start + cli import: {statistics.median(base):.3f} s"
    )
    for label, instant in HOURS.items():
        times = []
        out = ""
        for _ in range(args.repeat):
            took, out = run([*exe, "--now", instant, "queue", "--limit", "50", "--format", "csv"])
            times.append(took)
        rows = max(0, len(out.strip().splitlines()) - 1)
        print(
            f"queue --limit 50, {label}: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s, {rows} rows"
        )


if __name__ == "__main__":
    main()
