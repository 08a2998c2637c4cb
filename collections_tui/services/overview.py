"""Counts about the database as a whole."""

from __future__ import annotations

from peewee import fn

from ..store.models import Account


def account_count() -> int:
    return int(Account.select(fn.COUNT(Account.id)).scalar() or 0)


def creditors() -> list[str]:
    """Every creditor with an open account, by name (an index-only scan)."""
    q = (
        Account.select(Account.creditor)
        .where((Account.status == "open") & (Account.creditor != ""))
        .distinct()
        .order_by(Account.creditor)
    )
    return [str(row.creditor) for row in q]
