"""The command line as a user or script meets it: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from peewee import Database

from collections_tui.cli import run
from collections_tui.services.context import Context
from tests.factories import make_account

NOW = "2026-11-27T15:00:00Z"


def cli(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, str, str]:
    try:
        code = run(["--db", db_url, "--now", NOW, "--as", "maria", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def cli_as(
    capsys: pytest.CaptureFixture[str], db_url: str, cfg: Path, who: str, *args: str
) -> tuple[int, str, str]:
    """Run the command as coordinator ``who`` with config file ``cfg``."""
    try:
        code = run(["--db", db_url, "--now", NOW, "--as", who, "--config", str(cfg), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_pay_then_account_json(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(ctx, "C-1", balance_cents=100_000, phones=("212-555-0143",))
    code, out, err = cli(capsys, db_url, "pay", "C-1", "250.00", "--reference", "CHK-9")
    assert (code, err) == (0, "")
    assert "balance now $750.00" in out

    code, out, _ = cli(capsys, db_url, "account", "C-1", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["number"] == "C-1"
    assert data["balance"] == "750.00"
    assert data["aging_bucket"] == "61-90"  # due 2026-09-01 → 87 days
    assert data["days_past_due"] == 87
    assert data["phones"][0]["e164"] == "+12125550143"
    assert [e["kind"] for e in data["ledger"]] == ["charge", "payment"]
    assert data["ledger"][1]["amount"] == "-250.00"


def test_account_text_shows_what_a_coordinator_needs(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(ctx, "C-2", name="Rosa Diaz", balance_cents=4_210, phones=("808-555-0100",))
    code, out, _ = cli(capsys, db_url, "account", "C-2")
    assert code == 0
    assert "Rosa Diaz" in out
    assert "$42.10" in out
    assert "05:00 HST" in out
    assert "61-90" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pay", "C-3", "1,000.00"], "thousands separator"),
        (["pay", "C-3", "12.345"], "more than 2 decimal places"),
        (["pay", "C-3", "abc"], "not an amount"),
        (["pay", "NOPE", "10"], "no account 'NOPE'"),
        (["account", "NOPE"], "no account 'NOPE'"),
    ],
)
def test_invalid_input_exits_1_with_one_line(
    db: Database,
    db_url: str,
    ctx: Context,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    make_account(ctx, "C-3", balance_cents=5_000)
    code, out, err = cli(capsys, db_url, *args)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_usage_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["--db", f"sqlite:///{tmp_path}/x.db", "pay", "A-1"])
    assert exc.value.code == 2


def test_no_traceback_reaches_the_user(tmp_path: Path) -> None:
    """A database that cannot be opened: one line on stderr, exit 1, no traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {**os.environ, "COLLECTIONS_DB": f"sqlite:///{blocker}/sub/x.db"}
    proc = subprocess.run(
        [sys.executable, "-m", "collections_tui", "account", "A-1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_help_lists_the_commands() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "collections_tui", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    for word in ("demo", "import", "export", "account", "pay", "--db", "--now", "--as"):
        assert word in proc.stdout


def test_export_command_writes_file(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_account(ctx, "C-4", balance_cents=9_900)
    target = tmp_path / "ledger.csv"
    code, out, _ = cli(capsys, db_url, "export", "ledger", str(target))
    assert code == 0
    assert "Wrote 1 ledger rows" in out
    assert (
        target.read_text(encoding="utf-8").splitlines()[1].startswith("C-4,2026-08-01,charge,99.00")
    )


QUEUE_HEADER = (
    "rank,account_number,debtor_name,balance,days_past_due,score,tier,callable,reason,"
    "next_callable_at,local_time"
)


def test_queue_csv_has_the_contract_columns(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    from collections_tui.services.facts import refresh_accounts
    from collections_tui.store.db import write_transaction
    from collections_tui.store.models import Account, database

    make_account(ctx, "Q-1", balance_cents=123_456, phones=("212-555-0143",))
    make_account(ctx, "Q-2", balance_cents=5_000, phones=("415-555-0100",), state="CA")
    with write_transaction(database.obj):
        refresh_accounts(ctx, [a.id for a in Account.select()])
    # 15:00Z: 10:00 in New York, 07:00 in California
    code, out, _ = cli(capsys, db_url, "queue", "--all", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == QUEUE_HEADER
    assert lines[1] == "1,Q-1,Pat Doe,1234.56,87,705,scored,yes,ok,,10:00 EST"
    assert lines[2].startswith("2,Q-2,Pat Doe,50.00,87,")
    assert lines[2].endswith(",no,outside_hours,2026-11-27T16:00:00Z,07:00 PST")


def test_log_call_then_account_shows_it(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(ctx, "L-1", phones=("212-555-0143",))
    code, out, err = cli(
        capsys, db_url, "log-call", "L-1", "--outcome", "voicemail", "--note", "left VM"
    )
    assert (code, err) == (0, "")
    assert "Recorded voicemail on L-1" in out
    code, out, _ = cli(capsys, db_url, "account", "L-1", "--format", "json")
    data = json.loads(out)
    assert data["contacts"][0]["outcome"] == "voicemail"
    assert data["contacts"][0]["notes"] == ["left VM"]
    assert data["verdict"]["attempts_7d"] == 1
    assert data["verdict"]["callable"] is True


def test_log_call_refuses_blocked_account_without_override(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(ctx, "L-2", phones=("415-555-0100",), state="CA")  # 07:00 in California
    code, out, err = cli(capsys, db_url, "log-call", "L-2", "--outcome", "no_answer")
    assert code == 1
    assert "outside_hours" in err and "nothing was recorded" in err
    code, out, err = cli(
        capsys, db_url, "log-call", "L-2", "--outcome", "no_answer",
        "--override", "debtor asked for an early call",
    )  # fmt: skip
    assert code == 0 and "override of outside_hours" in out


def test_account_text_shows_the_verdict_in_words(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(ctx, "H-1", phones=("808-555-0100",), state="HI")
    code, out, _ = cli(capsys, db_url, "account", "H-1")
    assert code == 0
    assert "Outside calling hours: 05:00 in Honolulu — callable from 08:00 HST" in out
    assert "BLOCKED (outside_hours)" in out
    assert "Priority:   tier scored" in out


def test_consent_and_avoid_commands(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(ctx, "K-1")
    code, out, _ = cli(capsys, db_url, "avoid", "K-1", "--when", "mon-fri 15:00-17:00",
                       "--when", "sat-sun")  # fmt: skip
    assert code == 0 and "mon-fri 15:00-17:00" in out and "sat-sun" in out
    code, _, err = cli(capsys, db_url, "avoid", "K-1", "--when", "someday")
    assert code == 1 and "not a day" in err
    code, out, _ = cli(capsys, db_url, "consent", "K-1", "--note", "letter dated 11/20")
    assert code == 0
    code, out, _ = cli(capsys, db_url, "account", "K-1")
    assert "Avoid:      mon-fri 15:00-17:00" in out
    assert "Consent:    consent given 2026-11-27T15:00:00Z" in out
    code, out, _ = cli(capsys, db_url, "avoid", "K-1", "--clear")
    assert "Cleared 2" in out
    code, out, _ = cli(capsys, db_url, "consent", "K-1", "--revoke")
    assert "ended" in out


def test_plan_reproduces_the_design_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/never.db"
    code = run(["--db", db, "plan", "--balance", "1000.00", "--installments", "3",
                "--first", "2027-01-31", "--format", "csv"])  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines() == [
        "number,due_on,amount",
        "1,2027-01-31,333.34",
        "2,2027-02-28,333.33",
        "3,2027-03-31,333.33",
    ]
    code = run(["--db", db, "plan", "--balance", "1000", "--payment", "300", "--first",
                "2026-01-31", "--down", "100", "--format", "json"])  # fmt: skip
    rows = json.loads(capsys.readouterr()[0])
    assert [(r["due_on"], r["amount"]) for r in rows] == [
        ("2026-01-31", "100.00"),
        ("2026-02-28", "300.00"),
        ("2026-03-31", "300.00"),
        ("2026-04-30", "300.00"),
    ]
    assert not (tmp_path / "never.db").exists()  # a calculation opens no database


def test_plan_with_a_zero_installment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--db", f"sqlite:///{tmp_path}/x.db", "plan", "--balance", "0.02",
                "--installments", "3", "--first", "2026-01-31"])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 1
    assert "installment of $0.00" in err


def test_offers_respect_the_creditor_policy(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[arrangements]\nmax_term_months = 12\nmin_installment = "25.00"\n'
        '[arrangements.creditors."Summit Orthopedics"]\nmax_term_months = 24\n',
        encoding="utf-8",
    )
    make_account(ctx, "O-1", balance_cents=120_000, creditor="Summit Orthopedics")
    make_account(ctx, "O-2", balance_cents=120_000, creditor="Metro Utilities")
    code, out, _ = cli(capsys, db_url, "--config", str(cfg), "offers", "O-1", "--can-pay", "60")
    assert code == 0
    assert "20 monthly payments of $60.00" in out  # 20 months: within Summit's 24
    assert "needs approval" not in out.split("3.")[1].split("\n")[0]
    code, out, _ = cli(capsys, db_url, "--config", str(cfg), "offers", "O-2", "--can-pay", "60")
    assert "term 20 months is longer than the 12 months allowed" in out


def test_imported_accounts_are_queued_by_score(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text(
        "account_number,debtor_name,balance,phones,state,due_date\n"
        "I-SMALL,Ann Lee,50.00,212-555-0143,NY,2026-09-01\n"
        "I-BIG,Bo Chan,5000.00,212-555-0144,NY,2026-09-01\n"
        "I-OLD,Cy Dunn,50.00,212-555-0145,NY,2025-09-01\n",
        encoding="utf-8",
    )
    code, out, err = cli(capsys, db_url, "import", "accounts", str(f))
    assert code == 0, err
    assert "3 created" in out
    code, out, _ = cli(capsys, db_url, "queue", "--format", "csv")
    numbers = [line.split(",")[1] for line in out.strip().splitlines()[1:]]
    assert numbers == ["I-BIG", "I-OLD", "I-SMALL"]


def test_team_commands(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[team]\nsupervisors = ["sam"]\n', encoding="utf-8")
    make_account(ctx, "T-1")

    def as_(who: str, *args: str) -> tuple[int, str, str]:
        return cli_as(capsys, db_url, cfg, who, *args)

    code, out, _ = as_("ana", "next", "--format", "json")
    assert json.loads(out)["account_number"] == "T-1"
    code, out, _ = as_("ben", "leases", "--format", "csv")
    assert out.splitlines()[1].startswith("T-1,ana,")
    code, _, err = as_("ben", "reassign", "T-1", "--to", "ben")
    assert code == 1 and "supervisor" in err
    code, out, _ = as_("sam", "reassign", "T-1", "--to", "ben")
    assert code == 0 and "now leased to ben" in out
    code, out, _ = as_("sam", "set-role", "ana", "supervisor")
    assert "ana is now a supervisor" in out
    code, out, _ = as_("ana", "release", "T-1", "--any")
    assert code == 0 and "Released T-1" in out
    code, out, _ = as_("ana", "team")
    assert "sam" in out and "supervisor (config)" in out


def test_grant_lets_a_coordinator_override_once_where_the_team_requires_it(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from collections_tui.domain.flags import Flag

    cfg = tmp_path / "c.toml"
    cfg.write_text('[team]\nsupervisors = ["sam"]\noverrides = "supervisor"\n', encoding="utf-8")
    make_account(ctx, "G-1", flags=Flag.DISPUTE)

    def as_(who: str, *args: str) -> tuple[int, str, str]:
        return cli_as(capsys, db_url, cfg, who, *args)

    as_("ana", "team")  # ana has used the program
    call = ("log-call", "G-1", "--outcome", "conversation", "--override", "asked for proof")
    code, _, err = as_("ana", *call)
    assert code == 1 and "overrides need a supervisor's grant" in err
    code, _, err = as_("ana", "grant", "G-1", "--to", "ana", "--override", "--reason", "x")
    assert code == 1 and "only a supervisor may grant" in err
    code, out, _ = as_("sam", "grant", "G-1", "--to", "ana", "--override", "--reason", "ok")
    assert code == 0 and "ana may override a block on G-1 once" in out
    code, _, err = as_("ana", *call)
    assert code == 0, err
    code, _, err = as_("ana", *call)
    assert code == 1
    cfg.write_text('[team]\noverrides = "anyone"\n', encoding="utf-8")
    code, _, err = as_("ana", "team")
    assert code == 2 and 'team.overrides must be "coordinator" or "supervisor"' in err


def test_keys_in_the_config_must_name_real_bindings(tmp_path: Path) -> None:
    from collections_tui.cli import _keymap
    from collections_tui.settings import Settings, SettingsError

    ok = Settings(db_url="sqlite://", coordinator="x", raw={"keys": {"account.dial": "D"}})
    assert _keymap(ok) == {"account.dial": "D"}
    typo = Settings(db_url="sqlite://", coordinator="x", raw={"keys": {"acount.dial": "D"}})
    with pytest.raises(SettingsError, match=r"no binding 'acount\.dial'"):
        _keymap(typo)
