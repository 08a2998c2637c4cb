"""CSV imports: accounts, transactions, calls and insurance claims (DESIGN §7).

The contract
------------
* Every row of the file is checked. Any error raises :class:`InputError` whose ``lines``
  list *every* problem of the file, one per line, as ``FILE:LINE: column: message`` (sorted
  by line), and the database is untouched. All writes of an import happen in one
  transaction, so a failure half-way leaves nothing behind. (A file is checked whole
  before anything is written, except a big accounts file, which is written piece by piece
  inside that transaction and rolled back on any error: see Speed.)
* ``FILE`` is the path as given. ``LINE`` is the 1-based physical line where the record
  *starts* (the header is line 1); quoted cells spanning several lines are counted, so the
  next record's number is right. ``column`` is the column name, or ``header``,
  ``encoding``, ``row`` or ``file`` when no column fits.
* Warnings (the file is imported anyway) use the same format and are returned in
  :attr:`ImportReport.warnings`.
* ``dry_run=True`` runs every check, including those against the database (unknown
  accounts, references already posted, what would be created or updated) and writes
  nothing, not even the audit event.

Reading
-------
UTF-8 with or without a BOM. An undecodable byte is an error naming its line (a UTF-16
file is one error). Header row required; names are matched case-insensitively, with spaces
and hyphens read as ``_`` (``Account Number`` = ``account_number``); column order is free.
A missing required column or a column named twice is an error and ends the check (every row
would fail). Unknown columns: one warning. Blank lines, and rows whose cells are all empty,
are ignored. A row with more cells than the header is an error; a row with fewer is read
with the missing trailing cells empty. Cells are stripped of surrounding spaces. Malformed
quoting (an unclosed quote, text after a closing quote) is an error on the record's line.
Controls at the door (``domain.text``): a C0 control, DEL or C1 in a cell of a known column
(or in the header) is an error naming the column, and so is a line break inside a quoted
cell, except in a call's ``note``; a tab is read as a space. Amounts, dates and whole
numbers take ASCII digits only; dates are within ``domain.dates``' window (1900–2200).

Decisions where DESIGN §7 is silent
-----------------------------------
accounts
  * A column that is *absent* from the file leaves the stored value alone on re-import (a
    balances-only file does not wipe phones or addresses). A column that is present is the
    truth for every row: an empty cell clears a nullable field (email, address, due date...)
    or means the default (debtor_type ``person``, country = ``ctx.default_region``, currency
    = ``ctx.default_currency``, creditor ``""``).
  * Flags are only ever *added* by an import, never cleared: the stored flags become
    ``stored | file``. Clearing cease/attorney/bankruptcy/deceased, or a dispute a
    coordinator recorded, is a deliberate, audited act in the workstation; a creditor's file
    that does not know about it must not silently make a debtor callable again. Each
    account whose flags an import changes gets its own ``flags.set`` audit event.
  * Phones: the file's list replaces the stored list (in file order). A stored phone whose
    E.164 number is in the file again keeps its row (so call records stay linked) and its
    status: a number a coordinator marked ``bad`` or ``dnc`` stays so. Stored numbers the
    file no longer lists are deleted, except ``bad``/``dnc`` ones: they stay, after the
    file's numbers (never dialable), so the mark survives if the number comes back. A
    number new to the debtor that this account's call history reported
    ``not_in_service``/``wrong_number`` is stored as ``bad`` with a warning. An import never
    resurrects a bad number. Invalid numbers are a warning and are kept with
    ``valid=False`` (never dialable).
  * An unknown US state is a warning (its time zones are unknown); a longer value than the
    column holds (state 10, postal code 20, creditor 200, account number 64) is an error.
    An email without ``@`` is a warning.
  * Balance: new account → opening entry (``charge`` if positive, ``adjustment`` if
    negative, none if zero) posted ``ctx.today()`` with memo ``opening balance``. Existing
    account → if the file's balance differs from the *ledger sum*, one ``adjustment`` of the
    difference with memo ``import sync``; the cached balance is set to the file's balance.
    Amounts past ``domain.money.MAX_AMOUNT_CENTS`` (99,999,999,999.99) either way are an
    error, as on every path.
  * Counts: ``created`` new accounts, ``updated`` accounts whose data in the file differs
    from the stored data (debtor, phones, account fields, flags or balance), else
    ``unchanged``. A stale zone-set or balance cache is refreshed without counting.
transactions
  * A reference already posted on the account is skipped (``skipped``); if the stored entry
    has another kind or amount, a warning says so. A reference twice in the file for the
    same account is an error naming both lines. ``created`` counts entries posted.
  * Entries carry ``source='import'``; the balance cache moves with them (no per-entry audit
    event: the entry itself records who and when; the import has one audit event).
calls
  * ``at``: ISO 8601 with a date and a time; an offset or ``Z`` is expected. Without one the
    time is read as UTC and one warning (on the first such line) says how many rows were
    affected. A time in the future is an error.
  * ``phone`` is parsed with ``ctx.default_region``; an invalid number is a warning (stored
    as given in E.164 when it parses at all). It is linked to the debtor's phone with the
    same E.164 when there is one.
  * A call with the same account, instant, outcome and number as a stored one, or as an
    earlier row of the file (warning), is skipped. ``created`` counts calls recorded.
  * Effects of the *recorded* calls, as in the workstation: ``not_in_service`` and
    ``wrong_number`` mark every phone of the debtor with that number ``bad`` (``dnc``
    stays ``dnc``) and refresh the account's zone set; ``dispute`` sets the dispute flag
    (audited). ``last_attempt_at`` becomes the latest attempt. A ``callback_requested`` row
    carries no callback time, so it records no consent.
claims
  * Statuses: :data:`CLAIM_STATUSES`. Money columns are plain non-negative amounts;
    ``timely_filing_days`` a positive whole number (at most 3650); ``payer_phone`` is stored
    in E.164 when valid, else as given (warning). Upsert by (account, claim_number); a
    claim twice in the file is an error; absent columns keep stored values on update; a new
    claim without ``status`` is ``submitted``.

Speed
-----
One pass parses and validates rows into compact tuples; stored rows are looked up 500 at a
time (or, for big files, through one scan of the account numbers); rows are written with
``executemany`` / ``execute_values`` inside one ``write_transaction``. No ORM call per row.

A big accounts file (``_PARALLEL_MIN_CHARS``, about 50,000 rows, and at least two cores) is
cut into pieces at record boundaries and checked by worker processes, one per core
(``fork`` from a single-threaded process such as the CLI, ``spawn`` otherwise). Unless it
is a dry run, the import then *streams*: this process takes the write lock, writes each
piece as soon as its check comes back (while the workers check the next ones) and, once
any error is found, writes nothing more but still checks the rest. The InputError raised
at the end rolls back every row written before, so the database is never seen half
imported, exactly as with the small-file path (check everything, then write). On SQLite
the secondary indexes of phone/account/ledger_entry are dropped for such a bulk insert and
rebuilt before commit (DDL is transactional there). Measured with
``benchmarks/bench_import.py``: see that script.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import multiprocessing
import multiprocessing.context
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from peewee import Database, PostgresqlDatabase

from ..domain.claims import CLAIM_STATUSES as _CLAIM_STATUSES
from ..domain.compliance import OUTCOMES
from ..domain.dates import DateError, check_instant, parse_date
from ..domain.flags import Flag, flag_names, parse_flags
from ..domain.ledger import KINDS, LedgerError, signed_amount
from ..domain.money import MoneyError, check_balance, format_amount, parse_amount
from ..domain.phones import ParsedPhone, parse_phone, parse_phone_list
from ..domain.priority import Weights, fresh_sort_key
from ..domain.text import ANY_CONTROL, CONTROL_BUT_LINE_ENDS, MAX_REFERENCE_CHARS, control_problem
from ..domain.zones import STATE_ZONES, zone_set
from ..store.bulk import insert_rows, reserve_ids
from ..store.db import to_db, write_transaction
from ..store.models import database
from ..store.queries import from_parts, sum_parts
from . import arrangements, audit
from .context import Context
from .errors import InputError
from .facts import refresh_accounts
from .zonesets import ZoneSetCache

__all__ = [
    "CALL_OUTCOMES",
    "CLAIM_STATUSES",
    "IMPORT_KINDS",
    "ImportReport",
    "import_file",
]

IMPORT_KINDS: tuple[str, ...] = ("accounts", "transactions", "calls", "claims")

CALL_OUTCOMES: tuple[str, ...] = OUTCOMES  # DESIGN §4, the one list in domain.compliance
_BAD_NUMBER_OUTCOMES = ("not_in_service", "wrong_number")

CLAIM_STATUSES: tuple[str, ...] = _CLAIM_STATUSES  # the one list, in domain.claims

# ISO 3166-1 alpha-2 (officially assigned, plus XK, which many systems use for Kosovo).
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW XK
"""
_COUNTRIES: frozenset[str] = frozenset(_COUNTRY_CODES.split())

# ISO 4217 currency codes (current, plus a few recently replaced ones still seen in exports).
_CURRENCY_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF
    XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
"""
_CURRENCIES: frozenset[str] = frozenset(_CURRENCY_CODES.split())

_LOOKUP_CHUNK = 500
_SCAN_THRESHOLD = 20_000  # files at least this big find existing accounts by one scan
_PARALLEL_MIN_CHARS = 8_000_000  # files this big (~50,000 rows) are read by worker processes
_PIECE_CHARS = 1_000_000  # a worker's piece of a big file
_BATCH_ROWS = 10_000
_MAX_WORKERS = 4
_REINDEX_MIN_ROWS = 50_000  # SQLite: this many new accounts → rebuild indexes after insert
# Indexes a bulk insert of new accounts builds afterwards (see _indexes_rebuilt_after);
# the second group only when no account is stored yet (the import reads through them).
_DEFERRED_INDEXES = (
    "phone_e164",
    "account_debtor_id",
    "account_status_due_date",
    "account_balance",
    "account_creditor",
    "account_queue",
    "account_zone_blocked",
    "account_status_number",  # v6: search
    "debtor_name_0",
    "debtor_name_1",
    "debtor_name_2",
)
_DEFERRED_INDEXES_WHEN_EMPTY = (
    "phone_debtor_id",
    "ledger_entry_account_posted",
    "ledger_entry_account_reference",
)
_DEBTOR_TYPES = ("person", "business")
_OPENING_MEMO = "opening balance"
_SYNC_MEMO = "import sync"
_SOURCE = "import"


@dataclass(frozen=True)
class ImportReport:
    kind: str
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    warnings: list[str]
    dry_run: bool


def import_file(ctx: Context, kind: str, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Check and import one CSV file of ``kind`` (accounts, transactions, calls, claims).

    Raises :class:`InputError` listing every problem (nothing written) when the file has
    any error. See the module documentation for the rules.
    """
    if kind not in _IMPORTERS:
        raise InputError(f"unknown import kind '{kind}' (expected {', '.join(IMPORT_KINDS)})")
    name = str(path)
    probs = _Problems(name)
    text = _read_text(Path(path), probs)
    importer = _IMPORTERS[kind](ctx, name, probs, dry_run)
    table = (
        _Table.open(text, probs, importer.required, importer.optional, importer.multiline)
        if text
        else None
    )
    del text  # the table keeps what it needs
    if table is None:
        if not probs.errors:  # an empty file
            probs.error(
                1,
                "header",
                f"the file is empty; expected a header row with {', '.join(importer.required)}",
            )
        probs.raise_if_errors()
        raise AssertionError("unreachable")  # pragma: no cover
    db = database.obj
    if not dry_run and importer.streams(table):
        # A big file: pieces are written as soon as they are checked, inside the one
        # transaction; any error anywhere rolls all of it back (see _AccountsImporter.stream).
        with write_transaction(db):
            importer.stream(db, table)
            counts = importer.counts
            _refresh_queue_facts(ctx, db, kind, importer)
            _audit_import(ctx, kind, name, table, counts, probs, importer)
        return _report(kind, name, table, counts, probs, dry_run)
    importer.parse(table)
    if probs.errors or dry_run:
        # Check against the database without taking the write lock, then stop.
        importer.resolve(db)
        probs.raise_if_errors()
        counts = importer.counts
    else:
        with write_transaction(db):
            importer.resolve(db)
            probs.raise_if_errors()
            importer.write(db)
            counts = importer.counts
            _refresh_queue_facts(ctx, db, kind, importer)
            _audit_import(ctx, kind, name, table, counts, probs, importer)
    return _report(kind, name, table, counts, probs, dry_run)


def _refresh_queue_facts(ctx: Context, db: Database, kind: str, importer: Any) -> None:
    """Keep the queue's cached columns (tier, score, blocked_until) true for the accounts the
    import changed, in the same transaction. New accounts got theirs as they were inserted
    (no history yet); imported payments also move promise and arrangement statuses."""
    ids: set[int] = set()
    if kind == "accounts":
        ids = {u.old.id for u in getattr(importer, "updates", ())}
    elif kind == "transactions":
        ids = {aid for aid, _r in importer.todo}
        arrangements.sync_statuses(ctx, sorted(ids))  # refreshes them too
        return
    elif kind == "calls":
        ids = {acct.id for acct, _r in importer.todo}
    elif kind == "claims":
        ids = {int(row[0]) for row in importer.inserts}
        claim_ids = [int(u[-1]) for u in importer.updates]
        for chunk in _chunks(claim_ids):
            marks = _marks(db, len(chunk))
            found = db.execute_sql(
                f"SELECT DISTINCT account_id FROM claim WHERE id IN ({marks})", tuple(chunk)
            ).fetchall()
            ids.update(int(r[0]) for r in found)
    if ids:
        refresh_accounts(ctx, sorted(ids))


def _audit_import(
    ctx: Context,
    kind: str,
    name: str,
    table: _Table,
    counts: _Counts,
    probs: _Problems,
    importer: _Importer,
) -> None:
    audit.record(
        ctx,
        f"import.{kind}",
        None,
        file=name,
        rows=table.rows,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=counts.skipped,
        warnings=len(probs.warnings),
        **importer.audit_extra(),
    )


def _report(
    kind: str, name: str, table: _Table, counts: _Counts, probs: _Problems, dry_run: bool
) -> ImportReport:
    return ImportReport(
        kind=kind,
        file=name,
        rows=table.rows,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=counts.skipped,
        warnings=probs.warning_lines(),
        dry_run=dry_run,
    )


# ----------------------------------------------------------------------- problems


class _Problems:
    """Errors and warnings of one file, each already formatted ``FILE:LINE: column: msg``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[tuple[int, int, str]] = []
        self.warnings: list[tuple[int, int, str]] = []
        self._seq = 0

    def error(self, line: int, column: str, message: str) -> None:
        self._seq += 1
        self.errors.append((line, self._seq, f"{self.file}:{line}: {column}: {message}"))

    def warn(self, line: int, column: str, message: str) -> None:
        self._seq += 1
        self.warnings.append((line, self._seq, f"{self.file}:{line}: {column}: {message}"))

    def warning_lines(self) -> list[str]:
        return [m for _, _, m in sorted(self.warnings)]

    def raise_if_errors(self) -> None:
        if not self.errors:
            return
        lines = [m for _, _, m in sorted(self.errors)]
        n = len(lines)
        raise InputError(
            f"{self.file}: {n} error{'' if n == 1 else 's'}; nothing was imported", lines=lines
        )


# ------------------------------------------------------------------------ reading


def _read_text(path: Path, probs: _Problems) -> str | None:
    """The file's text; undecodable bytes are errors naming their lines."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        probs.error(1, "file", f"cannot read the file: {exc.strerror or exc}")
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        probs.error(1, "encoding", 'the file is UTF-16; save it as UTF-8 ("CSV UTF-8")')
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Same line splitting as the CSV reader below (\n, \r\n or \r); latin-1 maps bytes 1:1.
    for lineno, line in enumerate(io.StringIO(data.decode("latin-1"), newline=""), 1):
        raw = line.encode("latin-1")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            col = len(raw[: exc.start].decode("utf-8", "replace")) + 1
            probs.error(
                lineno,
                "encoding",
                f"byte 0x{raw[exc.start]:02X} at character {col} is not UTF-8; "
                "save the file as UTF-8",
            )
    return data.decode("utf-8", "replace")


def _norm_header(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_").replace("-", "_")


# The columns of a table whose cells are checked for control characters: (index, name,
# whether the cell may span lines). Ignored columns are not read, so not checked.
_Checked_Columns = tuple[tuple[int, str, bool], ...]


class _Table:
    """A CSV file's header, and its data records as ``(line, cells)``."""

    def __init__(
        self,
        probs: _Problems,
        cols: dict[str, int],
        width: int,
        body: str,
        body_line: int,
        multiline: frozenset[str] = frozenset(),
    ) -> None:
        self._probs = probs
        self.cols = cols
        self.width = width
        self.body = body  # the text after the header record
        self.body_line = body_line  # the physical line number where `body` starts
        self.rows = 0
        self.multiline = multiline
        self.checked: _Checked_Columns = tuple(
            (i, name, name in multiline) for name, i in sorted(cols.items(), key=lambda x: x[1])
        )

    @classmethod
    def open(
        cls,
        text: str,
        probs: _Problems,
        required: Sequence[str],
        optional: Sequence[str],
        multiline: frozenset[str] = frozenset(),
    ) -> _Table | None:
        stream = io.StringIO(text, newline="")
        reader = csv.reader(stream, strict=True)
        end = 0
        header_line = 1
        header: list[str] | None = None
        while header is None:
            try:
                row = next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                probs.error(end + 1, "header", f"malformed CSV: {_csv_problem(str(exc))}")
                return None
            start, end = end + 1, reader.line_num
            if row and any(c.strip() for c in row):
                header = row
                header_line = start
        known = set(required) | set(optional)
        cols: dict[str, int] = {}
        unknown: list[str] = []
        ok = True
        for i, cell in enumerate(header):
            name = _norm_header(cell)
            _, problem = control_problem(cell)
            if problem is not None:
                probs.error(header_line, "header", f"column {i + 1} {problem}")
                ok = False
            elif name in cols:
                probs.error(
                    header_line,
                    "header",
                    f"column '{name}' appears twice (columns {cols[name] + 1} and {i + 1})",
                )
                ok = False
            elif name in known:
                cols[name] = i
            else:
                unknown.append(f"'{cell.strip()}'" if cell.strip() else f"(unnamed column {i + 1})")
        for name in required:
            if name not in cols:
                probs.error(header_line, "header", f"missing required column '{name}'")
                ok = False
        if unknown:
            probs.warn(
                header_line,
                "header",
                f"unknown column{'s' if len(unknown) > 1 else ''} ignored: {', '.join(unknown)} "
                f"(known: {', '.join([*required, *optional])})",
            )
        if not ok:
            return None
        # The csv reader takes one line at a time, so the stream stands just after the header.
        return cls(probs, cols, len(header), text[stream.tell() :], end + 1, multiline)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        records = _Records(self.body, self.body_line, self.width, self.checked)
        yield from records
        self.rows = records.rows
        for line, column, message in records.errors:
            self._probs.error(line, column, message)


class _Records:
    """The data records of a piece of CSV text as ``(line, cells)``: blank rows skipped,
    cells padded to the header's width; structural problems collected in ``errors``.

    Controls at the door (``domain.text``, the one rule): a cell of a ``columns`` column
    holding a C0 control, DEL or C1 is an error naming its column; a line break inside a
    quoted cell too, except in a column that may span lines (a call's note). Tabs are read
    as spaces. The record is still passed on, each refused character shown as U+FFFD, so
    its other problems are listed too and no message echoes a control. Cheap: one search
    over the whole text finds whether any record needs a look; otherwise only records
    spanning several physical lines (a line break in a quoted cell) are looked at."""

    def __init__(
        self, text: str, first_line: int, width: int, columns: _Checked_Columns = ()
    ) -> None:
        self.text = text
        self.first_line = first_line
        self.width = width
        self.columns = columns
        self.rows = 0
        self.errors: list[tuple[int, str, str]] = []
        self.open_quote_at_end = False  # the text ended inside a quoted cell

    def _check_controls(self, line: int, row: list[str]) -> None:
        """Check ``row``'s cells for control characters, in place: tabs become spaces; a
        refused cell has its error recorded and its controls replaced by U+FFFD."""
        n = len(row)
        for i, name, multiline in self.columns:
            if i >= n or ANY_CONTROL.search(row[i]) is None:
                continue
            text, problem = control_problem(row[i], multiline=multiline)
            if problem is None:
                row[i] = text
            else:
                self.errors.append((line, name, problem))
                row[i] = ANY_CONTROL.sub("\ufffd", row[i])

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""), strict=True)
        base = self.first_line
        width = self.width
        look_at_all = CONTROL_BUT_LINE_ENDS.search(self.text) is not None
        end = 0  # physical lines consumed so far
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = str(exc)
                if "unexpected end of data" in message:
                    self.open_quote_at_end = True
                self.errors.append((base + end, "row", f"malformed CSV: {_csv_problem(message)}"))
                if reader.line_num <= end:  # no progress: give up rather than loop
                    return
                end = reader.line_num
                continue
            start = base + end
            spans_lines = reader.line_num - end > 1  # a line break inside a quoted cell
            end = reader.line_num
            if not row or (not row[0].strip() and not any(c.strip() for c in row)):
                continue  # blank line, or a row of empty cells
            self.rows += 1
            n = len(row)
            if n != width:
                if n > width:
                    self.errors.append(
                        (start, "row", f"{n} cells but the header has {width} columns")
                    )
                    continue
                row.extend([""] * (width - n))
            if look_at_all or spans_lines:
                self._check_controls(start, row)
            yield start, row


def _csv_problem(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted cell starting here is never closed (missing '\"')"
    return message


# ------------------------------------------------------------------ value checks


def _date(text: str) -> tuple[date | None, str]:
    """``(date, "")`` for strict ``YYYY-MM-DD`` in ASCII digits inside the accepted dates
    (``domain.dates``), else ``(None, what is wrong)``."""
    try:
        return parse_date(text), ""
    except DateError as exc:
        return None, str(exc)


def _amount(text: str, *, allow_negative: bool = True) -> tuple[int, str | None]:
    """(cents, None), or (0, what is wrong)."""
    if not text.strip():
        return 0, "is empty"
    try:  # bounded by MAX_AMOUNT_CENTS there, as every amount entered by any path
        cents = parse_amount(text, allow_negative=allow_negative)
    except MoneyError as exc:
        return 0, str(exc)
    return cents, None


def _ts(value: datetime) -> str:
    """Naive UTC datetime → the text both databases store for a timestamp column."""
    return value.isoformat(" ")


def _chunks(items: Sequence[Any], size: int = _LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(db: Database, n: int) -> str:
    return ", ".join([db.param] * n)


def _executemany(db: Database, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one parametrised statement (``?`` placeholders) for many rows."""
    if not rows:
        return
    cursor = db.cursor()
    if isinstance(db, PostgresqlDatabase):
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql.replace("?", "%s"), rows, page_size=500)
    else:
        cursor.executemany(sql, rows)


def _split_zones(text: str) -> tuple[str, ...]:
    return tuple(z for z in text.split(",") if z)


_SAFE_LITERAL = re.compile(r"[\w :.+-]*", re.ASCII)


def _literal(value: str | int) -> str:
    """A constant of the program (a timestamp, a status word) as an SQL literal."""
    if isinstance(value, int):
        return str(value)
    if not _SAFE_LITERAL.fullmatch(value):
        raise ValueError(f"not a safe SQL literal: {value!r}")
    return f"'{value}'"


def _insert(
    db: Database,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: dict[str, str | int],
) -> None:
    """Like ``store.bulk.insert_rows``, plus ``constants``: columns with the same value in
    every row, written once into the statement instead of bound for each row (binding is
    most of the cost of a bulk insert: a million accounts bind ~15 million such values)."""
    names = ", ".join(f'"{c}"' for c in (*columns, *constants))
    literals = ", ".join(_literal(v) for v in constants.values())
    if isinstance(db, PostgresqlDatabase):
        from psycopg2.extras import execute_values

        template = f"({', '.join(['%s'] * len(columns))}, {literals})"
        sql = f'INSERT INTO "{table}" ({names}) VALUES %s'
        execute_values(db.cursor(), sql, rows, template=template, page_size=1000)
    else:
        marks = ", ".join("?" for _ in columns)
        db.cursor().executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks}, {literals})', rows
        )


def _dt(value: Any) -> datetime | None:
    """A timestamp column as read by a raw query → naive UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    result: datetime = value
    if result.tzinfo is not None:
        result = result.astimezone(UTC).replace(tzinfo=None)
    return result


def _day(value: Any) -> str | None:
    """A date column as read by a raw query → ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


# -------------------------------------------------------------- big files: speed


def _worker_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return min(cpus, _MAX_WORKERS)


def _die_with_parent() -> None:
    """A checking worker must not outlive an import that was killed (kill -9, a dropped SSH
    session): on Linux the kernel sends it SIGKILL when its parent dies; elsewhere a thread
    watches the parent and exits."""
    parent = os.getppid()
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL) == 0 and os.getppid() == parent:
            return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` (instant, nothing to re-import) from a single-threaded process such as the
    CLI; ``spawn`` when other threads run (forking them is unsafe)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_C = TypeVar("_C")
_S = TypeVar("_S")
_Check = Callable[[_S, list[tuple[int, list[str]]]], _C]


def _parallel(table: _Table) -> bool:
    """Whether the table is big enough to be read by worker processes (and there are
    cores for them)."""
    return len(table.body) >= _PARALLEL_MIN_CHARS and _worker_count() >= 2


def _map_chunks(check: _Check[_S, _C], spec: _S, table: _Table) -> Iterator[_C]:
    """``check(spec, records)`` over all of the table's records, in order, in pieces.

    A big file is cut into pieces at record boundaries, and worker processes (one per
    core) read and check the pieces while the caller uses the results of earlier ones.
    Small files are read and checked in this process.
    """
    if _parallel(table):
        yield from _check_in_workers(check, spec, table)
        return
    it = iter(table)
    while batch := list(itertools.islice(it, _BATCH_ROWS)):
        yield check(spec, batch)


def _cut(text: str, size: int) -> list[int]:
    """Offsets cutting ``text`` into pieces of about ``size`` characters, each cut just
    after a newline outside quotes (an even number of '"' before it: in well-formed CSV a
    quote inside a quoted cell is doubled). Ill-formed quoting can fool this; the worker
    reading the piece before such a cut then ends inside a quoted cell, which is checked."""
    cuts = [0]
    pos = 0
    quotes = 0
    while True:
        target = cuts[-1] + size
        if target >= len(text):
            break
        nl = text.find("\n", target)
        if nl < 0:
            break
        quotes = text.count('"', pos, nl + 1)
        while quotes % 2:
            nxt = text.find("\n", nl + 1)
            if nxt < 0:
                break
            quotes += text.count('"', nl + 1, nxt + 1)
            nl = nxt
        if quotes % 2:
            break
        pos = nl + 1
        cuts.append(pos)
    cuts.append(len(text))
    return cuts


def _line_breaks(text: str, start: int, end: int) -> int:
    """Physical line breaks in text[start:end], counted as the csv reader counts them."""
    return (
        text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
    )


def _check_piece(
    check: _Check[_S, _C],
    spec: _S,
    text: str,
    first_line: int,
    width: int,
    columns: _Checked_Columns,
) -> tuple[_C, int, list[tuple[int, str, str]], bool]:
    """Worker: read one piece of the file and check its records."""
    records = _Records(text, first_line, width, columns)
    checked = check(spec, list(records))
    return checked, records.rows, records.errors, records.open_quote_at_end


def _check_in_workers(check: _Check[_S, _C], spec: _S, table: _Table) -> Iterator[_C]:
    """Every piece checked by a pool of processes, results in file order.

    If a piece ends inside a quoted cell (ill-formed quoting fooled ``_cut``), the pieces
    from there on are dropped and that part of the file is read here in one go."""
    body = table.body
    cuts = _cut(body, _PIECE_CHARS)
    parse_phone("+12125550123")  # warm the phone caches once, before forking
    lines = [table.body_line]
    for start, end in itertools.pairwise(cuts):
        lines.append(lines[-1] + _line_breaks(body, start, end))
    workers = _worker_count()
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_mp_context(), initializer=_die_with_parent
    )
    pieces = len(cuts) - 1
    resume: int | None = None

    def submit(k: int) -> Future[tuple[_C, int, list[tuple[int, str, str]], bool]]:
        piece = body[cuts[k] : cuts[k + 1]]
        return pool.submit(_check_piece, check, spec, piece, lines[k], table.width, table.checked)

    try:
        # A few pieces ahead of the caller, no more: results waiting to be used cost
        # memory, and workers far ahead only take CPU from the caller, who is slower.
        ahead = 2 * workers
        futures = deque(submit(k) for k in range(min(ahead, pieces)))
        for k in range(pieces):
            checked, rows, errors, open_quote = futures.popleft().result()
            if k + ahead < pieces:
                futures.append(submit(k + ahead))
            if open_quote and k < pieces - 1:
                resume = k
                break
            table.rows += rows
            for line, column, message in errors:
                table._probs.error(line, column, message)
            yield checked
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if resume is not None:
        rest = _Table(
            table._probs,
            table.cols,
            table.width,
            body[cuts[resume] :],
            lines[resume],
            table.multiline,
        )
        it = iter(rest)
        while batch := list(itertools.islice(it, _BATCH_ROWS)):
            yield check(spec, batch)
        table.rows += rest.rows


@contextlib.contextmanager
def _indexes_rebuilt_after(db: Database, *, enabled: bool, empty: bool) -> Iterator[None]:
    """For a bulk insert of many new accounts into SQLite: drop the secondary indexes of
    phone, account and ledger_entry and build them again afterwards: sorting once is far
    cheaper than maintaining them row by row. The indexes the import reads through to find
    stored phones and ledger sums stay unless nothing is stored (``empty``). Inside the
    caller's transaction, so a failure restores them. Not done on PostgreSQL, where DROP
    INDEX would lock out every reader of the table until commit."""
    if not enabled or isinstance(db, PostgresqlDatabase):
        yield
        return
    names = _DEFERRED_INDEXES + (_DEFERRED_INDEXES_WHEN_EMPTY if empty else ())
    found = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        f"AND name IN ({_marks(db, len(names))})",
        names,
    ).fetchall()
    for name, _ in found:
        db.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in found:
        db.execute_sql(sql)


class _Account(NamedTuple):
    id: int
    number: str
    debtor_id: int
    flags: int
    last_attempt_at: datetime | None
    balance_cents: int


def _find_accounts(db: Database, numbers: Iterable[str]) -> dict[str, _Account]:
    """Stored accounts among ``numbers``, looked up 500 at a time."""
    wanted = list(dict.fromkeys(numbers))
    found: dict[str, _Account] = {}
    for chunk in _chunks(wanted):
        rows = db.execute_sql(
            "SELECT id, number, debtor_id, flags, last_attempt_at, balance_cents FROM account "
            f"WHERE number IN ({_marks(db, len(chunk))})",
            tuple(chunk),
        ).fetchall()
        for r in rows:
            found[r[1]] = _Account(int(r[0]), r[1], int(r[2]), int(r[3]), _dt(r[4]), int(r[5]))
    return found


class _Counts(NamedTuple):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


class _Importer:
    """One import: parse (no database), resolve (read the database), write."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    multiline: frozenset[str] = frozenset()  # columns whose cells may span lines

    def __init__(self, ctx: Context, file: str, probs: _Problems, dry_run: bool) -> None:
        self.ctx = ctx
        self.file = file
        self.probs = probs
        self.dry_run = dry_run
        self.counts = _Counts()
        self.now = to_db(ctx.now())
        self.now_text = _ts(self.now)

    def parse(self, table: _Table) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def resolve(self, db: Database) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, db: Database) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def audit_extra(self) -> dict[str, Any]:
        return {}

    def streams(self, table: _Table) -> bool:
        """Whether this import checks and writes the file piece by piece."""
        return False

    def stream(self, db: Database, table: _Table) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _flag_audits(self, db: Database, added: Sequence[tuple[int, int]]) -> None:
        """One ``flags.set`` audit event per account whose flags this import raised."""
        rows = [
            (
                self.now_text,
                self.ctx.actor,
                "flags.set",
                account_id,
                json.dumps(
                    {"added": flag_names(bits), "source": _SOURCE, "file": self.file},
                    sort_keys=True,
                ),
            )
            for account_id, bits in added
        ]
        insert_rows(db, "audit_event", ("at", "actor", "action", "account_id", "detail"), rows)


# ------------------------------------------------------------------------ accounts

# A checked accounts row is a plain tuple (cheap to pass between processes); the `_A_*`
# constants name its fields. Each phone in it is a `_PhoneRow`.
_PhoneRow = tuple[str, str, str | None, str | None, bool, str, str | None]
# (kind, raw, e164, extension, valid, zones as "a,b", problem)
_AcctRow = tuple[Any, ...]
_A_LINE, _A_NUMBER, _A_NAME, _A_TYPE, _A_EMAIL, _A_ADDRESS1, _A_CITY = 0, 1, 2, 3, 4, 5, 6
_A_STATE, _A_POSTAL, _A_COUNTRY, _A_CREDITOR, _A_CURRENCY, _A_DUE = 7, 8, 9, 10, 11, 12
_A_FLAGS, _A_BALANCE, _A_PHONES = 13, 14, 15
_A_ZONES, _A_SORT_KEY = 16, 17  # of a new account: its zone set "a,b" and queue sort key


class _AcctSpec(NamedTuple):
    cols: dict[str, int]
    country: str  # default country
    currency: str  # default currency
    zones: tuple[str, ...]  # default zones
    today: date  # a new account without a due date ages from today
    weights: Weights  # queue score weights (a new account's sort key)


class _Checked(NamedTuple):
    """What checking one batch of rows found (errors and warnings as (line, column, msg))."""

    records: list[_AcctRow]
    numbers: list[tuple[int, str]]  # (line, number) of every row with a usable number
    errors: list[tuple[int, str, str]]
    warnings: list[tuple[int, str, str]]


def _check_accounts(spec: _AcctSpec, batch: list[tuple[int, list[str]]]) -> _Checked:
    """Check a batch of accounts rows (pure: no database; runs in worker processes)."""
    cols = spec.cols
    i_num = cols["account_number"]
    i_name = cols["debtor_name"]
    i_bal = cols["balance"]
    i_type = cols.get("debtor_type")
    i_phones = cols.get("phones")
    i_email = cols.get("email")
    i_addr = cols.get("address1")
    i_city = cols.get("city")
    i_state = cols.get("state")
    i_postal = cols.get("postal_code")
    i_country = cols.get("country")
    i_creditor = cols.get("creditor")
    i_currency = cols.get("currency")
    i_due = cols.get("due_date")
    i_flags = cols.get("flags")
    default_country = spec.country
    default_currency = spec.currency
    records: list[_AcctRow] = []
    numbers: list[tuple[int, str]] = []
    errors: list[tuple[int, str, str]] = []
    warnings: list[tuple[int, str, str]] = []
    error = errors.append
    warn = warnings.append
    for line, row in batch:
        n_errors = len(errors)
        number = row[i_num].strip()
        if not number:
            error((line, "account_number", "is empty"))
        elif len(number) > 64:
            error((line, "account_number", f"'{number[:20]}…' is longer than 64 characters"))
        else:
            numbers.append((line, number))
        name = row[i_name].strip()
        if not name:
            error((line, "debtor_name", "is empty"))
        balance, problem = _amount(row[i_bal])
        if problem is not None:
            error((line, "balance", problem))
        debtor_type = "person"
        if i_type is not None:
            text = row[i_type].strip().lower()
            if text:
                if text in _DEBTOR_TYPES:
                    debtor_type = text
                else:
                    error(
                        (
                            line,
                            "debtor_type",
                            f"'{row[i_type].strip()}' is not a debtor type "
                            "(expected person or business)",
                        )
                    )
        country = default_country
        if i_country is not None:
            text = row[i_country].strip().upper()
            if text:
                if text in _COUNTRIES:
                    country = text
                else:
                    error(
                        (
                            line,
                            "country",
                            f"'{row[i_country].strip()}' is not an ISO 3166 two-letter "
                            "country code (e.g. US, CA)",
                        )
                    )
        currency = default_currency
        if i_currency is not None:
            text = row[i_currency].strip().upper()
            if text:
                if text in _CURRENCIES:
                    currency = text
                else:
                    error(
                        (
                            line,
                            "currency",
                            f"'{row[i_currency].strip()}' is not an ISO 4217 currency code "
                            "(e.g. USD)",
                        )
                    )
        state: str | None = None
        if i_state is not None:
            state = row[i_state].strip().upper() or None
            if state is not None:
                if len(state) > 10:
                    error((line, "state", f"'{state}' is longer than 10 characters"))
                elif country == "US" and state not in STATE_ZONES:
                    warn(
                        (
                            line,
                            "state",
                            f"'{state}' is not a US state code; its time zones are unknown",
                        )
                    )
        postal: str | None = None
        if i_postal is not None:
            postal = row[i_postal].strip() or None
            if postal is not None and len(postal) > 20:
                error((line, "postal_code", f"'{postal}' is longer than 20 characters"))
        creditor = ""
        if i_creditor is not None:
            creditor = row[i_creditor].strip()
            if len(creditor) > 200:
                error((line, "creditor", "is longer than 200 characters"))
        due: str | None = None
        aging_from = spec.today
        if i_due is not None:
            text = row[i_due].strip()
            if text:
                due_day, problem = _date(text)
                if due_day is None:
                    error((line, "due_date", problem))
                else:
                    due, aging_from = text, due_day
        flags = 0
        if i_flags is not None:
            text = row[i_flags].strip()
            if text:
                flags, flag_errors = parse_flags(text)
                for message in flag_errors:
                    error((line, "flags", message))
        email: str | None = None
        if i_email is not None:
            email = row[i_email].strip() or None
            if email is not None and "@" not in email:
                warn((line, "email", f"'{email}' does not look like an email address; kept"))
        phones: tuple[_PhoneRow, ...] = ()
        if i_phones is not None:
            spec_text = row[i_phones].strip()
            if spec_text:
                parsed, phone_errors = _phone_list(spec_text, country)
                for message in phone_errors:
                    error((line, "phones", message))
                for p in parsed:
                    if not p.valid:
                        warn(
                            (
                                line,
                                "phones",
                                f"'{p.raw}' is not a valid phone number ({p.problem}); "
                                "kept, not dialable",
                            )
                        )
                    elif p.extension is not None and len(p.extension) > 10:
                        error((line, "phones", f"'{p.raw}': the extension is too long"))
                phones = tuple(
                    [
                        (p.kind, p.raw, p.e164, p.extension, p.valid, ",".join(p.zones), p.problem)
                        for p in parsed
                    ]
                )
        if len(errors) == n_errors:
            records.append(
                (
                    line,
                    number,
                    name,
                    debtor_type,
                    email,
                    (row[i_addr].strip() or None) if i_addr is not None else None,
                    (row[i_city].strip() or None) if i_city is not None else None,
                    state,
                    postal,
                    country,
                    creditor,
                    currency,
                    due,
                    flags,
                    balance,
                    phones,
                    ",".join(
                        zone_set(
                            state,
                            country,
                            [_split_zones(p[5]) for p in phones if p[4]],
                            spec.zones,
                        )
                    ),
                    fresh_sort_key(balance, aging_from, spec.weights),
                )
            )
    # In number order, new accounts go into the unique index on account.number in runs.
    records.sort(key=_by_number)
    return _Checked(records, numbers, errors, warnings)


def _by_number(record: _AcctRow) -> str:
    number: str = record[_A_NUMBER]
    return number


_JUNK_PHONES: dict[tuple[str, str], tuple[list[ParsedPhone], list[str]]] = {}


def _phone_list(spec: str, region: str) -> tuple[list[ParsedPhone], list[str]]:
    """``parse_phone_list``, entry by entry, remembering the entries that are not valid
    numbers: exports repeat the same junk ("n/a", "000-000-0000") and every such entry
    takes the slow path of the phone parser."""
    if ";" not in spec:
        return _phone_entry(spec, region)
    phones: list[ParsedPhone] = []
    errors: list[str] = []
    for entry in spec.split(";"):
        p, e = _phone_entry(entry, region)
        phones += p
        errors += e
    return phones, errors


def _phone_entry(entry: str, region: str) -> tuple[list[ParsedPhone], list[str]]:
    key = (entry, region)
    hit = _JUNK_PHONES.get(key)
    if hit is not None:
        return hit
    phones, errors = parse_phone_list(entry, region)
    if (errors or not all(p.valid for p in phones)) and len(_JUNK_PHONES) < 10_000:
        _JUNK_PHONES[key] = (phones, errors)
    return phones, errors


class _OldPhone(NamedTuple):
    id: int
    position: int
    kind: str
    raw: str
    e164: str | None
    extension: str | None
    valid: bool
    status: str
    zones: str
    problem: str | None


class _OldAccount(NamedTuple):
    id: int
    debtor_id: int
    creditor: str
    currency: str
    due_date: str | None
    flags: int
    balance_cents: int
    zone_set_id: int | None
    name: str
    debtor_type: str
    email: str | None
    address1: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str


class _Update(NamedTuple):
    """What re-importing one existing account changes."""

    old: _OldAccount
    debtor: tuple[Any, ...] | None  # new debtor values (name..country) when changed
    account: tuple[Any, ...]  # (creditor, currency, due_date, flags) as merged
    balance: int  # the file's balance: the new cached balance
    adjust: int  # import sync adjustment (0: none)
    zones: tuple[str, ...]
    # (position, kind, raw, extension, valid, zones, problem, id)
    phone_updates: list[tuple[Any, ...]]
    phone_inserts: list[tuple[int, _PhoneRow, str]]  # (position, phone, status)
    phone_deletes: list[int]


_ACCOUNT_OPTIONAL = (
    "debtor_type",
    "phones",
    "email",
    "address1",
    "city",
    "state",
    "postal_code",
    "country",
    "creditor",
    "currency",
    "due_date",
    "flags",
)
_PHONE_COLUMNS = (
    "debtor_id",
    "position",
    "kind",
    "raw",
    "e164",
    "extension",
    "valid",
    "status",
    "zones",
    "problem",
    "created_at",
    "updated_at",
)
_LEDGER_COLUMNS = (
    "account_id",
    "posted_on",
    "kind",
    "amount_cents",
    "memo",
    "source",
    "created_at",
    "created_by",
)


class _AccountsImporter(_Importer):
    required = ("account_number", "debtor_name", "balance")
    optional = _ACCOUNT_OPTIONAL

    def __init__(self, ctx: Context, file: str, probs: _Problems, dry_run: bool) -> None:
        super().__init__(ctx, file, probs, dry_run)
        self._seen: dict[str, int] = {}  # account number → first line
        self._stored: dict[str, int] | None = None  # number → id of every stored account
        self.new: list[_AcctRow] = []
        self.updates: list[_Update] = []
        self.refresh: list[tuple[_OldAccount, tuple[str, ...], int]] = []  # cache fixes only
        self.opening_entries = 0
        self.adjustments = 0

    def _spec(self, table: _Table) -> _AcctSpec:
        self.present = frozenset(table.cols)
        return _AcctSpec(
            dict(table.cols),
            self.ctx.default_region.upper(),
            self.ctx.default_currency.upper(),
            self.ctx.default_zones,
            self.ctx.today(),
            self.ctx.weights,
        )

    def _merge(self, checked: _Checked) -> list[_AcctRow]:
        """Take one checked piece's problems; its records, less duplicates of earlier rows."""
        probs = self.probs
        seen = self._seen
        for line, column, message in checked.errors:
            probs.error(line, column, message)
        for line, column, message in checked.warnings:
            probs.warn(line, column, message)
        duplicates: set[int] = set()
        for line, number in checked.numbers:
            first = seen.setdefault(number, line)
            if first != line:
                probs.error(
                    line,
                    "account_number",
                    f"duplicate account number '{number}' (lines {first} and {line})",
                )
                duplicates.add(line)
        if duplicates:
            return [r for r in checked.records if r[_A_LINE] not in duplicates]
        return checked.records

    def parse(self, table: _Table) -> None:
        records: list[_AcctRow] = []
        for checked in _map_chunks(_check_accounts, self._spec(table), table):
            records.extend(self._merge(checked))
        self.records = records

    def streams(self, table: _Table) -> bool:
        return _parallel(table)

    def stream(self, db: Database, table: _Table) -> None:
        """Check a big file in worker processes and write each checked piece at once, while
        the workers check the next ones (this overlaps the two halves of the work and keeps
        both cores busy). All of it happens in the caller's transaction: once any error is
        found nothing more is written, the rest of the file is still checked, and the
        InputError raised at the end rolls back every row written before."""
        self._stored = {
            n: int(i) for n, i in db.execute_sql("SELECT number, id FROM account").fetchall()
        }
        zone_ids = _ZoneIds(db, self.ctx.default_zones)
        created = updated = unchanged = 0
        # ~160 bytes a row: rebuilding indexes pays when the new rows outnumber the stored.
        big = len(table.body) // 160 >= max(_REINDEX_MIN_ROWS, len(self._stored))
        with _indexes_rebuilt_after(db, enabled=big, empty=not self._stored):
            for checked in _map_chunks(_check_accounts, self._spec(table), table):
                records = self._merge(checked)
                if self.probs.errors:
                    continue  # keep checking; nothing more is written
                self.new = []
                self._resolve(db, records)
                self._write_new(db, zone_ids)
                created += self.counts.created
                updated += self.counts.updated
                unchanged += self.counts.unchanged
            self.probs.raise_if_errors()
        self._write_updates(db, zone_ids)
        self.counts = _Counts(created=created, updated=updated, unchanged=unchanged)

    # -- resolve -----------------------------------------------------------------

    def resolve(self, db: Database) -> None:
        self._resolve(db, self.records)

    def _resolve(self, db: Database, records: list[_AcctRow]) -> None:
        """Sort records into new accounts (``self.new``) and planned updates; set counts."""
        old = self._existing(db, [r[_A_NUMBER] for r in records])
        if not old:
            self.new = records
            self.counts = _Counts(created=len(records))
            return
        ids = [o.id for o in old.values()]
        phones = self._old_phones(db, [o.debtor_id for o in old.values()])
        sums = self._ledger_sums(db, ids)
        bad_history = self._bad_numbers(db, ids)
        updated = unchanged = 0
        for r in records:
            o = old.get(r[_A_NUMBER])
            if o is None:
                self.new.append(r)
                continue
            up = self._plan_update(
                r, o, phones.get(o.debtor_id, []), sums.get(o.id, 0), bad_history.get(o.id, ())
            )
            if up is None:
                unchanged += 1
            else:
                updated += 1
                self.updates.append(up)
        self.counts = _Counts(created=len(self.new), updated=updated, unchanged=unchanged)

    def _existing(self, db: Database, numbers: list[str]) -> dict[str, _OldAccount]:
        """The stored accounts among ``numbers`` (with their debtors)."""
        keys: list[Any]
        if self._stored is not None:  # streaming: every stored number is known
            keys = [self._stored[n] for n in numbers if n in self._stored]
            where = "a.id"
        else:
            if not numbers or db.execute_sql("SELECT 1 FROM account LIMIT 1").fetchone() is None:
                return {}
            if len(numbers) >= _SCAN_THRESHOLD:
                stored = {r[0] for r in db.execute_sql("SELECT number FROM account").fetchall()}
                numbers = [n for n in numbers if n in stored]
            keys, where = numbers, "a.number"
        out: dict[str, _OldAccount] = {}
        for chunk in _chunks(keys):
            rows = db.execute_sql(
                "SELECT a.number, a.id, a.debtor_id, a.creditor, a.currency, a.due_date, "
                "a.flags, a.balance_cents, a.zone_set_id, d.name, d.debtor_type, d.email, "
                "d.address1, d.city, d.state, d.postal_code, d.country "
                "FROM account a JOIN debtor d ON d.id = a.debtor_id "
                f"WHERE {where} IN ({_marks(db, len(chunk))})",
                tuple(chunk),
            ).fetchall()
            for r in rows:
                out[r[0]] = _OldAccount(
                    int(r[1]),
                    int(r[2]),
                    r[3],
                    r[4],
                    _day(r[5]),
                    int(r[6]),
                    int(r[7]),
                    r[8],
                    *r[9:],
                )
        return out

    @staticmethod
    def _old_phones(db: Database, debtor_ids: list[int]) -> dict[int, list[_OldPhone]]:
        out: dict[int, list[_OldPhone]] = {}
        for chunk in _chunks(debtor_ids):
            rows = db.execute_sql(
                "SELECT debtor_id, id, position, kind, raw, e164, extension, valid, status, "
                f"zones, problem FROM phone WHERE debtor_id IN ({_marks(db, len(chunk))}) "
                "ORDER BY debtor_id, position, id",
                tuple(chunk),
            ).fetchall()
            for r in rows:
                out.setdefault(int(r[0]), []).append(
                    _OldPhone(int(r[1]), int(r[2]), r[3], r[4], r[5], r[6], bool(r[7]), *r[8:])
                )
        return out

    @staticmethod
    def _ledger_sums(db: Database, ids: list[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for chunk in _chunks(ids):
            rows = db.execute_sql(
                f"SELECT account_id, {sum_parts('amount_cents')} FROM ledger_entry "
                f"WHERE account_id IN ({_marks(db, len(chunk))}) GROUP BY account_id",
                tuple(chunk),
            ).fetchall()
            out.update((int(a), from_parts(high, low)) for a, high, low in rows)
        return out

    @staticmethod
    def _bad_numbers(db: Database, ids: list[int]) -> dict[int, set[str]]:
        """Numbers this account's call history found not in service or wrong."""
        out: dict[int, set[str]] = {}
        for chunk in _chunks(ids):
            rows = db.execute_sql(
                "SELECT account_id, phone_e164 FROM contact "
                f"WHERE account_id IN ({_marks(db, len(chunk))}) "
                "AND outcome IN ('not_in_service', 'wrong_number') AND phone_e164 IS NOT NULL",
                tuple(chunk),
            ).fetchall()
            for a, e164 in rows:
                out.setdefault(int(a), set()).add(e164)
        return out

    def _plan_update(
        self,
        r: _AcctRow,
        o: _OldAccount,
        old_phones: list[_OldPhone],
        ledger_sum: int,
        bad_history: Iterable[str],
    ) -> _Update | None:
        present = self.present
        debtor = (
            r[_A_NAME],
            r[_A_TYPE] if "debtor_type" in present else o.debtor_type,
            r[_A_EMAIL] if "email" in present else o.email,
            r[_A_ADDRESS1] if "address1" in present else o.address1,
            r[_A_CITY] if "city" in present else o.city,
            r[_A_STATE] if "state" in present else o.state,
            r[_A_POSTAL] if "postal_code" in present else o.postal_code,
            r[_A_COUNTRY] if "country" in present else o.country,
        )
        old_debtor = (
            o.name,
            o.debtor_type,
            o.email,
            o.address1,
            o.city,
            o.state,
            o.postal_code,
            o.country,
        )
        account = (
            r[_A_CREDITOR] if "creditor" in present else o.creditor,
            r[_A_CURRENCY] if "currency" in present else o.currency,
            r[_A_DUE] if "due_date" in present else o.due_date,
            o.flags | r[_A_FLAGS],
        )
        old_account = (o.creditor, o.currency, o.due_date, o.flags)
        balance: int = r[_A_BALANCE]
        adjust = balance - ledger_sum

        phone_updates: list[tuple[Any, ...]] = []
        phone_inserts: list[tuple[int, _PhoneRow, str]] = []
        phone_deletes: list[int] = []
        dialable_zones: list[tuple[str, ...]] = []
        if "phones" in present:
            pool: dict[str, list[_OldPhone]] = {}
            for op in old_phones:
                pool.setdefault(op.e164 or "raw:" + op.raw, []).append(op)
            for pos, p in enumerate(r[_A_PHONES]):
                kind, raw, e164, extension, valid, zones_text, problem = p
                matches = pool.get(e164 or "raw:" + raw)
                if matches:
                    op = matches.pop(0)
                    status = op.status
                    new_vals = (pos, kind, raw, extension, valid, zones_text, problem)
                    old_vals = (
                        op.position,
                        op.kind,
                        op.raw,
                        op.extension,
                        op.valid,
                        op.zones,
                        op.problem,
                    )
                    if new_vals != old_vals:
                        phone_updates.append((*new_vals, op.id))
                else:
                    status = "ok"
                    if e164 is not None and e164 in bad_history:
                        status = "bad"
                        self.probs.warn(
                            r[_A_LINE],
                            "phones",
                            f"'{raw}' was reported not in service or a wrong number on "
                            f"account {r[_A_NUMBER]}; kept as bad (not dialable)",
                        )
                    phone_inserts.append((pos, p, status))
                if valid and status == "ok":
                    dialable_zones.append(_split_zones(zones_text))
            left = sorted((op for ops in pool.values() for op in ops), key=lambda op: op.position)
            phone_deletes = [op.id for op in left if op.status == "ok"]
            # A number a coordinator marked bad or dnc stays, after the file's numbers, so
            # the mark is not lost if the number comes back in a later file.
            pos = len(r[_A_PHONES])
            for op in left:
                if op.status != "ok":
                    if op.position != pos:
                        kept = (op.kind, op.raw, op.extension, op.valid, op.zones, op.problem)
                        phone_updates.append((pos, *kept, op.id))
                    pos += 1
        else:
            dialable_zones = [
                _split_zones(op.zones) for op in old_phones if op.valid and op.status == "ok"
            ]
        zones = zone_set(debtor[5], debtor[7], dialable_zones, self.ctx.default_zones)

        changed = bool(
            debtor != old_debtor
            or account != old_account
            or adjust
            or phone_updates
            or phone_inserts
            or phone_deletes
        )
        if not changed:
            # Nothing in the file is new; stale caches (balance, zone set) are still fixed.
            self.refresh.append((o, zones, ledger_sum))
            return None
        return _Update(
            old=o,
            debtor=debtor if debtor != old_debtor else None,
            account=account,
            balance=balance,
            adjust=adjust,
            zones=zones,
            phone_updates=phone_updates,
            phone_inserts=phone_inserts,
            phone_deletes=phone_deletes,
        )

    # -- write -------------------------------------------------------------------

    def write(self, db: Database) -> None:
        zone_ids = _ZoneIds(db, self.ctx.default_zones)
        new = self.new
        if new:
            # Rebuilding indexes pays when the new rows outnumber the stored ones.
            stored = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM account").fetchone()[0]
            big = len(new) >= max(_REINDEX_MIN_ROWS, int(stored))
            with _indexes_rebuilt_after(db, enabled=big, empty=not stored):
                self._write_new(db, zone_ids)
        self._write_updates(db, zone_ids)

    def _write_new(self, db: Database, zone_ids: _ZoneIds) -> None:
        new = self.new
        if not new:
            return
        now = self.now_text
        today = self.ctx.today().isoformat()
        actor = self.ctx.actor
        debtor_ids = reserve_ids(db, "debtor", len(new))
        account_ids = reserve_ids(db, "account", len(new))
        stamps: dict[str, str | int] = {"created_at": now, "updated_at": now}
        _insert(
            db,
            "debtor",
            (
                "id",
                "name",
                "debtor_type",
                "email",
                "address1",
                "city",
                "state",
                "postal_code",
                "country",
            ),
            (
                (did, r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
                for did, r in zip(debtor_ids, new, strict=True)
            ),
            stamps,
        )
        _insert(
            db,
            "phone",
            _PHONE_COLUMNS[:7] + _PHONE_COLUMNS[8:10],
            (
                (did, pos, p[0], p[1], p[2], p[3], p[4], p[5], p[6])
                for did, r in zip(debtor_ids, new, strict=True)
                for pos, p in enumerate(r[_A_PHONES])
            ),
            {"status": "ok", **stamps},
        )
        zone_of = zone_ids.for_key
        _insert(
            db,
            "account",
            (
                "id",
                "number",
                "debtor_id",
                "creditor",
                "currency",
                "due_date",
                "flags",
                "balance_cents",
                "zone_set_id",
                "score",
            ),
            (
                (
                    aid, r[1], did, r[10], r[11], r[12], r[13], r[14], zone_of(r[_A_ZONES]),
                    r[_A_SORT_KEY],
                )
                for aid, did, r in zip(account_ids, debtor_ids, new, strict=True)
            ),
            {"status": "open", "tier": 3, **stamps},
        )  # fmt: skip
        _insert(
            db,
            "ledger_entry",
            ("account_id", "kind", "amount_cents", "created_by"),
            (
                (aid, "charge" if r[_A_BALANCE] > 0 else "adjustment", r[_A_BALANCE], actor)
                for aid, r in zip(account_ids, new, strict=True)
                if r[_A_BALANCE]
            ),
            {"posted_on": today, "memo": _OPENING_MEMO, "source": _SOURCE, "created_at": now},
        )
        self.opening_entries += sum(1 for r in new if r[_A_BALANCE])

    def _write_updates(self, db: Database, zone_ids: _ZoneIds) -> None:
        now = self.now_text
        today = self.ctx.today().isoformat()
        debtor_rows: list[tuple[Any, ...]] = []
        account_rows: list[tuple[Any, ...]] = []
        phone_updates: list[tuple[Any, ...]] = []
        phone_inserts: list[tuple[Any, ...]] = []
        phone_deletes: list[tuple[int]] = []
        ledger_rows: list[tuple[Any, ...]] = []
        flag_changes: list[tuple[int, int]] = []
        for u in self.updates:
            o = u.old
            if u.debtor is not None:
                debtor_rows.append((*u.debtor, now, o.debtor_id))
            zid = zone_ids.for_zones(u.zones)
            account_rows.append((*u.account, u.balance, zid, now, o.id))
            if u.account[3] != o.flags:
                flag_changes.append((o.id, u.account[3] & ~o.flags))
            phone_updates.extend((*pu[:-1], now, pu[-1]) for pu in u.phone_updates)
            for pos, p, status in u.phone_inserts:
                phone_inserts.append(
                    (o.debtor_id, pos, p[0], p[1], p[2], p[3], p[4], status, p[5], p[6], now, now)
                )
            phone_deletes.extend((pid,) for pid in u.phone_deletes)
            if u.adjust:
                ledger_rows.append(
                    (o.id, today, "adjustment", u.adjust, _SYNC_MEMO, _SOURCE, now, self.ctx.actor)
                )
        refresh_rows: list[tuple[Any, ...]] = []
        for o, zones, ledger_sum in self.refresh:
            zid = zone_ids.for_zones(zones)
            if zid != o.zone_set_id or ledger_sum != o.balance_cents:
                refresh_rows.append((ledger_sum, zid, o.id))
        _executemany(
            db,
            "UPDATE debtor SET name = ?, debtor_type = ?, email = ?, address1 = ?, city = ?, "
            "state = ?, postal_code = ?, country = ?, updated_at = ? WHERE id = ?",
            debtor_rows,
        )
        _executemany(db, "DELETE FROM phone WHERE id = ?", phone_deletes)
        _executemany(
            db,
            "UPDATE phone SET position = ?, kind = ?, raw = ?, extension = ?, valid = ?, "
            "zones = ?, problem = ?, updated_at = ? WHERE id = ?",
            phone_updates,
        )
        insert_rows(db, "phone", _PHONE_COLUMNS, phone_inserts)
        _executemany(
            db,
            "UPDATE account SET creditor = ?, currency = ?, due_date = ?, flags = ?, "
            "balance_cents = ?, zone_set_id = ?, updated_at = ? WHERE id = ?",
            account_rows,
        )
        _executemany(
            db, "UPDATE account SET balance_cents = ?, zone_set_id = ? WHERE id = ?", refresh_rows
        )
        insert_rows(db, "ledger_entry", _LEDGER_COLUMNS, ledger_rows)
        self.adjustments = len(ledger_rows)
        self._flag_audits(db, flag_changes)

    def audit_extra(self) -> dict[str, Any]:
        return {"opening_entries": self.opening_entries, "sync_adjustments": self.adjustments}


class _ZoneIds:
    """Zone-set ids for the rows being written (a handful of distinct sets)."""

    def __init__(self, db: Database, default: tuple[str, ...]) -> None:
        self._cache = ZoneSetCache(db)
        self._default = default
        self._by_zones: dict[tuple[str, ...], int] = {}
        self._by_key: dict[str, int] = {}

    def for_zones(self, zones: tuple[str, ...]) -> int:
        zid = self._by_zones.get(zones)
        if zid is None:
            zid = self._by_zones[zones] = self._cache.id_for(zones)
        return zid

    def for_key(self, key: str) -> int:
        """The id of a set given as "zone,zone"."""
        zid = self._by_key.get(key)
        if zid is None:
            zid = self._by_key[key] = self.for_zones(_split_zones(key))
        return zid


# ------------------------------------------------------------------- transactions


class _TxRow(NamedTuple):
    line: int
    number: str
    posted_on: str
    kind: str
    amount: int  # as given in the file (positive, or signed for adjustments)
    effect: int  # signed effect on the balance
    reference: str | None
    memo: str


class _TransactionsImporter(_Importer):
    required = ("account_number", "posted_on", "kind", "amount")
    optional = ("reference", "memo")

    def parse(self, table: _Table) -> None:
        cols = table.cols
        error = self.probs.error
        i_num, i_on, i_kind, i_amt = (cols[c] for c in self.required)
        i_ref = cols.get("reference")
        i_memo = cols.get("memo")
        refs: dict[tuple[str, str], int] = {}
        records: list[_TxRow] = []
        for line, row in table:
            ok = True
            number = row[i_num].strip()
            if not number:
                error(line, "account_number", "is empty")
                ok = False
            posted_on = row[i_on].strip()
            if not posted_on:
                error(line, "posted_on", "is empty")
                ok = False
            elif (date_problem := _date(posted_on)[1]) != "":
                error(line, "posted_on", date_problem)
                ok = False
            kind = row[i_kind].strip().lower()
            if kind not in KINDS:
                error(
                    line,
                    "kind",
                    f"'{row[i_kind].strip()}' is not a transaction kind "
                    f"(expected {', '.join(KINDS)})",
                )
                ok = False
            amount, problem = _amount(row[i_amt])
            effect = 0
            if problem is not None:
                error(line, "amount", problem)
                ok = False
            elif kind in KINDS:
                try:
                    effect = signed_amount(kind, amount)
                except LedgerError as exc:
                    error(line, "amount", f"{exc} (got {row[i_amt].strip()})")
                    ok = False
            reference: str | None = None
            if i_ref is not None:
                reference = row[i_ref].strip() or None
                if reference is not None:
                    if len(reference) > MAX_REFERENCE_CHARS:
                        error(line, "reference", f"is longer than {MAX_REFERENCE_CHARS} characters")
                        ok = False
                    elif number:
                        first = refs.get((number, reference))
                        if first is not None:
                            error(
                                line,
                                "reference",
                                f"reference '{reference}' for account {number} appears "
                                f"twice in this file (lines {first} and {line})",
                            )
                            ok = False
                        else:
                            refs[(number, reference)] = line
            memo = row[i_memo].strip() if i_memo is not None else ""
            if ok:
                records.append(
                    _TxRow(line, number, posted_on, kind, amount, effect, reference, memo)
                )
        self.records = records

    def resolve(self, db: Database) -> None:
        accounts = _find_accounts(db, (r.number for r in self.records))
        for r in self.records:
            if r.number not in accounts:
                self.probs.error(r.line, "account_number", f"no account '{r.number}'")
        ids = list({a.id for a in accounts.values()})
        posted: dict[tuple[int, str], tuple[str, int]] = {}
        for chunk in _chunks(ids):
            rows = db.execute_sql(
                "SELECT account_id, reference, kind, amount_cents FROM ledger_entry "
                f"WHERE account_id IN ({_marks(db, len(chunk))}) AND reference IS NOT NULL",
                tuple(chunk),
            ).fetchall()
            for a, ref, kind, cents in rows:
                posted[(int(a), ref)] = (kind, int(cents))
        self.todo: list[tuple[int, _TxRow]] = []
        skipped = 0
        for r in self.records:
            acct = accounts.get(r.number)
            if acct is None:
                continue
            if r.reference is not None:
                before = posted.get((acct.id, r.reference))
                if before is not None:
                    skipped += 1
                    if before != (r.kind, r.effect):
                        self.probs.warn(
                            r.line,
                            "reference",
                            f"reference '{r.reference}' is already posted on account "
                            f"{r.number} as {before[0]} {format_amount(before[1])}, not "
                            f"{r.kind} {format_amount(r.effect)}; skipped",
                        )
                    continue
            self.todo.append((acct.id, r))
        self._check_balances(accounts)
        self.counts = _Counts(created=len(self.todo), skipped=skipped)

    def _check_balances(self, accounts: dict[str, _Account]) -> None:
        """No account's balance may pass MAX_BALANCE_CENTS: the entries are added to each
        account's balance in file order, and the first that would take it past the bound is
        an error on its line (one per account)."""
        running = {a.id: a.balance_cents for a in accounts.values()}
        refused: set[int] = set()
        for aid, r in self.todo:
            if aid in refused:
                continue
            try:
                running[aid] = check_balance(running[aid], r.effect)
            except MoneyError as exc:
                self.probs.error(r.line, "amount", f"account {r.number}: {exc}")
                refused.add(aid)

    def write(self, db: Database) -> None:
        now = self.now_text
        actor = self.ctx.actor
        insert_rows(
            db,
            "ledger_entry",
            (
                "account_id",
                "posted_on",
                "kind",
                "amount_cents",
                "reference",
                "memo",
                "source",
                "created_at",
                "created_by",
            ),
            (
                (aid, r.posted_on, r.kind, r.effect, r.reference, r.memo, _SOURCE, now, actor)
                for aid, r in self.todo
            ),
        )
        deltas: dict[int, int] = {}
        for aid, r in self.todo:
            deltas[aid] = deltas.get(aid, 0) + r.effect
        _executemany(
            db,
            "UPDATE account SET balance_cents = balance_cents + ?, updated_at = ? WHERE id = ?",
            [(d, now, aid) for aid, d in deltas.items() if d],
        )

    def audit_extra(self) -> dict[str, Any]:
        return {"net": format_amount(sum(r.effect for _, r in self.todo))}


# ------------------------------------------------------------------------- calls


class _CallRow(NamedTuple):
    line: int
    number: str
    at: datetime  # naive UTC
    outcome: str
    phone: ParsedPhone | None
    note: str
    coordinator: str


class _CallsImporter(_Importer):
    required = ("account_number", "at", "outcome")
    optional = ("phone", "note", "coordinator")
    multiline = frozenset({"note"})  # a note may have several lines, as in the workstation

    def parse(self, table: _Table) -> None:
        cols = table.cols
        error = self.probs.error
        warn = self.probs.warn
        i_num, i_at, i_out = (cols[c] for c in self.required)
        i_phone = cols.get("phone")
        i_note = cols.get("note")
        i_coord = cols.get("coordinator")
        region = self.ctx.default_region
        now = self.now
        naive_first: int | None = None
        naive_count = 0
        self.duplicates = 0
        seen: dict[tuple[str, datetime, str, str | None], int] = {}
        records: list[_CallRow] = []
        for line, row in table:
            ok = True
            number = row[i_num].strip()
            if not number:
                error(line, "account_number", "is empty")
                ok = False
            text = row[i_at].strip()
            at: datetime | None = None
            if not text:
                error(line, "at", "is empty")
                ok = False
            else:
                try:
                    if not text.isascii():
                        raise ValueError("not ASCII digits")
                    parsed = datetime.fromisoformat(text)
                    if "T" not in text.upper() and " " not in text:
                        raise ValueError("no time")
                    check_instant(parsed, text)
                except DateError as exc:
                    error(line, "at", str(exc))
                    ok = False
                except ValueError:
                    error(
                        line,
                        "at",
                        f"'{text}' is not a date and time; expected ISO 8601 such as "
                        "2026-11-20T14:30:00Z or 2026-11-20T09:30:00-05:00",
                    )
                    ok = False
                else:
                    if parsed.tzinfo is None:
                        naive_count += 1
                        if naive_first is None:
                            naive_first = line
                        parsed = parsed.replace(tzinfo=UTC)
                    at = to_db(parsed)
                    if at > now:
                        error(line, "at", f"'{text}' is in the future")
                        ok = False
            outcome = row[i_out].strip().lower()
            if outcome not in CALL_OUTCOMES:
                error(
                    line,
                    "outcome",
                    f"'{row[i_out].strip()}' is not a call outcome "
                    f"(expected {', '.join(CALL_OUTCOMES)})",
                )
                ok = False
            phone: ParsedPhone | None = None
            if i_phone is not None:
                raw = row[i_phone].strip()
                if raw:
                    phone = parse_phone(raw, region)
                    if not phone.valid:
                        warn(
                            line,
                            "phone",
                            f"'{raw}' is not a valid phone number ({phone.problem}); "
                            "recorded as given",
                        )
                    if phone.e164 is not None and len(phone.e164) > 20:  # pragma: no cover
                        phone = None
            note = row[i_note].strip() if i_note is not None else ""
            coordinator = self.ctx.actor
            if i_coord is not None:
                coordinator = row[i_coord].strip() or coordinator
                if len(coordinator) > 100:
                    error(line, "coordinator", "is longer than 100 characters")
                    ok = False
            if ok and at is not None:
                key = (number, at, outcome, phone.e164 if phone else None)
                first = seen.get(key)
                if first is not None:
                    warn(
                        line,
                        "row",
                        f"the same call as line {first} (account, time, outcome and phone); "
                        "skipped",
                    )
                    self.duplicates += 1
                    continue
                seen[key] = line
                records.append(_CallRow(line, number, at, outcome, phone, note, coordinator))
        if naive_first is not None:
            warn(
                naive_first,
                "at",
                f"no UTC offset: read as UTC ({naive_count} row{'s' if naive_count > 1 else ''}"
                " without an offset in this file); write 2026-11-20T09:30:00-05:00 or ...Z",
            )
        self.records = records

    def resolve(self, db: Database) -> None:
        accounts = _find_accounts(db, (r.number for r in self.records))
        for r in self.records:
            if r.number not in accounts:
                self.probs.error(r.line, "account_number", f"no account '{r.number}'")
        ids = list({a.id for a in accounts.values()})
        stored: set[tuple[int, datetime | None, str, str | None]] = set()
        for chunk in _chunks(ids):
            rows = db.execute_sql(
                "SELECT account_id, at, outcome, phone_e164 FROM contact "
                f"WHERE account_id IN ({_marks(db, len(chunk))})",
                tuple(chunk),
            ).fetchall()
            stored.update((int(a), _dt(at), o, e) for a, at, o, e in rows)
        self.accounts = accounts
        self.phones = self._phones(db, list({a.debtor_id for a in accounts.values()}))
        self.todo: list[tuple[_Account, _CallRow]] = []
        skipped = self.duplicates
        for r in self.records:
            acct = accounts.get(r.number)
            if acct is None:
                continue
            if (acct.id, r.at, r.outcome, r.phone.e164 if r.phone else None) in stored:
                skipped += 1
                continue
            self.todo.append((acct, r))
        self.counts = _Counts(created=len(self.todo), skipped=skipped)

    @staticmethod
    def _phones(db: Database, debtor_ids: list[int]) -> dict[tuple[int, str], list[list[Any]]]:
        """(debtor, e164) → [[phone_id, status], ...] in the debtor's order."""
        out: dict[tuple[int, str], list[list[Any]]] = {}
        for chunk in _chunks(debtor_ids):
            rows = db.execute_sql(
                "SELECT debtor_id, e164, id, status FROM phone "
                f"WHERE debtor_id IN ({_marks(db, len(chunk))}) AND e164 IS NOT NULL "
                "ORDER BY debtor_id, position, id",
                tuple(chunk),
            ).fetchall()
            for did, e164, pid, status in rows:
                out.setdefault((int(did), e164), []).append([int(pid), status])
        return out

    def write(self, db: Database) -> None:
        now = self.now_text
        todo = self.todo
        if not todo:
            return
        contact_ids = reserve_ids(db, "contact", len(todo))
        contacts: list[tuple[Any, ...]] = []
        notes: list[tuple[Any, ...]] = []
        mark_bad: set[int] = set()
        zone_refresh: set[int] = set()
        disputes: dict[int, int] = {}
        latest: dict[int, datetime] = {}
        for cid, (acct, r) in zip(contact_ids, todo, strict=True):
            e164 = r.phone.e164 if r.phone else None
            matches = self.phones.get((acct.debtor_id, e164), []) if e164 else []
            phone_id = matches[0][0] if matches else None
            at = _ts(r.at)
            contacts.append((cid, acct.id, phone_id, e164, at, r.outcome, r.coordinator, now))
            if r.note:
                notes.append((acct.id, cid, at, r.coordinator, r.note))
            if r.outcome in _BAD_NUMBER_OUTCOMES:
                for m in matches:
                    if m[1] == "ok":
                        m[1] = "bad"
                        mark_bad.add(m[0])
                        zone_refresh.add(acct.id)
            elif r.outcome == "dispute" and not acct.flags & Flag.DISPUTE:
                disputes[acct.id] = Flag.DISPUTE
            if r.at > (latest.get(acct.id) or datetime.min):
                latest[acct.id] = r.at
        insert_rows(
            db,
            "contact",
            (
                "id",
                "account_id",
                "phone_id",
                "phone_e164",
                "at",
                "outcome",
                "coordinator",
                "source",
                "created_at",
            ),
            [(*c[:7], _SOURCE, c[7]) for c in contacts],
        )
        insert_rows(db, "note", ("account_id", "contact_id", "at", "coordinator", "body"), notes)
        _executemany(
            db,
            "UPDATE phone SET status = 'bad', updated_at = ? WHERE id = ?",
            [(now, pid) for pid in sorted(mark_bad)],
        )
        before = {a.id: a.last_attempt_at or datetime.min for a in self.accounts.values()}
        _executemany(
            db,
            "UPDATE account SET last_attempt_at = ? WHERE id = ?",
            [(_ts(at), aid) for aid, at in latest.items() if at > before[aid]],
        )
        _executemany(
            db,
            "UPDATE account SET flags = flags | ?, updated_at = ? WHERE id = ?",
            [(bits, now, aid) for aid, bits in disputes.items()],
        )
        self._flag_audits(db, list(disputes.items()))
        self._refresh_zones(db, sorted(zone_refresh))
        self.notes = len(notes)
        self.marked_bad = len(mark_bad)

    def _refresh_zones(self, db: Database, account_ids: list[int]) -> None:
        """Recompute the zone set of accounts whose phones just became not dialable."""
        zone_ids = _ZoneIds(db, self.ctx.default_zones)
        rows_out: list[tuple[int, int]] = []
        for chunk in _chunks(account_ids):
            marks = _marks(db, len(chunk))
            heads = db.execute_sql(
                "SELECT a.id, a.debtor_id, d.state, d.country FROM account a "
                f"JOIN debtor d ON d.id = a.debtor_id WHERE a.id IN ({marks})",
                tuple(chunk),
            ).fetchall()
            zones: dict[int, list[tuple[str, ...]]] = {}
            for did, z in db.execute_sql(
                "SELECT p.debtor_id, p.zones FROM phone p JOIN account a ON a.debtor_id = "
                f"p.debtor_id WHERE a.id IN ({marks}) AND p.valid = {db.param} "
                "AND p.status = 'ok'",
                (*chunk, True),
            ).fetchall():
                zones.setdefault(int(did), []).append(tuple(x for x in z.split(",") if x))
            for aid, did, state, country in heads:
                zs = zone_set(state, country, zones.get(int(did), []), self.ctx.default_zones)
                rows_out.append((zone_ids.for_zones(zs), int(aid)))
        _executemany(db, "UPDATE account SET zone_set_id = ? WHERE id = ?", rows_out)

    def audit_extra(self) -> dict[str, Any]:
        return {
            "notes": getattr(self, "notes", 0),
            "phones_marked_bad": getattr(self, "marked_bad", 0),
        }


# ------------------------------------------------------------------------ claims


class _ClaimRow(NamedTuple):
    line: int
    number: str
    claim_number: str
    # (payer, service_date, billed, submitted_on, status, denial_code, paid,
    #  patient_responsibility, payer_phone, timely_filing_days), None where not in the file
    values: tuple[Any, ...]


_CLAIM_FIELDS = (
    "payer",
    "service_date",
    "billed",
    "submitted_on",
    "status",
    "denial_code",
    "paid",
    "patient_responsibility",
    "payer_phone",
    "timely_filing_days",
)
_CLAIM_DB_COLUMNS = (
    "payer",
    "service_date",
    "billed_cents",
    "submitted_on",
    "status",
    "denial_code",
    "paid_cents",
    "patient_responsibility_cents",
    "payer_phone",
    "timely_filing_days",
)


class _ClaimsImporter(_Importer):
    required = ("account_number", "claim_number", "payer", "service_date", "billed")
    optional = (
        "submitted_on",
        "status",
        "denial_code",
        "paid",
        "patient_responsibility",
        "payer_phone",
        "timely_filing_days",
    )

    def parse(self, table: _Table) -> None:
        cols = table.cols
        error = self.probs.error
        warn = self.probs.warn
        self.present = frozenset(cols)
        idx = [cols.get(f) for f in _CLAIM_FIELDS]
        i_num, i_claim = cols["account_number"], cols["claim_number"]
        seen: dict[tuple[str, str], int] = {}
        records: list[_ClaimRow] = []
        region = self.ctx.default_region
        for line, row in table:
            ok = True
            number = row[i_num].strip()
            if not number:
                error(line, "account_number", "is empty")
                ok = False
            claim = row[i_claim].strip()
            if not claim:
                error(line, "claim_number", "is empty")
                ok = False
            elif len(claim) > 64:
                error(line, "claim_number", "is longer than 64 characters")
                ok = False
            elif number:
                first = seen.get((number, claim))
                if first is not None:
                    error(
                        line,
                        "claim_number",
                        f"claim '{claim}' for account {number} appears twice in this file "
                        f"(lines {first} and {line})",
                    )
                    ok = False
                else:
                    seen[(number, claim)] = line
            values: list[Any] = []
            for field, i in zip(_CLAIM_FIELDS, idx, strict=True):
                text = row[i].strip() if i is not None else ""
                value: Any = None
                if field == "payer":
                    if not text:
                        error(line, field, "is empty")
                        ok = False
                    value = text
                elif field in ("service_date", "submitted_on"):
                    if text:
                        date_problem = _date(text)[1]
                        if date_problem:
                            error(line, field, date_problem)
                            ok = False
                        value = text
                    elif field == "service_date":
                        error(line, field, "is empty")
                        ok = False
                elif field in ("billed", "paid", "patient_responsibility"):
                    if text:
                        value, problem = _amount(text, allow_negative=False)
                        if problem is not None:
                            error(line, field, problem)
                            ok = False
                    elif field == "billed":
                        error(line, field, "is empty")
                        ok = False
                elif field == "status":
                    if text:
                        value = text.lower().replace(" ", "_").replace("-", "_")
                        if value not in CLAIM_STATUSES:
                            error(
                                line,
                                field,
                                f"'{text}' is not a claim status "
                                f"(expected {', '.join(CLAIM_STATUSES)})",
                            )
                            ok = False
                elif field == "denial_code":
                    if len(text) > 20:
                        error(line, field, "is longer than 20 characters")
                        ok = False
                    value = text or None
                elif field == "payer_phone":
                    if text:
                        p = parse_phone(text, region)
                        if p.valid and p.e164 is not None:
                            value = p.e164
                        else:
                            warn(
                                line,
                                field,
                                f"'{text}' is not a valid phone number ({p.problem}); "
                                "kept as given",
                            )
                            value = text
                            if len(text) > 20:
                                error(line, field, "is longer than 20 characters")
                                ok = False
                elif field == "timely_filing_days" and text:
                    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not (
                        0 < int(text) <= 3650
                    ):
                        error(line, field, f"'{text}' is not a whole number of days (1-3650)")
                        ok = False
                    else:
                        value = int(text)
                values.append(value)
            if ok:
                records.append(_ClaimRow(line, number, claim, tuple(values)))
        self.records = records

    def resolve(self, db: Database) -> None:
        accounts = _find_accounts(db, (r.number for r in self.records))
        for r in self.records:
            if r.number not in accounts:
                self.probs.error(r.line, "account_number", f"no account '{r.number}'")
        ids = list({a.id for a in accounts.values()})
        stored: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}
        cols = ", ".join(_CLAIM_DB_COLUMNS)
        for chunk in _chunks(ids):
            rows = db.execute_sql(
                f"SELECT account_id, claim_number, id, {cols} FROM claim "
                f"WHERE account_id IN ({_marks(db, len(chunk))})",
                tuple(chunk),
            ).fetchall()
            for r in rows:
                v = list(r[3:])
                v[1] = _day(v[1])
                v[3] = _day(v[3])
                stored[(int(r[0]), r[1])] = (int(r[2]), tuple(v))
        present = self.present
        keep = [f not in present for f in _CLAIM_FIELDS]
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []
        updated = unchanged = 0
        for r in self.records:
            acct = accounts.get(r.number)
            if acct is None:
                continue
            old = stored.get((acct.id, r.claim_number))
            if old is None:
                values = list(r.values)
                if values[4] is None:
                    values[4] = "submitted"
                self.inserts.append((acct.id, r.claim_number, *values))
                continue
            claim_id, old_values = old
            merged = tuple(
                o if k or (f == "status" and v is None) else v
                for f, k, o, v in zip(_CLAIM_FIELDS, keep, old_values, r.values, strict=True)
            )
            if merged == old_values:
                unchanged += 1
            else:
                updated += 1
                self.updates.append((*merged, claim_id))
        self.counts = _Counts(created=len(self.inserts), updated=updated, unchanged=unchanged)

    def write(self, db: Database) -> None:
        now = self.now_text
        insert_rows(
            db,
            "claim",
            ("account_id", "claim_number", *_CLAIM_DB_COLUMNS, "created_at", "updated_at"),
            [(*row, now, now) for row in self.inserts],
        )
        sets = ", ".join(f"{c} = ?" for c in _CLAIM_DB_COLUMNS)
        _executemany(
            db,
            f"UPDATE claim SET {sets}, updated_at = ? WHERE id = ?",
            [(*row[:-1], now, row[-1]) for row in self.updates],
        )


_IMPORTERS: dict[str, type[_Importer]] = {
    "accounts": _AccountsImporter,
    "transactions": _TransactionsImporter,
    "calls": _CallsImporter,
    "claims": _ClaimsImporter,
}
