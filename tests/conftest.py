"""Shared fixtures. Every test that takes ``db`` runs twice: on SQLite and on PostgreSQL.

PostgreSQL: ``COLLECTIONS_TEST_PG`` (default postgresql://postgres@127.0.0.1:5432/test) names
a server and a database to connect to; each test run creates a database of its own there
and drops it at the end, so no run sees another's data. With ``CI=true`` an unreachable
server fails the run instead of skipping the PostgreSQL half.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlparse, urlunparse

import pytest
from peewee import Database

from collections_tui import settings
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.db import close_database, open_database

PG_ADMIN_URL = os.environ.get("COLLECTIONS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Friday 2026-11-27 15:00 UTC = 10:00 in New York, 07:00 in Los Angeles
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def _pg_connect(url: str):  # type: ignore[no-untyped-def]
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


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (one per xdist worker)."""
    try:
        admin = _pg_connect(PG_ADMIN_URL)
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL} (CI=true): {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    name = f"ct_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    p = urlparse(PG_ADMIN_URL)
    url = urlunparse(p._replace(path=f"/{name}"))
    try:
        yield url
    finally:
        close_database()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(autouse=True, scope="session")
def _private_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never touch the real user's data, config or logs."""
    base = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in _XDG}
    for k in _XDG:
        os.environ[k] = str(base / k.lower())
    os.environ.pop("COLLECTIONS_DB", None)
    os.environ.pop("COLLECTIONS_NOW", None)
    os.environ.pop("COLLECTIONS_CONFIG", None)
    saved_system = settings.SYSTEM_CONFIG
    settings.SYSTEM_CONFIG = base / "etc" / "config.toml"  # the host's /etc is not read
    yield
    settings.SYSTEM_CONFIG = saved_system
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


_XDG = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def _truncate_all(db: Database) -> None:
    tables = [t for t in db.get_tables() if t != "schema_version"]
    if tables:
        names = ", ".join(f'"{t}"' for t in tables)
        db.execute_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "collections.db"
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    if db_url.startswith("postgres"):
        _truncate_all(database)
    try:
        yield database
    finally:
        close_database()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ctx(clock: FixedClock) -> Context:
    return Context(actor="tester", clock=clock)
