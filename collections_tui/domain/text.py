"""Free text as it comes in: control characters are refused at the door (pure).

One rule for every path that stores text a person or a file typed (notes, reasons,
references, names, CSV cells): C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls
(U+0080–U+009F) are refused — they are how escape sequences reach a terminal, and NUL makes
PostgreSQL fail. Exceptions: text that may span lines (a note) keeps its line breaks
(``\\r\\n`` is read as ``\\n``) and tabs; one-line text has its tabs read as spaces.
(Showing stored text safely is another matter, done where text is displayed.)
"""

from __future__ import annotations

import re

__all__ = [
    "ANY_CONTROL",
    "CONTROL_BUT_LINE_ENDS",
    "MAX_NAME_CHARS",
    "MAX_REFERENCE_CHARS",
    "TextError",
    "check_input_text",
    "check_name",
    "control_problem",
    "describe_control",
]

MAX_REFERENCE_CHARS = 100  # a payment reference, typed or imported (ledger_entry.reference)
MAX_NAME_CHARS = 100  # a coordinator's name (coordinator.name and every column naming one)

# Anything a check has to look at: every C0 control, DEL and C1.
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same but for line ends, for a quick look over a whole file whose records end in them.
CONTROL_BUT_LINE_ENDS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab and \n allowed

_NAMES = {0x00: "NUL", 0x08: "BS", 0x09: "TAB", 0x0A: "LF", 0x0D: "CR", 0x1B: "ESC"}
_NAMES.update({0x7F: "DEL", 0x85: "NEL", 0x9B: "CSI", 0x9D: "OSC"})


class TextError(ValueError):
    """Text with a character that is refused; the message says which, in one line."""


def describe_control(char: str) -> str:
    """``U+001B (ESC)``: a control character named without printing it."""
    code = ord(char)
    name = _NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def control_problem(value: str, *, multiline: bool = False) -> tuple[str, str | None]:
    """``(text, None)`` with tabs (and, for ``multiline``, ``\\r\\n``) normalised, or
    ``(value, what is wrong)`` when ``value`` holds a refused control character."""
    if ANY_CONTROL.search(value) is None:
        return value, None
    if multiline:
        text = value.replace("\r\n", "\n")
        m = _LINES.search(text)
    else:
        text = value.replace("\t", " ")
        m = ANY_CONTROL.search(text)
    if m is None:
        return text, None
    char = m.group()
    if char in "\r\n" and not multiline:
        return value, "contains a line break; it must be one line"
    return value, f"contains the control character {describe_control(char)}"


def check_input_text(
    value: str, what: str, *, max_len: int | None = None, multiline: bool = False
) -> str:
    """``value`` with tabs/line ends normalised (see :func:`control_problem`), or
    :class:`TextError` naming ``what`` when it holds a refused control character or is
    longer than ``max_len`` characters."""
    text, problem = control_problem(value, multiline=multiline)
    if problem is not None:
        raise TextError(f"{what} {problem}")
    if max_len is not None and len(text) > max_len:
        raise TextError(f"{what} is longer than {max_len} characters ({len(text):,})")
    return text


def check_name(name: str, what: str = "a coordinator name") -> str:
    """A coordinator's name as given (``--as``, ``set-role``, ``grant --to``), or
    :class:`TextError`: no control character at all (not even a tab), not empty, no spaces at
    either end, at most :data:`MAX_NAME_CHARS` characters."""
    control = ANY_CONTROL.search(name)
    if control is not None:  # first: the messages below show the name
        raise TextError(
            f"{what} contains the control character {describe_control(control.group())}"
        )
    if not name or not name.strip() or name != name.strip():
        raise TextError(f"{what} must be non-empty, without spaces at either end: '{name}'")
    if len(name) > MAX_NAME_CHARS:
        raise TextError(f"{what} is longer than {MAX_NAME_CHARS} characters: '{name[:40]}…'")
    return name
