"""CSV exports for spreadsheets and other systems.

Files are written to a temporary file beside the target (created new, 0600) and renamed into
place, so a crash leaves either the old file or the whole new one. Only a regular file is
ever replaced: a folder, a named pipe, a device (``/dev/null``) or a socket at the path is
refused, and a symbolic link is followed only as the kernel's ``protected_symlinks`` rule
would for any link on the way — and the file's own name only when the link is the user's
(``_target``); a regular file of another user in a sticky, world-writable folder (``/tmp``)
is not replaced either (``protected_regular``). Cells that a spreadsheet would run as
a formula (starting with ``=``, ``+``, ``-`` or ``@``, or a tab/carriage return) get a leading
``'``; plain numbers such as ``-12.50`` are numbers, not formulas, and are left as they are.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..domain.money import format_amount
from ..store.db import date_from_db, file_kind, from_db, read_only_reason, write_transaction
from ..store.models import (
    Account,
    Arrangement,
    Contact,
    Installment,
    LedgerEntry,
    Note,
    Promise,
    database,
)
from . import audit
from .context import Context
from .errors import InputError

KINDS = ("calls", "promises", "arrangements", "ledger")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_BATCH = 5_000


@dataclass(frozen=True)
class ExportReport:
    kind: str
    file: str
    rows: int


def neutralise(cell: object) -> str:
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _iso(value: Any) -> str:
    instant = from_db(value)
    return instant.isoformat().replace("+00:00", "Z") if instant else ""


def _day(value: Any) -> str:
    d = date_from_db(value)
    return d.isoformat() if d else ""


def _paged(query: Any) -> Iterator[Any]:
    """Walk a big query in id order without holding every row in memory."""
    model = query.model
    last = 0
    while True:
        page = list(query.where(model.id > last).order_by(model.id).limit(_BATCH))
        if not page:
            return
        yield from page
        last = page[-1].id


def _ledger_rows() -> Iterator[Sequence[object]]:
    q = LedgerEntry.select(LedgerEntry, Account.number).join(Account)
    for e in _paged(q):
        # `amount` in the transactions-file convention (re-importable); `balance_effect` signed
        amount = e.amount_cents if e.kind == "adjustment" else abs(e.amount_cents)
        yield (
            e.account.number,
            _day(e.posted_on),
            e.kind,
            format_amount(amount),
            e.reference or "",
            e.memo,
            format_amount(e.amount_cents),
            e.source,
            _iso(e.created_at),
            e.created_by,
        )


def _call_rows() -> Iterator[Sequence[object]]:
    q = Contact.select(Contact, Account.number).join(Account)
    for page_start in _chunks(_paged(q), _BATCH):
        ids = [c.id for c in page_start]
        notes: dict[int, list[str]] = {}
        note_rows = cast(
            Iterable[tuple[int, str]],
            Note.select(Note.contact, Note.body)
            .where(Note.contact.in_(ids))
            .order_by(Note.id)
            .tuples(),
        )
        for contact_id, body in note_rows:
            notes.setdefault(contact_id, []).append(body)
        for c in page_start:
            yield (
                c.account.number,
                _iso(c.at),
                c.outcome,
                c.phone_e164 or "",
                " | ".join(notes.get(c.id, [])),
                c.coordinator,
                c.source,
            )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _promise_rows() -> Iterator[Sequence[object]]:
    q = Promise.select(Promise, Account.number).join(Account)
    for p in _paged(q):
        yield (
            p.account.number,
            format_amount(p.amount_cents),
            _day(p.due_on),
            p.phone_e164 or "",
            p.coordinator,
            _iso(p.created_at),
            _iso(p.cancelled_at),
        )


def _arrangement_rows() -> Iterator[Sequence[object]]:
    q = Installment.select(Installment, Arrangement, Account.number).join(Arrangement).join(Account)
    for i in _paged(q):
        a = i.arrangement
        yield (
            a.account.number,
            a.id,
            a.kind,
            a.status,
            format_amount(a.total_cents),
            format_amount(a.discount_cents),
            a.every or "",
            i.number,
            _day(i.due_on),
            format_amount(i.amount_cents),
            _iso(a.created_at),
            a.created_by,
            a.approved_by or "",
        )


HEADERS: dict[str, tuple[str, ...]] = {
    "ledger": (
        "account_number", "posted_on", "kind", "amount", "reference", "memo",
        "balance_effect", "source", "created_at", "created_by",
    ),
    "calls": ("account_number", "at", "outcome", "phone", "note", "coordinator", "source"),
    "promises": (
        "account_number", "amount", "due_on", "phone", "coordinator", "created_at",
        "cancelled_at",
    ),
    "arrangements": (
        "account_number", "arrangement_id", "kind", "status", "total", "discount", "every",
        "installment", "due_on", "amount", "created_at", "created_by", "approved_by",
    ),
}  # fmt: skip

_ROWS = {
    "ledger": _ledger_rows,
    "calls": _call_rows,
    "promises": _promise_rows,
    "arrangements": _arrangement_rows,
}


def export(ctx: Context, kind: str, path: Path) -> ExportReport:
    if kind not in _ROWS:
        raise InputError(f"unknown export '{kind}' (expected {', '.join(KINDS)})")
    target = _target(path)
    # A short name of its own (a target's name may already be as long as names may be).
    fd, tmp = tempfile.mkstemp(prefix=".ct-", suffix=".tmp", dir=target.parent)
    rows = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS[kind])
            for row in _ROWS[kind]():
                writer.writerow([neutralise(c) for c in row])
                rows += 1
            fh.flush()
            os.fsync(fh.fileno())
        if read_only_reason() is not None:  # nothing can be recorded: the file is still made
            os.replace(tmp, target)
        else:  # recorded with the file: no audit event, no file (the lock may be busy)
            with write_transaction(database.obj):
                audit.record(ctx, f"export.{kind}", None, file=str(path), rows=rows)
                os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportReport(kind=kind, file=str(path), rows=rows)


_MAX_LINKS = 40  # as the kernel's ELOOP


def _target(path: Path) -> Path:
    """The file ``path`` names, symbolic links resolved the safe way, or ``InputError``.

    Every link on the way is followed only where the kernel's ``protected_symlinks`` rule
    would follow it for this user: a link in a sticky, world-writable folder (``/tmp``) is
    followed only when this user or the folder's owner owns it. The file's own name, when it
    is a link, must be this user's (another user's link could point anywhere this user may
    write). What it names must be a regular file or not exist yet; a regular file of another
    user in a sticky, world-writable folder is refused (``protected_regular``)."""
    me = os.geteuid()
    todo = list(reversed(Path(path).parts))
    here = Path.cwd()
    links = 0
    while todo:
        part = todo.pop()
        if part == os.sep:
            here = Path(os.sep)
            continue
        if part in ("", "."):
            continue
        if part == "..":
            here = here.parent
            continue
        step = here / part
        last = not todo
        try:
            st = os.lstat(step)
        except FileNotFoundError:
            if last:
                return step
            raise InputError(f"{path}: folder {step} does not exist") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read {step}: {exc.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            folder = os.lstat(here)
            shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
            if st.st_uid != me and (last or (shared and st.st_uid != folder.st_uid)):
                raise InputError(
                    f"{path}: {step} is a symbolic link of another user (uid {st.st_uid}); "
                    "it is not followed"
                )
            links += 1
            if links > _MAX_LINKS:
                raise InputError(f"{path}: too many symbolic links")
            todo.extend(reversed(Path(os.readlink(step)).parts))
            continue
        if not last:
            if not stat.S_ISDIR(st.st_mode):
                raise InputError(f"{path}: {step} is not a folder")
            here = step
            continue
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                f"{path}: is {file_kind(st.st_mode)}; export writes only regular files"
            )
        folder = os.lstat(here)
        shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
        if shared and st.st_uid not in (me, folder.st_uid):
            raise InputError(
                f"{path}: belongs to another user (uid {st.st_uid}) in a shared folder; "
                "it is not replaced"
            )
        return step
    raise InputError(f"{path}: is a folder; give a file name")  # "/", ".", "x/.."
