"""Benchmark: ``collections-tui import accounts`` of an N-row file, end to end (DESIGN §9).

Generates a realistic accounts CSV (people and businesses, 1-3 US phones each in mixed
formats with a few invalid ones, states matching the area codes, balances including credits
and zeros, due dates, a few flags) in a temporary folder, then times

* ``collections-tui --db sqlite:///TMP/bench.db import accounts FILE`` (a fresh process:
  start-up, parse, validate, write, commit), and
* the baseline: ``sqlite3 TMP/baseline.db ".import --csv FILE accounts"`` (the raw CSV
  loaded into one untyped table, no checks), when the ``sqlite3`` program is installed.

Usage::

    .venv/bin/python benchmarks/bench_import.py --rows 100000
    .venv/bin/python benchmarks/bench_import.py --rows 1000000 --reimport

Budget: 1,000,000 rows in at most 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BUDGET_S_PER_MILLION = 60.0
NOW = "2026-11-27T15:00:00Z"

# (area code, state) pairs across every mainland zone, plus Alaska and Hawaii.
AREA_CODES: tuple[tuple[str, str], ...] = (
    ("212", "NY"),
    ("718", "NY"),
    ("917", "NY"),
    ("516", "NY"),
    ("315", "NY"),
    ("201", "NJ"),
    ("973", "NJ"),
    ("215", "PA"),
    ("412", "PA"),
    ("617", "MA"),
    ("508", "MA"),
    ("305", "FL"),
    ("407", "FL"),
    ("850", "FL"),
    ("404", "GA"),
    ("704", "NC"),
    ("919", "NC"),
    ("803", "SC"),
    ("703", "VA"),
    ("202", "DC"),
    ("410", "MD"),
    ("216", "OH"),
    ("614", "OH"),
    ("313", "MI"),
    ("317", "IN"),
    ("502", "KY"),
    ("615", "TN"),
    ("901", "TN"),
    ("312", "IL"),
    ("773", "IL"),
    ("414", "WI"),
    ("612", "MN"),
    ("314", "MO"),
    ("816", "MO"),
    ("504", "LA"),
    ("214", "TX"),
    ("713", "TX"),
    ("512", "TX"),
    ("915", "TX"),
    ("405", "OK"),
    ("316", "KS"),
    ("402", "NE"),
    ("303", "CO"),
    ("801", "UT"),
    ("505", "NM"),
    ("602", "AZ"),
    ("520", "AZ"),
    ("406", "MT"),
    ("208", "ID"),
    ("702", "NV"),
    ("213", "CA"),
    ("415", "CA"),
    ("619", "CA"),
    ("916", "CA"),
    ("503", "OR"),
    ("206", "WA"),
    ("509", "WA"),
    ("907", "AK"),
    ("808", "HI"),
)
_FIRST_TEXT = (
    "Ada Alan Grace Linus Ken Barbara Edsger Donald Frances Margaret John Mary James "
    "Patricia Robert Jennifer Michael Linda William Elizabeth David Susan Richard Jessica "
    "Joseph Sarah Thomas Karen Charles Nancy Maria José Nguyen Wei Fatima Olga Chloé Zoë"
)
FIRST = _FIRST_TEXT.split()
_LAST_TEXT = (
    "Lovelace Turing Hopper Torvalds Thompson Liskov Dijkstra Knuth Allen Hamilton Smith "
    "Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Pérez O'Brien Nguyen"
)
LAST = _LAST_TEXT.split()
BUSINESS = ("Plumbing", "Dental", "Bakery", "Auto Repair", "Consulting", "Landscaping")
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Elm St", "2nd Ave", "Park Blvd", "Lake Rd")
CITIES = ("Springfield", "Riverside", "Franklin", "Greenville", "Fairview", "Salem")
CREDITORS = (
    "Springfield Medical Group",
    "Riverside Dental",
    "Acme Utilities",
    "Northside Radiology",
    "Lakeside Clinic",
)
FORMATS = (
    "({a}) {b}-{c}",
    "{a}-{b}-{c}",
    "{a}.{b}.{c}",
    "+1 {a} {b} {c}",
    "1{a}{b}{c}",
    "{a}{b}{c}",
    "+1-{a}-{b}-{c}",
    "({a}) {b}-{c} x{e}",
)
KINDS = ("mobile:", "home:", "work:", "", "cell:")
FLAGS = ("dispute", "cease", "attorney", "bankruptcy", "deceased")


def _phone(rng: random.Random, npa: str) -> str:
    roll = rng.random()
    if roll < 0.02:  # real exports are full of these
        return rng.choice(("555-1234", "000-000-0000", "n/a", "(212) 555-01"))
    fmt = rng.choice(FORMATS)
    number = fmt.format(
        a=npa, b=rng.randint(200, 999), c=f"{rng.randint(0, 9999):04d}", e=rng.randint(1, 999)
    )
    return rng.choice(KINDS) + number


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    today = date(2026, 11, 27)
    numbers = list(range(1, rows + 1))
    rng.shuffle(numbers)  # files are rarely sorted by account number
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "account_number", "debtor_name", "debtor_type", "balance", "phones", "email",
                "address1", "city", "state", "postal_code", "country", "creditor", "currency",
                "due_date", "flags",
            ]
        )  # fmt: skip
        for n in numbers:
            npa, state = rng.choice(AREA_CODES)
            business = rng.random() < 0.1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{last} {rng.choice(BUSINESS)} LLC" if business else f"{first} {last}"
            phones = ";".join(_phone(rng, npa) for _ in range(rng.choice((1, 1, 2, 2, 3))))
            roll = rng.random()
            if roll < 0.03:
                balance = f"-{rng.randint(1, 20000) / 100:.2f}"
            elif roll < 0.06:
                balance = "0.00"
            else:
                balance = f"{rng.randint(1000, 2_500_000) / 100:.2f}"
            due = today - timedelta(days=rng.randint(-30, 720))
            out.writerow(
                [
                    f"ACC-{n:08d}",
                    name,
                    "business" if business else "person",
                    balance,
                    phones,
                    f"{first.lower()}.{last.lower()}@example.com" if rng.random() < 0.6 else "",
                    f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                    rng.choice(CITIES),
                    state,
                    f"{rng.randint(501, 99950):05d}",
                    "US",
                    rng.choice(CREDITORS),
                    "USD",
                    due.isoformat(),
                    rng.choice(FLAGS) if rng.random() < 0.02 else "",
                ]
            )


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("collections-tui")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "collections_tui"]


def time_import(db: Path, csv_path: Path, *, label: str) -> float:
    cmd = [*_cli(), "--db", f"sqlite:///{db}", "--now", NOW, "import", "accounts", str(csv_path)]
    env = dict(os.environ, COLLECTIONS_NOW=NOW)
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{label}: import failed with exit code {done.returncode}")
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  {label}: {summary.split(': ', 1)[-1]}")
    print(f"  {label}: peak memory of the largest process so far {peak_mb:,.0f} MB")
    print(
        f"  {label}: CPU {cpu:.1f} s in all its processes ({cpu / elapsed:.2f} cores busy "
        "on average; on a 2-core machine a figure well under 2 with a long wall time means "
        "other work was competing)"
    )
    return elapsed


def time_sqlite3_baseline(db: Path, csv_path: Path) -> float | None:
    exe = shutil.which("sqlite3")
    if exe is None:
        print("  baseline: sqlite3 not installed (apt-get install -y sqlite3); skipped")
        return None
    started = time.perf_counter()
    subprocess.run([exe, str(db), f".import --csv {csv_path} accounts"], check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reimport", action="store_true", help="also time importing the same file again"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        csv_path = tmp / "accounts.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows, args.seed)
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size_mb:.0f} MB) in "
            f"{time.perf_counter() - started:.1f}s: {csv_path}"
        )
        base = time_sqlite3_baseline(tmp / "baseline.db", csv_path)
        elapsed = time_import(tmp / "bench.db", csv_path, label="import")
        budget = BUDGET_S_PER_MILLION * args.rows / 1_000_000
        print(f"import accounts   {elapsed:7.1f} s  {args.rows / elapsed:>10,.0f} rows/s")
        if base is not None:
            print(
                f"sqlite3 .import   {base:7.1f} s  {args.rows / base:>10,.0f} rows/s"
                f"  (import = {elapsed / base:.1f}x baseline)"
            )
        if args.reimport:
            again = time_import(tmp / "bench.db", csv_path, label="re-import")
            print(f"re-import         {again:7.1f} s  {args.rows / again:>10,.0f} rows/s")
        verdict = "within" if elapsed <= budget else "OVER"
        print(f"budget {budget:.1f} s for {args.rows:,} rows (60 s per million): {verdict}")
        return 0 if elapsed <= budget else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
