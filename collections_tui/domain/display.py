"""The one rule for showing stored text: data is text, never markup or terminal control.

Everything stored came from a stranger: a debtor's name in a creditor's file, a memo from
another system, a note pasted into the workstation. Before any of it reaches a terminal, a
JSON reader or a log, it goes through :func:`safe_text` (or :func:`safe_json` for JSON):

- C0 controls (ESC, NUL, BS, BEL, CR…), DEL and C1 controls (CSI ``\\x9b``, OSC ``\\x9d``…)
  are shown as visible escapes, ``\\x1b``: no cursor movement, no window title, no clipboard
  write (OSC 52), no hyperlink (OSC 8) can ride in on a name.
- Bidi controls (U+202E RIGHT-TO-LEFT OVERRIDE and the other embeddings, overrides and
  isolates), zero-width characters (U+200B…U+200D, U+2060, U+FEFF) and every other Unicode
  "format" character, line and paragraph separators, surrogates and unassigned code points
  are shown as ``\\u202e``: a name cannot reorder the text around it or hide a character.
- A tab becomes a space. A newline is kept only where the text may run over lines
  (``multiline=True``: notes); elsewhere it shows as ``\\n``, so one value stays one line.

Printable text (letters of every script, accents, emoji, ordinary and non-breaking spaces)
is left exactly as it is: the fast path is one ``str.isprintable`` call.

Markup is the other half and is not handled here: Rich/Textual markup is only ever parsed
from the program's own templates (``ui/text.py``), never from data.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

__all__ = ["is_unsafe_char", "safe_json", "safe_text"]

# Unicode general categories never shown raw: controls, format characters (bidi, zero-width,
# soft hyphen, tags), line/paragraph separators, surrogates, unassigned.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})


def is_unsafe_char(ch: str) -> bool:
    """True for a character :func:`safe_text` would not show raw (tab and newline included)."""
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that is safe to show on a terminal: see the module's rules."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # the common case, in C: no control, format or separator char
        return text
    out: list[str] = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif ch == "\n" and multiline:
            out.append(ch)
        elif unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            out.append(_escape(ch))
        else:  # other separators (U+00A0, U+3000 …) and private-use glyphs: printable enough
            out.append(ch)
    return "".join(out)


def _json_fix(text: str) -> str:
    """JSON text with every character :func:`is_unsafe_char` names written as ``\\uXXXX``.

    ``json.dumps`` already escapes C0 controls; what it leaves raw under
    ``ensure_ascii=False`` — DEL, C1, bidi and zero-width characters, other format
    characters — can only stand inside strings, where an escape means the same character.
    """
    if text.isprintable() or text.replace("\n", "").isprintable():  # in C: the usual case
        return text
    out: list[str] = []
    for ch in text:
        if ch != "\n" and is_unsafe_char(ch):
            code = ord(ch)
            if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON writes astral characters
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def safe_json(value: Any, **kwargs: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **kwargs)`` with every character that is not
    safe to show escaped: the same data for a JSON reader, nothing raw for a terminal."""
    kwargs.setdefault("ensure_ascii", False)
    return _json_fix(json.dumps(value, **kwargs))
