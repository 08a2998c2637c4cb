"""The command line refuses what has no bounds (issue 11): every such value is invalid
input — exit 1, one line naming the option, nothing written — never "unexpected error"."""

from __future__ import annotations

from pathlib import Path

import pytest
from peewee import Database

from collections_tui.domain.flags import Flag
from collections_tui.domain.money import MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS, format_amount
from collections_tui.services.context import Context
from collections_tui.store.models import Grant, LedgerEntry, Note, Promise
from tests.factories import make_account
from tests.test_cli import cli, cli_as

LARGEST = "99999999999.99"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pay", "C-1", "4111111111111111"], "amount: '4111111111111111' is too large"),
        (["pay", "C-1", "92233720368547758.07"], "is too large; the largest amount is " + LARGEST),
        (["pay", "C-1", "1" + "0" * 5000], "amount: '10000000000000000000…' is too large"),
        (["pay", "C-1", "١٢٣"], "amount: '١٢٣' is not an amount"),
        (["pay", "C-1", "１２３.００"], "is not an amount"),
        (["pay", "C-1", "10", "--on", "1899-12-31"], "--on: '1899-12-31' is outside the dates"),
        (["pay", "C-1", "10", "--on", "2026-１１-01"], "--on: '2026-１１-01' is not a date"),
        (["pay", "C-1", "10", "--on", "20261101"], "--on: '20261101' is not a date"),
        (["pay", "C-1", "10", "--reference", "R" * 100_000], "longer than 100 characters"),
        (["pay", "C-1", "10", "--reference", "R\x1b[2J"], "control character U+001B (ESC)"),
        (
            ["log-call", "C-1", "--outcome", "promise", "--inbound",
             "--promise", "41000000000000", "--promise-date", "2026-12-01"],
            "--promise: '41000000000000' is too large",
        ),
        (
            ["log-call", "C-1", "--outcome", "promise", "--inbound",
             "--promise", "10", "--promise-date", "9999-12-31"],
            "--promise-date: '9999-12-31' is outside the dates accepted (1900-01-01 to 2200-12-31)",
        ),
        (
            ["log-call", "C-1", "--outcome", "conversation", "--inbound",
             "--at", "0001-01-01T00:00:00+14:00"],
            "--at: '0001-01-01T00:00:00+14:00' is outside the dates accepted",
        ),
        (
            ["log-call", "C-1", "--outcome", "callback_requested", "--inbound",
             "--callback", "9999-12-31T23:00:00-05:00"],
            "--callback: '9999-12-31T23:00:00-05:00' is outside the dates accepted",
        ),
        (
            ["log-call", "C-1", "--outcome", "conversation", "--inbound", "--note", "hi\x00"],
            "the note contains the control character U+0000 (NUL)",
        ),
        (["consent", "C-1", "--until", "2201-01-01T00:00:00Z"], "--until: '2201-01-01T00:00:00Z'"),
        (["consent", "C-1", "--note", "\x9d8;;file:///etc/passwd\x9c"], "U+009D (OSC)"),
        (["avoid", "C-1", "--when", "mon-fri ١٥:٠٠-١٧:٠٠"], "--when: "),
        (["plan", "--balance", "1" + "0" * 14, "--installments", "3", "--first", "2026-12-01"],
         "--balance: '100000000000000' is too large"),
        (["plan", "--balance", "100", "--installments", "3", "--first", "0001-01-01"],
         "--first: '0001-01-01' is outside the dates accepted"),
        (["offers", "C-1", "--can-pay", "4111111111111111"],
         "--can-pay: '4111111111111111' is too large"),
    ],
)  # fmt: skip
def test_values_without_bounds_are_invalid_input(
    db: Database,
    db_url: str,
    ctx: Context,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    make_account(ctx, "C-1", balance_cents=5_000)
    entries, notes, promises = (
        LedgerEntry.select().count(),
        Note.select().count(),
        Promise.select().count(),
    )
    code, out, err = cli(capsys, db_url, *args)
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert "unexpected" not in err
    assert "\x1b" not in err and "\x00" not in err and "\x9d" not in err
    assert LedgerEntry.select().count() == entries
    assert (Note.select().count(), Promise.select().count()) == (notes, promises)


def test_the_largest_amount_is_accepted_and_the_balance_bound_named(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    near = -(MAX_BALANCE_CENTS - MAX_AMOUNT_CENTS)  # one more largest payment fits
    make_account(ctx, "C-2", balance_cents=near)
    code, _, err = cli(capsys, db_url, "pay", "C-2", LARGEST)
    assert code == 0, err
    code, out, err = cli(capsys, db_url, "pay", "C-2", "0.01")
    assert code == 1 and out == ""
    assert err.strip() == (
        f"account C-2: posting -0.01 would take the balance to "
        f"{format_amount(near - MAX_AMOUNT_CENTS - 1)}, past the limit of "
        f"±{format_amount(MAX_BALANCE_CENTS)}; nothing was recorded"
    )


def test_now_outside_the_window_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from collections_tui.cli import run

    with pytest.raises(SystemExit) as exc:
        run(["--db", f"sqlite:///{tmp_path}/x.db", "--now", "0001-01-01T00:00:00+14:00", "queue"])
    _, err = capsys.readouterr()
    assert exc.value.code == 2
    assert "--now: '0001-01-01T00:00:00+14:00' is outside the dates accepted" in err
    assert len(err.strip().splitlines()) == 1


def test_whole_numbers_are_ascii(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, db_url, "queue", "--limit", "١٠")
    assert code == 2
    assert "'١٠' is not a whole number" in err


def test_grant_override_on_a_cease_account_is_refused(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[team]\nsupervisors = ["sam"]\noverrides = "supervisor"\n', encoding="utf-8")
    make_account(ctx, "G-9", flags=Flag.CEASE)
    cli_as(capsys, db_url, cfg, "ana", "team")  # ana has used the program
    code, out, err = cli_as(
        capsys, db_url, cfg, "sam", "grant", "G-9", "--to", "ana", "--override", "--reason", "x"
    )
    assert (code, out) == (1, "")
    assert err.strip() == (
        "G-9: cease can never be overridden, so an override grant could never be used; "
        "no grant was given"
    )
    assert Grant.select().count() == 0


def test_names_with_controls_are_refused(
    db: Database, db_url: str, ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[team]\nsupervisors = ["sam"]\n', encoding="utf-8")
    make_account(ctx, "G-8", flags=Flag.DISPUTE)
    for args in (
        ("set-role", "eve\x1b]52;c;aGk=\x07", "supervisor"),
        ("grant", "G-8", "--to", "ana\x1b[2J", "--override", "--reason", "x"),
        ("grant", "G-8", "--to", "sam", "--override", "--reason", "ok\x1b[31m"),
    ):
        code, _, err = cli_as(capsys, db_url, cfg, "sam", *args)
        assert code == 1 and "contains the control character U+001B (ESC)" in err
        assert "\x1b" not in err
