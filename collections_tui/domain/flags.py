"""Account flags that stop or limit collection calls (DESIGN §4)."""

from __future__ import annotations

from enum import IntFlag


class Flag(IntFlag):
    CEASE = 1
    ATTORNEY = 2
    BANKRUPTCY = 4
    DECEASED = 8
    DISPUTE = 16


FLAG_NAMES: dict[str, Flag] = {
    "cease": Flag.CEASE,
    "attorney": Flag.ATTORNEY,
    "bankruptcy": Flag.BANKRUPTCY,
    "deceased": Flag.DECEASED,
    "dispute": Flag.DISPUTE,
}


def parse_flags(text: str) -> tuple[int, list[str]]:
    """``"cease;dispute"`` → (bits, errors). Case-insensitive; empty items are ignored."""
    bits = 0
    errors: list[str] = []
    for item in text.split(";"):
        name = item.strip().lower()
        if not name:
            continue
        flag = FLAG_NAMES.get(name)
        if flag is None:
            errors.append(f"unknown flag '{item.strip()}' (expected {', '.join(FLAG_NAMES)})")
        else:
            bits |= flag
    return bits, errors


def flag_names(bits: int) -> list[str]:
    return [name for name, flag in FLAG_NAMES.items() if bits & flag]
