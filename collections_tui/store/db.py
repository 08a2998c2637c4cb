"""Opening a database: SQLite (one host) or PostgreSQL (a larger team) from one URL.

``open_database(url)`` connects, applies pending migrations and binds the models. SQLite
runs in WAL mode with foreign keys on and a busy timeout, so readers never block the writer
and a second writer waits instead of failing with ``database is locked``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from . import migrations
from .models import database as _proxy

BUSY_TIMEOUT_S = 30

SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", BUSY_TIMEOUT_S * 1000),
    ("synchronous", "normal"),  # with WAL: durable across a killed process; fast
    ("cache_size", -64_000),  # 64 MB page cache
    ("temp_store", "memory"),
)


class StoreError(RuntimeError):
    """The database cannot be opened or used; the message says which and why."""


def _describe(url: str) -> str:
    p = urlparse(url)
    if p.password:
        return url.replace(f":{p.password}@", ":***@")
    return url


def _create_private_file(path: Path, mode: int) -> None:
    """Create the SQLite file (and its folder) readable only by its owner unless configured."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        os.chmod(path, mode)  # umask may have narrowed a group mode for team setups


def connect(url: str, *, file_mode: int = 0o600) -> Database:
    """A connected database for ``url`` (not yet migrated, not yet bound to the models)."""
    scheme = urlparse(url).scheme.lower()
    if scheme in ("sqlite", ""):
        if scheme == "":
            url = f"sqlite:///{url}"
        # sqlite:///relative or sqlite:////absolute (playhouse.db_url's reading, without
        # importing it: it loads every driver's extension, PostgreSQL's included)
        target = urlparse(url).path[1:]
        if target != ":memory:":
            try:
                _create_private_file(Path(target), file_mode)
            except OSError as exc:
                raise StoreError(f"cannot create {target}: {exc.strerror}") from None
        db: Database = SqliteDatabase(
            target, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
    elif scheme in ("postgres", "postgresql", "postgresql+psycopg2"):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            raise StoreError(
                "PostgreSQL needs a driver: pip install 'collections-tui[postgres]'"
            ) from None
        from playhouse.db_url import parse as parse_db_url

        kwargs = parse_db_url(url.replace("postgresql+psycopg2", "postgresql", 1))
        db = PostgresqlDatabase(kwargs.pop("database"), **kwargs)
    else:
        raise StoreError(
            f"unsupported database URL '{_describe(url)}': use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        )
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:
        raise StoreError(f"cannot open {_describe(url)}: {exc}".splitlines()[0]) from exc
    return db


def open_database(url: str, *, file_mode: int = 0o600, migrate: bool = True) -> Database:
    """Connect, migrate to the latest schema and bind the models to this database."""
    db = connect(url, file_mode=file_mode)
    if migrate:
        migrations.migrate(db)
        have = migrations.current_version(db)
        if have > migrations.LATEST:
            raise StoreError(
                f"{_describe(url)} has schema version {have}, newer than this program "
                f"understands ({migrations.LATEST}); upgrade collections-tui"
            )
    _proxy.initialize(db)
    return db


def close_database() -> None:
    obj = _proxy.obj
    if obj is not None and not obj.is_closed():
        obj.close()


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


# --- UTC conversion at the storage edge -------------------------------------------------


def to_db(instant: datetime) -> datetime:
    """Aware instant → naive UTC for a column."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass an aware UTC instant")
    return instant.astimezone(UTC).replace(tzinfo=None)


def from_db(value: datetime | str | None) -> datetime | None:
    """Column value → aware UTC instant."""
    if value is None:
        return None
    if isinstance(value, str):  # raw SQL on SQLite returns text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def date_from_db(value: date | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so
    a read-then-write never fails half-way with ``database is locked``."""
    ctx = db.atomic("IMMEDIATE") if isinstance(db, SqliteDatabase) else db.atomic()
    with ctx:
        yield


def tuples(query: Any) -> Iterator[tuple[Any, ...]]:
    """Rows of a select as plain tuples (typed loosely: Peewee's stubs cannot say more)."""
    return iter(query.tuples())


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of a plain SQL select, for the hottest reads (the facts behind every verdict):
    building the same statement with Peewee on every call cost more than running it.

    ``{p}`` is one placeholder (SQLite's ``?``, PostgreSQL's ``%s``); ``{in}`` is a list of
    them for the next list or tuple in ``params`` (``IN ({in})``). ``params`` follow the
    text's order. Values come back raw: datetimes as text on SQLite (:func:`from_db` and
    :func:`date_from_db` read both)."""
    db = _proxy.obj
    mark = db.param
    flat: list[Any] = []
    sizes: list[int] = []
    for value in params:
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError("an empty list for IN (...)")
            sizes.append(len(value))
            flat.extend(value)
        else:
            flat.append(value)
    pieces = sql.replace("{p}", mark).split("{in}")
    if len(pieces) != len(sizes) + 1:
        raise ValueError(f"{len(pieces) - 1} lists in the statement, {len(sizes)} given")
    text = pieces[0] + "".join(
        ", ".join([mark] * n) + rest for n, rest in zip(sizes, pieces[1:], strict=True)
    )
    return list(db.execute_sql(text, flat).fetchall())
