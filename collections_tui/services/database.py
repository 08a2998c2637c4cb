"""The open database as its users see it: whether it can be written, and the faults a
person can act on. The workstation, which never imports the store, reads them here."""

from __future__ import annotations

from ..store.db import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseReadOnly,
    DiskFull,
    StoreError,
    read_only_reason,
)

__all__ = [
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseReadOnly",
    "DiskFull",
    "StoreError",
    "read_only_reason",
]
