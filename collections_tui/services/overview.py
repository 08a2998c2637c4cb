"""Counts about the database as a whole."""

from __future__ import annotations

from peewee import fn

from ..store.models import Account


def account_count() -> int:
    return int(Account.select(fn.COUNT(Account.id)).scalar() or 0)
