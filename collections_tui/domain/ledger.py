"""Ledger entry kinds and the sign each has on the balance (DESIGN §3, §7)."""

from __future__ import annotations

KINDS: tuple[str, ...] = ("charge", "payment", "adjustment", "writeoff", "insurance_payment")

# Sign of an entry's effect on the balance, for amounts given as positive numbers.
_SIGN = {"charge": 1, "payment": -1, "writeoff": -1, "insurance_payment": -1}


class LedgerError(ValueError):
    pass


def signed_amount(kind: str, amount_cents: int) -> int:
    """The balance effect of a transaction as files and people give it.

    Charges raise the balance; payments, write-offs and insurance payments lower it and must
    be given as positive amounts; an adjustment carries its own sign.
    """
    if kind not in KINDS:
        raise LedgerError(f"unknown kind '{kind}' (expected {', '.join(KINDS)})")
    if kind == "adjustment":
        if amount_cents == 0:
            raise LedgerError("an adjustment of 0.00 changes nothing")
        return amount_cents
    if amount_cents <= 0:
        raise LedgerError(f"a {kind} amount must be positive")
    return _SIGN[kind] * amount_cents
