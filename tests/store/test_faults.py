"""Faults of the database and of its file, each one typed error with one line: another
program writing, a database that cannot be written, a full disk, a file that is no
collections-tui database. Reads never need the write lock."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from peewee import Database

from collections_tui.services.context import Context
from collections_tui.services.importer import import_file
from collections_tui.services.ledger import pay
from collections_tui.services.queue import build_queue, sweep_date_tiers
from collections_tui.services.team import ensure_coordinator
from collections_tui.store import db as store_db
from collections_tui.store.db import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseReadOnly,
    DiskFull,
    NoDatabase,
    NotADatabase,
    close_database,
    connect,
    open_database,
    read_only_reason,
)
from collections_tui.store.models import Coordinator, LedgerEntry, Meta, database
from tests.conftest import PG_ADMIN_URL, _pg_connect
from tests.factories import make_account
from tests.faults import (
    read_only_bits,
    reopen,
    shared_dir,  # noqa: F401  (a fixture)
    without_write_permission,
    write_lock_held,
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """For what only SQLite has (URL options, a page limit): a SQLite database alone."""
    url = f"sqlite:///{tmp_path / 'collections.db'}"
    open_database(url)
    try:
        yield url
    finally:
        close_database()


# --- another program is writing ------------------------------------------------------------


def test_reads_and_housekeeping_never_wait_for_another_writer(
    db: Database, db_url: str, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue's daily tier sweep and the coordinator row are housekeeping: with the
    write lock held elsewhere they are skipped at once (not after the busy timeout) and done
    by the next read after the lock is free."""
    make_account(ctx, "B-1", balance_cents=50_000)
    reopen(db_url, monkeypatch, busy_timeout_s=20)
    assert Meta.get_or_none(Meta.key == "tier_swept_on") is None
    with write_lock_held(db_url):
        started = time.monotonic()
        result = build_queue(ctx, limit=10)
        me = ensure_coordinator(ctx)
        took = time.monotonic() - started
    assert took < 5, f"a read waited {took:.1f}s for the write lock"
    assert [r.account_number for r in result.rows] == ["B-1"]
    assert me.created_at is None and Coordinator.get_or_none(name="tester") is None
    # the lock is free again: the next read does what was skipped
    assert sweep_date_tiers(ctx) == 0
    assert Meta.get(Meta.key == "tier_swept_on").value == ctx.today().isoformat()
    assert ensure_coordinator(ctx).created_at is not None


def test_a_write_that_cannot_get_the_lock_says_so_in_words(
    db: Database, db_url: str, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_account(ctx, "B-2", balance_cents=50_000)
    reopen(db_url, monkeypatch, busy_timeout_s=0.3)
    with write_lock_held(db_url), pytest.raises(DatabaseBusy) as caught:
        pay(ctx, "B-2", 1_000)
    assert str(caught.value) == "another program is writing to the database; try again"
    assert LedgerEntry.select().where(LedgerEntry.kind == "payment").count() == 0


# --- a database that cannot be written -----------------------------------------------------


def test_mode_ro_opens_read_only_reads_work_and_writes_are_refused(
    sqlite_url: str, ctx: Context
) -> None:
    make_account(ctx, "R-1", balance_cents=50_000)
    close_database()
    open_database(f"{sqlite_url}?mode=ro")
    assert read_only_reason() == "it was opened with ?mode=ro"
    assert [r.account_number for r in build_queue(ctx, limit=5).rows] == ["R-1"]
    with pytest.raises(DatabaseReadOnly) as caught:
        pay(ctx, "R-1", 1_000)
    assert str(caught.value).startswith("the database is read-only: it was opened with ?mode=ro")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("folder_writable", [False, True], ids=["folder-read-only", "folder-rw"])
def test_a_file_without_write_permission_is_opened_read_only(
    shared_dir: Path,  # noqa: F811
    ctx: Context,
    folder_writable: bool,
) -> None:
    """Really without permission (as root: as the user nobody). In a folder nobody may write,
    SQLite cannot make the WAL's -shm file, and the database is read as immutable."""
    folder = shared_dir / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'team.db'}"
    open_database(url)
    make_account(ctx, "P-1", balance_cents=50_000)
    close_database()
    read_only_bits(folder / "team.db")
    if folder_writable:
        os.chmod(folder, 0o777)
    else:
        read_only_bits(folder)
    try:
        with without_write_permission():
            open_database(url)
            assert read_only_reason() == f"{folder / 'team.db'} is not writable by this user"
            assert [r.account_number for r in build_queue(ctx, limit=5).rows] == ["P-1"]
            with pytest.raises(DatabaseReadOnly, match=r"^the database is read-only: .*team\.db"):
                pay(ctx, "P-1", 1_000)
            close_database()
    finally:
        close_database()


def test_a_read_only_postgresql_server_is_read_only(pg_url: str, ctx: Context) -> None:
    """A standby, or a database set read-only: reads work, writes are refused in one line.
    (A database of its own: ALTER DATABASE changes it for every session.)"""
    admin = _pg_connect(PG_ADMIN_URL)  # reachable: pg_url skipped (or failed, in CI) if not
    name = f"ct_ro_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = urlunparse(urlparse(PG_ADMIN_URL)._replace(path=f"/{name}"))
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        open_database(url)
        make_account(ctx, "G-1", balance_cents=50_000)
        close_database()
        with admin.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        open_database(url)
        assert read_only_reason() == "the PostgreSQL server accepts only reads"
        assert [r.account_number for r in build_queue(ctx, limit=5).rows] == ["G-1"]
        assert ensure_coordinator(ctx).created_at is None  # housekeeping: skipped
        with pytest.raises(DatabaseReadOnly, match=r"^the database is read-only: the PostgreSQL"):
            pay(ctx, "G-1", 1_000)
    finally:
        close_database()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# --- a full disk -----------------------------------------------------------------------------


def _accounts_csv(path: Path, n: int) -> Path:
    rows = ["account_number,debtor_name,balance,phones,address1,city,state"]
    rows += [
        f"F-{i},Person Number {i} With A Long Name,{i}.00,212-555-{i % 10_000:04d},"
        f"{i} Long Meadow Lane,Springfield,NY"
        for i in range(1, n + 1)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def _everything(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {
        t: sorted(map(tuple, db.execute_sql(f'SELECT * FROM "{t}"').fetchall()), key=repr)
        for t in db.get_tables()
    }


def test_a_full_disk_during_import_says_so_and_changes_nothing(
    sqlite_url: str, ctx: Context, tmp_path: Path
) -> None:
    """SQLITE_FULL (the page limit stands in for the disk): SQLite rolls the transaction back
    itself; the error shown is the full disk, not the failed rollback after it."""
    db = database.obj
    make_account(ctx, "F-0", balance_cents=50_000)
    before = _everything(db)
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(DiskFull) as caught:
        import_file(ctx, "accounts", _accounts_csv(tmp_path / "a.csv", 3_000))
    assert str(caught.value) == (
        "the disk holding the database is full; nothing was written (free some space and try again)"
    )
    db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert _everything(db) == before


# --- files that are not a collections-tui database ----------------------------------------


def test_a_missing_file_is_created_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "collections.db"
    with pytest.raises(NoDatabase, match=r"its folder .*typo does not exist"):
        connect(f"sqlite:///{path}", create=True, create_folder=False)
    with pytest.raises(NoDatabase, match=r"^no database at "):
        connect(f"sqlite:///{tmp_path / 'x.db'}", create=False)
    assert not path.parent.exists() and not (tmp_path / "x.db").exists()


def test_an_empty_file_is_refused_not_migrated_over(tmp_path: Path) -> None:
    path = tmp_path / "collections.db"
    path.touch()
    with pytest.raises(NotADatabase) as caught:
        open_database(f"sqlite:///{path}")
    assert str(caught.value) == (
        f"{path} is empty (0 bytes): not a collections-tui database; remove it to start a new one"
    )
    assert path.stat().st_size == 0


def test_other_files_are_refused_with_what_they_are(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just a long enough line of text\n")
    with pytest.raises(NotADatabase, match="not a SQLite file"):
        open_database(f"sqlite:///{text}")
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    con.close()
    with pytest.raises(NotADatabase, match="another program's tables"):
        open_database(f"sqlite:///{foreign}")
    con = sqlite3.connect(foreign)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == [
        "photos"
    ]
    con.close()
    os.mkfifo(tmp_path / "pipe.db")
    with pytest.raises(NotADatabase, match=r"is a named pipe \(FIFO\), not a database file"):
        open_database(f"sqlite:///{tmp_path / 'pipe.db'}")


@pytest.fixture
def damaged(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "damaged.db"
    open_database(f"sqlite:///{path}")
    close_database()
    with path.open("r+b") as fh:  # page 1 past the header: the schema's b-tree
        fh.seek(100)
        fh.write(b"\xff" * 3000)
    yield path


def test_a_damaged_file_is_named_damaged(damaged: Path) -> None:
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(f"sqlite:///{damaged}")
    message = str(caught.value)
    assert "is damaged" in message and "restore it from a backup" in message
    assert "\n" not in message


def test_two_programs_creating_one_database_never_see_it_empty(tmp_path: Path) -> None:
    """A new file appears whole (made beside it, then linked): a second program starting at
    the same moment never finds a 0-byte file to refuse."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    errors: list[BaseException] = []
    go = threading.Barrier(6)

    def start() -> None:
        go.wait()
        try:
            connect(url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]


def test_the_busy_timeout_is_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_S", 1.5)
    db = connect(f"sqlite:///{tmp_path / 'x.db'}")
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 1500
    db.close()
