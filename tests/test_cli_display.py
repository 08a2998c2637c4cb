"""Every line the command line prints shows stored data as text (issue 11): tables, the
account, CSV and JSON, errors that echo a file, and the log."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from peewee import Database

from collections_tui import cli as cli_mod
from collections_tui.domain.display import is_unsafe_char
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from tests.hostile import FORBIDDEN, make_hostile_account
from tests.test_cli import cli

MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def assert_text_only(output: str, where: str) -> None:
    for raw in FORBIDDEN:
        assert raw not in output, f"{where}: {raw!r} was printed raw"
    raw = [ch for ch in output if ch != "\n" and is_unsafe_char(ch)]
    assert raw == [], f"{where}: {raw!r} printed raw"


@pytest.fixture
def hostile(db: Database, ctx: Context) -> Context:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_hostile_account(ctx)
    return ctx


@pytest.mark.parametrize(
    "args",
    [
        ("account", "H-1"),
        ("queue", "--all"),
        ("queue", "--all", "--format", "csv"),
        ("next",),
        ("leases",),
    ],
)
def test_text_output_shows_controls_visibly(
    hostile: Context, db_url: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = cli(capsys, db_url, *args)
    assert code == 0, err
    assert_text_only(out + err, " ".join(args))


def test_account_text_shows_the_name_and_the_escape(
    hostile: Context, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, db_url, "account", "H-1")
    assert code == 0
    assert "[/]Ann [bold red]Lee\\x1b]52;c;SGVsbG8=\\x07\\u202eeel" in out
    # A note over two lines stays two lines; its controls are shown.
    assert "[ reverse]said \\x1b]52;c;SGVsbG8=\\x07" in out


@pytest.mark.parametrize(
    "args", [("account", "H-1", "--format", "json"), ("next", "--format", "json")]
)
def test_json_is_the_same_data_with_nothing_raw(
    hostile: Context, db_url: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, _ = cli(capsys, db_url, *args)
    assert code == 0
    assert_text_only(out, "json")
    data = json.loads(out)
    assert data.get("debtor_name") == "[/]Ann [bold red]Lee\x1b]52;c;SGVsbG8=\x07\u202eeel"


def test_an_error_that_echoes_a_file_is_one_safe_line(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "account_number,debtor_name,balance\nA-1,Ann,\u202e12x\u200b\x1b]0;t\x07\nA-2,Bo,1.00\n",
        encoding="utf-8",
    )
    code, _, err = cli(capsys, db_url, "import", "accounts", str(bad))
    assert code == 1
    assert_text_only(err, "import error")
    lines = err.splitlines()
    assert lines and all(line.startswith(f"{bad}:2: balance: ") for line in lines), lines
    assert any("\\u202e12x" in line for line in lines)  # the value echoed, shown as text


def test_the_log_shows_data_as_text(tmp_path: Path) -> None:
    record = logging.LogRecord(
        "collections_tui", logging.ERROR, __file__, 1, "open %s failed", ("A\x1b]0;t\x07",), None
    )
    line = cli_mod._SafeFormatter("%(message)s").format(record)
    assert line == "open A\\x1b]0;t\\x07 failed"


def test_a_safe_stream_keeps_lines_and_shows_controls() -> None:
    import io

    raw = io.StringIO()
    stream = cli_mod.SafeStream(raw)
    print("a\x1b[2Jb\nc\u202e", file=stream)
    assert raw.getvalue() == "a\\x1b[2Jb\nc\\u202e\n"
