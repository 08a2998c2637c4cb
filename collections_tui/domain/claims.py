"""Insurance claims: which statuses mean the balance still awaits the payer's decision."""

from __future__ import annotations

CLAIM_STATUSES: tuple[str, ...] = (
    "submitted",
    "pending",
    "in_process",
    "paid",
    "partially_paid",
    "denied",
    "appealed",
    "closed",
)

# While a claim is in one of these, the patient is not chased for the balance (DESIGN §4).
AWAITING_DECISION: frozenset[str] = frozenset({"submitted", "pending", "in_process", "appealed"})
