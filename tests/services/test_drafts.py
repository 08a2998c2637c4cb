from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.drafts import (
    DraftView,
    clear_draft,
    drafts_for,
    load_draft,
    save_draft,
)
from collections_tui.services.errors import InputError, NotFound
from collections_tui.store.models import Account, AuditEvent, Draft
from tests.conftest import NOW
from tests.factories import make_account


def at(ctx: Context, who: str, minutes: int = 0) -> Context:
    return replace(ctx, actor=who, clock=FixedClock(NOW + timedelta(minutes=minutes)))


def test_a_draft_is_saved_replaced_and_loaded(db: Database, ctx: Context) -> None:
    make_account(ctx, "D-1")
    audited = AuditEvent.select().count()
    assert load_draft(ctx, "D-1") is None
    assert save_draft(ctx, "D-1", "Spoke with Pat, she")
    assert save_draft(at(ctx, "tester", 1), "D-1", "Spoke with Pat, she will pay Friday")
    draft = load_draft(ctx, "D-1")
    assert draft == DraftView(
        account_number="D-1",
        field="note",
        body="Spoke with Pat, she will pay Friday",
        updated_at=NOW + timedelta(minutes=1),
        coordinator="tester",
    )
    assert Draft.select().count() == 1  # an upsert, not a row per keystroke pause
    assert AuditEvent.select().count() == audited  # scratch text is not audited


def test_text_survives_byte_for_byte(db: Database, ctx: Context) -> None:
    make_account(ctx, "D-1")
    body = "Line one\n\tindented; 'quotes' \"double\" \\ back — ünïcode 📞\n"
    save_draft(ctx, "D-1", body)
    view = load_draft(ctx, "D-1")
    assert view is not None and view.body == body


def test_an_empty_body_deletes_the_draft(db: Database, ctx: Context) -> None:
    make_account(ctx, "D-1")
    save_draft(ctx, "D-1", "something")
    assert save_draft(ctx, "D-1", "   \n") is False
    assert load_draft(ctx, "D-1") is None
    assert Draft.select().count() == 0
    assert save_draft(ctx, "D-1", "") is False  # nothing to delete: still fine


def test_two_coordinators_keep_their_own_drafts_on_one_account(db: Database, ctx: Context) -> None:
    make_account(ctx, "D-1")
    ana, ben = at(ctx, "ana"), at(ctx, "ben", 2)
    save_draft(ana, "D-1", "ana's words")
    save_draft(ben, "D-1", "ben's words")
    a, b = load_draft(ana, "D-1"), load_draft(ben, "D-1")
    assert a is not None and a.body == "ana's words" and a.coordinator == "ana"
    assert b is not None and b.body == "ben's words" and b.coordinator == "ben"
    assert load_draft(ctx, "D-1") is None  # nobody else sees them
    assert clear_draft(ana, "D-1")
    assert load_draft(ana, "D-1") is None
    b = load_draft(ben, "D-1")
    assert b is not None and b.body == "ben's words"
    assert [d.body for d in drafts_for(ben)] == ["ben's words"]


def test_fields_are_separate_drafts(db: Database, ctx: Context) -> None:
    make_account(ctx, "D-1")
    save_draft(ctx, "D-1", "the note")
    save_draft(ctx, "D-1", "the addendum", field="addendum")
    note, addendum = load_draft(ctx, "D-1"), load_draft(ctx, "D-1", field="addendum")
    assert note is not None and note.body == "the note"
    assert addendum is not None and addendum.body == "the addendum"
    assert clear_draft(ctx, "D-1", field="addendum")
    assert not clear_draft(ctx, "D-1", field="addendum")
    assert load_draft(ctx, "D-1") is not None


def test_drafts_for_lists_mine_newest_first(db: Database, ctx: Context) -> None:
    for n in ("D-1", "D-2", "D-3"):
        make_account(ctx, n)
    save_draft(at(ctx, "ana", 5), "D-2", "second")
    save_draft(at(ctx, "ana", 1), "D-1", "first")
    save_draft(at(ctx, "ana", 9), "D-3", "third", field="promise_note")
    save_draft(at(ctx, "ben", 20), "D-1", "not ana's")
    listed = drafts_for(at(ctx, "ana"))
    assert [(d.account_number, d.field, d.body) for d in listed] == [
        ("D-3", "promise_note", "third"),
        ("D-2", "note", "second"),
        ("D-1", "note", "first"),
    ]
    assert listed[0].updated_at == NOW + timedelta(minutes=9)
    assert drafts_for(at(ctx, "nobody")) == []


def test_unknown_accounts_and_bad_fields(db: Database, ctx: Context) -> None:
    with pytest.raises(NotFound, match="no account 'NOPE'"):
        save_draft(ctx, "NOPE", "text")
    assert Draft.select().count() == 0
    assert load_draft(ctx, "NOPE") is None
    assert clear_draft(ctx, "NOPE") is False
    make_account(ctx, "D-1")
    with pytest.raises(InputError, match="field"):
        save_draft(ctx, "D-1", "text", field="")
    with pytest.raises(InputError, match="longer than 32"):
        save_draft(ctx, "D-1", "text", field="x" * 33)
    with pytest.raises(InputError, match="at most 100,000 characters"):
        save_draft(ctx, "D-1", "x" * 100_001)
    assert Draft.select().count() == 0


def test_a_draft_goes_with_its_account(db: Database, ctx: Context) -> None:
    account_id = make_account(ctx, "D-1")
    save_draft(ctx, "D-1", "text")
    Account.delete().where(Account.id == account_id).execute()
    assert Draft.select().count() == 0
