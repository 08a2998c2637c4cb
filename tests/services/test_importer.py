"""CSV imports (DESIGN §7): every rule of the bad-file corpus, and the good paths.

Every test runs on SQLite and on PostgreSQL (the ``db`` fixture). A bad file must list
every error as ``FILE:LINE: column: message`` and leave the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from peewee import Database

from collections_tui.domain.flags import Flag
from collections_tui.services import importer
from collections_tui.services.accounts import get_account
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.importer import ImportReport, import_file
from collections_tui.services.ledger import ledger_sum, verify_balances
from collections_tui.store.models import (
    ALL_MODELS,
    Account,
    AuditEvent,
    Claim,
    Contact,
    LedgerEntry,
    Note,
    Phone,
    ZoneSet,
)

DATA = Path(__file__).resolve().parent.parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"


# ------------------------------------------------------------------------ helpers


def snapshot(db: Database) -> tuple[dict[str, int], str]:
    """Row counts of every table and a checksum of balances, ledger sums and phones."""
    counts = {
        m._meta.table_name: int(
            db.execute_sql(f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0]
        )
        for m in ALL_MODELS
    }
    state = [
        db.execute_sql(
            "SELECT number, balance_cents, flags, zone_set_id, last_attempt_at FROM account "
            "ORDER BY number"
        ).fetchall(),
        db.execute_sql(
            "SELECT account_id, SUM(amount_cents), COUNT(*) FROM ledger_entry "
            "GROUP BY account_id ORDER BY account_id"
        ).fetchall(),
        db.execute_sql("SELECT id, debtor_id, e164, status FROM phone ORDER BY id").fetchall(),
        db.execute_sql("SELECT id, name, email FROM debtor ORDER BY id").fetchall(),
        db.execute_sql("SELECT id, status, billed_cents FROM claim ORDER BY id").fetchall(),
    ]
    text = repr([[tuple(str(v) for v in row) for row in rows] for rows in state])
    return counts, hashlib.sha256(text.encode()).hexdigest()


def counts(report: ImportReport) -> tuple[int, int, int, int, int]:
    return (report.rows, report.created, report.updated, report.unchanged, report.skipped)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def phone_status(number: str) -> list[tuple[str | None, str, bool]]:
    acct = Account.get(Account.number == number)
    return [
        (p.e164, p.status, bool(p.valid))
        for p in Phone.select().where(Phone.debtor == acct.debtor_id).order_by(Phone.position)
    ]


def zone_set_of(number: str) -> str:
    acct = Account.get(Account.number == number)
    return str(ZoneSet.get_by_id(acct.zone_set_id).zones)


@pytest.fixture
def accounts(db: Database, ctx: Context) -> ImportReport:
    """The good accounts file, imported."""
    return import_file(ctx, "accounts", GOOD / "accounts.csv")


ACCOUNTS_HEADER = (
    "account_number,debtor_name,debtor_type,balance,phones,email,address1,city,state,"
    "postal_code,country,creditor,currency,due_date,flags\n"
)
A1001 = (
    "A-1001,Ada Lovelace,person,{balance},{phones},ada@example.com,12 Main St,New York,NY,"
    "10001,US,Springfield Medical,USD,2026-09-01,{flags}\n"
)


def a1001(balance: str = "1234.50", phones: str | None = None, flags: str = "") -> str:
    if phones is None:
        phones = "mobile:(212) 555-0123;home:415-555-0199"
    return ACCOUNTS_HEADER + A1001.format(balance=balance, phones=phones, flags=flags)


# ------------------------------------------------------------------- bad corpus

# file → (kind, expected lines with {f} for the path, whether good accounts are loaded)
BAD_FILES: dict[str, tuple[str, list[str]]] = {
    "accounts_missing_column.csv": (
        "accounts",
        ["{f}:1: header: missing required column 'balance'"],
    ),
    "accounts_amount_thousands.csv": (
        "accounts",
        ["{f}:2: balance: '1,234.50' has a thousands separator; write 1234.50, not 1,234.50"],
    ),
    "accounts_amount_three_decimals.csv": (
        "accounts",
        ["{f}:2: balance: '12.345' has more than 2 decimal places"],
    ),
    "accounts_amount_text.csv": (
        "accounts",
        ["{f}:2: balance: 'abc' is not an amount; expected digits like 1234.50"],
    ),
    "accounts_amount_nan.csv": (
        "accounts",
        [
            "{f}:2: balance: 'NaN' is not an amount; expected digits like 1234.50",
            "{f}:3: balance: is empty",
            "{f}:4: balance: '1e3' is not an amount; expected digits like 1234.50",
        ],
    ),
    "accounts_bad_due_date.csv": (
        "accounts",
        [
            "{f}:2: due_date: '2026-13-01' is not a date; expected YYYY-MM-DD",
            "{f}:3: due_date: '12/01/2026' is not a date; expected YYYY-MM-DD",
            "{f}:4: due_date: '20261201' is not a date; expected YYYY-MM-DD",
        ],
    ),
    "accounts_duplicate_number.csv": (
        "accounts",
        ["{f}:4: account_number: duplicate account number 'A-1' (lines 2 and 4)"],
    ),
    "accounts_unknown_flag.csv": (
        "accounts",
        [
            "{f}:2: flags: unknown flag 'fraud' "
            "(expected cease, attorney, bankruptcy, deceased, dispute)"
        ],
    ),
    "accounts_unknown_phone_type.csv": (
        "accounts",
        ["{f}:2: phones: unknown phone type 'fax' (expected mobile, home, work or other)"],
    ),
    "accounts_not_utf8.csv": (
        "accounts",
        ["{f}:3: encoding: byte 0xE9 at character 8 is not UTF-8; save the file as UTF-8"],
    ),
    "accounts_utf16.csv": (
        "accounts",
        ['{f}:1: encoding: the file is UTF-16; save it as UTF-8 ("CSV UTF-8")'],
    ),
    "accounts_extra_cells.csv": (
        "accounts",
        ["{f}:3: row: 5 cells but the header has 4 columns"],
    ),
    "accounts_bad_debtor_type.csv": (
        "accounts",
        ["{f}:2: debtor_type: 'company' is not a debtor type (expected person or business)"],
    ),
    "accounts_bad_country_currency.csv": (
        "accounts",
        [
            "{f}:2: country: 'USA' is not an ISO 3166 two-letter country code (e.g. US, CA)",
            "{f}:3: currency: 'US$' is not an ISO 4217 currency code (e.g. USD)",
        ],
    ),
    "accounts_empty.csv": (
        "accounts",
        [
            "{f}:1: header: the file is empty; expected a header row with "
            "account_number, debtor_name, balance"
        ],
    ),
    "accounts_duplicate_column.csv": (
        "accounts",
        ["{f}:1: header: column 'balance' appears twice (columns 3 and 4)"],
    ),
    "accounts_unclosed_quote.csv": (
        "accounts",
        ["{f}:3: row: malformed CSV: a quoted cell starting here is never closed (missing '\"')"],
    ),
    "accounts_empty_required.csv": (
        "accounts",
        ["{f}:2: account_number: is empty", "{f}:3: debtor_name: is empty"],
    ),
    "accounts_mixed.csv": (
        "accounts",
        [
            "{f}:2: debtor_name: contains a line break; it must be one line",
            "{f}:2: balance: '12.345' has more than 2 decimal places",
            "{f}:4: due_date: '2026-02-30' is not a date; expected YYYY-MM-DD",
            "{f}:4: phones: unknown phone type 'pager' (expected mobile, home, work or other)",
            "{f}:6: flags: unknown flag 'frozen' "
            "(expected cease, attorney, bankruptcy, deceased, dispute)",
            "{f}:7: account_number: duplicate account number 'A-1' (lines 2 and 7)",
            "{f}:8: row: 8 cells but the header has 7 columns",
        ],
    ),
    "transactions_unknown_account.csv": (
        "transactions",
        ["{f}:3: account_number: no account 'NOPE-9'"],
    ),
    "transactions_unknown_kind.csv": (
        "transactions",
        [
            "{f}:2: kind: 'refund' is not a transaction kind "
            "(expected charge, payment, adjustment, writeoff, insurance_payment)"
        ],
    ),
    "transactions_negative_payment.csv": (
        "transactions",
        [
            "{f}:2: amount: a payment amount must be positive (got -10.00)",
            "{f}:3: amount: a charge amount must be positive (got 0.00)",
            "{f}:4: amount: an adjustment of 0.00 changes nothing (got 0)",
        ],
    ),
    "transactions_duplicate_reference.csv": (
        "transactions",
        [
            "{f}:4: reference: reference 'R-1' for account A-1001 appears twice in this file "
            "(lines 2 and 4)"
        ],
    ),
    "transactions_bad_date.csv": (
        "transactions",
        [
            "{f}:2: posted_on: '11/01/2026' is not a date; expected YYYY-MM-DD",
            "{f}:3: posted_on: is empty",
        ],
    ),
    "transactions_mixed.csv": (
        "transactions",
        [
            "{f}:3: account_number: no account 'NOPE-1'",
            "{f}:4: amount: 'abc' is not an amount; expected digits like 1234.50",
            "{f}:5: kind: 'refund' is not a transaction kind "
            "(expected charge, payment, adjustment, writeoff, insurance_payment)",
            "{f}:6: reference: reference 'R-1' for account A-1001 appears twice in this file "
            "(lines 2 and 6)",
        ],
    ),
    "calls_bad_outcome.csv": (
        "calls",
        [
            "{f}:2: outcome: 'hung_up' is not a call outcome (expected no_answer, voicemail, "
            "busy, not_in_service, wrong_number, third_party, conversation, promise, "
            "arrangement, paid, refused, dispute, callback_requested)"
        ],
    ),
    "calls_bad_at.csv": (
        "calls",
        [
            "{f}:2: at: 'yesterday' is not a date and time; expected ISO 8601 such as "
            "2026-11-20T14:30:00Z or 2026-11-20T09:30:00-05:00",
            "{f}:3: at: '2026-11-20' is not a date and time; expected ISO 8601 such as "
            "2026-11-20T14:30:00Z or 2026-11-20T09:30:00-05:00",
            "{f}:4: at: '2026-12-01T10:00:00Z' is in the future",
        ],
    ),
    "calls_unknown_account.csv": (
        "calls",
        ["{f}:2: account_number: no account 'NOPE-1'"],
    ),
    "claims_bad_status.csv": (
        "claims",
        [
            "{f}:2: status: 'lost' is not a claim status (expected submitted, pending, "
            "in_process, paid, partially_paid, denied, appealed, closed)"
        ],
    ),
    "claims_bad_values.csv": (
        "claims",
        [
            "{f}:2: billed: '-100.00' is negative; a positive amount is expected",
            "{f}:3: payer: is empty",
            "{f}:3: service_date: '2026-13-14' is not a date; expected YYYY-MM-DD",
            "{f}:3: paid: '1.234' has more than 2 decimal places",
            "{f}:3: timely_filing_days: '0' is not a whole number of days (1-3650)",
            "{f}:4: timely_filing_days: 'ninety' is not a whole number of days (1-3650)",
        ],
    ),
    "claims_duplicate.csv": (
        "claims",
        [
            "{f}:3: claim_number: claim 'CLM-1' for account A-1001 appears twice in this file "
            "(lines 2 and 3)",
            "{f}:4: account_number: no account 'NOPE-1'",
        ],
    ),
}


def test_every_bad_file_has_a_case() -> None:
    assert sorted(BAD_FILES) == sorted(p.name for p in BAD.glob("*.csv"))


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
def test_bad_file_lists_every_error_and_writes_nothing(
    db: Database, ctx: Context, accounts: ImportReport, name: str, dry_run: bool
) -> None:
    kind, expected = BAD_FILES[name]
    path = BAD / name
    before = snapshot(db)
    with pytest.raises(InputError) as info:
        import_file(ctx, kind, path, dry_run=dry_run)
    assert info.value.lines == [line.format(f=path) for line in expected]
    n = len(expected)
    assert str(info.value) == f"{path}: {n} error{'s' if n > 1 else ''}; nothing was imported"
    assert snapshot(db) == before


def test_file_name_is_reported_as_given(
    db: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA)
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", Path("bad/accounts_amount_text.csv"))
    assert info.value.lines == [
        "bad/accounts_amount_text.csv:2: balance: 'abc' is not an amount; "
        "expected digits like 1234.50"
    ]


def test_missing_file_and_unknown_kind(db: Database, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    assert info.value.lines == [f"{path}:1: file: cannot read the file: No such file or directory"]
    with pytest.raises(InputError, match="unknown import kind 'payments'"):
        import_file(ctx, "payments", GOOD / "accounts.csv")


def test_multi_line_cells_count_physical_lines(db: Database, ctx: Context, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        "account_number,debtor_name,balance,address1\n"
        'A-1,Ada,1.00,"line one\nline two\nline three"\n'
        "A-2,Bob,x,\n"
        '"A-3","Cy\r\nRoe",2.00,\n'
        "A-4,Dee,,\n",
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    assert info.value.lines == [  # a line break in an accounts cell is refused, on its line
        f"{path}:2: address1: contains a line break; it must be one line",
        f"{path}:5: balance: 'x' is not an amount; expected digits like 1234.50",
        f"{path}:6: debtor_name: contains a line break; it must be one line",
        f"{path}:8: balance: is empty",
    ]


def test_an_error_found_in_the_database_also_lists_file_errors(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    """Rows are checked against the database even when the file has other errors."""
    path = write(
        tmp_path / "t.csv",
        "account_number,posted_on,kind,amount\n"
        "A-1001,2026-11-01,payment,1.00\n"
        "NOPE,2026-11-01,payment,1.00\n"
        "A-1001,2026-11-01,payment,-1.00\n",
    )
    with pytest.raises(InputError) as info:
        import_file(ctx, "transactions", path)
    assert info.value.lines == [
        f"{path}:3: account_number: no account 'NOPE'",
        f"{path}:4: amount: a payment amount must be positive (got -1.00)",
    ]


# ---------------------------------------------------------------------- accounts


def test_accounts_are_created_with_debtor_phones_and_opening_entry(
    db: Database, ctx: Context, accounts: ImportReport
) -> None:
    path = GOOD / "accounts.csv"
    assert counts(accounts) == (4, 4, 0, 0, 0)
    assert accounts.kind == "accounts" and accounts.file == str(path) and not accounts.dry_run
    assert accounts.warnings == [
        f"{path}:5: phones: '555-1234' is not a valid phone number (missing area code); "
        "kept, not dialable"
    ]

    ada = get_account(ctx, "A-1001")
    assert (ada.debtor_name, ada.debtor_type, ada.email, ada.state) == (
        "Ada Lovelace",
        "person",
        "ada@example.com",
        "NY",
    )
    assert (ada.creditor, ada.currency, str(ada.due_date)) == (
        "Springfield Medical",
        "USD",
        "2026-09-01",
    )
    assert [(p.kind, p.e164, p.dialable) for p in ada.phones] == [
        ("mobile", "+12125550123", True),
        ("home", "+14155550199", True),
    ]
    assert ada.zones == ("America/Los_Angeles", "America/New_York")
    assert ada.balance_cents == 123450
    assert [(e.kind, e.amount_cents, e.memo, e.source, e.created_by) for e in ada.ledger] == [
        ("charge", 123450, "opening balance", "import", "tester")
    ]
    assert str(ada.ledger[0].posted_on) == "2026-11-27"

    hopper = get_account(ctx, "A-1002")
    assert hopper.debtor_type == "business" and hopper.flags == ("dispute",)
    assert [(e.kind, e.amount_cents) for e in hopper.ledger] == [("adjustment", -2500)]

    zoe = get_account(ctx, "A-1003")
    assert zoe.debtor_name == "Zoë Ünicode" and zoe.balance_cents == 0 and zoe.ledger == ()
    assert zoe.zones == ("America/Los_Angeles",) and zoe.due_date is None

    bad = get_account(ctx, "A-1004")
    assert [(p.raw, p.valid, p.dialable, p.problem) for p in bad.phones] == [
        ("555-1234", False, False, "missing area code"),
        ("(907) 555-0100", True, True, None),
    ]
    assert bad.zones == ("America/Adak", "America/Anchorage")

    assert verify_balances() == []
    event = AuditEvent.get(AuditEvent.action == "import.accounts")
    detail = json.loads(event.detail)
    assert event.actor == "tester" and event.account_id is None
    assert (detail["file"], detail["created"], detail["rows"], detail["warnings"]) == (
        str(path),
        4,
        4,
        1,
    )


def test_reimport_unchanged_file_changes_nothing(
    db: Database, ctx: Context, accounts: ImportReport
) -> None:
    before = snapshot(db)
    again = import_file(ctx, "accounts", GOOD / "accounts.csv")
    assert counts(again) == (4, 0, 0, 4, 0)
    after = snapshot(db)
    before[0]["audit_event"] += 1  # the second import's own audit event
    assert after == before


@pytest.mark.parametrize("name", ["accounts_shuffled.csv", "accounts_bom.csv"])
def test_shuffled_columns_crlf_and_bom_read_the_same(
    db: Database, ctx: Context, accounts: ImportReport, name: str
) -> None:
    again = import_file(ctx, "accounts", GOOD / name)
    assert counts(again) == (4, 0, 0, 4, 0)
    assert again.warnings == [
        f"{GOOD / name}:5: phones: '555-1234' is not a valid phone number (missing area code); "
        "kept, not dialable"
    ]


def test_bom_file_creates_accounts(db: Database, ctx: Context) -> None:
    report = import_file(ctx, "accounts", GOOD / "accounts_bom.csv")
    assert counts(report) == (4, 4, 0, 0, 0)
    assert get_account(ctx, "A-1001").balance_cents == 123450


def test_changed_balance_posts_one_import_sync_adjustment(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.csv", a1001(balance="1000.00"))
    report = import_file(ctx, "accounts", path)
    assert counts(report) == (1, 0, 1, 0, 0)
    ada = get_account(ctx, "A-1001")
    assert [(e.kind, e.amount_cents, e.memo) for e in ada.ledger] == [
        ("charge", 123450, "opening balance"),
        ("adjustment", -23450, "import sync"),
    ]
    acct = Account.get(Account.number == "A-1001")
    assert acct.balance_cents == ledger_sum(acct.id) == 100000
    assert verify_balances() == []
    # Importing the same file again: the ledger already agrees.
    assert counts(import_file(ctx, "accounts", path)) == (1, 0, 0, 1, 0)
    assert LedgerEntry.select().where(LedgerEntry.account == acct.id).count() == 2


def test_reimport_updates_contact_data(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    text = a1001().replace("ada@example.com", "ada@lovelace.org").replace("NY", "CA")
    report = import_file(ctx, "accounts", write(tmp_path / "a.csv", text))
    assert counts(report) == (1, 0, 1, 0, 0)
    ada = get_account(ctx, "A-1001")
    assert (ada.email, ada.state, ada.balance_cents) == ("ada@lovelace.org", "CA", 123450)
    assert ada.zones == ("America/Los_Angeles", "America/New_York")
    assert len(ada.ledger) == 1


def test_absent_columns_keep_stored_values_present_empty_ones_clear(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    only_required = write(
        tmp_path / "a.csv", "account_number,debtor_name,balance\nA-1001,Ada Lovelace,1234.50\n"
    )
    assert counts(import_file(ctx, "accounts", only_required)) == (1, 0, 0, 1, 0)
    ada = get_account(ctx, "A-1001")
    assert ada.email == "ada@example.com" and len(ada.phones) == 2

    empty_email = write(
        tmp_path / "b.csv",
        "account_number,debtor_name,balance,email,due_date\nA-1001,Ada Lovelace,1234.50,,\n",
    )
    assert counts(import_file(ctx, "accounts", empty_email)) == (1, 0, 1, 0, 0)
    ada = get_account(ctx, "A-1001")
    assert ada.email is None and ada.due_date is None and len(ada.phones) == 2


def test_flags_are_added_never_cleared(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    header = "account_number,debtor_name,balance,flags\n"
    no_flags = write(tmp_path / "a.csv", header + "A-1002,Hopper Plumbing LLC,-25.00,\n")
    assert counts(import_file(ctx, "accounts", no_flags)) == (1, 0, 0, 1, 0)
    assert Account.get(Account.number == "A-1002").flags == Flag.DISPUTE

    cease = write(tmp_path / "b.csv", header + "A-1002,Hopper Plumbing LLC,-25.00,Cease\n")
    assert counts(import_file(ctx, "accounts", cease)) == (1, 0, 1, 0, 0)
    acct = Account.get(Account.number == "A-1002")
    assert acct.flags == Flag.DISPUTE | Flag.CEASE
    event = AuditEvent.get(AuditEvent.action == "flags.set")
    assert event.account_id == acct.id and event.actor == "tester"
    assert json.loads(event.detail)["added"] == ["cease"]


def test_invalid_phone_is_kept_not_dialable_with_a_warning(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "a.csv",
        "account_number,debtor_name,balance,phones\n"
        "A-1,Ada,1.00,mobile:(212) 555-01;212-555-0123\n",
    )
    report = import_file(ctx, "accounts", path)
    assert report.warnings == [
        f"{path}:2: phones: '(212) 555-01' is not a valid phone number (too short); "
        "kept, not dialable"
    ]
    ada = get_account(ctx, "A-1")
    assert [(p.raw, p.kind, p.valid, p.dialable) for p in ada.phones] == [
        ("(212) 555-01", "mobile", False, False),
        ("212-555-0123", "other", True, True),
    ]


def test_unknown_columns_are_one_warning(db: Database, ctx: Context) -> None:
    path = GOOD / "accounts_extra_column.csv"
    report = import_file(ctx, "accounts", path)
    assert counts(report) == (1, 1, 0, 0, 0)
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(
        f"{path}:1: header: unknown columns ignored: 'legacy_id', 'Notes' (known: "
    )


def test_blank_lines_and_empty_rows_are_ignored(db: Database, ctx: Context) -> None:
    report = import_file(ctx, "accounts", GOOD / "accounts_minimal.csv")
    assert counts(report) == (3, 3, 0, 0, 0)
    assert get_account(ctx, "A-2002").debtor_name == "Quoted, Name"
    credit = get_account(ctx, "A-2003")
    assert credit.balance_cents == -550 and credit.currency == "USD"
    assert credit.zones == tuple(sorted(ctx.default_zones))


def test_a_phone_marked_bad_or_dnc_stays_so(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    acct = Account.get(Account.number == "A-1001")
    Phone.update(status="bad").where(
        (Phone.debtor == acct.debtor_id) & (Phone.e164 == "+12125550123")
    ).execute()
    Phone.update(status="dnc").where(
        (Phone.debtor == acct.debtor_id) & (Phone.e164 == "+14155550199")
    ).execute()
    assert counts(import_file(ctx, "accounts", GOOD / "accounts.csv")) == (4, 0, 0, 4, 0)
    assert phone_status("A-1001") == [
        ("+12125550123", "bad", True),
        ("+14155550199", "dnc", True),
    ]
    # Reordered, reformatted and with a new number: the stored statuses follow the numbers.
    path = write(
        tmp_path / "a.csv",
        a1001(phones="home:(415) 555-0199;work:303-555-0188;cell:+1 212 555 0123"),
    )
    assert counts(import_file(ctx, "accounts", path)) == (1, 0, 1, 0, 0)
    assert phone_status("A-1001") == [
        ("+14155550199", "dnc", True),
        ("+13035550188", "ok", True),
        ("+12125550123", "bad", True),
    ]
    ada = get_account(ctx, "A-1001")
    assert ada.zones == ("America/Denver", "America/New_York")


def test_a_marked_number_dropped_by_the_file_is_kept_with_its_mark(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    import_file(ctx, "calls", GOOD / "calls.csv")  # not_in_service on (212) 555-0123
    assert phone_status("A-1001")[0] == ("+12125550123", "bad", True)
    # The creditor's file drops the number (and the home number), later sends it again.
    without = write(tmp_path / "a.csv", a1001(phones="work:303-555-0188"))
    assert counts(import_file(ctx, "accounts", without)) == (1, 0, 1, 0, 0)
    assert phone_status("A-1001") == [("+13035550188", "ok", True), ("+12125550123", "bad", True)]
    assert counts(import_file(ctx, "accounts", without)) == (1, 0, 0, 1, 0)
    assert counts(import_file(ctx, "accounts", GOOD / "accounts.csv")) == (4, 0, 1, 3, 0)
    assert phone_status("A-1001") == [
        ("+12125550123", "bad", True),
        ("+14155550199", "ok", True),
    ]


def test_a_number_found_bad_on_a_call_is_not_resurrected(
    db: Database, ctx: Context, accounts: ImportReport
) -> None:
    import_file(ctx, "calls", GOOD / "calls.csv")  # not_in_service on (212) 555-0123
    # Its phone row is gone (say, deleted by hand); the call history still knows.
    Phone.delete().where(Phone.e164 == "+12125550123").execute()
    report = import_file(ctx, "accounts", GOOD / "accounts.csv")
    assert counts(report) == (4, 0, 1, 3, 0)
    assert phone_status("A-1001") == [
        ("+12125550123", "bad", True),
        ("+14155550199", "ok", True),
    ]
    path = GOOD / "accounts.csv"
    assert report.warnings[0] == (
        f"{path}:2: phones: '(212) 555-0123' was reported not in service or a wrong "
        "number on account A-1001; kept as bad (not dialable)"
    )


def test_dry_run_checks_and_writes_nothing(db: Database, ctx: Context) -> None:
    before = snapshot(db)
    report = import_file(ctx, "accounts", GOOD / "accounts.csv", dry_run=True)
    assert counts(report) == (4, 4, 0, 0, 0) and report.dry_run
    assert len(report.warnings) == 1
    assert snapshot(db) == before
    import_file(ctx, "accounts", GOOD / "accounts.csv")
    before = snapshot(db)
    for kind in ("transactions", "calls", "claims"):
        report = import_file(ctx, kind, GOOD / f"{kind}.csv", dry_run=True)
        assert report.created > 0 and report.dry_run
    assert snapshot(db) == before


def test_a_failure_half_way_through_writing_leaves_nothing(
    db: Database, ctx: Context, accounts: ImportReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(db)
    original = importer._AccountsImporter._write_new

    def write_then_fail(self: Any, *args: Any) -> None:
        original(self, *args)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._AccountsImporter, "_write_new", write_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(ctx, "accounts", GOOD / "accounts_minimal.csv")
    assert snapshot(db) == before

    original_many = importer._executemany

    def fail_on_balance(db_: Database, sql: str, rows: Any) -> None:
        if "balance_cents" in sql:
            raise RuntimeError("lost connection")
        original_many(db_, sql, rows)

    monkeypatch.setattr(importer, "_executemany", fail_on_balance)
    with pytest.raises(RuntimeError, match="lost connection"):
        import_file(ctx, "transactions", GOOD / "transactions.csv")
    assert snapshot(db) == before


# ------------------------------------------------------------------ transactions


def test_transactions_post_and_reimport_skips_known_references(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    path = GOOD / "transactions.csv"
    report = import_file(ctx, "transactions", path)
    assert counts(report) == (5, 5, 0, 0, 0)
    balances = {
        n: Account.get(Account.number == n).balance_cents for n in ("A-1001", "A-1002", "A-1004")
    }
    assert balances == {"A-1001": 118450, "A-1002": -3000, "A-1004": 5000}
    entries = list(LedgerEntry.select().where(LedgerEntry.reference == "PAY-1").dicts())
    fields = ("kind", "amount_cents", "memo", "source", "created_by")
    assert [tuple(e[f] for f in fields) for e in entries] == [
        ("payment", -10000, "check 1001", "import", "tester")
    ]
    assert verify_balances() == []

    again = import_file(ctx, "transactions", path)
    # Four rows carry a reference already posted; the row without one is posted again.
    assert counts(again) == (5, 1, 0, 0, 4)
    assert again.warnings == []
    assert Account.get(Account.number == "A-1004").balance_cents == 1000
    assert verify_balances() == []

    changed = write(
        tmp_path / "t.csv",
        "account_number,posted_on,kind,amount,reference\nA-1001,2026-11-01,payment,99.00,PAY-1\n",
    )
    report = import_file(ctx, "transactions", changed)
    assert counts(report) == (1, 0, 0, 0, 1)
    assert report.warnings == [
        f"{changed}:2: reference: reference 'PAY-1' is already posted on account A-1001 as "
        "payment -100.00, not payment -99.00; skipped"
    ]


def test_same_reference_on_two_accounts_is_fine(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "t.csv",
        "account_number,posted_on,kind,amount,reference\n"
        "A-1001,2026-11-01,payment,1.00,R-1\n"
        "A-1002,2026-11-01,payment,1.00,R-1\n",
    )
    assert counts(import_file(ctx, "transactions", path)) == (2, 2, 0, 0, 0)


# ------------------------------------------------------------------------- calls


def test_calls_are_recorded_with_their_effects(
    db: Database, ctx: Context, accounts: ImportReport
) -> None:
    path = GOOD / "calls.csv"
    report = import_file(ctx, "calls", path)
    assert counts(report) == (4, 4, 0, 0, 0)
    assert report.warnings == [
        f"{path}:6: at: no UTC offset: read as UTC (1 row without an offset in this file); "
        "write 2026-11-20T09:30:00-05:00 or ...Z"
    ]
    # not_in_service marked the phone bad
    assert phone_status("A-1001")[0] == ("+12125550123", "bad", True)
    ada = get_account(ctx, "A-1001")
    assert [(c.outcome, c.phone, c.coordinator, c.source) for c in ada.contacts] == [
        ("not_in_service", "+12125550123", "maria", "import"),
        ("no_answer", "+12125550123", "tester", "import"),
    ]
    assert ada.contacts[0].notes == ("Number disconnected;\ncarrier recording",)
    acct = Account.get(Account.number == "A-1001")
    assert str(acct.last_attempt_at) == "2026-11-21 20:00:00"
    contact = Contact.get((Contact.account == acct.id) & (Contact.outcome == "no_answer"))
    assert contact.phone_id is not None
    note = Note.get(Note.account == acct.id)
    assert note.coordinator == "maria" and str(note.at) == "2026-11-21 20:00:00"
    # dispute set the flag, with an audit event
    acct4 = Account.get(Account.number == "A-1004")
    assert acct4.flags == Flag.DISPUTE
    assert (
        AuditEvent.select()
        .where((AuditEvent.action == "flags.set") & (AuditEvent.account == acct4.id))
        .count()
        == 1
    )
    # A-1002 was already disputed; the voicemail (naive time, read as UTC) is recorded.
    acct2 = Account.get(Account.number == "A-1002")
    assert str(acct2.last_attempt_at) == "2026-11-23 10:00:00"

    before = snapshot(db)
    again = import_file(ctx, "calls", path)
    assert counts(again) == (4, 0, 0, 0, 4)
    before[0]["audit_event"] += 1
    assert snapshot(db) == before


def test_a_number_found_wrong_leaves_the_zone_set(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    accounts = write(
        tmp_path / "a.csv",
        "account_number,debtor_name,balance,phones\nA-9,Nomad,1.00,212-555-0123;415-555-0199\n",
    )
    import_file(ctx, "accounts", accounts)
    calls = write(
        tmp_path / "c.csv",
        "account_number,at,outcome,phone\nA-9,2026-11-20T14:30:00Z,wrong_number,2125550123\n",
    )
    assert zone_set_of("A-9") == "America/Los_Angeles,America/New_York"
    import_file(ctx, "calls", calls)
    assert zone_set_of("A-9") == "America/Los_Angeles"
    assert get_account(ctx, "A-9").zones == ("America/Los_Angeles",)


def test_a_call_twice_in_a_file_is_recorded_once(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "c.csv",
        "account_number,at,outcome,phone\n"
        "A-1001,2026-11-20T14:30:00Z,busy,212-555-0123\n"
        "A-1001,2026-11-20T09:30:00-05:00,busy,(212) 555-0123\n"
        "A-1001,2026-11-20T14:30:00Z,busy,\n",
    )
    report = import_file(ctx, "calls", path)
    assert counts(report) == (3, 2, 0, 0, 1)
    assert report.warnings == [
        f"{path}:3: row: the same call as line 2 (account, time, outcome and phone); skipped"
    ]


# ------------------------------------------------------------------------ claims


def test_claims_are_upserted(
    db: Database, ctx: Context, accounts: ImportReport, tmp_path: Path
) -> None:
    path = GOOD / "claims.csv"
    report = import_file(ctx, "claims", path)
    assert counts(report) == (3, 3, 0, 0, 0)
    claims = {c.claim_number: c for c in Claim.select()}
    first = claims["CLM-1"]
    assert (first.status, first.denial_code, first.billed_cents, first.payer_phone) == (
        "denied",
        "CO-97",
        150000,
        "+18005550100",
    )
    assert first.timely_filing_days == 90 and first.paid_cents is None
    second = claims["CLM-2"]
    assert (second.paid_cents, second.patient_responsibility_cents) == (20000, 5000)
    assert claims["CLM-9"].status == "submitted"

    assert counts(import_file(ctx, "claims", path)) == (3, 0, 0, 3, 0)

    appeal = write(
        tmp_path / "c.csv",
        "account_number,claim_number,payer,service_date,billed,status\n"
        "A-1001,CLM-1,Blue Shield,2026-08-14,1500.00,Appealed\n"
        "A-1004,CLM-9,Medicare,2026-07-01,99.99,\n",
    )
    assert counts(import_file(ctx, "claims", appeal)) == (2, 0, 1, 1, 0)
    claim = Claim.get(Claim.claim_number == "CLM-1")
    assert (claim.status, claim.denial_code, claim.timely_filing_days) == (
        "appealed",
        "CO-97",
        90,
    )
