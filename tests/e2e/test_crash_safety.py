"""Crash safety: ``kill -9`` in the middle of an import and of recording calls (scripted).

Each scenario starts the real program as a subprocess and kills it with SIGKILL at seeded
random instants; half of the import kills wait until the import holds the write lock (it
is inside its write transaction) so they land while rows are being written, not only
during start-up or parsing. After every kill the database must

* pass ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` (SQLite), with every
  index still in place (a big import drops and rebuilds some inside its transaction);
* hold either none or all of the import (never part of it): accounts, debtors, phones,
  ledger entries, the ``import.accounts`` audit event, and cached balances equal to the
  ledger sums;
* hold only whole calls: every contact with its note, its ``call.record`` audit event and
  the account's cached ``last_attempt_at``; no note or audit event without its contact.

After all the kills the same work still completes normally. PostgreSQL runs the same checks
with fewer kills (a killed client's transaction is rolled back by the server).
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.db import close_database, open_database, write_transaction
from collections_tui.store.queries import balance_mismatches
from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday, 12:00 in New York
SEED = 20261125
TIMEOUT_S = 60

AREA_CODES = (("212", "NY"), ("312", "IL"), ("713", "TX"), ("415", "CA"), ("206", "WA"))


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def sqlite_path(db_url: str) -> Path | None:
    return Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite") else None


# --------------------------------------------------------------------------- checks


def check_sqlite_file(path: Path, indexes: set[str] | None = None) -> set[str]:
    """Integrity and foreign keys, through a fresh connection (as the next user would open
    it after the crash). Returns the index names, which must include ``indexes``."""
    con = sqlite3.connect(path, timeout=30)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        found = {
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    finally:
        con.close()
    if indexes is not None:
        assert indexes <= found, f"indexes lost: {sorted(indexes - found)}"
    return found


def scalar(db: Database, sql: str) -> int:
    return int(db.execute_sql(sql).fetchone()[0])


@dataclass(frozen=True)
class ImportState:
    accounts: int
    debtors: int
    phones: int
    entries: int
    imports: int

    def plus(self, rows: int) -> ImportState:
        # each generated row: one account, one debtor, one phone, one opening entry
        return ImportState(
            self.accounts + rows,
            self.debtors + rows,
            self.phones + rows,
            self.entries + rows,
            self.imports + 1,
        )


def import_state(db: Database) -> ImportState:
    state = ImportState(
        accounts=scalar(db, "SELECT COUNT(*) FROM account"),
        debtors=scalar(db, "SELECT COUNT(*) FROM debtor"),
        phones=scalar(db, "SELECT COUNT(*) FROM phone"),
        entries=scalar(db, "SELECT COUNT(*) FROM ledger_entry"),
        imports=scalar(db, "SELECT COUNT(*) FROM audit_event WHERE action = 'import.accounts'"),
    )
    assert balance_mismatches(db) == []
    orphans = "SELECT COUNT(*) FROM debtor d WHERE NOT EXISTS "
    orphans += "(SELECT 1 FROM account a WHERE a.debtor_id = d.id)"
    assert scalar(db, orphans) == 0, "a debtor without its account"
    return state


# Contacts written by the killed processes whose call is not whole.
HALF_WRITTEN = {
    "contact without its note": """
        SELECT COUNT(*) FROM contact c WHERE substr(c.coordinator, 1, 5) = 'crash'
        AND NOT EXISTS (SELECT 1 FROM note n WHERE n.contact_id = c.id)""",
    "contact without its call.record audit event": """
        SELECT COUNT(*) FROM contact c WHERE substr(c.coordinator, 1, 5) = 'crash'
        AND NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.action = 'call.record'
            AND e.account_id = c.account_id AND e.actor = c.coordinator AND e.at = c.at)""",
    "call.record audit event without its contact": """
        SELECT COUNT(*) FROM audit_event e WHERE substr(e.actor, 1, 5) = 'crash'
        AND e.action = 'call.record'
        AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.account_id = e.account_id
            AND c.coordinator = e.actor AND c.at = e.at)""",
    "note without its contact": """
        SELECT COUNT(*) FROM note n WHERE substr(n.coordinator, 1, 5) = 'crash'
        AND (n.contact_id IS NULL
             OR NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = n.contact_id))""",
    "account whose last_attempt_at is not its last call": """
        SELECT COUNT(*) FROM account a
        JOIN (SELECT account_id, MAX(at) AS last FROM contact
              WHERE direction = 'outbound' GROUP BY account_id) s ON s.account_id = a.id
        WHERE a.last_attempt_at IS NULL OR a.last_attempt_at <> s.last""",
}


def check_calls(db: Database) -> int:
    """Every call is whole; returns how many the killed processes recorded."""
    for what, sql in HALF_WRITTEN.items():
        assert scalar(db, sql) == 0, what
    return scalar(db, "SELECT COUNT(*) FROM contact WHERE substr(coordinator, 1, 5) = 'crash'")


# --------------------------------------------------------------------------- processes


@contextlib.contextmanager
def started(cmd: list[str]) -> Iterator[subprocess.Popen[str]]:
    """A process in a session of its own; it and anything it started are gone after."""
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the session is ours: only our processes
        proc.communicate(timeout=TIMEOUT_S)


def kill9(proc: subprocess.Popen[str]) -> bool:
    """SIGKILL the process itself (as ``kill -9 PID`` would); False if it had finished."""
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=TIMEOUT_S)
    return proc.returncode == -signal.SIGKILL


def write_lock_held(probe: sqlite3.Connection) -> bool:
    """Whether another connection is inside a write transaction (SQLite)."""
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    probe.execute("ROLLBACK")
    return False


def writing_backends(db: Database) -> int:
    """PostgreSQL sessions (other than ours) inside a transaction that has written."""
    return scalar(
        db,
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
    )


class WriteWatch:
    """Polls whether some other process holds an open write transaction on the database."""

    def __init__(self, db: Database, db_url: str) -> None:
        self.db = db
        path = sqlite_path(db_url)
        self.probe = (
            sqlite3.connect(path, timeout=0, isolation_level=None) if path is not None else None
        )

    def writing(self) -> bool:
        if self.probe is not None:
            return write_lock_held(self.probe)
        return writing_backends(self.db) > 0

    def wait(self, proc: subprocess.Popen[str], limit_s: float = TIMEOUT_S) -> float | None:
        """Seconds until a write transaction is seen (None: the process ended first)."""
        start = time.perf_counter()
        while proc.poll() is None and time.perf_counter() - start < limit_s:
            if self.writing():
                return time.perf_counter() - start
            time.sleep(0.003)
        return None

    def close(self) -> None:
        if self.probe is not None:
            self.probe.close()


# --------------------------------------------------------------------------- import


def write_accounts_csv(
    path: Path, prefix: str, rows: int, seed: int, *, wide: bool = False
) -> None:
    """``rows`` new accounts, one phone and one opening balance each. ``wide`` adds address
    and email columns: ~140 characters a row, so that 60,000 rows make a "big" file (read by
    worker processes and written piece by piece) with fewer rows to write."""
    rng = random.Random(seed)
    header = ["account_number", "debtor_name", "balance", "phones", "state", "creditor"]
    header += ["due_date", *(["address1", "city", "email"] if wide else [])]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(rows):
            area, state = rng.choice(AREA_CODES)
            row = [
                f"{prefix}{i:06d}",
                f"Debtor {prefix} {i}",
                f"{rng.randint(1, 900_000) / 100:.2f}",
                f"mobile:({area}) 555-01{rng.randint(0, 99):02d}",
                state,
                rng.choice(("Lakeside Family Medicine", "Acme Utilities")),
                "2026-09-01",
            ]
            if wide:
                row += [f"{rng.randint(1, 9999)} Long Meadow Lane", "Springfield"]
                row += [f"debtor.{prefix.lower()}{i}@example.com"]
            w.writerow(row)


def import_cmd(db_url: str, file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "collections_tui",
        "--db",
        db_url,
        "--now",
        iso(NOW),
        "--as",
        "importer",
        "import",
        "accounts",
        str(file),
    ]


def session_survivors(sid: int, wait_s: float = 1.0) -> list[str]:
    """Processes still alive in session ``sid`` (Linux /proc) after up to ``wait_s``."""
    deadline = time.perf_counter() + wait_s
    while True:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":  # session id; not a zombie
                    alive.append(stat.parent.name)
        if not alive or time.perf_counter() > deadline:
            return alive
        time.sleep(0.1)


@dataclass
class ImportKills:
    """Imports of fresh files killed at seeded random instants, each followed by the
    checks. ``every``: 1 = every kill waits for the write transaction, 2 = every other."""

    db: Database
    db_url: str
    folder: Path
    rows: int
    wide: bool = False
    every: int = 2

    def __post_init__(self) -> None:
        self.path = sqlite_path(self.db_url)
        self.indexes = check_sqlite_file(self.path) if self.path is not None else set()
        self.watch = WriteWatch(self.db, self.db_url)
        self.outcomes = {"rolled back": 0, "committed": 0, "finished": 0}
        self.mid_write = 0
        self.orphans: list[str] = []
        self.last_file: Path | None = None
        self.last_committed = False
        self.state = import_state(self.db)
        self.duration = self.writing = 0.0

    def file(self, name: str, seed: int) -> Path:
        f = self.folder / f"{name}.csv"
        write_accounts_csv(f, f"{name}-", self.rows, seed, wide=self.wide)
        return f

    def calibrate(self) -> None:
        """One complete import: it works; how long it takes, and how long it writes."""
        before = self.state
        with started(import_cmd(self.db_url, self.file("first", SEED))) as proc:
            t0 = time.perf_counter()
            to_lock = self.watch.wait(proc)
            proc.wait(timeout=TIMEOUT_S)
            self.duration = time.perf_counter() - t0
        assert proc.returncode == 0
        assert to_lock is not None, "never saw the import's write transaction"
        self.writing = max(self.duration - to_lock, 0.05)
        self.state = import_state(self.db)
        assert self.state == before.plus(self.rows)

    def kill(self, i: int, rng: random.Random) -> None:
        file = self.file(f"k{i:02d}", SEED + 1 + i)
        before = self.state
        with started(import_cmd(self.db_url, file)) as proc:
            if i % self.every == self.every - 1:  # while it writes
                assert self.watch.wait(proc) is not None, "the import ended before it wrote"
                time.sleep(rng.uniform(0, self.writing))
                self.mid_write += self.watch.writing()
            else:  # at any instant
                time.sleep(rng.uniform(0.05, self.duration))
            killed = kill9(proc)
            if killed:
                self.orphans += session_survivors(proc.pid)
        if not killed:  # the random instant came after the import had finished
            assert proc.returncode == 0, f"kill {i}: the import failed on its own"
        if self.path is not None:
            check_sqlite_file(self.path, self.indexes)
        self.state = after = import_state(self.db)
        assert after in (before, before.plus(self.rows)), f"kill {i}: partial import {after}"
        committed = after != before
        self.outcomes["committed" if committed else "rolled back"] += killed
        self.outcomes["finished"] += not killed
        self.last_file, self.last_committed = file, committed

    def finish(self) -> None:
        """The last killed file now imports normally (or changes nothing if it had been
        committed after all)."""
        assert self.last_file is not None
        before = self.state
        t0 = time.perf_counter()
        done = subprocess.run(
            import_cmd(self.db_url, self.last_file),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        assert done.returncode == 0, done.stderr
        self.duration = self.duration or time.perf_counter() - t0
        if self.path is not None:
            check_sqlite_file(self.path, self.indexes)
        unchanged = replace(before, imports=before.imports + 1)
        assert import_state(self.db) == (
            unchanged if self.last_committed else before.plus(self.rows)
        )
        self.watch.close()

    def summary(self, kills: int) -> str:
        return (
            f"import killed {kills}x ({self.rows:,} rows, {self.duration:.2f}s, writing "
            f"{self.writing:.2f}s): {self.outcomes}, {self.mid_write} inside the transaction"
        )


def test_killed_import_is_all_or_nothing(db: Database, db_url: str, tmp_path: Path) -> None:
    on_sqlite = db_url.startswith("sqlite")
    kills, rows = (20, 12_000) if on_sqlite else (6, 3_000)
    rng = random.Random(SEED)
    run = ImportKills(db, db_url, tmp_path, rows)
    run.calibrate()
    for i in range(kills):
        run.kill(i, rng)
    print(run.summary(kills))
    assert run.outcomes["rolled back"] >= kills // 4
    assert run.mid_write >= 1, "no kill landed inside the write transaction"
    assert not run.orphans
    run.finish()


def test_killed_big_import_is_all_or_nothing(tmp_path: Path) -> None:
    """A big file (SQLite): checked by worker processes and written piece by piece inside
    one transaction that also drops and rebuilds indexes. Every kill lands mid-write."""
    url = f"sqlite:///{tmp_path / 'big.db'}"
    db = open_database(url)
    try:
        kills = 4
        run = ImportKills(db, url, tmp_path, 60_000, wide=True, every=1)
        run.writing = 3.0  # the lock is taken first, then held while the pieces are written
        rng = random.Random(SEED + 2)
        for i in range(kills):
            run.kill(i, rng)
        assert run.outcomes["rolled back"] >= 1
        run.finish()
        print(run.summary(kills))
    finally:
        close_database()
    assert not run.orphans, (
        f"{len(run.orphans)} import worker process(es) outlived the killed import"
    )


# --------------------------------------------------------------------------- calls

# A coordinator recording calls as fast as it can, every one with a note, round-robin over
# the accounts, one second apart in (fixed) time. "ready" once the database is open.
CALLS_CHILD = r"""
import sys
from datetime import datetime, timedelta
from collections_tui.services.calls import record_call
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.db import open_database

url, who, start, numbers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
start_at = datetime.fromisoformat(start.replace("Z", "+00:00"))
open_database(url)
print("ready", flush=True)
i = 0
while True:
    ctx = Context(actor=who, clock=FixedClock(start_at + timedelta(seconds=i)))
    record_call(ctx, numbers[i % len(numbers)], "no_answer", note=f"{who} call {i}",
                override="crash test")
    i += 1
"""


def test_killed_call_recording_leaves_only_whole_calls(
    db: Database, db_url: str, ctx: Context
) -> None:
    path = sqlite_path(db_url)
    kills = 20 if path is not None else 6
    rng = random.Random(SEED + 1)
    at_noon = replace(ctx, clock=FixedClock(NOW))
    numbers = [f"CR{n:03d}" for n in range(40)]
    with write_transaction(db):
        for n, number in enumerate(numbers):
            make_account(at_noon, number, balance_cents=20_000 + n)
    indexes = check_sqlite_file(path) if path is not None else set()

    recorded = mid_write = 0
    watch = WriteWatch(db, db_url)
    for i in range(kills):
        who = f"crash{i:02d}"
        start = NOW + timedelta(minutes=10 * i)  # calls never overlap in time across runs
        cmd = [sys.executable, "-c", CALLS_CHILD, db_url, who, iso(start), ",".join(numbers)]
        with started(cmd) as proc:
            assert proc.stdout is not None
            ready = proc.stdout.readline()
            assert ready.strip() == "ready", proc.communicate(timeout=TIMEOUT_S)
            time.sleep(rng.uniform(0.05, 0.8))
            mid_write += watch.writing()
            assert kill9(proc), f"kill {i}: the loop had stopped: {proc.communicate()}"
        if path is not None:
            check_sqlite_file(path, indexes)
        total = check_calls(db)
        assert total >= recorded
        recorded = total
    watch.close()
    print(f"calls killed {kills}x ({mid_write} inside a transaction): {recorded} whole calls")
    assert recorded > kills  # the loop did record calls between kills
    assert mid_write >= 1, "no kill landed inside a transaction"

    # The program still records calls normally, through the command line.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "collections_tui",
            "--db",
            db_url,
            "--now",
            iso(NOW + timedelta(minutes=10 * kills)),
            "--as",
            "crash-after",
            "log-call",
            numbers[0],
            "--outcome",
            "no_answer",
            "--note",
            "after the crashes",
            "--override",
            "crash test",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert check_calls(db) == recorded + 1
