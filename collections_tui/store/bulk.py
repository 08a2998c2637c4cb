"""Fast bulk writes for imports and demo data: plain DB-API ``executemany`` on SQLite,
``execute_values`` on PostgreSQL (10-50x faster than row-by-row ORM inserts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from peewee import Database, PostgresqlDatabase

CHUNK = 5_000


def insert_rows(
    db: Database, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows (tuples in ``columns`` order) inside the caller's transaction."""
    cols = ", ".join(f'"{c}"' for c in columns)
    count = 0
    batch: list[Sequence[Any]] = []
    if isinstance(db, PostgresqlDatabase):
        from psycopg2.extras import execute_values

        sql = f'INSERT INTO "{table}" ({cols}) VALUES %s'
        cursor = db.cursor()

        def flush() -> None:
            execute_values(cursor, sql, batch, page_size=1000)

    else:
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'
        cursor = db.cursor()

        def flush() -> None:
            cursor.executemany(sql, batch)

    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            flush()
            count += len(batch)
            batch = []
    if batch:
        flush()
        count += len(batch)
    return count


def reserve_ids(db: Database, table: str, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table``, so parents and children can be inserted in
    bulk. Call inside a write transaction (on SQLite that transaction holds the write lock,
    so nobody else can take the same ids)."""
    if n <= 0:
        return []
    if isinstance(db, PostgresqlDatabase):
        cur = db.execute_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table, n),
        )
        return [int(r[0]) for r in cur.fetchall()]
    row = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
    start = int(row[0]) + 1
    return list(range(start, start + n))
