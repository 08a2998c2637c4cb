"""Hand-written SQL that the query builder would make harder to read."""

from __future__ import annotations

from decimal import Decimal

from peewee import Database

_SPLIT = 1_000_000


def sum_parts(column: str) -> str:
    """SQL for two columns whose :func:`from_parts` is the exact sum of an integer
    ``column``, with no overflow on the way.

    SQLite's SUM fails with "integer overflow" when any partial sum passes 2**63, whatever
    the total (PostgreSQL sums BIGINT as NUMERIC). Amounts and balances are bounded
    (``domain.money``), but a sum over many accounts, or over one account's entries taken
    in an unlucky order, could still pass it. Summed in two parts — the millions and the
    rest, each far from 2**63 for any realistic number of rows — and put together in
    Python, the total is exact even beyond 2**63. Integer division truncates toward zero
    in both databases; the rest is written ``x - (x / M) * M`` (``%`` is a placeholder to
    psycopg2, and SQLite's ``mod()`` is a float).
    """
    high = f"{column} / {_SPLIT}"
    return f"SUM({high}), SUM({column} - ({high}) * {_SPLIT})"


def from_parts(high: object, low: object) -> int:
    """The sum from the two columns of :func:`sum_parts` (0 when there were no rows)."""
    assert isinstance(high, int | Decimal | None) and isinstance(low, int | Decimal | None)
    return int(high or 0) * _SPLIT + int(low or 0)


def exact_sum(column: str) -> str:
    """One SQL expression for the exact sum of ``column`` when the *total* fits a BIGINT
    (one account's ledger: its balance is bounded), however large its partial sums."""
    high = f"{column} / {_SPLIT}"
    return f"(SUM({high}) * {_SPLIT} + SUM({column} - ({high}) * {_SPLIT}))"


BALANCE_MISMATCHES = f"""
SELECT a.number, a.balance_cents, COALESCE(s.total, 0)
FROM account a
LEFT JOIN (SELECT account_id, {exact_sum("amount_cents")} AS total
           FROM ledger_entry GROUP BY account_id) s
  ON s.account_id = a.id
WHERE a.balance_cents <> COALESCE(s.total, 0)
ORDER BY a.number
"""


def balance_mismatches(db: Database) -> list[tuple[str, int, int]]:
    """Accounts whose cached balance is not the sum of their ledger entries."""
    return [(str(n), int(b), int(t)) for n, b, t in db.execute_sql(BALANCE_MISMATCHES).fetchall()]
