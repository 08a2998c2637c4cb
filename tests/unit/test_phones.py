"""Phone parsing: the fast North American path must agree exactly with phonenumbers."""

from __future__ import annotations

import random
import subprocess
import sys

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collections_tui.domain import phones
from collections_tui.domain.phones import (
    PHONE_TYPES,
    ParsedPhone,
    _parse_fast,
    _parse_slow,
    format_display,
    parse_phone,
    parse_phone_list,
    zones_for_e164,
)

NANP_REGIONS = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
NY = ("America/New_York",)


def both(text: str, region: str = "US") -> tuple[ParsedPhone | None, ParsedPhone]:
    """(fast result or None, slow result) for the same input."""
    return _parse_fast(text.strip(), region, "other"), _parse_slow(text, region)


# ------------------------------------------------------------------ fast == slow

PREFIXES = ["", "1", "1 ", "1-", "1.", "+1", "+1 ", "+1-", "+1.", " +1 "]
SEPARATORS = ["", " ", "-", "."]
EXTENSIONS = ["x", " x", " x ", "X", " ext.", " ext. ", " ext ", "ext", " Ext.", " EXT ", "#", " #"]


@st.composite
def nanp_texts(draw: st.DrawFn) -> tuple[str, bool]:
    """A North American number in a random everyday format, and whether it is one of
    the formats the fast path promises to handle."""
    npa = draw(st.integers(200, 999))
    nxx = draw(st.integers(0, 999))
    line = draw(st.integers(0, 9999))
    prefix = draw(st.sampled_from(PREFIXES))
    parens = draw(st.booleans())
    sep1 = draw(st.sampled_from(SEPARATORS))
    sep2 = draw(st.sampled_from(SEPARATORS))
    area = f"({npa})" if parens else f"{npa}"
    text = f"{prefix}{area}{sep1}{nxx:03d}{sep2}{line:04d}"
    ordinary = True
    if draw(st.booleans()):
        label = draw(st.sampled_from(EXTENSIONS))
        digits = draw(st.text("0123456789", min_size=1, max_size=12))
        text += label + digits
        ordinary = len(digits) <= 9  # phonenumbers: up to 9 after "x" or "#"
    if draw(st.integers(0, 9)) == 0:
        text = f"  {text} "
    return text, ordinary


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nanp_texts(), st.sampled_from(NANP_REGIONS))
@example(("(212) 555-0123", True), "US")
@example(("1 (416) 555-0123 ext. 7", True), "CA")
@example(("+1 246 521 0123", True), "BB")
@example(("876-606-0123 #123456", True), "JM")
@example(("800.140.1234", True), "DO")
def test_fast_path_equals_slow_path(case: tuple[str, bool], region: str) -> None:
    text, ordinary = case
    fast, slow = both(text, region)
    if ordinary:
        assert fast is not None, text
    if fast is not None:
        assert fast == slow
    assert parse_phone(text, region) == slow


@settings(max_examples=300, deadline=None)
@given(nanp_texts(), st.sampled_from(["GB", "DE", "MX", "ZZ", ""]))
def test_fast_path_with_a_foreign_default_region(case: tuple[str, bool], region: str) -> None:
    # Only "+1..." numbers may take the fast path when the default region is not NANP.
    text, _ = case
    fast, slow = both(text, region)
    if fast is not None:
        assert text.strip().startswith("+1")
        assert fast == slow
    assert parse_phone(text, region) == slow


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789 ()-.+xXet#:", max_size=24), st.sampled_from(["US", "CA"]))
@example("1 212 5550123", "US")
@example("12125550123", "US")
@example("212-555-0123x", "US")
@example("212-555-0123 #", "US")
@example("(212 555-0123", "US")
@example("1(212)-555-0123", "US")
@example("+1 (212) 555 0123 x1234567", "US")
def test_fast_path_never_disagrees_on_arbitrary_text(text: str, region: str) -> None:
    fast, slow = both(text, region)
    if fast is not None:
        assert fast == slow


HUNDREDS = [pytest.param(h, id=f"{h}xx") for h in range(2, 10)]


@pytest.mark.slow
@pytest.mark.parametrize("hundred", HUNDREDS)
def test_every_area_code_and_sampled_exchanges(hundred: int) -> None:
    """Every NPA 200-999 x every 7th exchange 200-999 (offset per NPA, so every
    exchange is hit somewhere), each with a random subscriber number: fast == slow,
    and the fast path is taken. (Split by NPA hundreds so pytest -n spreads it.)"""
    rnd = random.Random(hundred)
    checked = 0
    for npa in range(hundred * 100, hundred * 100 + 100):
        for nxx in range(200 + npa % 7, 1000, 7):
            text = f"{npa}-{nxx:03d}-{rnd.randrange(10000):04d}"
            fast, slow = both(text)
            assert fast is not None
            assert fast == slow, text
            checked += 1
    assert checked > 11_000


@pytest.mark.slow
@pytest.mark.parametrize("hundred", HUNDREDS)
def test_every_deep_prefix_in_the_npas_that_need_more_digits(hundred: int) -> None:
    """Where validity or zones are decided below the exchange's first digit (Caribbean,
    52x, 800, split-zone NPAs, Barbados and Jamaica at 7 digits), try every key, with
    a random rest, against phonenumbers (at the level of facts: the text-to-digits
    step is covered above)."""
    depths = phones._nanp_depths()
    assert depths is not None
    rnd = random.Random(7)
    checked = 0
    for npa, (fact_depth, zone_depth) in sorted(depths.items()):
        depth = max(fact_depth, zone_depth)
        if depth <= 4 or int(npa[0]) != hundred:
            continue
        for rest in range(10 ** (depth - 3)):
            head = f"{npa}{rest:0{depth - 3}d}"
            nsn = head + "".join(rnd.choice("0123456789") for _ in range(10 - depth))
            num = phonenumbers.PhoneNumber(country_code=1, national_number=int(nsn))
            facts = phones._facts(num)
            zones = phones._zones(num) if facts.geographic else ()
            assert phones._nanp_lookup(nsn, depths) == (facts, zones), nsn
            checked += 1
    assert checked >= 1000  # every hundred has at least one deep NPA


# ------------------------------------------------------------ the depth analysis


def test_prefix_depths_found_in_the_metadata() -> None:
    depths = phones._nanp_depths()
    assert depths is not None, "fast path switched off: metadata analysis failed"
    assert len(depths) == 800
    assert depths["212"] == (4, 3)  # NPA + first NXX digit; zone by NPA
    assert depths["808"] == (4, 3)
    assert depths["208"] == (4, 6)  # Idaho: zones split by exchange
    assert depths["310"] == (4, 4)
    assert depths["800"][0] == 5  # Dominican toll-free 800-14x
    assert depths["268"][0] == 6  # Antigua
    assert depths["246"][0] == 7  # Barbados: 246-521-[0369] fixed line
    assert depths["876"][0] == 7  # Jamaica: 876-606-0 fixed line
    assert max(max(d) for d in depths.values()) == 7


def test_seven_digits_really_are_needed_for_barbados_and_jamaica() -> None:
    # Same first six digits, different answers: a 6-digit key would be wrong.
    assert parse_phone("+1 246 521 0123").valid is True
    assert parse_phone("+1 246 521 2123").valid is False
    assert parse_phone("+1 876 606 0123").valid is True
    assert parse_phone("+1 876 606 1123").valid is False


def test_pattern_expander_understands_the_metadata_dialect() -> None:
    boxes = phones._PatternExpander("2(?:0[1-3]|1)\\d{2}|9[02-4]?").expand()
    as_text = sorted("".join("".join(sorted(d)) + "/" for d in box) for box in boxes)
    digits = "0123456789/"
    assert as_text == sorted(
        [
            "2/0/123/" + digits * 2,
            "2/1/" + digits * 2,
            "9/0234/",
            "9/",
        ]
    )
    with pytest.raises(phones._Unsupported):
        phones._PatternExpander("1\\d+").expand()
    with pytest.raises(phones._Unsupported):
        phones._PatternExpander("(?=1)1").expand()


# ------------------------------------------------------------------ table tests


@pytest.mark.parametrize(
    "text",
    [
        "(212) 555-0123",
        "212-555-0123",
        "212.555.0123",
        "2125550123",
        "+1 212 555 0123",
        "+12125550123",
        "1-212-555-0123",
        "1 (212) 555-0123",
        "  212 555 0123  ",
    ],
)
def test_ordinary_us_formats(text: str) -> None:
    phone = parse_phone(text)
    assert phone == ParsedPhone(
        raw=text.strip(),
        kind="other",
        e164="+12125550123",
        extension=None,
        valid=True,
        region="US",
        zones=NY,
        toll_free=False,
        problem=None,
    )
    assert _parse_fast(text.strip(), "US", "other") is not None


@pytest.mark.parametrize(
    ("text", "extension"),
    [
        ("212-555-0123 x123", "123"),
        ("212-555-0123x123", "123"),
        ("212-555-0123 X 123", "123"),
        ("212-555-0123 ext. 123", "123"),
        ("212-555-0123 ext 123", "123"),
        ("212-555-0123 Ext.123", "123"),
        ("212-555-0123 #123", "123"),
        ("(212) 555-0123 x0042", "0042"),
        ("+1 212 555 0123 ext. 1234567890123", "1234567890123"),  # long: the slow path
        ("212-555-0123 extension 55", "55"),  # unusual label: the slow path
    ],
)
def test_extensions(text: str, extension: str) -> None:
    phone = parse_phone(text)
    assert phone.extension == extension
    assert phone.e164 == "+12125550123"
    assert phone.valid is True
    assert phone.zones == NY


@pytest.mark.parametrize("text", ["800-555-0123", "1 (888) 555-0199", "+1 877 555 0100"])
def test_toll_free_has_no_zones(text: str) -> None:
    phone = parse_phone(text)
    assert phone.valid is True
    assert phone.toll_free is True
    assert phone.zones == ()
    assert phone.region == "US"
    assert phone.problem is None


def test_honolulu() -> None:
    phone = parse_phone("(808) 555-0199")
    assert phone.zones == ("Pacific/Honolulu",)
    assert phone.toll_free is False


def test_split_zone_area_code() -> None:
    # Idaho's 208 spans Mountain and Pacific time; some exchanges are known to be
    # Pacific only, others are unresolved and list both zones.
    assert parse_phone("208-215-0123").zones == ("America/Los_Angeles",)
    assert parse_phone("208-555-0123").zones == ("America/Boise", "America/Los_Angeles")
    assert parse_phone("907-555-0123").zones == ("America/Adak", "America/Anchorage")


def test_canadian_number_with_us_default_region() -> None:
    phone = parse_phone("416-555-0123", "US")
    assert (phone.valid, phone.region, phone.zones) == (True, "CA", ("America/Toronto",))
    assert parse_phone("416-555-0123", "ca") == phone  # region is case-insensitive


def test_caribbean_numbers() -> None:
    jm = parse_phone("1-876-606-0123")
    assert (jm.valid, jm.region, jm.zones) == (True, "JM", ("America/Jamaica",))
    # A Barbados mobile: phonenumbers calls Caribbean mobiles non-geographic, but the
    # prefix still says Barbados.
    bb = parse_phone("+1 246 521 1123")
    assert (bb.valid, bb.region, bb.zones) == (True, "BB", ("America/Barbados",))
    bad = parse_phone("+1 246 521 2123")
    assert (bad.valid, bad.region, bad.problem) == (False, "BB", "not a valid number for BB")


def test_uk_number() -> None:
    phone = parse_phone("+44 20 7946 0958")
    assert phone == ParsedPhone(
        raw="+44 20 7946 0958",
        kind="other",
        e164="+442079460958",
        extension=None,
        valid=True,
        region="GB",
        zones=("Europe/London",),
        toll_free=False,
        problem=None,
    )
    assert parse_phone("020 7946 0958", "GB").e164 == "+442079460958"


def test_non_geographic_us_numbers_have_no_zones() -> None:
    premium = parse_phone("900-555-0123")
    personal = parse_phone("500-555-0123")
    assert (premium.valid, premium.zones, premium.toll_free) == (True, (), False)
    assert (personal.valid, personal.zones) == (True, ())


@pytest.mark.parametrize(
    ("text", "e164", "problem"),
    [
        ("abc", None, "cannot parse 'abc'"),
        ("", None, "empty"),
        ("   ", None, "empty"),
        ("123", "+1123", "too short"),
        ("555-0123", "+15550123", "missing area code"),
        ("200-555-0123", "+12005550123", "not a valid number for US"),
        ("212-055-0123", "+12120550123", "not a valid number for US"),
        ("212-555-0123 x 1234567890", None, "too long"),
        ("+999 1234", None, "unknown country code"),
    ],
)
def test_garbage_is_invalid_with_a_reason(text: str, e164: str | None, problem: str) -> None:
    phone = parse_phone(text)
    assert phone.valid is False
    assert phone.e164 == e164
    assert phone.problem == problem
    assert phone.zones == ()
    assert phone.raw == text.strip()


def test_kind_is_checked_and_normalised() -> None:
    assert parse_phone("212-555-0123", kind="Cell").kind == "mobile"
    assert parse_phone("212-555-0123", kind="work").kind == "work"
    with pytest.raises(ValueError, match="unknown phone type 'fax'"):
        parse_phone("212-555-0123", kind="fax")


def test_phone_types() -> None:
    assert PHONE_TYPES == ("mobile", "home", "work", "other")


# -------------------------------------------------------------- parse_phone_list


def test_phone_list_with_types() -> None:
    phones_, errors = parse_phone_list(
        "mobile:212-555-0123; Home: (808) 555-0199 ;WORK:+44 20 7946 0958;416-555-0123"
    )
    assert errors == []
    assert [(p.kind, p.e164) for p in phones_] == [
        ("mobile", "+12125550123"),
        ("home", "+18085550199"),
        ("work", "+442079460958"),
        ("other", "+14165550123"),
    ]
    assert phones_[1].raw == "(808) 555-0199"


def test_phone_list_cell_alias() -> None:
    phones_, errors = parse_phone_list("cell:212-555-0123;CELL:(416) 555-0123")
    assert errors == []
    assert [p.kind for p in phones_] == ["mobile", "mobile"]


def test_phone_list_unknown_type_is_an_error() -> None:
    phones_, errors = parse_phone_list("fax:212-555-0123;home:212-555-0124;tel:+12125550125")
    assert errors == [
        "unknown phone type 'fax' (expected mobile, home, work or other)",
        "unknown phone type 'tel' (expected mobile, home, work or other)",
    ]
    assert [p.e164 for p in phones_] == ["+12125550124"]


def test_phone_list_invalid_numbers_are_kept_not_errors() -> None:
    phones_, errors = parse_phone_list("home:abc;work:200-555-0123;mobile:+1 (212) 555-0123")
    assert errors == []
    assert [(p.kind, p.valid, p.problem) for p in phones_] == [
        ("home", False, "cannot parse 'abc'"),
        ("work", False, "not a valid number for US"),
        ("mobile", True, None),
    ]


@pytest.mark.parametrize("spec", ["", "   ", ";", " ; ;", "mobile:", "home: ;"])
def test_phone_list_empty(spec: str) -> None:
    assert parse_phone_list(spec) == ([], [])


def test_phone_list_trailing_separator_and_default_region() -> None:
    phones_, errors = parse_phone_list("020 7946 0958;", default_region="GB")
    assert errors == []
    assert [(p.e164, p.region, p.valid) for p in phones_] == [("+442079460958", "GB", True)]


def test_phone_list_colon_inside_a_number_is_not_a_type() -> None:
    phones_, errors = parse_phone_list("+1 212 555 0123 ext:5")
    assert errors == []
    assert [(p.e164, p.extension, p.kind) for p in phones_] == [("+12125550123", "5", "other")]


# ---------------------------------------------------------- zones and formatting


def test_zones_for_e164() -> None:
    assert zones_for_e164("+12125550123") == NY
    assert zones_for_e164("+18085550199") == ("Pacific/Honolulu",)
    assert zones_for_e164("+12082150123") == ("America/Los_Angeles",)
    assert zones_for_e164("+18005550123") == ()
    assert zones_for_e164("+12005550123") == ()  # not valid
    assert zones_for_e164("+442079460958") == ("Europe/London",)
    assert zones_for_e164("2125550123") == ()  # not E.164
    assert zones_for_e164("garbage") == ()


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\+1[2-9][0-9]{9}", fullmatch=True))
def test_zones_for_e164_matches_the_slow_path(e164: str) -> None:
    assert zones_for_e164(e164) == _parse_slow(e164, "ZZ").zones


def test_format_display() -> None:
    assert format_display("+12125550123") == "(212) 555-0123"
    assert format_display("+12125550123", "123") == "(212) 555-0123 x123"
    assert format_display("+14165550123") == "(416) 555-0123"
    assert format_display("+442079460958") == "+44 20 7946 0958"
    assert format_display("+442079460958", "7") == "+44 20 7946 0958 x7"
    assert format_display("not a number") == "not a number"


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\+1[2-9][0-9]{9}", fullmatch=True))
def test_format_display_matches_phonenumbers_national_format(e164: str) -> None:
    expected = phonenumbers.format_number(
        phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.NATIONAL
    )
    assert format_display(e164) == expected


def test_domain_module_does_not_load_the_geocoder_or_carrier_data() -> None:
    code = (
        "import sys, collections_tui.domain.phones as p; p.parse_phone('+44 20 7946 0958');"
        "p.parse_phone('212-555-0123');"
        "bad = [m for m in sys.modules"
        " if m.startswith(('phonenumbers.geo', 'phonenumbers.carrier'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
