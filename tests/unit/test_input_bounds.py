"""The pure rules for what comes in (issue 11): the date window (domain.dates), control
characters (domain.text), ASCII digits in typed dates and times (domain.when, domain.avoid),
the score's parts inside the window (domain.priority), and the never-overridable flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.avoid import AvoidSpecError, parse_avoid
from collections_tui.domain.compliance import NEVER_OVERRIDABLE, never_overridable
from collections_tui.domain.dates import (
    FIRST_DAY,
    LAST_DAY,
    DateError,
    check_date,
    check_instant,
    parse_date,
    parse_instant,
)
from collections_tui.domain.flags import Flag
from collections_tui.domain.priority import priority
from collections_tui.domain.text import (
    TextError,
    check_input_text,
    check_name,
    control_problem,
)
from collections_tui.domain.when import WhenError, parse_local_date, parse_local_time

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
WINDOW = r"outside the dates accepted \(1900-01-01 to 2200-12-31\)"

# ---------------------------------------------------------------- dates


def test_the_window() -> None:
    assert (date(1900, 1, 1), date(2200, 12, 31)) == (FIRST_DAY, LAST_DAY)
    assert parse_date("1900-01-01") == FIRST_DAY and parse_date("2200-12-31") == LAST_DAY
    for text in ("1899-12-31", "2201-01-01", "0001-01-01", "9999-12-31"):
        with pytest.raises(DateError, match=f"'{text}' is {WINDOW}"):
            parse_date(text)


@pytest.mark.parametrize(
    "text", ["20261127", "2026-W48-5", "2026-11-2", "٢٠٢٦-١١-٢٧", "２０２６-11-27", "2026-11-27x"]
)
def test_a_date_is_strict_yyyy_mm_dd_in_ascii(text: str) -> None:
    with pytest.raises(DateError, match="is not a date; expected YYYY-MM-DD"):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+14:00",  # UTC would be year 0: OverflowError without the check
        "9999-12-31T23:00:00-05:00",  # UTC would be year 10000
        "1899-12-31T23:00:00Z",
        "2201-01-01T00:00:00Z",
        "1900-01-01T05:00:00+14:00",  # its own date is inside, its UTC date is not
    ],
)
def test_instants_outside_the_window_never_overflow(text: str) -> None:
    with pytest.raises(DateError, match=WINDOW):
        parse_instant(text)


def test_instants_inside_the_window() -> None:
    assert parse_instant("2026-11-27T10:00:00-05:00") == NOW
    assert parse_instant("2026-11-27T15:00:00") == NOW  # no offset: UTC
    assert parse_instant("2026-11-27T15:00:00z") == NOW
    with pytest.raises(DateError, match="not an ISO 8601 instant"):
        parse_instant("2026-１１-27T15:00:00Z")


@given(st.datetimes(timezones=st.just(timezone(timedelta(hours=14)))))
def test_check_instant_refuses_or_returns_utc(value: datetime) -> None:
    try:
        utc = check_instant(value)
    except DateError:
        assert not FIRST_DAY <= value.date() <= LAST_DAY or not (
            FIRST_DAY <= value.astimezone(UTC).date() <= LAST_DAY
        )
    else:
        assert utc == value and utc.tzinfo is UTC and FIRST_DAY <= utc.date() <= LAST_DAY


def test_check_date_names_the_text() -> None:
    with pytest.raises(DateError, match="'12/31/9999' is outside"):
        check_date(date(9999, 12, 31), "12/31/9999")


# ---------------------------------------------------------------- typed in the workstation


@pytest.mark.parametrize("text", ["1899-12-31", "12/5/1850", "12/31/2201", "2201-01-01"])
def test_workstation_dates_outside_the_window_are_refused(text: str) -> None:
    with pytest.raises(WhenError, match=WINDOW):
        parse_local_date(text, NOW.date())
    with pytest.raises(WhenError, match=WINDOW):
        parse_local_time(f"{text} 14:30", NOW, "America/New_York")


@pytest.mark.parametrize("text", ["١٤:٣٠", "２pm", "+٧", "٢٠٢٦-١٢-٠٥", "١٢/٥"])
def test_workstation_dates_and_times_are_ascii(text: str) -> None:
    with pytest.raises(WhenError):
        parse_local_date(text, NOW.date())
    with pytest.raises(WhenError):
        parse_local_time(text, NOW, "America/New_York")


def test_inconvenient_times_are_ascii() -> None:
    assert parse_avoid("mon-fri 15:00-17:00").start is not None
    with pytest.raises(AvoidSpecError):
        parse_avoid("mon-fri ١٥:٠٠-١٧:٠٠")


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a\x00b", "contains the control character U+0000 (NUL)"),
        ("\x1b]52;c;aGk=\x07", "contains the control character U+001B (ESC)"),
        ("title\x1b]0;pwned\x07", "contains the control character U+001B (ESC)"),
        ("a\x7f", "contains the control character U+007F (DEL)"),
        ("a\x9b2J", "contains the control character U+009B (CSI)"),
        ("a\x85b", "contains the control character U+0085 (NEL)"),
        ("a\x08b", "contains the control character U+0008 (BS)"),
        ("A-1\nA-2", "contains a line break; it must be one line"),
        ("A-1\r", "contains a line break; it must be one line"),
    ],
)
def test_one_line_text_refuses_every_control(text: str, problem: str) -> None:
    assert control_problem(text) == (text, problem)
    with pytest.raises(TextError) as info:
        check_input_text(text, "the reference")
    assert str(info.value) == f"the reference {problem}"


def test_tabs_and_line_breaks() -> None:
    assert control_problem("a\tb") == ("a b", None)
    assert check_input_text("one\r\ntwo\tthree", "the note", multiline=True) == "one\ntwo\tthree"
    with pytest.raises(TextError, match=r"U\+001B"):
        check_input_text("one\n\x1b[2J", "the note", multiline=True)
    with pytest.raises(TextError, match=r"U\+000D \(CR\)"):
        check_input_text("one\rtwo", "the note", multiline=True)
    assert check_input_text("Zoë – 日本 ‮", "the note") == "Zoë – 日本 ‮"  # not controls


def test_length() -> None:
    assert check_input_text("x" * 100, "the reference", max_len=100) == "x" * 100
    with pytest.raises(TextError, match=r"the reference is longer than 100 characters \(101\)"):
        check_input_text("x" * 101, "the reference", max_len=100)


@given(st.text())
def test_accepted_text_holds_no_control(text: str) -> None:
    for multiline in (False, True):
        try:
            out = check_input_text(text, "x", multiline=multiline)
        except TextError:
            continue
        allowed = "\n\t" if multiline else ""
        assert not any((ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) and c not in allowed for c in out)


def test_names() -> None:
    assert check_name("maria") == "maria"
    for bad, why in (("a\tb", "U+0009 (TAB)"), ("eve\x1b", "U+001B"), (" x", "spaces"),
                     ("x" * 101, "longer than 100")):  # fmt: skip
        with pytest.raises(TextError) as info:
            check_name(bad)
        assert why in str(info.value)


# ---------------------------------------------------------------- score and overrides


def test_the_oldest_due_date_inside_the_window_scores_within_an_integer_column() -> None:
    """DESIGN §5 keeps 'older → higher' without a cap (the stored sort key relies on the
    age part growing one point a day for every account); the window bounds it instead: the
    oldest due date a file or a person can enter is 1900-01-01, not 0001-01-01."""
    p = priority(
        balance_cents=10**13 - 1, aging_from=FIRST_DAY, today=LAST_DAY, last_attempt_on=None
    )
    assert p.score == 200 * 11 + (LAST_DAY - FIRST_DAY).days < 2**31
    assert abs(p.sort_key) < 2**31
    younger = priority(balance_cents=10**13 - 1, aging_from=date(1900, 1, 2), today=LAST_DAY,
                       last_attempt_on=None)  # fmt: skip
    assert p.score > younger.score


def test_never_overridable_comes_from_the_one_list() -> None:
    assert never_overridable(0) == ()
    assert never_overridable(int(Flag.DISPUTE | Flag.DECEASED)) == ()
    assert never_overridable(int(Flag.CEASE | Flag.DISPUTE)) == ("cease",)
    every = never_overridable(int(Flag.CEASE | Flag.ATTORNEY | Flag.BANKRUPTCY))
    assert set(every) == NEVER_OVERRIDABLE
