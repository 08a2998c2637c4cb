"""The safe-display rule: stored text reaches a terminal or a JSON reader as text only."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from collections_tui.domain.display import is_unsafe_char, safe_json, safe_text

# What an attacker puts in a debtor's name, a memo or a file (issue 11's classes).
HOSTILE = [
    "\x1b]52;c;SGVsbG8=\x07",  # OSC 52: rewrite the clipboard
    "\x1b]0;owned\x07",  # OSC 0: the window title
    "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b[2J\x1b[H",  # CSI: clear the screen
    "\x9b31m\x9d0;t\x07",  # C1 CSI / OSC
    "a\x00b\x08c\x7fd",  # NUL, BS, DEL
    "Smith\u202eotni\u202c",  # bidi override
    "Sm\u200bith\u200d\ufeff\u2060",  # zero-width
    "line\u2028sep\u2029",  # line / paragraph separators
]


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if is_unsafe_char(ch)]


def test_every_hostile_value_is_shown_without_a_control_character() -> None:
    for value in HOSTILE:
        shown = safe_text(value)
        assert _raw_controls(shown) == [], (value, shown)
        assert "\x1b" not in shown and "\x9b" not in shown


def test_controls_are_shown_visibly_not_dropped() -> None:
    assert safe_text("a\x1b]52;c;x\x07b") == "a\\x1b]52;c;x\\x07b"
    assert safe_text("Smith\u202e") == "Smith\\u202e"
    assert safe_text("\x9b") == "\\x9b"
    assert safe_text("Sm\u200bith") == "Sm\\u200bith"


def test_newlines_only_where_text_may_run_over_lines() -> None:
    assert safe_text("two\nlines") == "two\\nlines"
    assert safe_text("two\nlines", multiline=True) == "two\nlines"
    assert safe_text("cr\rhere", multiline=True) == "cr\\rhere"
    assert safe_text("tab\there") == "tab here"


def test_real_names_are_left_exactly_as_they_are() -> None:
    for name in ("José Núñez", "Zoë O'Brien-Łukasz", "محمد", "李小龙", "Nguyễn", "A\u00a0B", "🙂"):
        assert safe_text(name) == name


@given(st.text())
def test_nothing_unsafe_survives(value: str) -> None:
    shown = safe_text(value)
    assert _raw_controls(shown) == []
    assert all(ch != "\n" for ch in shown)
    assert _raw_controls(safe_text(value, multiline=True).replace("\n", "")) == []


@given(st.text())
def test_safe_text_is_idempotent(value: str) -> None:
    once = safe_text(value)
    assert safe_text(once) == once


@given(st.text().filter(lambda s: s.isprintable()))
def test_printable_text_is_unchanged(value: str) -> None:
    assert safe_text(value) == value


@given(
    st.recursive(
        st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_safe_json_is_the_same_data_with_nothing_raw(value: object) -> None:
    text = safe_json(value, indent=2)
    assert json.loads(text) == value  # a JSON reader gets exactly the data
    raw = [ch for ch in text if ch != "\n" and is_unsafe_char(ch)]
    assert raw == []


def test_safe_json_keeps_readable_letters_and_escapes_the_rest() -> None:
    text = safe_json({"name": "José \u202e\x9b\x7f\u200b 😀 \U000e0041"})
    assert "José" in text and "😀" in text
    for escape in ("\\u202e", "\\u009b", "\\u007f", "\\u200b", "\\udb40\\udc41"):
        assert escape in text
    assert unicodedata.category("\U000e0041") == "Cf"  # a tag character: format, escaped
