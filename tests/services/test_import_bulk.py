"""The big-file paths of the accounts import: rows checked by worker processes, and (on
SQLite) indexes dropped and rebuilt around the bulk insert. Small thresholds make a few
hundred rows take those paths; the results must equal the plain in-process import."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from typing import Any

import pytest
from peewee import Database

from collections_tui.services import importer
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.importer import import_file
from collections_tui.services.ledger import verify_balances
from collections_tui.store.db import is_postgres
from collections_tui.store.models import Account, LedgerEntry, Phone

HEADER = "account_number,debtor_name,balance,phones,state,due_date,flags\n"
PHONES = ("(212) 555-{n:04d}", "mobile:415.555.{n:04d}", "+1 312 555 {n:04d} x12", "555-1234")
STATES = ("NY", "CA", "IL", "TX", "FL", "")


def accounts_file(path: Path, rows: int, *, bad: bool = False) -> Path:
    rng = random.Random(7)
    lines = [HEADER]
    for i in range(rows):
        phones = ";".join(
            rng.choice(PHONES).format(n=rng.randint(0, 9999)) for _ in range(rng.randint(0, 3))
        )
        balance = f"{rng.randint(-5000, 500000) / 100:.2f}"
        number = f"B-{i:05d}"
        name = f"Debtor {i}"
        if i % 97 == 0:  # a quoted cell; with a line break (refused) in a bad file
            name = f'"Debtor {i}\nc/o someone"' if bad else f'"Debtor {i}, c/o someone"'
        flags = "dispute" if i % 50 == 0 else ""
        if bad and i % 150 == 3:
            balance = "12.345"
        if bad and i % 200 == 7:
            number = "B-00001"  # a duplicate of an earlier row
        lines.append(
            f"{number},{name},{balance},{phones},{rng.choice(STATES)},2026-10-01,{flags}\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def indexes(db: Database) -> list[tuple[str, ...]]:
    if is_postgres(db):
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
    return sorted(tuple(str(v) for v in row) for row in db.execute_sql(sql).fetchall())


def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "_PARALLEL_MIN_CHARS", 1000)
    monkeypatch.setattr(importer, "_PIECE_CHARS", 2000)
    monkeypatch.setattr(importer, "_REINDEX_MIN_ROWS", 100)
    monkeypatch.setattr(importer, "_worker_count", lambda: 2)


@pytest.fixture
def bulk_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    small_thresholds(monkeypatch)
    monkeypatch.setattr(importer, "_SCAN_THRESHOLD", 100)


def test_bulk_paths_import_the_same_as_the_plain_one(
    db: Database, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = accounts_file(tmp_path / "a.csv", 600)
    plain = import_file(ctx, "accounts", path, dry_run=True)
    before = indexes(db)

    small_thresholds(monkeypatch)
    pools: list[int] = []
    real_pool = importer.ProcessPoolExecutor

    def counting_pool(*args: Any, **kwargs: Any) -> Any:
        pools.append(kwargs["max_workers"])
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(importer, "ProcessPoolExecutor", counting_pool)
    report = import_file(ctx, "accounts", path)
    assert pools == [2]

    assert (report.rows, report.created, report.updated, report.unchanged) == (600, 600, 0, 0)
    assert report.warnings == plain.warnings and len(report.warnings) > 50
    assert indexes(db) == before
    assert Account.select().count() == 600
    assert Phone.select().count() > 600
    assert (
        LedgerEntry.select().count()
        == sum(1 for line in path.read_text().splitlines() if ",0.00," not in line) - 1
    )  # the header
    assert verify_balances() == []

    monkeypatch.setattr(importer, "_SCAN_THRESHOLD", 100)
    again = import_file(ctx, "accounts", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 600)


@pytest.mark.usefixtures("bulk_paths")
def test_bulk_paths_list_the_same_errors(
    db: Database, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = accounts_file(tmp_path / "a.csv", 600, bad=True)
    with pytest.raises(InputError) as parallel:
        import_file(ctx, "accounts", path)
    monkeypatch.setattr(importer, "_PARALLEL_MIN_CHARS", 10**12)
    with pytest.raises(InputError) as plain:
        import_file(ctx, "accounts", path)
    assert parallel.value.lines == plain.value.lines
    assert len(plain.value.lines) == 4 + 3 + (600 // 97 + 1)  # and the multi-line names
    assert sum("debtor_name: contains a line break" in x for x in plain.value.lines) == 7
    assert any("duplicate account number 'B-00001' (lines 4 and " in x for x in plain.value.lines)
    assert Account.select().count() == 0


@pytest.mark.usefixtures("bulk_paths")
def test_a_bare_quote_cannot_fool_the_cutting(
    db: Database, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quote inside an unquoted cell flips the quote count, so a cut may fall inside a
    later quoted multi-line cell; the file is then read in one piece, with the same result."""
    lines = [HEADER]
    for i in range(300):
        name = f'Debtor {i} 5" screen' if i == 10 else f"Debtor {i}"
        if i % 7 == 0:
            name = f'"Debtor {i}\n(continued)\n(continued)"'
        balance = "x" if i % 100 == 50 else "1.00"
        lines.append(f"C-{i},{name},{balance},,NY,2026-10-01,\n")
    path = tmp_path / "q.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert importer._cut(path.read_text()[len(HEADER) :], 2000)[1:-1]  # it is cut
    with pytest.raises(InputError) as parallel:
        import_file(ctx, "accounts", path)
    monkeypatch.setattr(importer, "_PARALLEL_MIN_CHARS", 10**12)
    with pytest.raises(InputError) as plain:
        import_file(ctx, "accounts", path)
    assert parallel.value.lines == plain.value.lines
    breaks = [x for x in plain.value.lines if "debtor_name: contains a line break" in x]
    assert len(breaks) == 43  # every multi-line name (refused), on its own line number
    assert len(plain.value.lines) == 3 + 43


@pytest.mark.usefixtures("bulk_paths")
def test_an_error_late_in_a_big_file_rolls_back_the_pieces_already_written(
    db: Database, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(ctx, "accounts", accounts_file(tmp_path / "first.csv", 150))
    stored = Account.select().count()
    before = indexes(db)
    path = accounts_file(tmp_path / "a.csv", 600)
    text = path.read_text().replace("B-00590,Debtor 590,", "B-00590,Debtor 590,1.234x")
    path.write_text(text, encoding="utf-8")
    written: list[int] = []
    real_write_new = importer._AccountsImporter._write_new

    def spy(self: Any, *args: Any) -> None:
        written.append(len(self.new))
        real_write_new(self, *args)

    monkeypatch.setattr(importer._AccountsImporter, "_write_new", spy)
    with pytest.raises(InputError) as info:
        import_file(ctx, "accounts", path)
    assert len(info.value.lines) == 1 and ": balance: " in info.value.lines[0]
    assert sum(written) > 300  # pieces before the error were written ...
    assert Account.select().count() == stored  # ... and rolled back
    assert indexes(db) == before
    assert verify_balances() == []


def test_line_breaks_are_counted_as_the_csv_reader_counts_them() -> None:
    text = 'a,b\r\n"x\r\ny",1\n\n2,"p\rq"\r3,4\r\n'
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    assert importer._line_breaks(text, 0, len(text)) == reader.line_num == 7
    assert len(rows) == 5
    cuts = importer._cut(text, 1)
    assert cuts[0] == 0 and cuts[-1] == len(text)
    for cut in cuts[1:-1]:
        assert text[cut - 1] == "\n" and text.count('"', 0, cut) % 2 == 0
