"""Hostile environments for the fault tests: another program holding the write lock, a
database this user cannot write, a short busy timeout."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from collections_tui.store import db as store_db
from collections_tui.store.db import close_database, open_database
from tests.conftest import _pg_connect

NOBODY = 65534


@contextlib.contextmanager
def write_lock_held(db_url: str) -> Iterator[None]:
    """Another program is writing: on SQLite a second connection in ``BEGIN IMMEDIATE``; on
    PostgreSQL a transaction holding every table in EXCLUSIVE mode (reads go on, writes
    wait)."""
    if db_url.startswith("sqlite"):
        con = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            con.execute("ROLLBACK")
            con.close()
        return
    pg = _pg_connect(db_url)
    try:
        with pg.cursor() as cur:
            cur.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
            tables = ", ".join(f'"{t}"' for (t,) in cur.fetchall())
            cur.execute("BEGIN")
            cur.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        yield
    finally:
        with pg.cursor() as cur:
            cur.execute("ROLLBACK")
        pg.close()


def reopen(db_url: str, monkeypatch: pytest.MonkeyPatch, busy_timeout_s: float) -> Database:
    """The test's database opened again with another busy timeout (the CLI, run in the
    test's process, reads the same setting)."""
    close_database()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_S", busy_timeout_s)
    return open_database(db_url)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder every user can reach (pytest's own are the owner's only)."""
    path = Path(tempfile.mkdtemp(prefix="ct-faults-", dir="/tmp"))
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        for folder, _dirs, _files in os.walk(path):
            os.chmod(folder, 0o755)
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def without_write_permission() -> Iterator[None]:
    """Files are opened as a user whom the permission bits refuse writing. Root ignores
    permission bits (and the tests run as root in CI): as root, the effective user is
    ``nobody`` meanwhile; as anyone else, read-only bits (:func:`read_only_bits`) are enough."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def read_only_bits(path: Path) -> None:
    """Readable by anyone, writable by nobody (a folder: enterable too)."""
    mode = 0o555 if path.is_dir() else 0o444
    os.chmod(path, mode)
