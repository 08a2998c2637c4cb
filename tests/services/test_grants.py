"""Supervisor grants: a one-time override or approval for one coordinator on one account."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from peewee import Database

from collections_tui.domain.flags import Flag
from collections_tui.services.calls import record_call
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.grants import grant, is_supervisor, open_grants
from collections_tui.services.team import ensure_coordinator
from collections_tui.store.models import AuditEvent, Contact
from tests.factories import make_account

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # noon Eastern


def team(ctx: Context, who: str, *, strict: bool = True, minutes: int = 0) -> Context:
    return replace(
        ctx,
        actor=who,
        clock=FixedClock(MIDDAY + timedelta(minutes=minutes)),
        supervisors=frozenset({"sam"}),
        overrides_need_grant=strict,
    )


def events(action: str) -> list[dict[str, object]]:
    q = AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [{"actor": e.actor, **json.loads(e.detail)} for e in q]


def test_strict_team_needs_a_grant_for_an_override_and_uses_it_once(
    db: Database, ctx: Context
) -> None:
    alice, sam = team(ctx, "alice"), team(ctx, "sam")
    ensure_coordinator(alice)
    make_account(alice, "D-1", flags=Flag.DISPUTE)
    with pytest.raises(InputError, match="overrides need a supervisor's grant"):
        record_call(alice, "D-1", "conversation", override="debtor called about proof")
    assert Contact.select().count() == 0

    with pytest.raises(InputError, match="only a supervisor may grant"):
        grant(alice, "D-1", "alice", "override", "I say so")
    g = grant(sam, "D-1", "alice", "override", "verified dispute closed by phone")
    assert [x.id for x in open_grants(alice, "D-1")] == [g.id]

    rec = record_call(alice, "D-1", "conversation", override="debtor called about proof")
    assert rec.overridden
    (used,) = events("compliance.override")
    assert used["actor"] == "alice" and used["granted_by"] == "sam"
    assert events("team.grant")[0]["to"] == "alice"
    assert open_grants(alice, "D-1") == []
    with pytest.raises(InputError, match="grant"):
        record_call(team(ctx, "alice", minutes=5), "D-1", "conversation", override="again, please")
    assert Contact.select().count() == 1


def test_supervisor_overrides_on_own_authority_and_grants_expire(
    db: Database, ctx: Context
) -> None:
    sam = team(ctx, "sam")
    alice = team(ctx, "alice")
    ensure_coordinator(alice)
    make_account(sam, "D-2", flags=Flag.DISPUTE)
    assert is_supervisor(sam) and not is_supervisor(alice)
    assert record_call(sam, "D-2", "conversation", override="my call").overridden

    make_account(sam, "D-3", flags=Flag.DISPUTE)
    grant(sam, "D-3", "alice", "override", "ok for the next half hour", minutes=30)
    late = team(ctx, "alice", minutes=31)
    with pytest.raises(InputError, match="grant"):
        record_call(late, "D-3", "conversation", override="too late")


def test_default_team_lets_a_coordinator_override_with_a_typed_reason(
    db: Database, ctx: Context
) -> None:
    alice = team(ctx, "alice", strict=False)
    make_account(alice, "D-4", flags=Flag.DISPUTE)
    assert record_call(alice, "D-4", "conversation", override="debtor asked").overridden


def test_a_grant_names_a_known_coordinator_kind_and_reason(db: Database, ctx: Context) -> None:
    sam = team(ctx, "sam")
    make_account(sam, "G-1")
    with pytest.raises(InputError, match="no coordinator 'nobody'"):
        grant(sam, "G-1", "nobody", "override", "why")
    ensure_coordinator(team(ctx, "alice"))
    with pytest.raises(InputError, match="needs a reason"):
        grant(sam, "G-1", "alice", "override", "  ")
    with pytest.raises(InputError, match="kind must be one of"):
        grant(sam, "G-1", "alice", "cease", "why")
    assert events("team.grant") == []
