"""A team that outgrows SQLite moves to PostgreSQL: copy every table, ids and all.

``copy_database(source, target)`` reads a SQLite database (first migrated to the latest
schema) and writes every table into an empty database opened at the latest schema —
normally PostgreSQL, SQLite works too. It is all or nothing:

- Refusals come first and write nothing: a source that is not a collections-tui SQLite file,
  a schema newer than this program, a target that already holds data, a source with rows
  whose references point nowhere or whose cached balances disagree with its ledger. (A
  SQLite target file that the copy created is removed again when it is refused or fails.)
- The source is read inside one read transaction (a consistent snapshot, even while
  coordinators keep working in it) and the target is written inside one transaction.
- Tables go in foreign-key order with their ids unchanged, streamed in chunks (never a
  whole table in memory). On PostgreSQL the rows go through ``COPY … FROM STDIN``, converted
  from SQLite's storage types first: 0/1 → boolean, text → timestamp / date. A value
  PostgreSQL would refuse (an unreadable timestamp, a string longer than its column) stops
  the copy with a message naming the table, row and column.
- Every PostgreSQL serial sequence is then set to the table's ``MAX(id)``, so new rows
  continue after the copied ones.
- Before the target transaction commits, the copy is verified: row counts per table equal
  the source's, the sum of balances is equal, and every balance equals its ledger sum.
  Any failure rolls the whole target back.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from peewee import Database, DatabaseError

from ..store import migrations
from ..store.bulk import insert_rows
from ..store.db import connect, is_postgres, write_transaction
from ..store.models import ALL_MODELS
from ..store.queries import balance_mismatches, from_parts, sum_parts
from .errors import InputError

CHUNK = 10_000  # rows read from the source and written to the target at a time

Progress = Callable[[str, int, int], None]
"""``progress(table, rows_done, rows_in_table)``, called as each chunk is read and sent."""

_NOT_COPIED = frozenset({"schema_version"})  # the target's own migrations wrote it


class CopyError(InputError):
    """The copy was refused or failed; the target is unchanged."""


@dataclass(frozen=True)
class CopyReport:
    tables: dict[str, int]  # rows copied per table, in the order they were copied
    seconds: float
    skipped: tuple[str, ...] = ()  # source tables this program does not know (not copied)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- value conversion: SQLite storage → PostgreSQL column types ------------------------


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "t", "true"):
            return True
        if text in ("0", "f", "false"):
            return False
    raise ValueError("is not a boolean (0 or 1)")


def _to_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("is not a timestamp (YYYY-MM-DD HH:MM:SS)") from None
    else:
        raise ValueError("is not a timestamp (YYYY-MM-DD HH:MM:SS)")
    if instant.tzinfo is not None:  # stored with an offset: the column holds naive UTC
        instant = instant.astimezone(UTC).replace(tzinfo=None)
    return instant


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError("is not a date (YYYY-MM-DD)")


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "boolean": _to_bool,
    "timestamp without time zone": _to_timestamp,
    "date": _to_date,
}

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_NULL = "\\N"

Format = Callable[[Any], str]
"""A value from SQLite → its text in PostgreSQL's COPY format (ValueError: not storable)."""


def _copy_text(value: Any) -> str:
    """Any value in PostgreSQL's COPY text format."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("contains a NUL character, which PostgreSQL cannot store")
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    raise ValueError(f"has a type PostgreSQL cannot take ({type(value).__name__})")


def _converting(convert: Callable[[Any], Any]) -> Format:
    def fmt(value: Any) -> str:
        return _NULL if value is None else _copy_text(convert(value))

    return fmt


def _text(limit: int | None) -> Format:
    def fmt(value: Any) -> str:
        if value is None:
            return _NULL
        if not isinstance(value, str):
            return _copy_text(value)
        if limit is not None and len(value) > limit:
            raise ValueError(f"is {len(value)} characters long; the target allows {limit}")
        if "\\" in value or "\n" in value or "\r" in value or "\t" in value or "\x00" in value:
            return _copy_text(value)
        return value

    return fmt


def _timestamp(value: Any) -> str:
    if value is None:
        return _NULL
    if (
        type(value) is str
        and len(value) in (19, 26)
        and value[10] == " "
        and datetime.fromisoformat(value).tzinfo is None
    ):
        return value  # Peewee's own form of a naive UTC instant: checked, sent as is
    return _copy_text(_to_timestamp(value))


def _integer(value: Any) -> str:
    if value is None:
        return _NULL
    return str(value) if type(value) is int else _copy_text(value)


def _format_for(data_type: str, limit: int | None) -> Format:
    """How a column of this PostgreSQL type is written, converting SQLite's storage."""
    if data_type == "timestamp without time zone":
        return _timestamp
    if data_type in _CONVERTERS:
        return _converting(_CONVERTERS[data_type])
    if data_type in ("integer", "bigint", "smallint"):
        return _integer
    if data_type in ("text", "character varying", "character"):
        return _text(limit)
    return _copy_text


# --- the plan: which tables, in which order, with which columns ------------------------


@dataclass
class _Table:
    name: str
    columns: list[str]
    key: list[str]  # the primary key: rows are read in its order
    source_rows: int = 0
    formats: list[Format] = field(default_factory=list)  # per column, for a PostgreSQL target
    self_refs: list[int] = field(default_factory=list)  # columns referencing this table's id

    @property
    def has_id(self) -> bool:
        return self.key == ["id"]

    def row_label(self, row: Sequence[Any]) -> str:
        values = ", ".join(str(row[self.columns.index(k)]) for k in self.key)
        return f"{self.name} {'/'.join(self.key)} {values}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source_path(url: str) -> Path:
    from playhouse.db_url import parse as parse_db_url

    scheme = urlparse(url).scheme.lower()
    if scheme == "":
        target = url
    elif scheme == "sqlite":
        target = str(parse_db_url(url)["database"])
    else:
        raise CopyError(
            f"the source must be a SQLite database (sqlite:///PATH), not a {scheme} URL"
        )
    if not target or target == ":memory:" or target.startswith("file:"):
        raise CopyError("the source must be a SQLite database file (sqlite:///PATH)")
    path = Path(target)
    if not path.is_file():
        raise CopyError(f"{path}: no such SQLite database file")
    return path


def _sqlite_target_path(url: str) -> Path | None:
    from playhouse.db_url import parse as parse_db_url

    scheme = urlparse(url).scheme.lower()
    if scheme == "":
        return Path(url)
    if scheme == "sqlite":
        target = str(parse_db_url(url)["database"])
        return None if target == ":memory:" else Path(target)
    return None


def _check_version(db: Database, what: str) -> int:
    have = migrations.current_version(db)
    if have > migrations.LATEST:
        raise CopyError(
            f"the {what} database has schema version {have}, newer than this program "
            f"understands ({migrations.LATEST}); upgrade collections-tui"
        )
    return have


def _sqlite_tables(db: Database) -> list[str]:
    """Tables in creation order (the tie-break of the foreign-key order)."""
    rows = db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _sqlite_columns(db: Database, table: str) -> tuple[list[str], list[str]]:
    """(columns in order, primary-key columns in key order)."""
    info = db.execute_sql(f"PRAGMA table_info({_quote(table)})").fetchall()
    columns = [str(r[1]) for r in info]
    key = [str(r[1]) for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    return columns, key


def _sqlite_references(db: Database, table: str) -> list[tuple[str, str]]:
    """(referenced table, referencing column) for each foreign key of ``table``."""
    rows = db.execute_sql(f"PRAGMA foreign_key_list({_quote(table)})").fetchall()
    return [(str(r[2]), str(r[3])) for r in rows]


def _fk_order(names: list[str], parents: dict[str, set[str]]) -> list[str]:
    """Parents before children; otherwise creation order. Self references are handled by
    the copy itself (rows go in id order; a forward reference is patched afterwards)."""
    done: list[str] = []
    placed: set[str] = set()
    pending = list(names)
    while pending:
        for name in pending:
            if parents[name] - {name} <= placed:
                done.append(name)
                placed.add(name)
                pending.remove(name)
                break
        else:
            raise CopyError("the source's foreign keys form a cycle: " + ", ".join(pending))
    return done


def _target_types(db: Database) -> dict[tuple[str, str], tuple[str, int | None]]:
    """PostgreSQL: (table, column) → (data type, maximum characters)."""
    rows = db.execute_sql(
        "SELECT table_name, column_name, data_type, character_maximum_length "
        "FROM information_schema.columns WHERE table_schema = current_schema()"
    ).fetchall()
    return {(str(t), str(c)): (str(d), None if n is None else int(n)) for t, c, d, n in rows}


def _plan(src: Database, dst: Database) -> tuple[list[_Table], list[str]]:
    known = {m._meta.table_name for m in ALL_MODELS} - _NOT_COPIED
    source_tables = [t for t in _sqlite_tables(src) if t not in _NOT_COPIED]
    skipped = [t for t in source_tables if t not in known]
    names = [t for t in source_tables if t in known]
    for db, where in ((src, "source"), (dst, "target")):
        missing = sorted(known - set(db.get_tables()))
        if missing:
            raise CopyError(f"the {where} database has no table " + ", ".join(missing))
    parents = {t: {ref for ref, _ in _sqlite_references(src, t)} & set(names) for t in names}
    types = _target_types(dst) if is_postgres(dst) else {}
    tables: list[_Table] = []
    for name in _fk_order(names, parents):
        columns, key = _sqlite_columns(src, name)  # no declared key: SQLite's storage order
        target_columns = {c.name for c in dst.get_columns(name)}
        if set(columns) != target_columns:
            diff = sorted(set(columns) ^ target_columns)
            raise CopyError(
                f"table {name}: the source and target columns differ ({', '.join(diff)})"
            )
        table = _Table(name=name, columns=columns, key=key)
        if types:
            table.formats = [_format_for(*types[(name, c)]) for c in columns]
        if table.has_id:
            table.self_refs = [
                columns.index(col) for ref, col in _sqlite_references(src, name) if ref == name
            ]
        tables.append(table)
    return tables, skipped


# --- reading, writing, verifying --------------------------------------------------------


def _count(db: Database, table: str) -> int:
    return int(db.execute_sql(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0])


def _balance_total(db: Database) -> int:
    row = db.execute_sql(f"SELECT {sum_parts('balance_cents')} FROM account").fetchone()
    return from_parts(row[0], row[1])


def _read(
    src: Database,
    table: _Table,
    fixups: list[tuple[int, int, Any]],
    progress: Progress | None,
) -> Iterator[Sequence[Any]]:
    """The source rows of ``table`` in key order, a chunk at a time. A self reference to a
    later row is given as NULL and noted in ``fixups`` (patched once the table is in)."""
    cols = ", ".join(_quote(c) for c in table.columns)
    order = (" ORDER BY " + ", ".join(_quote(k) for k in table.key)) if table.key else ""
    cursor = src.execute_sql(f"SELECT {cols} FROM {_quote(table.name)}{order}")
    id_at = table.columns.index("id") if table.has_id else -1
    done = 0
    if progress is not None:
        progress(table.name, 0, table.source_rows)
    while True:
        batch = cursor.fetchmany(CHUNK)
        if not batch:
            break
        if not table.self_refs:
            yield from batch
        else:
            for raw in batch:
                row = list(raw)
                for i in table.self_refs:
                    value = row[i]
                    if value is not None and value >= row[id_at]:
                        fixups.append((row[id_at], i, value))
                        row[i] = None
                yield row
        done += len(batch)
        if progress is not None:
            progress(table.name, done, table.source_rows)


def _copy_line(table: _Table, row: Sequence[Any]) -> str:
    try:
        return "\t".join([fmt(v) for fmt, v in zip(table.formats, row, strict=True)]) + "\n"
    except (TypeError, ValueError):
        pass
    for column, fmt, value in zip(table.columns, table.formats, row, strict=True):
        try:
            fmt(value)
        except (TypeError, ValueError) as exc:
            raise CopyError(
                f"{table.row_label(row)}: {column} {str(value)[:40]!r} {exc}".rstrip(),
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


class _CopyStream(io.TextIOBase):
    """The rows of one table as one COPY stream, formatted as PostgreSQL reads it: the
    server inserts while the next rows are read and formatted here (one COPY per table,
    never more than a chunk in memory)."""

    def __init__(self, table: _Table, rows: Iterable[Sequence[Any]]) -> None:
        self.table = table
        self.count = 0
        self._rows = iter(rows)
        self._buffer = ""

    def _more(self) -> bool:
        lines = []
        for row in self._rows:
            lines.append(_copy_line(self.table, row))
            if len(lines) >= 1000:
                break
        self.count += len(lines)
        self._buffer += "".join(lines)
        return bool(lines)

    def read(self, size: int | None = -1) -> str:
        want = -1 if size is None else size
        while (want < 0 or len(self._buffer) < want) and self._more():
            pass
        if want < 0 or len(self._buffer) <= want:
            out, self._buffer = self._buffer, ""
        else:
            out, self._buffer = self._buffer[:want], self._buffer[want:]
        return out

    def readable(self) -> bool:
        return True


def _write_pg_copy(db: Database, table: _Table, rows: Iterable[Sequence[Any]]) -> int:
    """One ``COPY … FROM STDIN`` per table (about three times as fast as multi-row INSERTs)."""
    sql = f"COPY {_quote(table.name)} ({', '.join(_quote(c) for c in table.columns)}) FROM STDIN"
    stream = _CopyStream(table, rows)
    db.cursor().copy_expert(sql, stream, size=1 << 20)
    return stream.count


def _write(db: Database, table: _Table, rows: Iterable[Sequence[Any]]) -> int:
    """Write ``rows`` into ``table`` on the target, inside the caller's transaction."""
    if is_postgres(db):
        return _write_pg_copy(db, table, rows)
    return insert_rows(db, table.name, table.columns, rows)


def _db_errors(db: Database) -> tuple[type[Exception], ...]:
    """What a database driver raises when the target refuses a row."""
    if is_postgres(db):
        import psycopg2

        return (DatabaseError, psycopg2.Error)
    return (DatabaseError, sqlite3.Error)


def _apply_fixups(db: Database, table: _Table, fixups: list[tuple[int, int, Any]]) -> None:
    p = db.param
    for row_id, column, value in fixups:
        db.execute_sql(
            f"UPDATE {_quote(table.name)} SET {_quote(table.columns[column])} = {p} WHERE id = {p}",
            (value, row_id),
        )


def _reset_sequences(db: Database, tables: list[_Table]) -> None:
    for table in tables:
        if table.has_id:
            db.execute_sql(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "
                f"MAX(id) IS NOT NULL) FROM {_quote(table.name)}",
                (table.name,),
            )


def _not_empty(db: Database, tables: list[_Table] | None) -> list[str]:
    """The tables (of ``tables``; None: every known table the database has) with rows."""
    if tables is None:
        have = set(db.get_tables())
        names = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name in have]
    else:
        names = [t.name for t in tables]
    return [
        name
        for name in names
        if name not in _NOT_COPIED
        and db.execute_sql(f"SELECT 1 FROM {_quote(name)} LIMIT 1").fetchone() is not None
    ]


def _refuse_unless_empty(db: Database, tables: list[_Table] | None) -> None:
    full = _not_empty(db, tables)
    if full:
        raise CopyError(
            "the target database already has data (" + ", ".join(full) + "); "
            "copy into a new, empty database"
        )


def _verify(src: Database, dst: Database, tables: list[_Table], copied: dict[str, int]) -> None:
    problems = []
    for table in tables:
        have = _count(dst, table.name)
        if not have == copied[table.name] == table.source_rows:
            problems.append(
                f"{table.name}: {table.source_rows} rows in the source, {copied[table.name]} "
                f"copied, {have} in the target"
            )
    want, got = _balance_total(src), _balance_total(dst)
    if want != got:
        problems.append(f"the balances sum to {got} cents in the target, {want} in the source")
    mismatches = balance_mismatches(dst)
    if mismatches:
        problems.append(f"{len(mismatches)} balances differ from their ledger in the target")
    if problems:
        raise CopyError("the copy did not verify; nothing was written: " + problems[0], problems)


def _check_source(src: Database) -> None:
    """Refuse a source the target would not accept, or that would not verify."""
    orphans = src.execute_sql("PRAGMA foreign_key_check").fetchmany(20)
    if orphans:
        head = "the source has rows whose references point nowhere; nothing was copied"
        lines = [f"{t} row {r}: no {parent} row for it" for t, r, parent, _ in orphans]
        raise CopyError(head, [head, *lines])
    mismatches = balance_mismatches(src)
    if mismatches:
        head = (
            f"{len(mismatches)} accounts in the source have a balance that is not the sum of "
            "their ledger; nothing was copied"
        )
        lines = [
            f"account {n}: balance {b} cents, ledger sum {t} cents" for n, b, t in mismatches[:20]
        ]
        raise CopyError(head, [head, *lines])


def copy_database(
    source_url: str,
    target_url: str,
    *,
    progress: Progress | None = None,
    file_mode: int = 0o600,
    create_folder: bool = True,
) -> CopyReport:
    """Copy the SQLite database at ``source_url`` into the empty database at ``target_url``
    (see the module docstring). ``file_mode`` is for a SQLite target created here (and its
    folder, with ``create_folder``); when the copy is refused or fails, a SQLite target file
    created here is removed again.

    Raises ``CopyError`` (an ``InputError``: nothing written) when refused or when the copy
    fails or does not verify; ``StoreError`` when a database cannot be opened."""
    started = time.perf_counter()
    source_path = _source_path(source_url)
    target_path = _sqlite_target_path(target_url)
    if target_path is not None and target_path.resolve() == source_path.resolve():
        raise CopyError("the source and the target are the same database")
    new_file = target_path is not None and not target_path.exists()
    src = connect(str(source_path), create=False)
    try:
        version = _check_version(src, "source")
        if version == 0:
            raise CopyError(f"{source_path} is not a collections-tui database")
        migrations.migrate(src)
        with src.atomic():  # one read transaction: a consistent snapshot of the source
            dst = connect(target_url, file_mode=file_mode, create_folder=create_folder)
            try:
                copied, skipped = _copy(src, dst, progress)
            finally:
                dst.close()
    except BaseException:
        if new_file and target_path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return CopyReport(tables=copied, seconds=time.perf_counter() - started, skipped=tuple(skipped))


def _copy(
    src: Database, dst: Database, progress: Progress | None
) -> tuple[dict[str, int], list[str]]:
    _check_version(dst, "target")
    _refuse_unless_empty(dst, None)  # at once, before the longer checks
    _check_source(src)
    migrations.migrate(dst)
    tables, skipped = _plan(src, dst)
    for table in tables:
        table.source_rows = _count(src, table.name)
    copied: dict[str, int] = {}
    with write_transaction(dst):
        _refuse_unless_empty(dst, tables)  # again, now inside the write transaction
        for table in tables:
            fixups: list[tuple[int, int, Any]] = []
            try:
                copied[table.name] = _write(dst, table, _read(src, table, fixups, progress))
                _apply_fixups(dst, table, fixups)
            except _db_errors(dst) as exc:
                raise CopyError(
                    f"copying {table.name} failed, nothing was written: "
                    + (str(exc).splitlines() or [type(exc).__name__])[0]
                ) from exc
        if is_postgres(dst):
            _reset_sequences(dst, tables)
        _verify(src, dst, tables, copied)
    return copied, skipped
