"""How data reaches a widget: as ``Content``, never as a markup string.

Markup is parsed only from the program's own templates; every value from the database (a
debtor's name, a memo, a payer's phone, an error that echoes a file) is inserted as plain
text after :func:`collections_tui.domain.display.safe_text`, so ``[/]`` in a name is two
brackets and a slash, ``[@click=app.quit]`` does nothing, and an ESC is shown as ``\\x1b``.

- ``fmt("[b]$number[/b] · $name", number=v.number, name=v.debtor_name)``: a template of
  ours (Textual markup) with data as ``$variables`` — Textual substitutes them into the
  text after the markup is parsed, so they are never read as tags.
- ``plain(value)``: one value as text (``multiline=True`` keeps its newlines: notes).
- ``lines(parts)``: Content parts, one per line.
- ``cell(value)``: a value for a ``DataTable`` cell (a Rich ``Text``, which the table
  measures; a ``str`` cell would be read as markup).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.text import Text
from textual.content import Content

from ..domain.display import safe_text

__all__ = ["Content", "cell", "fmt", "lines", "plain"]

_NEWLINE = Content("\n")


def plain(value: object, *, multiline: bool = False, style: str = "") -> Content:
    """A data value as text, safe to show (see :mod:`collections_tui.domain.display`)."""
    text = safe_text(value, multiline=multiline)
    return Content.styled(text, style) if style else Content(text)


def fmt(template: str, /, **values: str | int | date | None) -> Content:
    """Our markup ``template`` with data ``values`` inserted as plain, safe text."""
    if not values:
        return Content.from_markup(template)
    safe = {k: "" if v is None else safe_text(v) for k, v in values.items()}
    return Content.from_markup(template, **safe)


def lines(parts: Iterable[Content | str]) -> Content:
    """Parts joined one per line; a ``str`` part is plain text, made safe like data."""
    return _NEWLINE.join(p if isinstance(p, Content) else plain(p) for p in parts)


def cell(value: object) -> Text:
    """A data value for a ``DataTable`` cell, as plain, safe text."""
    return Text(safe_text(value), no_wrap=True)
