"""Hand-written SQL that the query builder would make harder to read."""

from __future__ import annotations

from peewee import Database

BALANCE_MISMATCHES = """
SELECT a.number, a.balance_cents, COALESCE(s.total, 0)
FROM account a
LEFT JOIN (SELECT account_id, SUM(amount_cents) AS total FROM ledger_entry GROUP BY account_id) s
  ON s.account_id = a.id
WHERE a.balance_cents <> COALESCE(s.total, 0)
ORDER BY a.number
"""


def balance_mismatches(db: Database) -> list[tuple[str, int, int]]:
    """Accounts whose cached balance is not the sum of their ledger entries."""
    return [(str(n), int(b), int(t)) for n, b, t in db.execute_sql(BALANCE_MISMATCHES).fetchall()]
