from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database

from collections_tui.services.accounts import get_account
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError, NotFound
from collections_tui.services.exporter import export, neutralise
from collections_tui.services.ledger import ledger_sum, pay, post_entry, verify_balances
from collections_tui.store.db import to_db, write_transaction
from collections_tui.store.models import Account, AuditEvent, Contact, LedgerEntry, Note, database
from tests.factories import make_account


def test_payment_lowers_balance_and_is_audited(db: Database, ctx: Context) -> None:
    make_account(ctx, "A-1", balance_cents=123_456)
    posted = pay(ctx, "A-1", 50_000, on=date(2026, 11, 20), reference="CHK-1001")
    assert posted.balance_cents == 73_456
    view = get_account(ctx, "A-1")
    assert view.balance_cents == 73_456
    assert [(e.kind, e.amount_cents, e.balance_after_cents) for e in view.ledger] == [
        ("charge", 123_456, 123_456),
        ("payment", -50_000, 73_456),
    ]
    actions = [a.action for a in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("ledger.post") == 2


def test_duplicate_payment_reference_is_refused_and_nothing_is_written(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "A-1", balance_cents=10_000)
    pay(ctx, "A-1", 1_000, reference="R-1")
    with pytest.raises(InputError, match="already posted"):
        pay(ctx, "A-1", 1_000, reference="R-1")
    assert LedgerEntry.select().count() == 2
    assert Account.get(Account.number == "A-1").balance_cents == 9_000


def test_unknown_account_is_named(db: Database, ctx: Context) -> None:
    with pytest.raises(NotFound, match="no account 'NOPE'"):
        pay(ctx, "NOPE", 100)


def test_account_view_shows_aging_and_phone_local_times(db: Database, ctx: Context) -> None:
    make_account(
        ctx, "A-2", phones=("808-555-0100", "(212) 555-0143", "12ab"), due_date=date(2026, 7, 1)
    )
    view = get_account(ctx, "A-2")
    assert view.days_past_due == 149  # 2026-07-01 → 2026-11-27
    assert view.aging_bucket == "120+"
    honolulu, new_york, junk = view.phones
    assert honolulu.local_times[0].time == "05:00 HST"
    assert new_york.local_times[0].time == "10:00 EST"
    assert junk.dialable is False and junk.e164 is None


# ---------------------------------------------------------------- property: ledger sums


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["charge", "payment", "adjustment", "writeoff", "insurance_payment"]),
            st.integers(min_value=1, max_value=5_000_000),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_balance_is_always_the_sum_of_the_ledger(
    db: Database, ctx: Context, ops: list[tuple[str, int, bool]]
) -> None:
    with write_transaction(database.obj):
        LedgerEntry.delete().execute()
        Account.update(balance_cents=0).execute()
    if not Account.select().exists():
        make_account(ctx, "P-1", balance_cents=0)
    account_id = Account.get(Account.number == "P-1").id
    for kind, amount, negative in ops:
        signed = -amount if (kind == "adjustment" and negative) else amount
        with write_transaction(database.obj):
            post_entry(ctx, account_id, kind=kind, amount_cents=signed, posted_on=date(2026, 11, 1))
    assert verify_balances() == []
    assert Account.get_by_id(account_id).balance_cents == ledger_sum(account_id)


def test_verify_balances_finds_a_tampered_cache(db: Database, ctx: Context) -> None:
    make_account(ctx, "T-1", balance_cents=5_000)
    Account.update(balance_cents=4_999).where(Account.number == "T-1").execute()
    assert verify_balances() == [("T-1", 4_999, 5_000)]


# ---------------------------------------------------------------- export


def test_neutralise_formulas_but_not_numbers() -> None:
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+1 555") == "'+1 555"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-5 left on porch") == "'-5 left on porch"
    assert neutralise("-12.50") == "-12.50"
    assert neutralise("plain") == "plain"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_ledger_is_reimportable_shape(db: Database, ctx: Context, tmp_path: Path) -> None:
    make_account(ctx, "E-1", balance_cents=20_000)
    pay(ctx, "E-1", 2_550, on=date(2026, 11, 2), reference="=cmd|' /C calc'!A0")
    out = tmp_path / "ledger.csv"
    report = export(ctx, "ledger", out)
    assert report.rows == 2
    rows = _read(out)
    assert [r["kind"] for r in rows] == ["charge", "payment"]
    assert rows[1]["amount"] == "25.50"  # transactions-file convention: positive
    assert rows[1]["balance_effect"] == "-25.50"
    assert rows[1]["reference"].startswith("'=")
    assert list(rows[0])[:6] == [
        "account_number",
        "posted_on",
        "kind",
        "amount",
        "reference",
        "memo",
    ]


def test_export_calls_joins_notes_and_neutralises(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    account_id = make_account(ctx, "E-2")
    c = Contact.create(
        account=account_id,
        phone_e164="+12125550143",
        at=to_db(ctx.now()),
        outcome="voicemail",
        coordinator="maria",
        created_at=to_db(ctx.now()),
    )
    Note.create(
        account=account_id,
        contact=c,
        at=to_db(ctx.now()),
        coordinator="maria",
        body="@risk: said call after 5",
    )
    out = tmp_path / "calls.csv"
    export(ctx, "calls", out)
    (row,) = _read(out)
    assert row["outcome"] == "voicemail"
    assert row["at"] == "2026-11-27T15:00:00Z"
    assert row["note"] == "'@risk: said call after 5"


def test_export_to_missing_folder_is_an_input_error(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="does not exist"):
        export(ctx, "calls", tmp_path / "nope" / "calls.csv")
    assert list(tmp_path.iterdir()) == []
