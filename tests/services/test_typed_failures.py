"""Failures a caller acts on are typed: the workstation asks for an override on ``Blocked``
and on nothing else, whatever the sentence says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from peewee import Database

from collections_tui.domain.flags import Flag
from collections_tui.services.calls import record_call, record_dial_override
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.errors import Blocked, InputError, NeedsGrant
from collections_tui.services.team import ensure_coordinator
from collections_tui.store.models import Contact
from tests.factories import make_account

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


@pytest.fixture
def noon(db: Database, ctx: Context) -> Context:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    ensure_coordinator(ctx)
    return ctx


def test_a_block_says_its_reason_and_whether_it_can_be_overridden(noon: Context) -> None:
    make_account(noon, "D-1", flags=Flag.DISPUTE)
    make_account(noon, "C-1", flags=Flag.CEASE)
    with pytest.raises(Blocked) as dispute:
        record_call(noon, "D-1", "no_answer")
    assert (dispute.value.reason, dispute.value.overridable) == ("dispute", True)
    with pytest.raises(Blocked) as cease:
        record_call(noon, "C-1", "no_answer", override="the debtor asked us to")
    assert (cease.value.reason, cease.value.overridable) == ("cease", False)
    with pytest.raises(Blocked) as dial:
        record_dial_override(noon, "C-1", "cease", "because")
    assert dial.value.overridable is False
    assert Contact.select().count() == 0


def test_an_override_that_needs_a_grant_is_its_own_failure(noon: Context) -> None:
    strict = replace(noon, overrides_need_grant=True, supervisors=frozenset({"sam"}))
    make_account(strict, "D-1", flags=Flag.DISPUTE)
    with pytest.raises(NeedsGrant) as err:
        record_call(strict, "D-1", "conversation", override="verified by phone")
    assert err.value.reason == "dispute"
    assert not isinstance(err.value, Blocked)  # a reason typed again would not help
    with pytest.raises(NeedsGrant):
        record_dial_override(strict, "D-1", "dispute", "verified by phone")


def test_other_input_errors_are_not_blocks(noon: Context) -> None:
    make_account(noon, "A-1")
    with pytest.raises(InputError) as err:
        record_call(noon, "A-1", "promise")  # a promise needs its amount and date
    assert not isinstance(err.value, Blocked | NeedsGrant)
