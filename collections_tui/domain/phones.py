"""Phone numbers: parse, normalise, validate, and find the time zones of a number.

Everything here is pure: standard library and :mod:`phonenumbers` (its core and its
``timezone`` module only -- never the geocoder or carrier modules, which are huge).

Two ways to parse
-----------------

``_parse_slow`` is the reference: :func:`phonenumbers.parse` followed by validation,
type and time-zone look-ups (~40-55 µs a number).

``_parse_fast`` handles the common case -- a North American (country code 1) number
written in an ordinary way, e.g. ``(212) 555-0123``, ``+1 212 555 0123``,
``212.555.0123 x12`` -- with one regular expression and two dictionary look-ups, and
answers ``None`` for anything else, which then goes the slow way.

The fast path caches the expensive facts by a *prefix* of the 10-digit national number.
The prefix depth is not guessed: on first use, :func:`_nanp_depths` reads the
``phonenumbers`` metadata of every country-code-1 region (every number-type pattern and
the ``leading_digits`` used to pick the region), expands each pattern into boxes of
digit classes, and for every area code (NPA) takes the deepest position at which any
box touching that NPA still restricts a digit. Membership of a 10-digit number in a
union of boxes is then decided by that many leading digits, so validity, region and
number type are functions of the prefix. The time-zone depth is the length of the
longest ``phonenumbers.tzdata`` key for the NPA (the lookup is a longest-prefix match).
With phonenumbers 9.0.x: validity is decided by 3 digits (the NPA) for 331 NPAs, by 4
(NPA + first exchange digit) for 443, by 5 for 800 (Dominican 800-14x toll-free), by 6
for the Caribbean NPAs and 523/524, and by 7 for 246 (Barbados, 246-521-[0369]) and 876
(Jamaica, 876-606-0); zones need 6 digits for 22 split-zone US/Canadian NPAs (208, 907,
850...) and 4 for 310. If the metadata ever contains syntax the analysis does not
understand, the fast path switches itself off (tests check that it is on).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import phonenumbers
import phonenumbers.timezone
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)
from phonenumbers.tzdata import TIMEZONE_DATA

__all__ = [
    "PHONE_TYPES",
    "ParsedPhone",
    "format_display",
    "parse_phone",
    "parse_phone_list",
    "zones_for_e164",
]

PHONE_TYPES: tuple[str, ...] = ("mobile", "home", "work", "other")

_TYPE_ALIASES: dict[str, str] = {t: t for t in PHONE_TYPES} | {"cell": "mobile"}
_EXPECTED_TYPES = "mobile, home, work or other"
_UNKNOWN_ZONE = "Etc/Unknown"
_NANP_REGIONS: frozenset[str] = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])


@dataclass(frozen=True, slots=True)
class ParsedPhone:
    """One phone number as parsed from user input or a CSV cell."""

    raw: str  # the text as given (stripped)
    kind: str  # one of PHONE_TYPES
    e164: str | None  # "+12125550123"; None when it could not be parsed at all
    extension: str | None  # "123" for "212-555-0123 x123"
    valid: bool  # phonenumbers says it is a valid number (dialable candidate)
    region: str | None  # ISO region of the number, e.g. "US", "CA"
    zones: tuple[str, ...]  # IANA zones, sorted; () if toll-free/non-geographic/unknown
    toll_free: bool
    problem: str | None  # None when valid; otherwise a short human reason


class _Facts(NamedTuple):
    """What a number's digits decide, apart from its zones."""

    valid: bool
    region: str | None
    toll_free: bool
    geographic: bool  # valid and of a type that has zones (fixed line / mobile)
    problem: str | None


# --------------------------------------------------------------------------- public


def parse_phone(raw: str, default_region: str = "US", kind: str = "other") -> ParsedPhone:
    """Parse one number; never raises for bad numbers (``valid=False`` + ``problem``).

    Raises ValueError only for a ``kind`` that is not one of PHONE_TYPES (or "cell").
    """
    text = raw.strip()
    norm_kind = _normalise_kind(kind)
    region = default_region.strip().upper()
    fast = _parse_fast(text, region, norm_kind)
    if fast is not None:
        return fast
    return _parse_slow(text, region, norm_kind)


def parse_phone_list(spec: str, default_region: str = "US") -> tuple[list[ParsedPhone], list[str]]:
    """Parse a CSV ``phones`` cell: ``;``-separated ``[type:]number`` entries.

    Returns ``(phones, errors)``. An unknown type prefix is an error; a number that does
    not parse or is not valid is *not* an error: it comes back with ``valid=False`` and
    a ``problem`` so the caller can warn and keep it. Empty entries, and entries that
    are only a type (``mobile:``), are ignored.
    """
    phones: list[ParsedPhone] = []
    errors: list[str] = []
    for entry in spec.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        kind = "other"
        number = entry
        prefix, colon, rest = entry.partition(":")
        prefix = prefix.strip()
        # Only a word before ':' is a type prefix; "+1 212 555 0123 ext:5" is a number.
        if colon and prefix.isalpha():
            known = _TYPE_ALIASES.get(prefix.lower())
            if known is None:
                errors.append(f"unknown phone type {prefix!r} (expected {_EXPECTED_TYPES})")
                continue
            kind = known
            number = rest.strip()
            if not number:
                continue
        phones.append(parse_phone(number, default_region, kind))
    return phones, errors


def zones_for_e164(e164: str) -> tuple[str, ...]:
    """IANA zones of an E.164 number ("+12125550123"), sorted.

    () for toll-free, non-geographic, invalid or unparseable numbers, or when
    phonenumbers does not know the zone.
    """
    text = e164.strip()
    match = _E164_NANP_RE.fullmatch(text)
    if match is not None:
        nsn = match[1]
        depths = _nanp_depths()
        if depths is not None:
            facts, zones = _nanp_lookup(nsn, depths)
            return zones if facts.geographic else ()
    return _parse_slow(text, "ZZ", "other").zones


def format_display(e164: str, extension: str | None = None) -> str:
    """How a coordinator reads a number: "(212) 555-0123" for North American
    (country code 1) numbers, international format ("+44 20 7946 0958") otherwise;
    " x123" appended for an extension. Text that does not parse is shown as given."""
    text = e164.strip()
    match = _E164_NANP_RE.fullmatch(text)
    if match is not None:
        nsn = match[1]
        shown = f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}"
    else:
        try:
            num = phonenumbers.parse(text, None)
        except NumberParseException:
            shown = text
        else:
            fmt = (
                PhoneNumberFormat.NATIONAL
                if num.country_code == 1
                else PhoneNumberFormat.INTERNATIONAL
            )
            shown = phonenumbers.format_number(num, fmt)
    if extension:
        shown = f"{shown} x{extension}"
    return shown


# ------------------------------------------------------------------------ slow path

# Types whose digits say where the subscriber is. Deliberately wider than
# phonenumbers.is_number_type_geographical, which counts mobiles only in a few countries:
# a Jamaican or UK mobile still has the zone of its prefix (America/Jamaica,
# Europe/London...), and "unknown" would make compliance fall back to US default zones.
# Toll-free, premium, shared-cost, VoIP, personal, pager, UAN and voicemail have none.
_GEOGRAPHIC_TYPES: frozenset[int] = frozenset(
    {PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

_PARSE_ERRORS: dict[int, str] = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}

_POSSIBILITY_PROBLEMS: dict[int, str] = {
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "missing area code",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
}


def _parse_slow(raw: str, default_region: str = "US", kind: str = "other") -> ParsedPhone:
    """The reference parse: phonenumbers all the way. Same result as parse_phone."""
    text = raw.strip()
    norm_kind = _normalise_kind(kind)
    region = default_region.strip().upper()
    if not text:
        return _unparsed(text, norm_kind, "empty")
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        shown = text if len(text) <= 40 else text[:37] + "..."
        problem = _PARSE_ERRORS.get(exc.error_type, f"cannot parse {shown!r}")
        return _unparsed(text, norm_kind, problem)
    facts = _facts(num)
    return ParsedPhone(
        raw=text,
        kind=norm_kind,
        e164=phonenumbers.format_number(num, PhoneNumberFormat.E164),
        extension=num.extension or None,
        valid=facts.valid,
        region=facts.region,
        zones=_zones(num) if facts.geographic else (),
        toll_free=facts.toll_free,
        problem=facts.problem,
    )


def _unparsed(text: str, kind: str, problem: str) -> ParsedPhone:
    return ParsedPhone(
        raw=text,
        kind=kind,
        e164=None,
        extension=None,
        valid=False,
        region=None,
        zones=(),
        toll_free=False,
        problem=problem,
    )


def _facts(num: PhoneNumber) -> _Facts:
    ntype = phonenumbers.number_type(num)
    valid = phonenumbers.is_valid_number(num)
    region = phonenumbers.region_code_for_number(num)
    problem: str | None = None
    if not valid:
        reason = phonenumbers.is_possible_number_with_reason(num)
        problem = _POSSIBILITY_PROBLEMS.get(reason)
        if problem is None:
            where = region or phonenumbers.region_code_for_country_code(num.country_code or 0)
            problem = f"not a valid number for {where}"
    return _Facts(
        valid=valid,
        region=region,
        toll_free=ntype == PhoneNumberType.TOLL_FREE,
        geographic=valid and ntype in _GEOGRAPHIC_TYPES,
        problem=problem,
    )


def _zones(num: PhoneNumber) -> tuple[str, ...]:
    found = phonenumbers.timezone.time_zones_for_geographical_number(num)
    return tuple(sorted(z for z in found if z != _UNKNOWN_ZONE))


def _normalise_kind(kind: str) -> str:
    norm = _TYPE_ALIASES.get(kind.strip().lower())
    if norm is None:
        raise ValueError(f"unknown phone type {kind!r} (expected {_EXPECTED_TYPES})")
    return norm


# ------------------------------------------------------------------------ fast path

# ASCII digits only: phonenumbers also accepts other scripts' digits; those go slow.
_FAST_RE = re.compile(
    r"(\+?1[ .-]?)?"
    r"(?:\(([2-9][0-9]{2})\)|([2-9][0-9]{2}))[ .-]?"
    r"([0-9]{3})[ .-]?"
    r"([0-9]{4})"
    r"(?: ?(?:x|ext\.?|#) ?([0-9]{1,9}))?",
    re.IGNORECASE,
)
_E164_NANP_RE = re.compile(r"\+1([2-9][0-9]{9})")

# Caches keyed by prefixes of the national number; bounded by the metadata (at most
# ~50,000 validity keys and ~25,000 zone keys, in practice a few thousand).
_FACTS_CACHE: dict[str, _Facts] = {}
_ZONES_CACHE: dict[str, tuple[str, ...]] = {}


def _parse_fast(text: str, region: str, kind: str) -> ParsedPhone | None:
    """The fast path for plain North American numbers; None when it does not apply.

    ``text`` is stripped, ``region`` upper-case and ``kind`` normalised already.
    """
    match = _FAST_RE.fullmatch(text)
    if match is None:
        return None
    if region not in _NANP_REGIONS and not text.startswith("+"):
        return None
    depths = _nanp_depths()
    if depths is None:
        return None
    nsn = (match[2] or match[3]) + match[4] + match[5]
    facts, zones = _nanp_lookup(nsn, depths)
    return ParsedPhone(
        raw=text,
        kind=kind,
        e164="+1" + nsn,
        extension=match[6],
        valid=facts.valid,
        region=facts.region,
        zones=zones,
        toll_free=facts.toll_free,
        problem=facts.problem,
    )


def _nanp_lookup(nsn: str, depths: dict[str, tuple[int, int]]) -> tuple[_Facts, tuple[str, ...]]:
    """Facts and zones (() unless geographic) of a 10-digit NANP national number."""
    fact_depth, zone_depth = depths[nsn[:3]]
    key = nsn[:fact_depth]
    facts = _FACTS_CACHE.get(key)
    if facts is None:
        facts = _FACTS_CACHE[key] = _facts(_nanp_number(key))
    if not facts.geographic:
        return facts, ()
    key = nsn[:zone_depth]
    zones = _ZONES_CACHE.get(key)
    if zones is None:
        zones = _ZONES_CACHE[key] = _zones(_nanp_number(key))
    return facts, zones


def _nanp_number(prefix: str) -> PhoneNumber:
    """A representative +1 number for a prefix (any completion has the same facts)."""
    return PhoneNumber(country_code=1, national_number=int(prefix.ljust(10, "0")))


# ---------------------------------------------------------- prefix-depth analysis

_Box = tuple[frozenset[str], ...]
_ANY_DIGIT: frozenset[str] = frozenset("0123456789")
_MAX_BOXES = 200_000

# Every PhoneNumberDesc a PhoneMetadata may carry. Validity and type only consult some
# of them; taking them all can only make the depth larger (safer), never smaller.
_DESC_FIELDS: tuple[str, ...] = (
    "general_desc",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
    "no_international_dialling",
    "emergency",
    "short_code",
    "standard_rate",
    "carrier_specific",
    "sms_services",
)


class _Unsupported(Exception):
    """The metadata uses regex syntax the analysis does not understand."""


class _PatternExpander:
    """Expands the tiny regex dialect of phonenumbers' number patterns into boxes.

    Supported: digits, ``\\d``, classes of digits and ranges (``[02-9]``), groups
    (``(...)``, ``(?:...)``), alternation, ``?`` and ``{n}`` / ``{n,m}``. A box is a
    tuple of digit sets, one per position; the pattern's language is the union of its
    boxes (exactly, since the dialect has no anchors, look-arounds or back-references).
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0

    def expand(self) -> list[_Box]:
        boxes = self._alternation()
        if self.pos != len(self.pattern):
            raise _Unsupported(self.pattern)
        return boxes

    def _peek(self) -> str:
        return self.pattern[self.pos] if self.pos < len(self.pattern) else ""

    def _alternation(self) -> list[_Box]:
        boxes = self._sequence()
        while self._peek() == "|":
            self.pos += 1
            boxes = boxes + self._sequence()
        return boxes

    def _sequence(self) -> list[_Box]:
        out: list[_Box] = [()]
        while self._peek() not in ("", "|", ")"):
            atom = self._atom()
            low, high = self._quantifier()
            repeated: list[_Box] = []
            for count in range(low, high + 1):
                current: list[_Box] = [()]
                for _ in range(count):
                    current = [a + b for a in current for b in atom]
                repeated.extend(current)
            out = [a + b for a in out for b in repeated]
            if len(out) > _MAX_BOXES:
                raise _Unsupported(self.pattern)
        return out

    def _quantifier(self) -> tuple[int, int]:
        char = self._peek()
        if char == "?":
            self.pos += 1
            return 0, 1
        if char == "{":
            end = self.pattern.find("}", self.pos)
            body = self.pattern[self.pos + 1 : end]
            low, comma, high = body.partition(",")
            if end < 0 or not low.isdigit() or (comma and not high.isdigit()):
                raise _Unsupported(self.pattern)
            self.pos = end + 1
            return int(low), int(high) if comma else int(low)
        if char in ("*", "+"):
            raise _Unsupported(self.pattern)
        return 1, 1

    def _atom(self) -> list[_Box]:
        char = self._peek()
        if char.isdigit() and char.isascii():
            self.pos += 1
            return [(frozenset(char),)]
        if self.pattern.startswith("\\d", self.pos):
            self.pos += 2
            return [(_ANY_DIGIT,)]
        if char == "[":
            return [(self._char_class(),)]
        if char == "(":
            if self.pattern.startswith("(?:", self.pos):
                self.pos += 3
            elif self.pattern.startswith("(?", self.pos):
                raise _Unsupported(self.pattern)
            else:
                self.pos += 1
            inner = self._alternation()
            if self._peek() != ")":
                raise _Unsupported(self.pattern)
            self.pos += 1
            return inner
        raise _Unsupported(self.pattern)

    def _char_class(self) -> frozenset[str]:
        end = self.pattern.find("]", self.pos)
        if end < 0:
            raise _Unsupported(self.pattern)
        body = self.pattern[self.pos + 1 : end]
        self.pos = end + 1
        digits: set[str] = set()
        i = 0
        while i < len(body):
            if body.startswith("\\d", i):
                digits |= _ANY_DIGIT
                i += 2
            elif i + 2 < len(body) and body[i + 1] == "-":
                low, high = body[i], body[i + 2]
                if not (low in _ANY_DIGIT and high in _ANY_DIGIT and low <= high):
                    raise _Unsupported(self.pattern)
                digits |= {str(d) for d in range(int(low), int(high) + 1)}
                i += 3
            elif body[i] in _ANY_DIGIT:
                digits.add(body[i])
                i += 1
            else:
                raise _Unsupported(self.pattern)
        return frozenset(digits)


def _nanp_patterns() -> Iterator[tuple[str, bool]]:
    """(pattern, full_match) for everything that decides a +1 number's facts."""
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        for field in _DESC_FIELDS:
            desc = getattr(metadata, field, None)
            pattern = getattr(desc, "national_number_pattern", None)
            if isinstance(pattern, str) and pattern:
                yield pattern, True
        if metadata.leading_digits:
            # Matched with re.match (a prefix match) to pick the region of a number.
            yield metadata.leading_digits, False


@functools.cache
def _nanp_depths() -> dict[str, tuple[int, int]] | None:
    """For each NPA "200".."999": (digits deciding validity/region/type, digits
    deciding zones). None (fast path off) if the metadata cannot be analysed."""
    fact_depth = dict.fromkeys((str(n) for n in range(200, 1000)), 3)
    try:
        for pattern, full_match in _nanp_patterns():
            for box in _PatternExpander(pattern).expand():
                if full_match and len(box) != 10:
                    continue  # cannot match a 10-digit national number
                # Positions after the last restricted one accept any digit, so the
                # box's membership is decided by the first `depth` digits.
                depth = max(
                    (i + 1 for i, digits in enumerate(box) if digits != _ANY_DIGIT),
                    default=0,
                )
                if depth <= 3:
                    continue
                for a in box[0]:
                    for b in box[1]:
                        for c in box[2]:
                            npa = a + b + c
                            if npa in fact_depth and fact_depth[npa] < depth:
                                fact_depth[npa] = depth
    except _Unsupported:
        return None
    # Zones: phonenumbers takes the longest key of TIMEZONE_DATA that prefixes
    # "1" + national number, so the longest key for an NPA bounds the digits needed.
    zone_depth = dict.fromkeys(fact_depth, 3)
    for key in TIMEZONE_DATA:
        npa = key[1:4]
        if key.startswith("1") and npa in zone_depth:
            zone_depth[npa] = max(zone_depth[npa], len(key) - 1)
    if max(zone_depth.values()) > 10 or max(fact_depth.values()) > 10:
        return None  # pragma: no cover - would mean the analysis is broken
    return {npa: (fact_depth[npa], zone_depth[npa]) for npa in fact_depth}
