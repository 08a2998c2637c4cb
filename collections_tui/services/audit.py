"""The audit log: who changed money, flags, arrangements or overrides, and when."""

from __future__ import annotations

import json
from typing import Any

from ..store.db import to_db
from ..store.models import AuditEvent
from .context import Context


def record(ctx: Context, action: str, account_id: int | None, **detail: Any) -> None:
    AuditEvent.insert(
        at=to_db(ctx.now()),
        actor=ctx.actor,
        action=action,
        account=account_id,
        detail=json.dumps(detail, default=str, sort_keys=True),
    ).execute()
