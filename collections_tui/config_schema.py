"""What a config file may hold: every known table and key, the type of each value, and the
settings a shared host locks. The one place that says so; :mod:`collections_tui.settings`
checks each file against it before any value is used.

The values' meaning (a time zone that exists, a term of at least one month) is still the
domain's to judge, when the tables are turned into policies (``cli._context``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time

from .domain.display import safe_text


class ConfigError(ValueError):
    """A config file's content is not what the schema allows; the message names the key."""


@dataclass(frozen=True)
class Kind:
    """A leaf value: what it must be, in words, and the test."""

    expected: str
    test: Callable[[object], bool]


@dataclass(frozen=True)
class Table:
    """A table with fixed keys."""

    keys: Mapping[str, Kind | Table | MapOf]


@dataclass(frozen=True)
class MapOf:
    """A table whose keys are names the user chooses (binding ids, creditors, states)."""

    value: Kind | Table


# Whole numbers in the config are days, counts and score points: past a million they are
# a typo (and past 2**31 they overflowed the date and C-int arithmetic they feed).
INT_LIMIT = 1_000_000


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and -INT_LIMIT <= v <= INT_LIMIT


def choice(*values: str) -> Kind:
    words = ", ".join(f'"{v}"' for v in values[:-1]) + f' or "{values[-1]}"'
    return Kind(words, lambda v: isinstance(v, str) and v in values)


STR = Kind("a string", lambda v: isinstance(v, str))
TEXT = Kind("a string that is not empty", lambda v: isinstance(v, str) and bool(v.strip()))
INT = Kind(f"a whole number from -{INT_LIMIT:,} to {INT_LIMIT:,}", _is_int)
COUNTRY = Kind(
    'a two-letter country code such as "US"',
    lambda v: isinstance(v, str) and len(v) == 2 and v.isascii() and v.isalpha(),
)
CURRENCY = Kind(
    'a three-letter currency code such as "USD"',
    lambda v: isinstance(v, str) and len(v) == 3 and v.isascii() and v.isalpha(),
)
BOOL = Kind("true or false", lambda v: isinstance(v, bool))
NAMES = Kind(
    "a list of names",
    lambda v: isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v),
)
ZONES = Kind(
    "a list of zone names", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)
)
HHMM = Kind('a time such as "08:00"', lambda v: isinstance(v, str | time))
AMOUNT = Kind('an amount in quotes, like "25.00"', lambda v: isinstance(v, str))
PERCENT = Kind(
    "a percentage from 0 to 100",
    lambda v: not isinstance(v, bool) and isinstance(v, int | float | str),
)

# Database files are created with one of these modes; anything else (a typo such as "-1"
# made a 7777 file) is refused.
FILE_MODES = ("0600", "0640", "0660")

_POLICY = Table(
    {
        "max_term_months": INT,
        "min_installment": AMOUNT,
        "min_installment_cents": INT,
        "min_down": AMOUNT,
        "min_down_cents": INT,
        "min_down_percent": PERCENT,
        "max_settlement_percent": PERCENT,
        "full_payment_discount_percent": PERCENT,
        "settlement_needs_approval": BOOL,
    }
)

SCHEMA = Table(
    {
        "general": Table(
            {
                "identity": choice("as-allowed", "os-user"),
                "default_region": COUNTRY,
                "default_currency": CURRENCY,
                "office_timezone": STR,
            }
        ),
        "team": Table({"supervisors": NAMES, "overrides": choice("coordinator", "supervisor")}),
        "database": Table({"url": STR, "file_mode": choice(*FILE_MODES)}),
        "dial": Table({"command": TEXT}),
        "keys": MapOf(TEXT),  # binding id → key; the ids are checked when the screens load
        "compliance": Table(  # domain.compliance.Policy.from_config
            {
                "earliest": HHMM,
                "latest": HHMM,
                "cap_attempts": INT,
                "cap_days": INT,
                "conversation_wait_days": INT,
                "consent_days": INT,
                "default_zones": ZONES,
                "state_caps": MapOf(INT),
                "office_zone": STR,
            }
        ),
        "priority": Table(  # domain.priority.Weights, and grace_days
            {
                "grace_days": INT,
                "balance_per_decade": INT,
                "age_per_day": INT,
                "recent_attempt_penalty": INT,
                "reached_bonus": INT,
                "kept_promise_bonus": INT,
                "broken_promise_penalty": INT,
            }
        ),
        "arrangements": Table(  # domain.arrangements.policies_from_config
            {**_POLICY.keys, "creditors": MapOf(_POLICY)}
        ),
    }
)

# Who is who and who may override: with ``identity = "os-user"`` in the system config these
# come from the system config only; a user's file that names any of them is refused.
# A path is a table (all of it) or a table and a key.
LOCKED_BY_OS_USER: tuple[tuple[str, ...], ...] = (
    ("general", "identity"),
    ("team",),
    ("dial", "command"),
    # The rules themselves: calling hours, caps and waits, and what may be offered without a
    # supervisor's approval. A user file relaxing them would get round every override.
    ("compliance",),
    ("arrangements",),
)


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _part(name: str) -> str:
    """A name as TOML writes it; anything unprintable escaped, so no control byte is shown."""
    if _BARE.fullmatch(name):
        return name
    quoted = "".join("\\" + c if c in '"\\' else c for c in name)
    return f'"{safe_text(quoted)}"'


def _show(value: object) -> str:
    """A value in an error message: its repr (controls escaped), cut to one short line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def dotted(path: tuple[str, ...]) -> str:
    """``("team", "overrides")`` → ``team.overrides``, quoting names as TOML does."""
    return ".".join(_part(p) for p in path)


def where(path: tuple[str, ...]) -> str:
    """A key as a person finds it in the file: ``[general] identity``."""
    if len(path) == 1:
        return f"[{_part(path[0])}]"
    return f"[{dotted(path[:-1])}] {_part(path[-1])}"


def _hint(name: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _top_level_hint(name: str) -> str:
    for table, spec in SCHEMA.keys.items():
        if isinstance(spec, Table) and name in spec.keys:
            return f" (settings belong in a table: [{table}] {name})"
    return _hint(name, SCHEMA.keys)


def check(doc: Mapping[str, object]) -> None:
    """Raise :class:`ConfigError` for the first unknown key or value of the wrong type."""
    _check_table(doc, SCHEMA, ())


def _check_table(doc: Mapping[str, object], spec: Table, path: tuple[str, ...]) -> None:
    for key, value in doc.items():
        here = (*path, key)
        sub = spec.keys.get(key)
        if sub is None:
            if not path:
                if isinstance(value, dict):
                    raise ConfigError(f"unknown table [{_part(key)}]{_hint(key, spec.keys)}")
                raise ConfigError(f"unknown key {_part(key)}{_top_level_hint(key)}")
            raise ConfigError(f"unknown key {where(here)}{_hint(key, spec.keys)}")
        _check_value(value, sub, here)


def _check_value(value: object, spec: Kind | Table | MapOf, path: tuple[str, ...]) -> None:
    if isinstance(spec, Kind):
        if not spec.test(value):
            raise ConfigError(f"{dotted(path)} must be {spec.expected}, not {_show(value)}")
        return
    if not isinstance(value, dict):
        raise ConfigError(f"{dotted(path)} must be a table, not {_show(value)}")
    if isinstance(spec, Table):
        _check_table(value, spec, path)
    else:
        for name, item in value.items():
            _check_value(item, spec.value, (*path, name))


def locked_keys(doc: Mapping[str, object]) -> list[tuple[str, ...]]:
    """The locked settings ``doc`` names, as key paths, in the order of the lock list."""
    found: list[tuple[str, ...]] = []
    for lock in LOCKED_BY_OS_USER:
        table = doc.get(lock[0])
        if not isinstance(table, dict):
            continue
        if len(lock) == 1:
            found.extend((lock[0], k) for k in table)
        elif lock[1] in table:
            found.append(lock)
    return found
