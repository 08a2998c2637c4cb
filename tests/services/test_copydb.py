"""Moving a team from SQLite to PostgreSQL (``services.copydb``).

The source is one 300-account demo database in SQLite, made once for this module; tests that
need a damaged or older source edit a copy of it. Each PostgreSQL target is a database of
its own, created and dropped by the ``pg_target`` fixture (the session's shared test
database is in use by other tests).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from peewee import Database

from collections_tui.services import copydb
from collections_tui.services.accounts import get_account
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.copydb import CopyError, copy_database
from collections_tui.services.demo import generate_demo
from collections_tui.services.ledger import verify_balances
from collections_tui.store import migrations
from collections_tui.store.db import close_database, connect, open_database
from collections_tui.store.models import (
    ALL_MODELS,
    Account,
    AuditEvent,
    Coordinator,
    LedgerEntry,
    Note,
    Phone,
    database,
)
from tests.conftest import IN_CI, PG_ADMIN_URL, _pg_connect
from tests.factories import make_account

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
ACCOUNTS = 300
TABLES = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name != "schema_version"]


def _ctx() -> Context:
    return Context(actor="tester", clock=FixedClock(NOW))


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with 300 demo accounts (never changed by a test: copies are)."""
    path = tmp_path_factory.mktemp("copy-source") / "team.db"
    open_database(f"sqlite:///{path}")
    try:
        generate_demo(_ctx(), accounts=ACCOUNTS, seed=7)
    finally:
        close_database()
    return path


@pytest.fixture
def source(demo_source: Path, tmp_path: Path) -> Path:
    """A private copy of the demo source, free to edit."""
    path = tmp_path / "source.db"
    shutil.copyfile(demo_source, path)
    return path


def _edit(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


@pytest.fixture
def pg_target() -> Iterator[str]:
    """A new, empty PostgreSQL database of this test's own."""
    try:
        admin = _pg_connect(PG_ADMIN_URL)
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL} (CI=true): {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    name = f"ct_copy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(PG_ADMIN_URL)._replace(path=f"/{name}"))
    finally:
        close_database()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    conn.close()
    return counts


def _target_counts(url: str) -> dict[str, int]:
    db = connect(url)
    try:
        have = set(db.get_tables())
        return {
            t: int(db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) if t in have else 0
            for t in TABLES
        }
    finally:
        db.close()


def _everything(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as the models read it (typed: datetimes, dates, bools)."""
    open_database(url)
    try:
        out = {}
        for model in ALL_MODELS:
            if model._meta.table_name == "schema_version":
                continue
            key = model._meta.primary_key
            out[model._meta.table_name] = list(model.select().order_by(key).dicts())
        return out
    finally:
        close_database()


# --- the copy ---------------------------------------------------------------------------


def test_demo_data_moves_to_postgresql_unchanged(demo_source: Path, pg_target: str) -> None:
    want = _counts(demo_source)
    before = _everything(f"sqlite:///{demo_source}")
    view_before = _account_view(f"sqlite:///{demo_source}")

    report = copy_database(f"sqlite:///{demo_source}", pg_target)

    assert report.tables == want
    assert list(report.tables)[:2] == ["coordinator", "debtor"]  # parents first
    assert report.tables["account"] == ACCOUNTS
    assert report.skipped == ()
    assert _target_counts(pg_target) == want
    # every row of every table, ids and all, with SQLite's 0/1 and text read back typed
    assert _everything(pg_target) == before
    # one account as a coordinator sees it: the same on both databases
    assert _account_view(pg_target) == view_before

    open_database(pg_target)
    try:
        assert verify_balances() == []
        total = sum(a.balance_cents for a in Account.select(Account.balance_cents))
        assert total == sum(r["balance_cents"] for r in before["account"])
        assert Phone.select().where(Phone.valid == True).count() == sum(  # noqa: E712
            1 for p in before["phone"] if p["valid"]
        )
    finally:
        close_database()


def _account_view(url: str) -> Any:
    open_database(url)
    try:
        number = Account.select(Account.number).order_by(Account.balance_cents.desc()).first()
        return get_account(_ctx(), number.number)
    finally:
        close_database()


def test_new_rows_continue_after_the_copied_ids(source: Path, pg_target: str) -> None:
    copy_database(f"sqlite:///{source}", pg_target)
    open_database(pg_target)
    try:
        max_account = Account.select().order_by(Account.id.desc()).first().id
        max_entry = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first().id
        ctx = _ctx()
        new_id = make_account(ctx, "NEW-1", balance_cents=12_345)
        assert new_id == max_account + 1
        assert LedgerEntry.get(LedgerEntry.account == new_id).id == max_entry + 1
        Coordinator.insert(name="newcomer", created_at=NOW.replace(tzinfo=None)).execute()
        AuditEvent.insert(at=NOW.replace(tzinfo=None), actor="x", action="y").execute()
        assert verify_balances() == []
        # an empty table's sequence starts at 1
        nextval = "SELECT nextval(pg_get_serial_sequence('lease', 'id'))"
        assert database.obj.execute_sql(nextval).fetchone()[0] == 1
    finally:
        close_database()


def test_sqlite_to_a_new_sqlite_file(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    report = copy_database(f"sqlite:///{source}", f"sqlite:///{target}")
    assert report.tables == _counts(source) == _counts(target)
    assert _everything(f"sqlite:///{target}") == _everything(f"sqlite:///{source}")
    assert (target.stat().st_mode & 0o777) == 0o600


def test_progress_reports_every_table_to_its_end(source: Path, tmp_path: Path) -> None:
    seen: dict[str, tuple[int, int]] = {}
    report = copy_database(
        f"sqlite:///{source}",
        f"sqlite:///{tmp_path / 'copy.db'}",
        progress=lambda table, done, total: seen.__setitem__(table, (done, total)),
    )
    assert set(seen) == set(TABLES)
    assert all(seen[t] == (n, n) for t, n in report.tables.items())


def test_an_older_source_is_migrated_first(tmp_path: Path, pg_target: str) -> None:
    path = tmp_path / "old.db"
    db = connect(f"sqlite:///{path}")
    migrations.migrate(db, target=3)
    db.execute_sql(
        "INSERT INTO debtor (id, name, created_at, updated_at) "
        "VALUES (4, 'Old Timer', '2025-01-02 03:04:05', '2025-01-02 03:04:05')"
    )
    db.execute_sql(
        "INSERT INTO account (id, number, debtor_id, created_at, updated_at) "
        "VALUES (9, 'OLD-9', 4, '2025-01-02 03:04:05', '2025-01-02 03:04:05')"
    )
    db.close()
    report = copy_database(f"sqlite:///{path}", pg_target)
    assert report.tables["account"] == 1 and report.tables["draft"] == 0
    open_database(pg_target)
    try:
        acct = Account.get(Account.number == "OLD-9")
        assert (acct.id, acct.debtor.name) == (9, "Old Timer")
        assert acct.created_at == datetime(2025, 1, 2, 3, 4, 5)
    finally:
        close_database()
    check = connect(f"sqlite:///{path}")
    assert migrations.current_version(check) == migrations.LATEST
    check.close()


def test_sqlite_text_is_converted_for_postgresql(source: Path, pg_target: str) -> None:
    """An offset timestamp lands as naive UTC; a forward self reference survives; text with
    tabs, newlines and backslashes arrives byte for byte."""
    tricky = "line one\n\tindented \\ back\rslash"
    _edit(
        source,
        "UPDATE contact SET at = '2026-11-27T10:00:00-05:00' WHERE id = 1",
        "UPDATE note SET addendum_of_id = (SELECT MAX(id) FROM note) WHERE id = 1",
        f"UPDATE note SET body = '{tricky}' WHERE id = 2",
        "UPDATE phone SET valid = 1 WHERE id = 1",
        "UPDATE phone SET valid = 0 WHERE id = 2",
    )
    copy_database(f"sqlite:///{source}", pg_target)
    open_database(pg_target)
    try:
        from collections_tui.store.models import Contact

        assert Contact.get_by_id(1).at == datetime(2026, 11, 27, 15, 0)
        last = Note.select().order_by(Note.id.desc()).first()
        assert Note.get_by_id(1).addendum_of_id == last.id
        assert Note.get_by_id(2).body == tricky
        assert (Phone.get_by_id(1).valid, Phone.get_by_id(2).valid) == (True, False)
    finally:
        close_database()


# --- refusals and failures: the target is left exactly as it was -----------------------


def test_refuses_a_target_that_already_has_accounts(source: Path, pg_target: str) -> None:
    open_database(pg_target)
    try:
        make_account(_ctx(), "THEIRS-1")
    finally:
        close_database()
    with pytest.raises(CopyError, match=r"already has data \(.*account"):
        copy_database(f"sqlite:///{source}", pg_target)
    counts = _target_counts(pg_target)
    assert counts["account"] == 1 and counts["debtor"] == 1 and counts["contact"] == 0


def test_a_failure_mid_copy_leaves_nothing(
    source: Path, pg_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = copydb._write

    def failing(db: Database, table: Any, rows: Any) -> int:
        n = real_write(db, table, rows)
        if table.name == "contact":  # accounts, ledgers and calls are in by now
            raise RuntimeError("disk full")
        return n

    monkeypatch.setattr(copydb, "_write", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        copy_database(f"sqlite:///{source}", pg_target)
    assert set(_target_counts(pg_target).values()) == {0}

    monkeypatch.setattr(copydb, "_write", real_write)  # the next try starts clean
    report = copy_database(f"sqlite:///{source}", pg_target)
    assert _target_counts(pg_target) == report.tables == _counts(source)


def test_a_value_postgresql_refuses_stops_the_copy_with_its_row(
    source: Path, pg_target: str
) -> None:
    _edit(source, f"UPDATE ledger_entry SET reference = '{'R' * 101}' WHERE id = 3")
    with pytest.raises(CopyError, match=r"ledger_entry id 3: reference .* is 101 characters long"):
        copy_database(f"sqlite:///{source}", pg_target)
    assert set(_target_counts(pg_target).values()) == {0}


def test_an_unreadable_timestamp_stops_the_copy_with_its_row(source: Path, pg_target: str) -> None:
    _edit(source, "UPDATE note SET at = 'last tuesday' WHERE id = 5")
    with pytest.raises(
        CopyError, match=r"note id 5: at 'last tuesday' is not a timestamp \(YYYY-MM-DD HH:MM:SS\)$"
    ):
        copy_database(f"sqlite:///{source}", pg_target)
    assert set(_target_counts(pg_target).values()) == {0}


def test_refuses_a_source_newer_than_this_program(source: Path, pg_target: str) -> None:
    _edit(
        source,
        "INSERT INTO schema_version (version, description, applied_at) "
        f"VALUES ({migrations.LATEST + 1}, 'the future', '2030-01-01 00:00:00')",
    )
    with pytest.raises(CopyError, match="newer than this program"):
        copy_database(f"sqlite:///{source}", pg_target)
    db = connect(pg_target)
    assert db.get_tables() == []  # not even migrated
    db.close()


def test_refuses_a_source_whose_balances_disagree_with_its_ledger(
    source: Path, tmp_path: Path
) -> None:
    _edit(source, "UPDATE account SET balance_cents = balance_cents + 1 WHERE id = 2")
    target = tmp_path / "copy.db"
    with pytest.raises(CopyError, match="1 accounts in the source") as err:
        copy_database(f"sqlite:///{source}", f"sqlite:///{target}")
    assert any("ledger sum" in line for line in err.value.lines)
    assert not target.exists()  # the file this copy created is gone again


def test_a_failed_copy_to_sqlite_leaves_no_new_file(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(db: Database, table: Any, rows: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(copydb, "_write", failing)
    target = tmp_path / "copy.db"
    with pytest.raises(KeyboardInterrupt):
        copy_database(f"sqlite:///{source}", f"sqlite:///{target}")
    assert list(tmp_path.glob("copy.db*")) == []
    # an empty database that was there before stays, empty
    open_database(f"sqlite:///{target}")
    close_database()
    with pytest.raises(KeyboardInterrupt):
        copy_database(f"sqlite:///{source}", f"sqlite:///{target}")
    assert set(_target_counts(f"sqlite:///{target}").values()) == {0}


def test_refuses_sources_that_are_not_collections_sqlite_files(
    tmp_path: Path, pg_target: str, source: Path
) -> None:
    with pytest.raises(CopyError, match="no such SQLite database file"):
        copy_database(f"sqlite:///{tmp_path / 'missing.db'}", pg_target)
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(CopyError, match="must be a SQLite database"):
        copy_database(pg_target, f"sqlite:///{tmp_path / 'x.db'}")
    assert not (tmp_path / "x.db").exists()
    other = tmp_path / "other.db"
    _edit(other, "CREATE TABLE t (x)")
    with pytest.raises(CopyError, match="not a collections-tui database"):
        copy_database(f"sqlite:///{other}", pg_target)
    with pytest.raises(CopyError, match="same database"):
        copy_database(f"sqlite:///{source}", str(source))
