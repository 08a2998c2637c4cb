from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError, NotFound
from collections_tui.services.leases import take
from collections_tui.services.team import (
    CoordinatorView,
    RoleChange,
    coordinators,
    ensure_coordinator,
    is_supervisor,
    list_leases,
    reassign_lease,
    release_lease,
    role_of,
    set_role,
)
from collections_tui.store.models import AuditEvent, Coordinator, Lease
from tests.conftest import NOW
from tests.factories import make_account

CONFIG = frozenset({"sam"})  # the config file's supervisors


def as_(ctx: Context, who: str, minutes: int = 0) -> Context:
    return replace(ctx, actor=who, clock=FixedClock(NOW + timedelta(minutes=minutes)))


def events(action: str) -> list[dict[str, object]]:
    q = AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [{"actor": e.actor, "account": e.account_id, **json.loads(e.detail)} for e in q]


def test_ensure_coordinator_adds_each_name_once(db: Database, ctx: Context) -> None:
    ana = as_(ctx, "ana")
    first = ensure_coordinator(ana)
    assert first == CoordinatorView(name="ana", role="coordinator", created_at=NOW)
    assert ensure_coordinator(as_(ana, "ana", 30)) == first  # not re-created, not re-dated
    assert Coordinator.select().count() == 1
    assert role_of("ana") == "coordinator"
    assert role_of("never-seen") == "coordinator"
    with pytest.raises(InputError, match="longer than 100"):
        ensure_coordinator(as_(ctx, "x" * 101))
    with pytest.raises(InputError, match="non-empty"):
        ensure_coordinator(as_(ctx, " "))


def test_supervisor_by_config_or_by_table(db: Database, ctx: Context) -> None:
    for who in ("sam", "ana", "ben"):
        ensure_coordinator(as_(ctx, who))
    assert is_supervisor(as_(ctx, "sam"), CONFIG)  # the config names sam
    assert not is_supervisor(as_(ctx, "sam"), frozenset())
    assert not is_supervisor(as_(ctx, "ana"), CONFIG)
    Coordinator.update(role="supervisor").where(Coordinator.name == "ana").execute()
    assert is_supervisor(as_(ctx, "ana"), frozenset())  # the table names ana


def test_the_config_names_the_first_supervisor_who_names_others(db: Database, ctx: Context) -> None:
    sam, ana, ben = as_(ctx, "sam"), as_(ctx, "ana"), as_(ctx, "ben")
    for c in (sam, ana, ben):
        ensure_coordinator(c)
    # nobody in the table is a supervisor yet: a coordinator cannot promote themselves
    with pytest.raises(InputError, match="only a supervisor may change roles; ana is not"):
        set_role(ana, "ana", "supervisor", configured_supervisors=CONFIG)
    assert role_of("ana") == "coordinator"
    assert events("team.role") == []
    # sam, a supervisor by the config, names ana; ana can now name ben
    assert set_role(sam, "ana", "supervisor", configured_supervisors=CONFIG) == RoleChange(
        name="ana", role="supervisor", previous="coordinator"
    )
    assert is_supervisor(ana, frozenset())
    set_role(ana, "ben", "supervisor", configured_supervisors=frozenset())
    set_role(ben, "ana", "coordinator", configured_supervisors=frozenset())
    assert (role_of("ana"), role_of("ben")) == ("coordinator", "supervisor")
    assert events("team.role") == [
        {"actor": "sam", "account": None, "name": "ana", "role": "supervisor",
         "previous": "coordinator"},
        {"actor": "ana", "account": None, "name": "ben", "role": "supervisor",
         "previous": "coordinator"},
        {"actor": "ben", "account": None, "name": "ana", "role": "coordinator",
         "previous": "supervisor"},
    ]  # fmt: skip


def test_set_role_checks_and_refusals(db: Database, ctx: Context) -> None:
    sam = as_(ctx, "sam")
    with pytest.raises(InputError, match="role must be one of coordinator, supervisor"):
        set_role(sam, "ana", "boss", configured_supervisors=CONFIG)
    # someone who has not used the program yet is added with the role
    assert set_role(sam, "newbie", "supervisor", configured_supervisors=CONFIG).previous is None
    assert role_of("newbie") == "supervisor"
    # the same role again: nothing to do, nothing audited
    set_role(sam, "newbie", "supervisor", configured_supervisors=CONFIG)
    assert len(events("team.role")) == 1
    # a supervisor by the config stays one whatever the table says: change the config
    with pytest.raises(InputError, match="sam is a supervisor by the config file"):
        set_role(as_(ctx, "newbie"), "sam", "coordinator", configured_supervisors=CONFIG)
    # without configured supervisors, the last one in the table cannot step down
    with pytest.raises(InputError, match="newbie is the last supervisor"):
        set_role(as_(ctx, "newbie"), "newbie", "coordinator", configured_supervisors=frozenset())
    assert role_of("newbie") == "supervisor"
    assert len(events("team.role")) == 1


def test_coordinators_lists_table_and_config(db: Database, ctx: Context) -> None:
    ensure_coordinator(as_(ctx, "ben"))
    ensure_coordinator(as_(ctx, "ana"))
    listed = coordinators(frozenset({"sam", "ben"}))
    assert [(c.name, c.role, c.supervisor, c.created_at) for c in listed] == [
        ("ana", "coordinator", False, NOW),
        ("ben", "coordinator", True, NOW),
        ("sam", "coordinator", True, None),
    ]


# --- leases -----------------------------------------------------------------------------


def _leased_to_ana(ctx: Context) -> int:
    account_id = make_account(ctx, "L-1")
    for who in ("sam", "ana", "ben"):
        ensure_coordinator(as_(ctx, who))
    assert take(as_(ctx, "ana"), account_id)
    return account_id


def test_a_supervisor_releases_anyones_lease(db: Database, ctx: Context) -> None:
    account_id = _leased_to_ana(ctx)
    sam = as_(ctx, "sam", 5)
    assert release_lease(sam, "L-1", CONFIG)
    assert Lease.select().count() == 0
    assert not release_lease(sam, "L-1", CONFIG)  # nothing left to release: not audited
    assert events("team.lease_release") == [
        {
            "actor": "sam",
            "account": account_id,
            "holder": "ana",
            "expires_at": str(NOW + timedelta(minutes=15)),
            "expired": False,
        }
    ]
    assert take(as_(ctx, "ben", 6), account_id)  # free for anyone now
    with pytest.raises(NotFound):
        release_lease(sam, "NOPE", CONFIG)


def test_a_supervisor_reassigns_a_lease(db: Database, ctx: Context) -> None:
    account_id = _leased_to_ana(ctx)
    sam = as_(ctx, "sam", 10)
    view = reassign_lease(sam, "L-1", "ben", CONFIG)
    assert view.coordinator == "ben"
    assert view.expires_at == NOW + timedelta(minutes=25)  # a fresh 15 minutes
    lease = Lease.get()
    assert (lease.coordinator, lease.account_id) == ("ben", account_id)
    # ana's session can no longer renew it; ben's can
    assert not take(as_(ctx, "ana", 11), account_id)
    assert take(as_(ctx, "ben", 11), account_id)
    assert events("team.lease_reassign") == [
        {
            "actor": "sam",
            "account": account_id,
            "holder": "ana",
            "to": "ben",
            "expires_at": str(NOW + timedelta(minutes=25)),
        }
    ]
    # an account nobody holds can be handed to someone too
    make_account(ctx, "L-2")
    assert reassign_lease(sam, "L-2", "ana", CONFIG).coordinator == "ana"
    assert events("team.lease_reassign")[-1]["holder"] is None
    with pytest.raises(InputError, match="no coordinator 'anna'"):
        reassign_lease(sam, "L-1", "anna", CONFIG)
    assert Lease.get(Lease.account == account_id).coordinator == "ben"


def test_coordinators_cannot_use_supervisor_powers(db: Database, ctx: Context) -> None:
    _leased_to_ana(ctx)
    ben = as_(ctx, "ben", 1)
    before = AuditEvent.select().count()
    with pytest.raises(InputError, match=r"only a supervisor may release.*ben is not"):
        release_lease(ben, "L-1", CONFIG)
    with pytest.raises(InputError, match="only a supervisor may reassign a lease"):
        reassign_lease(ben, "L-1", "ben", CONFIG)
    lease = Lease.get()
    assert (lease.coordinator, lease.taken_at) == ("ana", NOW.replace(tzinfo=None))
    assert AuditEvent.select().count() == before


def test_anyone_may_list_leases(db: Database, ctx: Context) -> None:
    _leased_to_ana(ctx)
    make_account(ctx, "L-2")
    reassign_lease(as_(ctx, "sam", 3), "L-2", "ben", CONFIG)
    listed = list_leases(as_(ctx, "ben", 4))
    assert [(v.account_number, v.coordinator, v.taken_at, v.expires_at) for v in listed] == [
        ("L-1", "ana", NOW, NOW + timedelta(minutes=15)),
        ("L-2", "ben", NOW + timedelta(minutes=3), NOW + timedelta(minutes=18)),
    ]
    assert [v.account_number for v in list_leases(as_(ctx, "ben", 16))] == ["L-2"]  # expired
