"""Hand-written SQL that the query builder would make harder to read."""

from __future__ import annotations

from peewee import Database

_SPLIT = 1_000_000


def exact_sum(column: str) -> str:
    """SQL for the exact sum of an integer ``column`` that cannot overflow on the way.

    SQLite's SUM fails with "integer overflow" when any partial sum passes 2**63, whatever
    the total (PostgreSQL sums BIGINT as NUMERIC). Amounts and balances are bounded
    (``domain.money``), but a sum over a million accounts, or over one account's entries
    taken in an unlucky order, could still pass it; summed in two parts — millions and the
    rest, each far from 2**63 — the total is exact for any realistic number of rows.
    Integer division truncates toward zero in both databases; the rest is written
    ``x - (x / M) * M`` (``%`` is a placeholder to psycopg2, and SQLite's ``mod()`` is a
    float). NULL when there are no rows.
    """
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
