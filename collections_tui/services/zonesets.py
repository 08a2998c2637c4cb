"""Zone sets: each distinct set of time zones a debtor may be in gets a small id, so the
queue can ask "which sets are inside calling hours now?" once and filter by id."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Database

from ..domain.zones import zone_key
from ..store.models import ZoneSet


class ZoneSetCache:
    """Get-or-create zone set ids, remembering them for the life of a bulk job.

    Use inside the caller's write transaction; ids created in a transaction that rolls back
    are forgotten with ``clear()``.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._ids: dict[str, int] = {}

    def id_for(self, zones: Iterable[str]) -> int:
        key = zone_key(zones)
        found = self._ids.get(key)
        if found is not None:
            return found
        row = ZoneSet.select(ZoneSet.id).where(ZoneSet.zones == key).first()
        if row is None:
            new_id = int(ZoneSet.insert(zones=key).execute())
        else:
            new_id = int(row.id)
        self._ids[key] = new_id
        return new_id

    def clear(self) -> None:
        self._ids.clear()


def zones_of(zone_set_key: str) -> tuple[str, ...]:
    return tuple(z for z in zone_set_key.split(",") if z)
