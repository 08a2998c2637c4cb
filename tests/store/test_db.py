from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from peewee import Database

from collections_tui.store import migrations
from collections_tui.store.db import StoreError, close_database, connect, open_database
from collections_tui.store.models import ALL_MODELS


def test_sqlite_file_is_created_private_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "collections.db"
    db = open_database(f"sqlite:///{path}")
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        close_database()


def test_team_file_mode_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    open_database(f"sqlite:///{path}", file_mode=0o660)
    close_database()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unsupported database URL"):
        connect("mysql://root@localhost/x")


def test_models_match_migrated_schema(db: Database) -> None:
    """The models mirror the latest migration column for column."""
    for model in ALL_MODELS:
        table = model._meta.table_name
        actual = {c.name for c in db.get_columns(table)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert actual == expected, table


def test_migrating_an_old_database_keeps_its_data(db_url: str) -> None:
    """A database left at version 1 by an older release is brought to the latest on open."""
    raw = connect(db_url)
    if db_url.startswith("postgres"):
        for t in raw.get_tables():
            raw.execute_sql(f'DROP TABLE "{t}" CASCADE')
    assert migrations.migrate(raw, target=1) == [1]
    p = raw.param
    raw.execute_sql(
        "INSERT INTO debtor (name, debtor_type, country, created_at, updated_at) "
        f"VALUES ({p}, 'person', 'US', {p}, {p})",
        ("Ada Old", "2025-01-01 00:00:00", "2025-01-01 00:00:00"),
    )
    raw.execute_sql(
        "INSERT INTO account (number, debtor_id, creditor, currency, status, flags, "
        f"balance_cents, created_at, updated_at) VALUES ({p}, 1, 'X', 'USD', 'open', 0, "
        f"{p}, {p}, {p})",
        ("OLD-1", 12345, "2025-01-01 00:00:00", "2025-01-01 00:00:00"),
    )
    assert "zone_set" not in raw.get_tables()
    raw.close()

    db = open_database(db_url)
    try:
        assert migrations.current_version(db) == migrations.LATEST
        assert "zone_set" in db.get_tables()
        row = db.execute_sql(
            "SELECT number, balance_cents, tier, score, blocked_until FROM account"
        ).fetchone()
        assert row == ("OLD-1", 12345, 3, 0, None)
        # opening again applies nothing
        assert migrations.migrate(db) == []
    finally:
        close_database()
