from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.when import WhenError, parse_local_date, parse_local_time

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday 10:00 in New York
NY = "America/New_York"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", datetime(2026, 11, 27, 19, 30, tzinfo=UTC)),
        ("2:30pm", datetime(2026, 11, 27, 19, 30, tzinfo=UTC)),
        ("2:30 pm", datetime(2026, 11, 27, 19, 30, tzinfo=UTC)),
        ("9am", datetime(2026, 11, 28, 14, 0, tzinfo=UTC)),  # 9:00 passed: tomorrow
        ("tomorrow 9am", datetime(2026, 11, 28, 14, 0, tzinfo=UTC)),
        ("mon 14:30", datetime(2026, 11, 30, 19, 30, tzinfo=UTC)),
        ("fri 9:00", datetime(2026, 12, 4, 14, 0, tzinfo=UTC)),  # today's 9:00 passed
        ("2026-12-01 08:15", datetime(2026, 12, 1, 13, 15, tzinfo=UTC)),
        ("12/1 8:15am", datetime(2026, 12, 1, 13, 15, tzinfo=UTC)),
    ],
)
def test_callback_times_are_read_in_the_debtors_zone(text: str, expected: datetime) -> None:
    assert parse_local_time(text, NOW, NY) == expected


def test_same_words_in_another_zone_are_another_instant() -> None:
    la = parse_local_time("14:30", NOW, "America/Los_Angeles")
    assert la - parse_local_time("14:30", NOW, NY) == timedelta(hours=3)


@pytest.mark.parametrize("text", ["", "25:00", "13pm", "someday 9am", "2026-02-30 10:00", "x"])
def test_unreadable_times_say_what_to_type(text: str) -> None:
    with pytest.raises(WhenError):
        parse_local_time(text, NOW, NY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05", date(2026, 12, 5)),
        ("12/5", date(2026, 12, 5)),
        ("1/15", date(2027, 1, 15)),  # January has passed this year: next year
        ("fri", date(2026, 11, 27)),
        ("mon", date(2026, 11, 30)),
        ("today", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 28)),
        ("+7", date(2026, 12, 4)),
    ],
)
def test_promise_dates(text: str, expected: date) -> None:
    assert parse_local_date(text, date(2026, 11, 27)) == expected


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 60 * 24 * 366))
def test_a_bare_time_is_the_next_such_moment(hour: int, minute: int, offset: int) -> None:
    now = NOW + timedelta(minutes=offset)
    at = parse_local_time(f"{hour}:{minute:02d}", now, NY)
    assert now < at <= now + timedelta(days=1, hours=1)
