"""Errors a service raises for a person to read. The CLI maps them to exit code 1."""

from __future__ import annotations


class InputError(ValueError):
    """Invalid input: nothing was written. ``lines`` holds one message per problem."""

    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = lines if lines is not None else [message]


class NotFound(InputError):
    pass
