"""Days past due and aging buckets. ``today`` always comes in as an argument."""

from __future__ import annotations

from datetime import date

BUCKETS: tuple[str, ...] = ("0-30", "31-60", "61-90", "91-120", "120+")


def days_past_due(due_date: date | None, today: date) -> int:
    """Whole days since the due date (0 when not yet due). No due date counts as due today."""
    if due_date is None:
        return 0
    return max(0, (today - due_date).days)


def aging_bucket(days: int) -> str:
    if days <= 30:
        return "0-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    if days <= 120:
        return "91-120"
    return "120+"
