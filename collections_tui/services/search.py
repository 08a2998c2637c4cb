"""Find an account from what an inbound caller gives: a name, an account number or the
phone number they are calling from (the workstation's ``/``).

Every kind of match is an indexed read (indexes of schema v6), never a scan of a table, so
it stays fast at millions of accounts:

* account number: exact, then by prefix (as typed, and upper-cased). Open accounts come
  from the index on (status, number), the others from the number index, read only when
  fewer than ``limit`` open ones share the prefix.
* phone: text with at least 7 digits that parses as a phone number is matched exactly on
  its E.164 form, so "(212) 555-0143", "212.555.0143" and "+1 212 555 0143" are one number.
* name: each word typed must be the start of a word of the debtor's name, in any order and
  any case ("smi", "SMITH JO", "jo smith" all find "John Smith"). The indexes hold the name
  from its first, its second and its third word (split at spaces), so a word typed alone is
  found when it starts one of the first three words ("smith" finds "John Q. Smith", "pham"
  finds "Aisha Pham-Cook", "cook" does not); with more words typed, one must start one of
  the first three words and the others may start any word, words split at spaces or
  hyphens ("aisha cook"). The word starting the fewest names reads the index. A word that
  starts thousands of names ("j", "m s t") lists the first found, not the first by name.
  On SQLite, letters outside ASCII must be typed in the case they are stored in.

Results: the exact number first, then phone matches, number-prefix matches, name matches;
within each, open accounts before the others (name matches by name, the others by number);
each account once; at most ``limit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from peewee import SQL, Case, Database, NodeList, Select, Value, fn

from ..domain.phones import parse_phone
from ..store.db import tuples
from ..store.migrations import SEARCH_KEYS, dialect
from ..store.models import Account, Debtor, Phone, database
from .context import Context

__all__ = ["SearchHit", "search_accounts"]

_MIN_PHONE_DIGITS = 7
# debtors read from one index range at most: a word that starts more names than this in an
# index is "broad" ("j", "m s t"), and shows the first ones found, not all
_NAME_WALK_MAX = 2_000
_BROAD = 1 << 62  # the size of a broad word
_NAME_LEADS = 3  # of the words typed, the longest this many may be the one the indexes read
_OPEN = "open"


@dataclass(frozen=True)
class SearchHit:
    account_number: str
    debtor_name: str
    creditor: str
    balance_cents: int
    status: str  # account status (open/closed/...)
    phone: str | None  # the matching phone in E.164 when the match was by phone, else the
    # debtor's first phone (by position) that has an E.164 form, or None
    matched: str  # "number" | "name" | "phone"


class _Row(NamedTuple):
    account_id: int
    number: str
    debtor_id: int
    debtor_name: str
    creditor: str
    balance_cents: int
    status: str


_COLUMNS = (
    Account.id,
    Account.number,
    Account.debtor,
    Debtor.name,
    Account.creditor,
    Account.balance_cents,
    Account.status,
)


def _rows(query: Any) -> list[_Row]:
    return [
        _Row(int(i), str(n), int(d), str(name), str(c), int(b), str(s))
        for i, n, d, name, c, b, s in tuples(query)
    ]


def _accounts() -> Any:
    return Account.select(*_COLUMNS).join(Debtor, on=Account.debtor == Debtor.id)


def _open_first(rows: Iterable[_Row]) -> list[_Row]:
    """Stable: open accounts first, each group in the order given."""
    rows = list(rows)
    return [r for r in rows if r.status == _OPEN] + [r for r in rows if r.status != _OPEN]


class _Found:
    """Hits in result order, each account once, up to ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: list[tuple[_Row, str, str | None]] = []
        self.ids: set[int] = set()

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.limit

    def add(self, rows: Iterable[_Row], matched: str, phone: str | None = None) -> None:
        for r in rows:
            if self.full:
                return
            if r.account_id not in self.ids:
                self.ids.add(r.account_id)
                self.rows.append((r, matched, phone))


def search_accounts(ctx: Context, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Accounts matching ``text`` (a name, an account number or a phone number), best first
    (see the module's docstring). Blank text finds nothing."""
    text = text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not text or limit <= 0:
        return []
    db: Database = database.obj
    found = _Found(limit)
    numbers = list(dict.fromkeys((text, text.upper())))

    found.add(_open_first(_rows(_accounts().where(Account.number.in_(numbers)))), "number")
    if not found.full:
        e164 = _phone_of(ctx, text)
        if e164 is not None:
            found.add(_by_phone(e164, limit), "phone", e164)
    if not found.full:
        found.add(_by_number_prefix(db, numbers, limit), "number")
    if not found.full:
        words = _words(text)
        if words:
            found.add(_by_name(db, words, limit), "name")
    return _hits(found)


# --- phone ------------------------------------------------------------------------------


def _phone_of(ctx: Context, text: str) -> str | None:
    if sum(ch.isdigit() for ch in text) < _MIN_PHONE_DIGITS:
        return None
    return parse_phone(text, ctx.default_region).e164


def _by_phone(e164: str, limit: int) -> list[_Row]:
    debtors = Phone.select(Phone.debtor).where(Phone.e164 == e164)
    q = (
        _accounts()
        .where(Account.debtor.in_(debtors))
        .order_by(Case(None, [(Account.status == _OPEN, 0)], 1), Account.number)
        .limit(limit)
    )
    return _rows(q)


# --- account number prefix --------------------------------------------------------------


def _after_prefix(prefix: str) -> str:
    """The least string above every string that starts with ``prefix`` (code point order)."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not text
        last = 0xE000
    return prefix[:-1] + chr(min(last, 0x10FFFF))


def _by_number_prefix(db: Database, prefixes: Sequence[str], limit: int) -> list[_Row]:
    """Open accounts whose number starts with a prefix, in number order, then the others.

    Open ones come from the index on (status, number): a seek, however many closed accounts
    share the prefix. The others are read in number order from the number index only when
    fewer than ``limit`` open ones exist, so that walk meets fewer than ``limit`` open rows."""
    number = SQL(SEARCH_KEYS[dialect(db)]["number"])
    open_rows: list[_Row] = []
    for p in prefixes:
        cond = (number >= p) & (number < _after_prefix(p)) & (Account.status == _OPEN)
        open_rows += _rows(_accounts().where(cond).order_by(number).limit(limit))
    open_rows.sort(key=lambda r: r.number)
    if len(open_rows) >= limit:
        return open_rows[:limit]
    others: list[_Row] = []
    for p in prefixes:
        cond = (number >= p) & (number < _after_prefix(p)) & (Account.status != _OPEN)
        need = limit - len(open_rows)
        others += _rows(_accounts().where(cond).order_by(number).limit(need))
    others.sort(key=lambda r: r.number)
    return (open_rows + others)[:limit]


# --- names ------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """The words typed, without the commas and full stops that end words ("Smith, J." →
    Smith, J), the longest first."""
    words = (w.strip(".,") for w in text.split())
    return sorted(dict.fromkeys(w for w in words if w), key=len, reverse=True)


def _cases(word: str) -> list[str]:
    """The lower-case forms to look for: SQLite compares ASCII letters without case and
    others as they are; PostgreSQL lower-cases every letter its locale knows."""
    ascii_lower = "".join(ch.lower() if ch.isascii() else ch for ch in word)
    return list(dict.fromkeys((ascii_lower, word.lower())))


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _has_words(db: Database, words: Sequence[str]) -> Any:
    """SQL: each of ``words`` starts a word of the debtor's name (split at spaces and
    hyphens). Only tested on the rows an index read, so it need not be indexable."""
    name = "name" if dialect(db) == "sqlite" else "lower(name)"  # SQLite's LIKE ignores case
    spaced = SQL(f"(' ' || replace({name}, '-', ' '))")
    every: Any = None
    for word in words:
        some: Any = None
        for w in _cases(word):
            like = NodeList(
                (spaced, SQL("LIKE"), Value(f"% {_like_escape(w)}%"), SQL("ESCAPE '\\'"))
            )
            some = like if some is None else (some | like)
        every = some if every is None else (every & some)
    return every


def _name_ranges(db: Database, word: str) -> list[tuple[Any, Any]]:
    """(index key, condition) of the names with a word starting with ``word``: one range of
    each of the three name indexes (the name from its first, second and third word), for
    each lower-case form of the word."""
    keys = SEARCH_KEYS[dialect(db)]
    found = []
    for name, where in (("name_0", None), ("name_1", None), ("name_2", "name_2_where")):
        key = SQL(keys[name])
        for w in _cases(word):
            cond = (key >= w) & (key < _after_prefix(w))
            if where is not None:
                cond &= SQL(keys[where])
            found.append((key, cond))
    return found


def _range_sizes(db: Database, word: str) -> list[int]:
    """How many names each of ``_name_ranges(db, word)`` holds, counted in the indexes up to
    ``_NAME_WALK_MAX``, in one query (in index order: otherwise PostgreSQL may scan the
    table for a broad range)."""
    counts = [
        Debtor.select(fn.COUNT(SQL("*"))).from_(
            Debtor.select(SQL("1")).where(cond).order_by(key).limit(_NAME_WALK_MAX).alias(f"r{i}")
        )
        for i, (key, cond) in enumerate(_name_ranges(db, word))
    ]
    row = next(tuples(Select(columns=counts).bind(db)))
    return [int(n) for n in row]


def _lead_size(sizes: list[int]) -> int:
    """The names a word starts; ``_BROAD`` when an index holds more than a walk reads."""
    return _BROAD if max(sizes) >= _NAME_WALK_MAX else sum(sizes)


def _by_name(db: Database, words: list[str], limit: int) -> list[_Row]:
    """Accounts of debtors with a name word starting with each of ``words``: open ones
    first, each group by name (case-insensitively), then account number.

    One word, the lead, is looked up in the name indexes; the other words filter what they
    find. The lead is the word starting the fewest names (counted in the indexes), so that
    "john smith" reads the Smiths or the Johns, whichever are fewer; when every word is
    broad, the longest. The next word leads only when fewer than ``limit`` open accounts
    were found and the lead's ranges were read to the end, and only a word that is not
    broad (for a name whose rarest word is its fourth or later)."""
    leads = words[:1]
    sizes: dict[str, list[int]] = {}
    if len(words) > 1:
        candidates = words[:_NAME_LEADS]  # the longest
        sizes = {w: _range_sizes(db, w) for w in candidates}
        size = {w: _lead_size(sizes[w]) for w in candidates}
        by_size = sorted(candidates, key=lambda w: size[w])  # stable: broad ones longest first
        # after the first, only words starting few names: a broad one would read thousands
        leads = by_size[:1] + [w for w in by_size[1:] if size[w] < _BROAD]
    open_rows: dict[int, _Row] = {}
    other_rows: dict[int, _Row] = {}
    for lead in leads:
        rest = [w for w in words if w != lead]
        also = _has_words(db, rest) if rest else None
        read_all = True
        ranges = _name_ranges(db, lead)
        counted: list[int | None] = list(sizes.get(lead, [None] * len(ranges)))
        for (key, cond), n in zip(ranges, counted, strict=True):
            opened, others, ended = _walk_names(key, cond, also, limit, n)
            read_all &= ended
            for r in opened:
                open_rows.setdefault(r.account_id, r)
            for r in others:
                other_rows.setdefault(r.account_id, r)
        if len(open_rows) >= limit or not read_all:
            break

    def order(r: _Row) -> tuple[str, str]:
        return (r.debtor_name.casefold(), r.number)

    ranked = sorted(open_rows.values(), key=order)
    if len(ranked) < limit:
        ranked += sorted(other_rows.values(), key=order)
    return ranked[:limit]


def _walk_names(
    key: Any, cond: Any, also: Any, limit: int, size: int | None
) -> tuple[list[_Row], list[_Row], bool]:
    """Read debtors in a name range, keeping those for which ``also`` (SQL, or None) holds,
    until ``limit`` open accounts are found, the range ends or ``_NAME_WALK_MAX`` debtors
    were read. Returns (open, other) accounts, at most ``limit`` of each, and whether the
    range was read to its end. ``size``: the range's size, when counted.

    The first few debtors in index order are nearly always enough. Only then is the rest of
    the range read, up to the cap, in one query that leaves the order to the database:
    asked for thousands of rows in order, PostgreSQL would sort the whole range first.
    With ``also``, that query hands back only the debtors it keeps."""
    opened: list[_Row] = []
    others: list[_Row] = []
    keep = also if also is not None else SQL("1")

    def collect(rows: list[tuple[Any, ...]]) -> None:
        ids = [int(r[0]) for r in rows if r[1]]
        if not ids:
            return
        by_debtor: dict[int, list[_Row]] = {i: [] for i in ids}
        for r in _rows(_accounts().where(Account.debtor.in_(ids))):
            by_debtor[r.debtor_id].append(r)
        for i in ids:
            for r in sorted(by_debtor[i], key=lambda r: r.number):
                (opened if r.status == _OPEN else others).append(r)

    first = max(2 * limit, 50)
    rows = list(tuples(Debtor.select(Debtor.id, keep, key).where(cond).order_by(key).limit(first)))
    collect(rows)
    if len(rows) < first or len(opened) >= limit:
        return opened[:limit], others[:limit], len(rows) < first
    rest = cond & (key >= rows[-1][2]) & Debtor.id.not_in([int(r[0]) for r in rows])
    need = _NAME_WALK_MAX - len(rows)
    if also is None or size is None:
        more = list(tuples(Debtor.select(Debtor.id, keep).where(rest).limit(need)))
        collect(more)
        return opened[:limit], others[:limit], len(more) < need
    read = Debtor.select(Debtor.id, Debtor.name).where(rest).limit(need).alias("r")
    collect([(i, True) for (i,) in tuples(Debtor.select(read.c.id).from_(read).where(also))])
    return opened[:limit], others[:limit], size < _NAME_WALK_MAX


# --- results ----------------------------------------------------------------------------


def _first_phones(debtor_ids: Iterable[int]) -> dict[int, str]:
    """Each debtor's first phone (by position) that has an E.164 form."""
    ids = list(dict.fromkeys(debtor_ids))
    if not ids:
        return {}
    q = (
        Phone.select(Phone.debtor, Phone.e164)
        .where(Phone.debtor.in_(ids) & Phone.e164.is_null(False))
        .order_by(Phone.debtor, Phone.position, Phone.id)
    )
    first: dict[int, str] = {}
    for debtor_id, e164 in tuples(q):
        first.setdefault(int(debtor_id), str(e164))
    return first


def _hits(found: _Found) -> list[SearchHit]:
    phones = _first_phones(r.debtor_id for r, _, phone in found.rows if phone is None)
    return [
        SearchHit(
            account_number=r.number,
            debtor_name=r.debtor_name,
            creditor=r.creditor,
            balance_cents=r.balance_cents,
            status=r.status,
            phone=phone if phone is not None else phones.get(r.debtor_id),
            matched=matched,
        )
        for r, matched, phone in found.rows
    ]
