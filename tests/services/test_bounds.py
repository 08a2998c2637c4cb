"""Money, dates and text have bounds on every path into the database (issue 11): an amount
past MAX_AMOUNT_CENTS, a balance past MAX_BALANCE_CENTS, a date outside the window, a
control character in text or in a CSV cell are refused as input, nothing written, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database

from collections_tui.domain.flags import Flag
from collections_tui.domain.money import MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS, format_amount
from collections_tui.domain.text import MAX_REFERENCE_CHARS
from collections_tui.services.arrangements import record_arrangement
from collections_tui.services.calls import add_note, record_call
from collections_tui.services.consent import add_avoid, record_consent
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.grants import grant
from collections_tui.services.importer import import_file
from collections_tui.services.ledger import (
    account_id_for,
    ledger_sum,
    pay,
    post_entry,
    verify_balances,
)
from collections_tui.services.team import ensure_coordinator, set_role
from collections_tui.store.db import write_transaction
from collections_tui.store.models import (
    Account,
    AuditEvent,
    Callback,
    Consent,
    Contact,
    Debtor,
    Grant,
    LedgerEntry,
    Note,
    Promise,
    database,
)
from tests.factories import make_account

LARGEST = format_amount(MAX_AMOUNT_CENTS)  # "99999999999.99"
TOO_LARGE = format_amount(MAX_AMOUNT_CENTS + 1)  # "100000000000.00"


def _too_large(text: str) -> str:
    return f"'{text}' is too large; the largest amount is {LARGEST}"


def snapshot(db: Database) -> dict[str, int]:
    tables = [t for t in db.get_tables() if t not in ("schema_version", "meta")]
    return {t: int(db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def charge(ctx: Context, number: str, cents: int) -> None:
    with write_transaction(database.obj):
        post_entry(
            ctx,
            account_id_for(number),
            kind="charge" if cents > 0 else "payment",
            amount_cents=abs(cents),
            posted_on=date(2026, 11, 1),
        )


def cached(number: str) -> int:
    return int(Account.get(Account.number == number).balance_cents)


# ---------------------------------------------------------------- amounts and balances


def test_the_largest_amounts_fill_an_account_to_its_limit_and_no_further(
    db: Database, ctx: Context
) -> None:
    """Post the largest allowed charges until the balance limit, then one more: it is
    refused naming the account, and the ledger and the cached balance stay equal."""
    make_account(ctx, "L-1", balance_cents=0)
    posted = 0
    while posted + MAX_AMOUNT_CENTS <= MAX_BALANCE_CENTS:
        charge(ctx, "L-1", MAX_AMOUNT_CENTS)
        posted += MAX_AMOUNT_CENTS
    assert posted == 100 * MAX_AMOUNT_CENTS
    entries = LedgerEntry.select().count()
    with pytest.raises(InputError, match=r"account L-1: .* past the limit of ±9999999999999\.99"):
        charge(ctx, "L-1", MAX_AMOUNT_CENTS)
    assert LedgerEntry.select().count() == entries
    assert cached("L-1") == ledger_sum(account_id_for("L-1")) == posted
    assert verify_balances() == []
    # the same the other way: payments below zero stop at -MAX_BALANCE_CENTS
    make_account(ctx, "L-2", balance_cents=0)
    for _ in range(100):
        pay(ctx, "L-2", MAX_AMOUNT_CENTS)
    with pytest.raises(InputError, match=r"account L-2: .* past the limit"):
        pay(ctx, "L-2", MAX_AMOUNT_CENTS)
    assert cached("L-2") == ledger_sum(account_id_for("L-2")) == -posted
    assert verify_balances() == []


step = st.tuples(
    st.sampled_from(["charge", "payment"]),
    st.one_of(
        st.integers(min_value=1, max_value=MAX_AMOUNT_CENTS),
        st.just(MAX_AMOUNT_CENTS),
        st.just(MAX_AMOUNT_CENTS + 1),
        st.integers(min_value=MAX_AMOUNT_CENTS, max_value=2**63),
    ),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.integers(-MAX_BALANCE_CENTS, MAX_BALANCE_CENTS), steps=st.lists(step, max_size=8))
def test_any_postings_keep_the_ledger_equal_to_the_balance_and_inside_the_bound(
    db: Database, ctx: Context, start: int, steps: list[tuple[str, int]]
) -> None:
    number = f"P-{uuid.uuid4().hex[:10]}"  # the database lives across examples
    make_account(ctx, number, balance_cents=0)
    aid = account_id_for(number)
    with write_transaction(database.obj):  # a start anywhere inside the bound
        if start:
            post_entry(ctx, aid, kind="adjustment", amount_cents=start, posted_on=date(2026, 1, 1))
    model = start
    for kind, cents in steps:
        effect = cents if kind == "charge" else -cents
        accepted = cents <= MAX_AMOUNT_CENTS and abs(model + effect) <= MAX_BALANCE_CENTS
        try:
            if kind == "payment":
                pay(ctx, number, cents)
            elif cents <= MAX_AMOUNT_CENTS:
                charge(ctx, number, cents)
            else:
                raise InputError("an amount past the bound is never entered")
        except InputError:
            assert not accepted
        else:
            assert accepted
            model += effect
        assert cached(number) == ledger_sum(aid) == model
        assert abs(model) <= MAX_BALANCE_CENTS


def test_a_huge_payment_or_promise_is_refused_before_anything_is_written(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "H-1")
    before = snapshot(db)
    for cents in (MAX_AMOUNT_CENTS + 1, 411111111111111100, 2 * 9_223_372_036_854_775_807):
        with pytest.raises(InputError, match=r"too large; the largest amount is 99999999999\.99"):
            pay(ctx, "H-1", cents)
        with pytest.raises(InputError, match="too large"):
            record_call(
                ctx,
                "H-1",
                "promise",
                promise_cents=cents,
                promise_on=date(2026, 12, 1),
            )
    assert snapshot(db) == before
    pay(ctx, "H-1", 10_000)  # a real one still posts
    assert verify_balances() == []


def test_sums_over_the_ledger_cannot_overflow(db: Database, ctx: Context) -> None:
    """Many accounts at the balance limit sum past 2**63: the sums are taken in parts."""
    make_account(ctx, "S-0", balance_cents=0)
    aid = account_id_for("S-0")
    # 9,300 entries at the balance limit, then as many back: a plain SUM taken in that order
    # passes 2**63 on the way (SQLite: "integer overflow"), though the total is 0.
    rows = 2 * 9_300
    with write_transaction(database.obj):
        LedgerEntry.insert_many(
            [
                {
                    "account": aid,
                    "posted_on": date(2026, 1, 1),
                    "kind": "adjustment",
                    "amount_cents": MAX_BALANCE_CENTS if i < rows // 2 else -MAX_BALANCE_CENTS,
                    "memo": "",
                    "source": "test",
                    "created_at": datetime(2026, 1, 1),
                    "created_by": "t",
                }
                for i in range(rows)
            ]
        ).execute()
    assert ledger_sum(aid) == 0
    assert verify_balances() == []
    # a sum across accounts (copydb's check) — 10,000 accounts at the limit pass 2**63
    from collections_tui.services.copydb import _balance_total

    with write_transaction(database.obj):
        debtor = Debtor.select().first()
        Account.insert_many(
            [
                {
                    "number": f"S-{i}",
                    "debtor": debtor.id,
                    "balance_cents": MAX_BALANCE_CENTS,
                    "created_at": datetime(2026, 1, 1),
                    "updated_at": datetime(2026, 1, 1),
                }
                for i in range(1, 10_001)
            ]
        ).execute()
    assert _balance_total(database.obj) == 10_000 * MAX_BALANCE_CENTS


def test_an_arrangement_installment_past_the_bound_is_refused(db: Database, ctx: Context) -> None:
    from collections_tui.domain.arrangements import schedule_by_count

    make_account(ctx, "AR-1", balance_cents=MAX_BALANCE_CENTS)
    plan = schedule_by_count(MAX_BALANCE_CENTS, 2, date(2026, 12, 1), "month")
    with pytest.raises(InputError, match="too large"):
        record_arrangement(ctx, "AR-1", plan, approved_by=None)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"promise_cents": 100, "promise_on": date(9999, 12, 31)}, "'9999-12-31' is outside"),
        ({"promise_cents": 100, "promise_on": date(1899, 12, 31)}, "'1899-12-31' is outside"),
        (
            {"at": datetime(1, 1, 1, tzinfo=UTC), "callback_at": datetime(2026, 12, 1, tzinfo=UTC)},
            "0001-01-01",
        ),
        ({"callback_at": datetime(2201, 1, 1, tzinfo=UTC)}, "2201-01-01"),
    ],
)
def test_a_date_outside_the_window_is_refused_by_record_call(
    db: Database, ctx: Context, kwargs: dict[str, object], message: str
) -> None:
    make_account(ctx, "D-1")
    before = snapshot(db)
    outcome = "promise" if "promise_on" in kwargs else "callback_requested"
    with pytest.raises(InputError, match=message + ".*1900-01-01 to 2200-12-31"):
        record_call(ctx, "D-1", outcome, inbound=True, **kwargs)  # type: ignore[arg-type]
    assert snapshot(db) == before


def test_consent_and_payment_dates_are_in_the_window(db: Database, ctx: Context) -> None:
    make_account(ctx, "D-2")
    before = snapshot(db)
    with pytest.raises(InputError, match="outside the dates accepted"):
        record_consent(ctx, "D-2", until=datetime(9999, 12, 31, tzinfo=UTC))
    with pytest.raises(InputError, match="outside the dates accepted"):
        pay(ctx, "D-2", 100, on=date(1, 1, 1))
    assert snapshot(db) == before


# ---------------------------------------------------------------- text


@pytest.mark.parametrize("bad", ["\x00", "\x1b]52;c;aGk=\x07", "\x9b31m", "\x7f", "\x08"])
def test_notes_reasons_and_references_refuse_control_characters(
    db: Database, ctx: Context, bad: str
) -> None:
    sam = Context(actor="sam", clock=ctx.clock, supervisors=frozenset({"sam"}))
    ensure_coordinator(sam)
    ensure_coordinator(ctx)
    make_account(ctx, "T-1", flags=Flag.DISPUTE)
    before = snapshot(db)
    refused = r"contains the control character U\+00"
    with pytest.raises(InputError, match=refused):
        record_call(ctx, "T-1", "conversation", inbound=True, note=f"said {bad} hi")
    with pytest.raises(InputError, match=refused):
        add_note(ctx, "T-1", f"said {bad} hi")
    with pytest.raises(InputError, match=refused):
        record_consent(ctx, "T-1", note=f"letter {bad}")
    with pytest.raises(InputError, match=refused):
        add_avoid(ctx, "T-1", "mon-fri 15:00-17:00", note=bad)
    with pytest.raises(InputError, match=refused):
        pay(ctx, "T-1", 100, reference=f"R{bad}")
    with pytest.raises(InputError, match=refused):
        grant(sam, "T-1", "tester", "override", f"ok {bad}")
    with pytest.raises(InputError, match=refused):
        record_call(ctx, "T-1", "conversation", override=f"why {bad}")
    with pytest.raises(InputError, match=refused):
        set_role(sam, f"eve{bad}", "supervisor", configured_supervisors=frozenset({"sam"}))
    with pytest.raises(InputError, match=refused):
        ensure_coordinator(Context(actor=f"eve{bad}", clock=ctx.clock))
    assert snapshot(db) == before


def test_a_note_keeps_its_lines_and_tabs(db: Database, ctx: Context) -> None:
    make_account(ctx, "T-2")
    add_note(ctx, "T-2", "first line\r\nsecond\tline")
    assert Note.get().body == "first line\nsecond\tline"


def test_references_are_capped_like_imports(db: Database, ctx: Context) -> None:
    make_account(ctx, "R-1")
    with pytest.raises(InputError, match="longer than 100 characters"):
        pay(ctx, "R-1", 100, reference="x" * 100_000)
    assert LedgerEntry.select().where(LedgerEntry.reference.is_null(False)).count() == 0
    pay(ctx, "R-1", 100, reference="x" * MAX_REFERENCE_CHARS)


# ---------------------------------------------------------------- grants


@pytest.mark.parametrize("flag", [Flag.CEASE, Flag.ATTORNEY, Flag.BANKRUPTCY])
def test_an_override_grant_on_a_block_that_can_never_be_overridden_is_refused(
    db: Database, ctx: Context, flag: Flag
) -> None:
    sam = Context(actor="sam", clock=ctx.clock, supervisors=frozenset({"sam"}))
    ensure_coordinator(ctx)
    make_account(ctx, "G-1", flags=flag | Flag.DISPUTE)
    with pytest.raises(InputError, match=r"G-1: \w+ can never be overridden.*no grant was given"):
        grant(sam, "G-1", "tester", "override", "urgent")
    assert Grant.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "team.grant").count() == 0
    grant(sam, "G-1", "tester", "approval", "an approval can still be used")
    make_account(ctx, "G-2", flags=Flag.DISPUTE)  # an overridable block: granted as before
    grant(sam, "G-2", "tester", "override", "asked for proof")


# ---------------------------------------------------------------- the importer


@pytest.mark.parametrize(
    ("cell", "column", "message"),
    [
        ("A-1\x00", "account_number", "contains the control character U+0000 (NUL)"),
        ('"A-1\nA-2"', "account_number", "contains a line break; it must be one line"),
        ("A-1\x1b[2J", "account_number", "contains the control character U+001B (ESC)"),
        ("A-1\x85", "account_number", "contains the control character U+0085 (NEL)"),
        ("A-1\x7f", "account_number", "contains the control character U+007F (DEL)"),
    ],
)
def test_a_control_character_in_an_accounts_cell_is_refused_on_its_line(
    db: Database, ctx: Context, tmp_path: Path, cell: str, column: str, message: str
) -> None:
    path = write(
        tmp_path / "a.csv",
        "account_number,debtor_name,balance\nOK-1,Ada,1.00\n" + f"{cell},Bob,2.00\nOK-2,Cy,x\n",
    )
    before = snapshot(db)
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    line = 3
    assert info.value.lines == [
        f"{path}:{line}: {column}: {message}",
        f"{path}:{line + cell.count(chr(10)) + 1}: balance: 'x' is not an amount; "
        "expected digits like 1234.50",
    ]
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        ("account_number,debtor_name,balance", "A-1,Ada\x00Lovelace,1.00", "debtor_name"),
        (
            "account_number,debtor_name,balance,address1",
            "A-1,Ada,1.00,1 Main\x1b]0;x\x07",
            "address1",
        ),
        (
            "account_number,debtor_name,balance,creditor",
            "A-1,Ada,1.00,Acme\x9d8;;x\x9c",
            "creditor",
        ),
    ],
)
def test_every_checked_column_refuses_controls(
    db: Database, ctx: Context, tmp_path: Path, header: str, row: str, column: str
) -> None:
    path = write(tmp_path / "a.csv", f"{header}\n{row}\n")
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    assert len(info.value.lines) == 1
    assert info.value.lines[0].startswith(f"{path}:2: {column}: contains the control character")
    assert Account.select().count() == 0


def test_controls_in_transactions_calls_and_claims_files(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    make_account(ctx, "A-1")
    before = snapshot(db)
    tx = "account_number,posted_on,kind,amount,"
    cases = [
        ("transactions", tx + "memo\nA-1,2026-11-01,payment,1.00,paid\x00\n",
         "2: memo: contains the control character U+0000"),
        ("transactions", tx + 'reference\nA-1,2026-11-01,payment,1.00,"R\n1"\n',
         "2: reference: contains a line break"),
        ("calls", "account_number,at,outcome,note\nA-1,2026-11-20T14:00:00Z,no_answer,x \x1b[31m\n",
         "2: note: contains the control character U+001B"),
        ("claims", "account_number,claim_number,payer,service_date,billed\n"
         "A-1,C-1,Aetna\x07,2026-10-01,10.00\n", "2: payer: contains the control character U+0007"),
    ]  # fmt: skip
    for kind, text, message in cases:
        path = write(tmp_path / f"{kind}.csv", text)
        with pytest.raises(InputError) as info:
            import_file(ctx, kind, path)
        assert len(info.value.lines) == 1 and info.value.lines[0].startswith(f"{path}:{message}")
    assert snapshot(db) == before


def test_a_note_may_span_lines_and_keep_its_tabs(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    make_account(ctx, "A-1")
    path = write(
        tmp_path / "c.csv",
        "account_number,at,outcome,note\n"
        'A-1,2026-11-20T14:00:00Z,conversation,"asked for\r\nproof"\n'
        "A-1,2026-11-20T15:00:00Z,no_answer,\trang\tout\n",
    )
    import_file(ctx, "calls", path)
    assert sorted(n.body for n in Note.select()) == ["asked for\nproof", "rang\tout"]


def test_a_tab_in_a_cell_is_read_as_a_space(db: Database, ctx: Context, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv", "account_number,debtor_name,balance\nA-1,Ada\tLovelace,\t1.00\n"
    )
    import_file(ctx, "accounts", path)
    assert Debtor.get().name == "Ada Lovelace"
    assert cached("A-1") == 100


@pytest.mark.parametrize(
    ("digits", "column"),
    [("١٢٣.٠٠", "balance"), ("１２３", "balance"), ("2026-١١-01", "due_date")],
)
def test_amounts_and_dates_in_other_scripts_digits_are_refused(
    db: Database, ctx: Context, tmp_path: Path, digits: str, column: str
) -> None:
    balance, due = ("1.00", digits) if column == "due_date" else (digits, "2026-11-01")
    path = write(
        tmp_path / "a.csv",
        f"account_number,debtor_name,balance,due_date\nA-1,Ada,{balance},{due}\n",
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    assert len(info.value.lines) == 1 and f":2: {column}: '{digits}' is not " in info.value.lines[0]
    assert Account.select().count() == 0


def test_huge_import_amounts_are_refused(db: Database, ctx: Context, tmp_path: Path) -> None:
    make_account(ctx, "A-1")
    before = snapshot(db)
    accounts = write(
        tmp_path / "a.csv",
        f"account_number,debtor_name,balance\nA-2,Ada,{LARGEST}\nA-3,Bob,{TOO_LARGE}\n"
        f"A-4,Cy,-{TOO_LARGE}\nA-5,Dee,{'9' * 5000}\n",
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", accounts)
    assert [x.split(": ", 2)[1:] for x in info.value.lines] == [
        ["balance", f"'{TOO_LARGE}' is too large; the largest amount is {LARGEST}"],
        ["balance", f"'-{TOO_LARGE}' is too large; the largest amount is {LARGEST}"],
        ["balance", f"'{'9' * 20}…' is too large; the largest amount is {LARGEST}"],
    ]
    tx = write(
        tmp_path / "t.csv",
        f"account_number,posted_on,kind,amount\nA-1,2026-11-01,charge,{TOO_LARGE}\n",
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "transactions", tx)
    assert info.value.lines == [f"{tx}:2: amount: {_too_large(TOO_LARGE)}"]
    claims = write(
        tmp_path / "c.csv",
        "account_number,claim_number,payer,service_date,billed,paid\n"
        f"A-1,C-1,Aetna,2026-10-01,{TOO_LARGE},1.00\n",
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "claims", claims)
    assert info.value.lines[0].endswith(f":2: billed: '{TOO_LARGE}' is too large; "
                                        f"the largest amount is {LARGEST}")  # fmt: skip
    assert snapshot(db) == before


def test_a_transactions_file_whose_sum_passes_the_balance_bound_is_refused_on_the_line(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    make_account(ctx, "A-1", balance_cents=0)
    make_account(ctx, "A-2", balance_cents=0)
    rows = [f"A-1,2026-11-01,charge,{LARGEST}" for _ in range(100)]  # exactly fits
    rows += ["A-2,2026-11-01,payment,1.00", f"A-1,2026-11-02,charge,{LARGEST}"]  # line 103
    rows += [f"A-1,2026-11-03,charge,{LARGEST}"]  # the same account: reported once
    path = write(tmp_path / "t.csv", "account_number,posted_on,kind,amount\n" + "\n".join(rows))
    before = snapshot(db)
    with pytest.raises(InputError) as info:
        import_file(ctx, "transactions", path)
    assert info.value.lines == [
        f"{path}:103: amount: account A-1: posting {LARGEST} would take the balance to "
        f"{format_amount(101 * MAX_AMOUNT_CENTS)}, past the limit of "
        f"±{format_amount(MAX_BALANCE_CENTS)}"
    ]
    assert snapshot(db) == before
    ok = write(
        tmp_path / "ok.csv", "account_number,posted_on,kind,amount\n" + "\n".join(rows[:100])
    )
    import_file(ctx, "transactions", ok)
    assert cached("A-1") == ledger_sum(account_id_for("A-1")) == 100 * MAX_AMOUNT_CENTS
    assert verify_balances() == []


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("accounts", "account_number,debtor_name,balance,due_date\nA-9,Ada,1.00,0001-01-01\n",
         ":2: due_date: '0001-01-01' is outside the dates accepted (1900-01-01 to 2200-12-31)"),
        ("transactions", "account_number,posted_on,kind,amount\nA-1,9999-12-31,payment,1.00\n",
         ":2: posted_on: '9999-12-31' is outside the dates accepted"),
        ("calls", "account_number,at,outcome\nA-1,0001-01-01T00:00:00+14:00,no_answer\n",
         ":2: at: '0001-01-01T00:00:00+14:00' is outside the dates accepted"),
        ("calls", "account_number,at,outcome\nA-1,2026-１１-20T10:00:00Z,no_answer\n",
         ":2: at: '2026-１１-20T10:00:00Z' is not a date and time"),
        ("claims", "account_number,claim_number,payer,service_date,billed,submitted_on\n"
         "A-1,C-1,Aetna,1850-01-01,1.00,2201-01-01\n",
         ":2: service_date: '1850-01-01' is outside the dates accepted"),
        ("claims", "account_number,claim_number,payer,service_date,billed,timely_filing_days\n"
         "A-1,C-1,Aetna,2026-10-01,1.00,٩٠\n",
         ":2: timely_filing_days: '٩٠' is not a whole number of days (1-3650)"),
    ],
)  # fmt: skip
def test_dates_outside_the_window_are_refused_in_every_file(
    db: Database, ctx: Context, tmp_path: Path, kind: str, text: str, message: str
) -> None:
    make_account(ctx, "A-1")
    before = snapshot(db)
    path = write(tmp_path / f"{kind}.csv", text)
    with pytest.raises(InputError) as info:
        import_file(ctx, kind, path)
    assert info.value.lines[0].startswith(f"{path}{message}")
    assert snapshot(db) == before


def test_no_contact_promise_or_callback_is_written_by_a_refused_call(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "N-1")
    with pytest.raises(InputError):
        record_call(ctx, "N-1", "promise", promise_cents=10**17, promise_on=date(2026, 12, 1))
    assert Contact.select().count() == Promise.select().count() == Callback.select().count() == 0
    assert Consent.select().count() == 0


def test_a_control_character_in_the_header_is_refused(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "a.csv", "account_number,debtor_name,balance,x\x1b]0;t\x07\nA-1,Ada,1,\n"
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    assert info.value.lines == [
        f"{path}:1: header: column 4 contains the control character U+001B (ESC)"
    ]
    assert Account.select().count() == 0


def test_an_ignored_column_is_not_read_so_not_refused(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "a.csv", 'account_number,debtor_name,balance,comments\nA-1,Ada,1,"two\nlines"\n'
    )
    report = import_file(ctx, "accounts", path)
    assert report.created == 1
