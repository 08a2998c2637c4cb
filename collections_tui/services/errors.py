"""Errors a service raises for a person to read. The CLI maps them to exit code 1."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ..domain.dates import DateError, check_date, check_instant
from ..domain.money import MoneyError, check_amount
from ..domain.text import TextError, check_input_text


class InputError(ValueError):
    """Invalid input: nothing was written. ``lines`` holds one message per problem."""

    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = lines if lines is not None else [message]


class NotFound(InputError):
    pass


class Blocked(InputError):
    """The compliance verdict blocks this call (``reason``, a DESIGN §4 code); nothing was
    recorded. ``overridable``: a typed override reason would let it be recorded (never for
    cease, attorney or bankruptcy). A caller asks for the reason on this, not on the text."""

    def __init__(self, message: str, *, reason: str, overridable: bool) -> None:
        super().__init__(message)
        self.reason = reason
        self.overridable = overridable


class NeedsGrant(InputError):
    """An override here needs a supervisor's ``grant`` first (``[team] overrides =
    "supervisor"``); nothing was recorded."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def within_bounds(
    *,
    amounts: Iterable[int | None] = (),
    dates: Iterable[date | None] = (),
    instants: Iterable[datetime | None] = (),
) -> None:
    """Amounts, dates and instants a service is about to store, checked by the one rule of
    each (:mod:`collections_tui.domain.money`, :mod:`collections_tui.domain.dates`); ``None``
    is skipped. :class:`InputError` for the first one outside its bounds."""
    try:
        for cents in amounts:
            if cents is not None:
                check_amount(cents)
        for day in dates:
            if day is not None:
                check_date(day)
        for instant in instants:
            if instant is not None:
                check_instant(instant)
    except (MoneyError, DateError) as exc:
        raise InputError(f"{exc}; nothing was recorded") from None


def input_text(
    value: str, what: str, *, max_len: int | None = None, multiline: bool = False
) -> str:
    """Free text a service is about to store, checked by the one rule
    (:func:`collections_tui.domain.text.check_input_text`): :class:`InputError` when it holds
    a control character or is too long."""
    try:
        return check_input_text(value, what, max_len=max_len, multiline=multiline)
    except TextError as exc:
        raise InputError(f"{exc}; nothing was recorded") from None
