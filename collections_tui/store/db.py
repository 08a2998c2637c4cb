"""Opening a database: SQLite (one host) or PostgreSQL (a larger team) from one URL.

``open_database(url)`` connects, applies pending migrations and binds the models. SQLite
runs in WAL mode with foreign keys on and a busy timeout, so readers never block the writer
and a second writer waits instead of failing with ``database is locked``.

Faults a person can act on leave the store as one typed error each, with a one-line message
(:func:`as_store_error` is the one place a driver's error is read, by its code, never by its
text): another program holding the write lock past the busy timeout (:class:`DatabaseBusy`),
a database that cannot be written (:class:`DatabaseReadOnly`), a full disk
(:class:`DiskFull`), a damaged file (:class:`DatabaseDamaged`), a file that is not a
collections-tui database (:class:`NotADatabase`) and a missing one (:class:`NoDatabase`).

A SQLite file that cannot be written (no write permission for this user, a read-only mount,
or ``?mode=ro`` in the URL) is opened read-only: every read works, every write raises
:class:`DatabaseReadOnly`, and :func:`read_only_reason` says why, for the services and the
workstation's banner. Housekeeping writes — work that may as well be done on the next read —
use ``write_transaction(db, wait=False)``: they never wait for another writer, and skip.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from peewee import Database, DatabaseError, PostgresqlDatabase, SqliteDatabase

from . import migrations
from .models import database as _proxy

# How long a write waits for another program's write lock (SQLite busy timeout; PostgreSQL
# lock_timeout) before it gives up with DatabaseBusy. Read when a database is opened.
BUSY_TIMEOUT_S: float = 30.0
# How long a housekeeping write waits for a lock on PostgreSQL (0 there means "forever").
HOUSEKEEPING_LOCK_TIMEOUT_MS = 50

SQLITE_PRAGMAS: tuple[tuple[str, object], ...] = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "normal"),  # with WAL: durable across a killed process; fast
    ("cache_size", -64_000),  # 64 MB page cache
    ("temp_store", "memory"),
)
_WRITE_ONLY_PRAGMAS = frozenset({"journal_mode", "synchronous"})  # nothing to set read-only
_SQLITE_HEADER = b"SQLite format 3\x00"

# SQLite primary result codes (sqlite3_errcode & 0xff) and PostgreSQL SQLSTATEs read here.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_CORRUPT = 5, 6, 8, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26
_PG_LOCK_NOT_AVAILABLE, _PG_READ_ONLY, _PG_DISK_FULL = "55P03", "25006", "53100"


class StoreError(RuntimeError):
    """The database cannot be opened or used; the message says which and why."""


class DatabaseBusy(StoreError):
    """Another program held the write lock for longer than the busy timeout."""

    def __init__(self) -> None:
        super().__init__("another program is writing to the database; try again")


class DatabaseReadOnly(StoreError):
    """A write to a database that cannot be written. Nothing was written."""

    def __init__(self, why: str) -> None:
        super().__init__(f"the database is read-only: {why}; nothing was written")
        self.why = why


class DiskFull(StoreError):
    """The disk (or the database's size limit) is full. Nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "the disk holding the database is full; nothing was written "
            "(free some space and try again)"
        )


class DatabaseDamaged(StoreError):
    """The database file is damaged (SQLite found a malformed page)."""


class NotADatabase(StoreError):
    """The path holds something that is not a collections-tui database: nothing is written
    over it."""


class NoDatabase(StoreError):
    """No database file at the path, and this caller may not create one."""

    def __init__(self, path: Path, *, folder_missing: bool = False) -> None:
        if folder_missing:
            text = f"no database at {path}: its folder {path.parent} does not exist"
        else:
            text = f"no database at {path}"
        super().__init__(text)
        self.path = path
        self.folder_missing = folder_missing


def _describe(url: str) -> str:
    p = urlparse(url)
    if p.password:
        return url.replace(f":{p.password}@", ":***@")
    return url


def as_store_error(exc: BaseException, db: Database | None = None) -> StoreError | None:
    """The store's own error for a driver error a person can act on, else None: the one
    place a driver's error is read (by its SQLite result code or PostgreSQL SQLSTATE).
    ``db``: the database it came from (default: the open one), for what it says."""
    if isinstance(exc, StoreError):
        return exc
    db = _proxy.obj if db is None else db
    original: BaseException = exc
    wrapped = getattr(exc, "orig", None) if isinstance(exc, DatabaseError) else None
    if isinstance(wrapped, BaseException):
        original = wrapped  # Peewee keeps the driver's exception it wraps as .orig
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return DatabaseBusy()
        if primary == _SQLITE_READONLY:
            return DatabaseReadOnly(_read_only_why(db) or "the file cannot be written")
        if primary == _SQLITE_FULL:
            return DiskFull()
        if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            where = f"{db.database} " if isinstance(db, SqliteDatabase) else ""
            return DatabaseDamaged(
                f"the database {where}is damaged ({original}); restore it from a backup"
            )
        return None
    pgcode = getattr(original, "pgcode", None)
    if pgcode == _PG_LOCK_NOT_AVAILABLE:
        return DatabaseBusy()
    if pgcode == _PG_READ_ONLY:
        return DatabaseReadOnly(_read_only_why(db) or "the server accepts only reads")
    if pgcode == _PG_DISK_FULL:
        return DiskFull()
    return None


def _read_only_why(db: Database | None) -> str | None:
    return getattr(db, "read_only_reason", None)


class _SqliteCursor(sqlite3.Cursor):
    """A cursor whose errors a person can act on leave as the store's own (see
    :func:`as_store_error`); every statement goes through one, Peewee's and raw ones."""

    store_db: Database | None = None

    def execute(self, sql: str, parameters: Any = (), /) -> _SqliteCursor:
        with self._translated():
            return super().execute(sql, parameters)
        raise AssertionError("unreachable")  # pragma: no cover (mypy: a with may swallow)

    def executemany(self, sql: str, parameters: Any, /) -> _SqliteCursor:
        with self._translated():
            return super().executemany(sql, parameters)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            mine = as_store_error(exc, self.store_db)
            if mine is None:
                raise
            raise mine from exc


class _Sqlite(SqliteDatabase):
    read_only_reason: str | None = None

    def cursor(self, named_cursor: Any = None) -> Any:
        cur = self.connection().cursor(_SqliteCursor)
        cur.store_db = self
        return cur

    def _in_transaction(self) -> bool:
        """SQLite's own view: False once SQLite has rolled a failed transaction back."""
        return not self.is_closed() and bool(self.connection().in_transaction)

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        if sql.startswith("ROLLBACK TO SAVEPOINT") and not self._in_transaction():
            # SQLite ended the whole transaction itself (a full disk, an I/O error): the
            # savepoint went with it, and the error that did it is the one to show.
            return self.cursor()
        return super().execute_sql(sql, params)

    def rollback(self) -> None:
        if not self._in_transaction():
            return  # rolled back by SQLite already (SQLITE_FULL, SQLITE_IOERR, …)
        super().rollback()


class _Postgres(PostgresqlDatabase):
    read_only_reason: str | None = None

    def cursor(self, named_cursor: Any = None) -> Any:
        cur = self.connection().cursor(cursor_factory=_pg_cursor_class())
        cur.store_db = self
        return cur


_PG_CURSOR: Any = None


def _pg_cursor_class() -> Any:
    """psycopg2's cursor with the store's errors (see :class:`_SqliteCursor`); made on first
    use, psycopg2 being optional."""
    global _PG_CURSOR
    if _PG_CURSOR is None:
        import psycopg2
        import psycopg2.extensions

        class PgCursor(psycopg2.extensions.cursor):  # type: ignore[misc]
            store_db: Database | None = None

            def execute(self, query: Any, vars: Any = None) -> Any:
                try:
                    return super().execute(query, vars)
                except psycopg2.Error as exc:
                    mine = as_store_error(exc, self.store_db)
                    if mine is None:
                        raise
                    raise mine from exc

            def executemany(self, query: Any, vars_list: Any) -> Any:
                try:
                    return super().executemany(query, vars_list)
                except psycopg2.Error as exc:
                    mine = as_store_error(exc, self.store_db)
                    if mine is None:
                        raise
                    raise mine from exc

        _PG_CURSOR = PgCursor
    return _PG_CURSOR


def _sqlite_pragmas(read_only: bool) -> list[tuple[str, object]]:
    pragmas = [(k, v) for k, v in SQLITE_PRAGMAS if not (read_only and k in _WRITE_ONLY_PRAGMAS)]
    return [*pragmas, ("busy_timeout", int(BUSY_TIMEOUT_S * 1000))]


def _writable(path: Path) -> bool:
    if os.access in os.supports_effective_ids:  # the user the files are opened as
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _on_read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _why_not_writable(path: Path) -> str | None:
    """Why SQLite cannot write the database at ``path`` (None: it can). SQLite writes the
    file and, in WAL mode, creates files beside it (``-wal``, ``-shm``): both count."""
    if _on_read_only_mount(path):
        return f"{path} is on a read-only file system"
    if not _writable(path):
        return f"{path} is not writable by this user"
    if not _writable(path.parent):
        return f"its folder {path.parent} is not writable by this user"
    return None


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words (from ``st_mode``)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _check_sqlite_file(path: Path, st: os.stat_result) -> None:
    """Refuse what is not a collections-tui database before SQLite opens it (SQLite would
    take a 0-byte file for a new database and migrate into it, hang on a named pipe, …)."""
    if not stat.S_ISREG(st.st_mode):
        raise NotADatabase(f"{path} is {file_kind(st.st_mode)}, not a database file")
    if st.st_size == 0:
        raise NotADatabase(
            f"{path} is empty (0 bytes): not a collections-tui database; "
            "remove it to start a new one"
        )
    try:
        with path.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if header != _SQLITE_HEADER:
        raise NotADatabase(f"{path} is not a collections-tui database (not a SQLite file)")


def _create_sqlite_file(path: Path, mode: int, create_folder: bool) -> None:
    """A new, empty SQLite database at ``path`` (WAL mode), readable only by its owner unless
    configured. It appears at ``path`` whole (made beside it, then linked into place), so a
    second program never finds a 0-byte file there, and an existing file is never replaced."""
    folder = path.parent
    if not folder.is_dir():
        if not create_folder:
            raise NoDatabase(path, folder_missing=True)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=folder)
    try:
        os.fchmod(fd, mode)  # not narrowed by the umask: a team's group mode is kept
        os.close(fd)
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode = wal")  # writes the header: never 0 bytes
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another program created it meanwhile: theirs is used
        except OSError:  # a file system without hard links
            if not path.exists():
                os.rename(tmp, path)
    finally:
        for leftover in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


def _sqlite_target(url: str) -> tuple[str, bool]:
    """The path in ``sqlite:///PATH[?mode=ro]`` (playhouse.db_url's reading, without
    importing it: it loads every driver's extension, PostgreSQL's included) and whether the
    URL asks for read-only."""
    p = urlparse(url)
    options = parse_qs(p.query, keep_blank_values=True)
    mode = options.pop("mode", [""])
    if options or mode not in ([""], ["ro"]):
        raise StoreError(
            f"unsupported option in '{_describe(url)}': the only one is ?mode=ro (read-only)"
        )
    return p.path[1:], mode == ["ro"]


def _connect_sqlite(url: str, file_mode: int, create: bool, create_folder: bool) -> Database:
    target, forced = _sqlite_target(url)
    timeout = BUSY_TIMEOUT_S
    if target == ":memory:":
        return _Sqlite(
            target, pragmas=_sqlite_pragmas(False), timeout=timeout, check_same_thread=False
        )
    path = Path(target)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if forced or not create:
            raise NoDatabase(path, folder_missing=not path.parent.is_dir()) from None
        try:
            _create_sqlite_file(path, file_mode, create_folder)
            st = os.stat(path)
        except OSError as exc:
            raise StoreError(f"cannot create {target}: {exc.strerror}") from None
    except OSError as exc:
        raise StoreError(f"cannot open {target}: {exc.strerror}") from None
    _check_sqlite_file(path, st)
    why = "it was opened with ?mode=ro" if forced else _why_not_writable(path)
    if why is None:
        db = _Sqlite(
            target, pragmas=_sqlite_pragmas(False), timeout=timeout, check_same_thread=False
        )
        _open(db, url)
        return db
    return _connect_read_only(path, url, why, timeout)


def _sqlite_refusal(uri: str) -> int | None:
    """SQLite's primary result code when reading ``uri`` fails (None: it reads)."""
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF
    try:
        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF
    finally:
        con.close()
    return None


def _connect_read_only(path: Path, url: str, why: str, timeout: float) -> Database:
    """``path`` opened for reading only. A WAL database is read through its ``-shm`` file,
    which SQLite creates beside it when it can; where it cannot (a read-only mount, a folder
    this user cannot write) and no program has the database open (no ``-shm``, no ``-wal``),
    the file is read as immutable: nobody is writing it, so nothing is missed."""
    uri = f"file:{quote(str(path))}?mode=ro"
    if _sqlite_refusal(uri) in (_SQLITE_CANTOPEN, _SQLITE_READONLY):
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StoreError(
                f"cannot read {path} read-only: its write-ahead log ({wal.name}) holds "
                "changes that only a program allowed to write it can fold in"
            )
        uri += "&immutable=1"
    db = _Sqlite(
        uri, uri=True, pragmas=_sqlite_pragmas(True), timeout=timeout, check_same_thread=False
    )
    db.read_only_reason = why
    _open(db, url)
    return db


def _open(db: Database, url: str) -> None:
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:
        mine = as_store_error(exc, db)
        if mine is not None:
            raise mine from exc
        raise StoreError(f"cannot open {_describe(url)}: {exc}".splitlines()[0]) from exc


def connect(
    url: str, *, file_mode: int = 0o600, create: bool = True, create_folder: bool = True
) -> Database:
    """A connected database for ``url`` (not yet migrated, not yet bound to the models).

    SQLite: ``create`` lets a missing file be created (``create_folder``: and its missing
    folders); otherwise a missing file is :class:`NoDatabase`. An existing file that is not a
    SQLite database (0 bytes, another format, a pipe) is :class:`NotADatabase`, and one
    that cannot be written is opened read-only."""
    scheme = urlparse(url).scheme.lower()
    if scheme in ("sqlite", ""):
        if scheme == "":
            url = f"sqlite:///{url}"
        return _connect_sqlite(url, file_mode, create, create_folder)
    if scheme in ("postgres", "postgresql", "postgresql+psycopg2"):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            raise StoreError(
                "PostgreSQL needs a driver: pip install 'collections-tui[postgres]'"
            ) from None
        from playhouse.db_url import parse as parse_db_url

        kwargs = parse_db_url(url.replace("postgresql+psycopg2", "postgresql", 1))
        # A write waits for another's lock as long as on SQLite, then says so (DatabaseBusy).
        wait = f"-c lock_timeout={int(BUSY_TIMEOUT_S * 1000)}"
        kwargs["options"] = f"{kwargs.get('options', '')} {wait}".strip()
        pg = _Postgres(kwargs.pop("database"), **kwargs)
        _open(pg, url)
        row = pg.execute_sql("SHOW transaction_read_only").fetchone()
        if row and str(row[0]).lower() == "on":
            pg.read_only_reason = "the PostgreSQL server accepts only reads"
        return pg
    raise StoreError(
        f"unsupported database URL '{_describe(url)}': use sqlite:///PATH or "
        "postgresql://USER@HOST:PORT/DB"
    )


def open_database(
    url: str,
    *,
    file_mode: int = 0o600,
    migrate: bool = True,
    create: bool = True,
    create_folder: bool = True,
) -> Database:
    """Connect, migrate to the latest schema and bind the models to this database.

    A database of another program (tables, but no ``schema_version``) is refused, never
    migrated into; a read-only one must already be at the latest schema."""
    db = connect(url, file_mode=file_mode, create=create, create_folder=create_folder)
    try:
        if migrate:
            _migrate(db, url)
    except BaseException:
        db.close()
        raise
    _proxy.initialize(db)
    return db


def _migrate(db: Database, url: str) -> None:
    have = migrations.current_version(db)
    if have > migrations.LATEST:
        raise StoreError(
            f"{_describe(url)} has schema version {have}, newer than this program "
            f"understands ({migrations.LATEST}); upgrade collections-tui"
        )
    if have == 0 and db.get_tables():
        raise NotADatabase(
            f"{_describe(url)} holds another program's tables: not a collections-tui database"
        )
    if have == migrations.LATEST:
        return
    why = _read_only_why(db)
    if why is not None:
        raise StoreError(
            f"{_describe(url)} has schema version {have} and this program needs "
            f"{migrations.LATEST}, but it cannot upgrade it: {why}"
        )
    migrations.migrate(db)


def close_database() -> None:
    obj = _proxy.obj
    if obj is not None and not obj.is_closed():
        obj.close()


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


def read_only_reason() -> str | None:
    """Why the open database cannot be written, in words (None: it can be)."""
    return _read_only_why(_proxy.obj)


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
def write_transaction(db: Database, *, wait: bool = True) -> Iterator[None]:
    """One write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so
    a read-then-write never fails half-way with ``database is locked``. A lock another
    program holds for longer than the busy timeout raises :class:`DatabaseBusy`; a database
    opened read-only raises :class:`DatabaseReadOnly` before anything is done.

    ``wait=False`` is for housekeeping (work the next read may as well do): it never waits
    for another program's lock — :class:`DatabaseBusy` at once (PostgreSQL: after
    HOUSEKEEPING_LOCK_TIMEOUT_MS of any lock wait) — and the caller skips it. Inside the
    caller's transaction either one is part of that transaction."""
    nested = db.in_transaction()
    why = _read_only_why(db)
    if why is not None and not nested:
        raise DatabaseReadOnly(why)
    if nested or (wait and isinstance(db, SqliteDatabase)):
        with db.atomic("IMMEDIATE") if isinstance(db, SqliteDatabase) else db.atomic():
            yield
        return
    if isinstance(db, SqliteDatabase):
        with contextlib.ExitStack() as stack:
            db.execute_sql("PRAGMA busy_timeout = 0")
            try:
                stack.enter_context(db.atomic("IMMEDIATE"))
            finally:
                db.execute_sql(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            yield
        return
    with db.atomic():
        if not wait:
            db.execute_sql(f"SET LOCAL lock_timeout = '{HOUSEKEEPING_LOCK_TIMEOUT_MS}ms'")
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
