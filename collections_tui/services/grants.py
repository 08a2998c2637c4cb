"""A supervisor's one-time permissions for one coordinator on one account (DESIGN §8).

Two kinds:

- ``override``: record an attempt on an account the verdict blocks. Where the config says
  ``[team] overrides = "supervisor"``, a coordinator's typed override reason is accepted
  only with such a grant; supervisors override on their own authority. (The default,
  ``"coordinator"``, lets any coordinator override with a typed reason, as DESIGN §4 says.)
  cease, attorney and bankruptcy are never overridable, grant or not.
- ``approval``: record an arrangement outside the creditor's policy. A coordinator cannot
  approve their own offer; a supervisor approves in their own session, either by recording
  the arrangement themselves or by granting the approval to the coordinator who will.

A grant lasts ``minutes`` (default 60), is used once, and every grant and every use is in
the audit log (``team.grant`` and, on the act it permitted, ``granted_by``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.compliance import never_overridable
from ..domain.text import TextError, check_name
from ..store.db import from_db, to_db, write_transaction
from ..store.models import Account, Coordinator, Grant, database
from . import audit, ledger
from .context import Context
from .errors import InputError, input_text

KINDS = ("override", "approval")
DEFAULT_MINUTES = 60


@dataclass(frozen=True)
class GrantView:
    id: int
    account_number: str
    kind: str
    coordinator: str
    granted_by: str
    reason: str
    granted_at: datetime
    expires_at: datetime


def is_supervisor(ctx: Context, name: str | None = None) -> bool:
    """True when the config (``ctx.supervisors``) or the coordinator table names ``name``
    (default: the actor) a supervisor."""
    who = ctx.actor if name is None else name
    if who in ctx.supervisors:
        return True
    row = Coordinator.select(Coordinator.role).where(Coordinator.name == who).first()
    return row is not None and str(row.role) == "supervisor"


def grant(
    ctx: Context,
    number: str,
    to: str,
    kind: str,
    reason: str,
    *,
    minutes: int = DEFAULT_MINUTES,
) -> GrantView:
    """Supervisor ``ctx.actor`` lets coordinator ``to`` do ``kind`` once on account ``number``
    within ``minutes``."""
    if kind not in KINDS:
        raise InputError(f"grant kind must be one of {', '.join(KINDS)}, not '{kind}'")
    try:
        check_name(to, "the coordinator name")
    except TextError as exc:
        raise InputError(str(exc)) from None
    why = input_text(reason, "the reason").strip()
    if not why:
        raise InputError("a grant needs a reason (it goes to the audit log)")
    if not 1 <= minutes <= 24 * 60:
        raise InputError(f"a grant lasts 1 to 1440 minutes, not {minutes}")
    now = ctx.now()
    expires = now + timedelta(minutes=minutes)
    with write_transaction(database.obj):
        if not is_supervisor(ctx):
            raise InputError(f"only a supervisor may grant an {kind}; {ctx.actor} is not one")
        account_id = ledger.account_id_for(number)
        if kind == "override":
            flags = Account.select(Account.flags).where(Account.id == account_id).scalar()
            never = never_overridable(int(flags or 0))
            if never:
                raise InputError(
                    f"{number}: {' and '.join(never)} can never be overridden, so an override "
                    "grant could never be used; no grant was given"
                )
        if not Coordinator.select().where(Coordinator.name == to).exists():
            raise InputError(f"no coordinator '{to}' (they appear once they use the program)")
        grant_id = int(
            Grant.insert(
                account=account_id,
                kind=kind,
                coordinator=to,
                granted_by=ctx.actor,
                reason=why,
                granted_at=to_db(now),
                expires_at=to_db(expires),
            ).execute()
        )
        audit.record(
            ctx,
            "team.grant",
            account_id,
            grant=grant_id,
            kind=kind,
            to=to,
            reason=why,
            expires_at=expires,
        )
    return GrantView(grant_id, number, kind, to, ctx.actor, why, now, expires)


def use_grant(ctx: Context, account_id: int, kind: str) -> Grant | None:
    """Inside the caller's write transaction: mark the oldest open ``kind`` grant for the
    actor on this account used and return it (None when there is none)."""
    now = to_db(ctx.now())
    row: Grant | None = (
        Grant.select()
        .where(
            (Grant.account == account_id)
            & (Grant.coordinator == ctx.actor)
            & (Grant.kind == kind)
            & Grant.used_at.is_null()
            & (Grant.expires_at > now)
        )
        .order_by(Grant.granted_at, Grant.id)
        .first()
    )
    if row is None:
        return None
    taken = (
        Grant.update(used_at=now).where((Grant.id == row.id) & Grant.used_at.is_null()).execute()
    )
    return row if taken else None


def open_grants(ctx: Context, number: str, *, everyone: bool = False) -> list[GrantView]:
    """Unused, unexpired grants on an account (the actor's own unless ``everyone``)."""
    account_id = ledger.account_id_for(number)
    q = Grant.select().where(
        (Grant.account == account_id)
        & Grant.used_at.is_null()
        & (Grant.expires_at > to_db(ctx.now()))
    )
    if not everyone:
        q = q.where(Grant.coordinator == ctx.actor)
    out = []
    for g in q.order_by(Grant.granted_at, Grant.id):
        granted_at = from_db(g.granted_at)
        expires_at = from_db(g.expires_at)
        assert granted_at is not None and expires_at is not None
        out.append(
            GrantView(
                int(g.id),
                number,
                g.kind,
                g.coordinator,
                g.granted_by,
                g.reason,
                granted_at,
                expires_at,
            )
        )
    return out
