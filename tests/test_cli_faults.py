"""What the command line says when the environment is hostile: one line on stderr, the
right exit code, nothing half-written — never "unexpected error" for a fault a person can
act on, and a closed pipe is a normal end."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from peewee import Database

from collections_tui import settings
from collections_tui.cli import run
from collections_tui.services.context import Context
from collections_tui.store import db as store_db
from collections_tui.store.db import close_database, open_database
from collections_tui.store.models import LedgerEntry
from tests.factories import make_account
from tests.faults import (
    read_only_bits,
    reopen,
    shared_dir,  # noqa: F401  (a fixture)
    without_write_permission,
    write_lock_held,
)
from tests.test_cli import NOW, cli


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "unexpected error" not in err and "Traceback" not in err
    return lines[0]


# --- another program is writing ------------------------------------------------------------


def test_reads_work_and_a_write_says_another_program_is_writing(
    db: Database,
    db_url: str,
    ctx: Context,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_account(ctx, "L-1", balance_cents=50_000)
    reopen(db_url, monkeypatch, busy_timeout_s=0.3)
    with write_lock_held(db_url):
        code, out, err = cli(capsys, db_url, "queue")  # sweep and coordinator row skipped
        assert (code, err) == (0, "")
        assert "L-1" in out
        code, out, err = cli(capsys, db_url, "account", "L-1")
        assert (code, err) == (0, "") and "L-1" in out
        code, out, err = cli(capsys, db_url, "pay", "L-1", "10.00")
    assert (code, out) == (1, "")
    assert one_line(err) == (
        "collections-tui: another program is writing to the database; try again"
    )
    assert LedgerEntry.select().where(LedgerEntry.kind == "payment").count() == 0


# --- a database that cannot be written -----------------------------------------------------


def test_read_commands_work_on_a_read_only_database_and_writes_say_why(
    shared_dir: Path,  # noqa: F811
    ctx: Context,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME"):  # where the user nobody can look
        monkeypatch.setenv(name, str(shared_dir / name.lower()))
    # The host's config, absent, where nobody can see that it is (one nobody may not read
    # would stop the start, as it should).
    monkeypatch.setattr(settings, "SYSTEM_CONFIG", shared_dir / "etc" / "config.toml")
    folder = shared_dir / "ro"
    folder.mkdir()
    path = folder / "collections.db"
    url = f"sqlite:///{path}"
    open_database(url)
    make_account(ctx, "O-1", balance_cents=50_000)
    close_database()
    read_only_bits(path)
    read_only_bits(folder)
    with without_write_permission():
        code, out, err = cli(capsys, url, "queue")
        assert (code, err) == (0, "") and "O-1" in out
        code, out, err = cli(capsys, url, "account", "O-1", "--format", "json")
        assert (code, err) == (0, "") and '"number": "O-1"' in out
        code, out, err = cli(capsys, url, "pay", "O-1", "10.00")
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"collections-tui: the database is read-only: {path} is not writable by this user; "
        "nothing was written"
    )


# --- a full disk -----------------------------------------------------------------------------


def _dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_import_on_a_full_disk_says_the_disk_is_full_and_changes_nothing(
    tmp_path: Path,
    ctx: Context,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    db = open_database(url)
    make_account(ctx, "D-1", balance_cents=50_000)
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    close_database()
    assert cli(capsys, url, "queue")[0] == 0  # maria's first use: her row, today's sweep
    before = _dump(tmp_path / "full.db")
    rows = ["account_number,debtor_name,balance,address1,city"]
    rows += [f"D-{i},Debtor {i},{i}.00,{i} Long Meadow Lane,Springfield" for i in range(2, 4000)]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n")
    limit = (("max_page_count", pages + 2),)  # the disk: full after two more pages
    monkeypatch.setattr(store_db, "SQLITE_PRAGMAS", store_db.SQLITE_PRAGMAS + limit)
    code, out, err = cli(capsys, url, "import", "accounts", str(tmp_path / "a.csv"))
    assert (code, out) == (1, "")
    assert one_line(err) == (
        "collections-tui: the disk holding the database is full; nothing was written "
        "(free some space and try again)"
    )
    assert "rollback" not in err
    assert _dump(tmp_path / "full.db") == before


# --- a closed pipe ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["queue"], ["queue", "--format", "csv"], ["account", "P-1"], []],
    ids=["queue", "queue-csv", "account", "no-command"],
)
def test_a_closed_pipe_is_a_quiet_normal_end(tmp_path: Path, ctx: Context, args: list[str]) -> None:
    """`collections-tui queue | head`: the reader went away (here: before the first byte).
    No message, exit 0, and no complaint from the interpreter's last flush."""
    db_url = f"sqlite:///{tmp_path / 'pipe.db'}"  # the pipe is the same for every database
    open_database(db_url)
    for i in range(1, 30):
        make_account(ctx, f"P-{i}", balance_cents=10_000 + i)
    close_database()
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "collections_tui", "--db", db_url, "--now", NOW, *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (0, "")


# --- missing, empty and foreign database files -----------------------------------------------


def test_a_typo_in_db_creates_neither_folders_nor_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "colections.db"
    code, out, err = cli(capsys, f"sqlite:///{missing}", "queue")
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"collections-tui: no database at {missing}; check --db, or create one with import, "
        "import-db or demo"
    )
    typo = tmp_path / "dta" / "collections.db"
    for args in (["account", "A-1"], ["import", "accounts", str(tmp_path / "a.csv")]):
        code, out, err = cli(capsys, f"sqlite:///{typo}", *args)
        assert code == 1
        assert one_line(err) == (
            f"collections-tui: no database at {typo}: its folder {typo.parent} does not exist; "
            "folders are made only for the default database"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_only_the_commands_that_fill_a_database_create_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text("account_number,debtor_name,balance\nN-1,Ann Lee,10.00\n")
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, _, err = cli(capsys, url, "import", "accounts", str(f), "--dry-run")
    assert code == 1 and "no database at" in err  # a dry run writes nothing, not even a file
    assert not (tmp_path / "new.db").exists()
    code, out, err = cli(capsys, url, "import", "accounts", str(f))
    assert (code, err) == (0, "") and "1 created" in out
    code, out, err = cli(capsys, url, "account", "N-1")
    assert (code, err) == (0, "") and "Ann Lee" in out


def test_the_default_database_is_still_created_on_first_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    try:
        code = run(["--now", NOW, "--as", "maria", "queue"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    _out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert (tmp_path / "data" / "collections-tui" / "collections.db").stat().st_size > 0


@pytest.mark.parametrize("command", [["queue"], ["import", "accounts", "a.csv"]])
def test_an_empty_file_is_refused_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = tmp_path / "collections.db"
    path.touch()
    (tmp_path / "a.csv").write_text("account_number,debtor_name,balance\nE-1,Ann,1.00\n")
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command]
    code, out, err = cli(capsys, f"sqlite:///{path}", *args)
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"collections-tui: {path} is empty (0 bytes): not a collections-tui database; "
        "remove it to start a new one"
    )
    assert path.stat().st_size == 0


def test_a_damaged_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "collections.db"
    open_database(f"sqlite:///{path}")
    close_database()
    with path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 3000)
    code, out, err = cli(capsys, f"sqlite:///{path}", "queue")
    assert (code, out) == (1, "")
    line = one_line(err)
    assert "is damaged" in line and "restore it from a backup" in line


# --- found in review: output that cannot be written, arguments that are not text ----------


def _ct(db_url: str, *args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "collections_tui", "--db", db_url, "--now", NOW, *args],
        stdin=subprocess.DEVNULL,
        timeout=60,
        **kw,
    )


@pytest.fixture
def small_db(tmp_path: Path, ctx: Context) -> str:
    db_url = f"sqlite:///{tmp_path / 'out.db'}"
    open_database(db_url)
    for i in range(1, 30):
        make_account(ctx, f"F-{i}", balance_cents=10_000 + i)
    close_database()
    return db_url


def test_output_to_a_full_device_is_one_line(small_db: str) -> None:
    with open("/dev/full", "wb") as full:
        proc = _ct(small_db, "queue", "--all", stdout=full, stderr=subprocess.PIPE)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert one_line(err) == "collections-tui: cannot write the output: No space left on device"


def test_a_closed_standard_output_is_not_an_unexpected_error(small_db: str) -> None:
    proc = _ct(small_db, "queue", stdout=None, stderr=subprocess.PIPE, close_fds=True,
               preexec_fn=lambda: os.close(1))  # fmt: skip
    assert b"unexpected error" not in proc.stderr
    assert proc.returncode == 0


def test_an_argument_that_is_not_utf8_is_a_usage_error(small_db: str) -> None:
    proc = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"collections_tui", b"account", b"\xffA"],
        capture_output=True,
        timeout=60,
        env={**os.environ, "COLLECTIONS_DB": small_db},
    )
    assert proc.returncode == 2
    assert one_line(proc.stderr.decode()) == "collections-tui: argument 2 is not UTF-8 text"


def test_export_to_the_longest_legal_name(small_db: str, tmp_path: Path) -> None:
    target = tmp_path / ("y" * 250)
    proc = _ct(small_db, "export", "ledger", str(target), capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert target.read_text().startswith("account_number")
