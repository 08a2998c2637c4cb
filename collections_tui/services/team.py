"""Coordinators, roles, and the supervisor's powers over leases (DESIGN §8).

Who someone is comes from the host: the OS user, or ``--as`` where the config allows it
(``ctx.actor``). Each coordinator gets a row in ``coordinator`` the first time they use the
program (``ensure_coordinator``), with the role ``coordinator``.

A supervisor is a coordinator whose row says ``supervisor`` OR whose name the config file
lists as a supervisor (``configured``). The config is how the very first supervisor is
named; from then on supervisors can name others in the table (``set_role``).

Supervisor acts — changing roles, releasing or reassigning another coordinator's lease —
are refused with ``InputError`` (nothing written) for anyone else, and every use is in the
audit log (``team.role``, ``team.lease_release``, ``team.lease_reassign``). Anyone may look
at who holds which account (``list_leases``).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.text import MAX_NAME_CHARS, TextError, check_name
from ..store.db import DatabaseBusy, DatabaseReadOnly, from_db, to_db, write_transaction
from ..store.models import Coordinator, Lease, database
from . import audit
from .context import Context
from .errors import InputError
from .leases import LeaseView, active_leases
from .ledger import account_id_for

ROLES = ("coordinator", "supervisor")
MAX_NAME = MAX_NAME_CHARS  # coordinator.name and every coordinator column are VARCHAR(100)

_ENSURE = (
    "INSERT INTO coordinator (name, role, created_at) VALUES ({p}, 'coordinator', {p}) "
    "ON CONFLICT (name) DO NOTHING"
)


@dataclass(frozen=True)
class CoordinatorView:
    name: str
    role: str  # as the coordinator table says
    created_at: datetime | None  # None: named only by the config, never used the program
    configured_supervisor: bool = False  # the config file lists them as a supervisor

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor" or self.configured_supervisor


@dataclass(frozen=True)
class RoleChange:
    name: str
    role: str
    previous: str | None  # None: the coordinator was not known before


def _check_name(name: str, what: str = "a coordinator name") -> str:
    try:
        return check_name(name, what)
    except TextError as exc:
        raise InputError(str(exc)) from None


def ensure_coordinator(ctx: Context) -> CoordinatorView:
    """``ctx.actor``'s row, created (role ``coordinator``) the first time they use the
    program. Cheap when it exists (one indexed read); safe when two sessions start at once.

    Housekeeping, run before every command: the row only records that they have used the
    program (a missing row reads as the role ``coordinator``), so it never waits for another
    program's write lock. When that is busy, or the database is read-only, it is written
    the next time instead (``created_at`` None meanwhile)."""
    _check_name(ctx.actor, "the coordinator name")
    row = Coordinator.get_or_none(Coordinator.name == ctx.actor)
    if row is None:
        db = database.obj
        try:
            with write_transaction(db, wait=False):
                db.execute_sql(_ENSURE.format(p=db.param), (ctx.actor, to_db(ctx.now())))
        except (DatabaseBusy, DatabaseReadOnly):
            return CoordinatorView(name=ctx.actor, role="coordinator", created_at=None)
        row = Coordinator.get(Coordinator.name == ctx.actor)
    return CoordinatorView(name=row.name, role=row.role, created_at=from_db(row.created_at))


def role_of(name: str) -> str:
    """The role the coordinator table gives ``name`` (``coordinator`` when not listed).
    The config's supervisors are not in it: use ``is_supervisor`` for decisions."""
    row = Coordinator.select(Coordinator.role).where(Coordinator.name == name).first()
    return "coordinator" if row is None else str(row.role)


def is_supervisor(ctx: Context, configured: Set[str]) -> bool:
    """True when the coordinator table or the config file names ``ctx.actor`` a supervisor."""
    return ctx.actor in configured or role_of(ctx.actor) == "supervisor"


def _require_supervisor(ctx: Context, configured: Set[str], what: str) -> None:
    if not is_supervisor(ctx, configured):
        raise InputError(f"only a supervisor may {what}; {ctx.actor} is not a supervisor")


def coordinators(configured: Set[str] = frozenset()) -> list[CoordinatorView]:
    """Everyone the program knows, by name, plus supervisors named only in the config."""
    out = [
        CoordinatorView(
            name=row.name,
            role=row.role,
            created_at=from_db(row.created_at),
            configured_supervisor=row.name in configured,
        )
        for row in Coordinator.select().order_by(Coordinator.name)
    ]
    known = {c.name for c in out}
    out += [
        CoordinatorView(name=n, role="coordinator", created_at=None, configured_supervisor=True)
        for n in configured
        if n not in known
    ]
    return sorted(out, key=lambda c: c.name)


def set_role(ctx: Context, name: str, role: str, *, configured_supervisors: Set[str]) -> RoleChange:
    """Give ``name`` the role ``role`` (``coordinator`` or ``supervisor``). Only a supervisor
    may; the first one is named in the config file. A coordinator who has not used the
    program yet is added. Refused: a role for someone the config makes a supervisor (change
    the config instead), and demoting the last supervisor when the config names none."""
    _check_name(name)
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    with write_transaction(database.obj):
        _require_supervisor(ctx, configured_supervisors, "change roles")
        row = Coordinator.get_or_none(Coordinator.name == name)
        previous = None if row is None else str(row.role)
        if previous == role:
            return RoleChange(name=name, role=role, previous=previous)
        if role != "supervisor" and name in configured_supervisors:
            raise InputError(
                f"{name} is a supervisor by the config file; remove them from the "
                "supervisors list there"
            )
        if previous == "supervisor" and not configured_supervisors:
            others = (
                Coordinator.select()
                .where((Coordinator.role == "supervisor") & (Coordinator.name != name))
                .exists()
            )
            if not others:
                raise InputError(
                    f"{name} is the last supervisor; make someone else a supervisor first"
                )
        if row is None:
            Coordinator.insert(name=name, role=role, created_at=to_db(ctx.now())).execute()
        else:
            Coordinator.update(role=role).where(Coordinator.id == row.id).execute()
        audit.record(ctx, "team.role", None, name=name, role=role, previous=previous)
    return RoleChange(name=name, role=role, previous=previous)


# --- the supervisor's powers over leases --------------------------------------------------


def release_lease(ctx: Context, number: str, configured: Set[str]) -> bool:
    """A supervisor frees account ``number`` whoever holds it (a coordinator went home with
    it open). False when nobody held it."""
    with write_transaction(database.obj):
        _require_supervisor(ctx, configured, "release another coordinator's lease")
        account_id = account_id_for(number)
        lease = Lease.get_or_none(Lease.account == account_id)
        if lease is None:
            return False
        Lease.delete().where(Lease.id == lease.id).execute()
        expires = from_db(lease.expires_at)
        audit.record(
            ctx,
            "team.lease_release",
            account_id,
            holder=lease.coordinator,
            expires_at=expires,
            expired=expires is not None and expires <= ctx.now(),
        )
    return True


def reassign_lease(ctx: Context, number: str, to: str, configured: Set[str]) -> LeaseView:
    """A supervisor gives account ``number`` to coordinator ``to``: the lease moves (or is
    created, when nobody holds it) with a fresh expiry. ``to`` must be a known coordinator."""
    _check_name(to, "the coordinator to reassign to")
    now = ctx.now()
    expires = now + timedelta(minutes=ctx.lease_minutes)
    with write_transaction(database.obj):
        _require_supervisor(ctx, configured, "reassign a lease")
        account_id = account_id_for(number)
        if not Coordinator.select().where(Coordinator.name == to).exists():
            raise InputError(f"no coordinator '{to}' (they appear once they use the program)")
        lease = Lease.get_or_none(Lease.account == account_id)
        if lease is None:
            Lease.insert(
                account=account_id, coordinator=to, taken_at=to_db(now), expires_at=to_db(expires)
            ).execute()
            previous = None
        else:
            Lease.update(coordinator=to, taken_at=to_db(now), expires_at=to_db(expires)).where(
                Lease.id == lease.id
            ).execute()
            previous = lease.coordinator
        audit.record(
            ctx, "team.lease_reassign", account_id, holder=previous, to=to, expires_at=expires
        )
    return LeaseView(account_number=number, coordinator=to, taken_at=now, expires_at=expires)


def list_leases(ctx: Context) -> list[LeaseView]:
    """Who holds which account now (unexpired leases, oldest first). Anyone may look."""
    return active_leases(ctx)
