"""Property: whatever mix of account imports, transaction imports and payments happens,
every account's cached balance equals the sum of its ledger entries, and equals what a
simple model of the rules expects."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database

from collections_tui.domain.ledger import signed_amount
from collections_tui.domain.money import format_amount
from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.importer import import_file
from collections_tui.services.ledger import ledger_sum, pay, verify_balances
from collections_tui.store.models import Account

ACCOUNTS = 3  # per example: account numbers <prefix>-0 .. -2
cents = st.integers(min_value=-100_000, max_value=100_000)
positive = st.integers(min_value=1, max_value=100_000)
index = st.integers(min_value=0, max_value=ACCOUNTS - 1)
reference = st.one_of(st.none(), st.sampled_from(["R1", "R2", "R3"]))

account_import = st.tuples(
    st.just("accounts"), st.dictionaries(index, cents, min_size=1, max_size=ACCOUNTS)
)
transaction = st.one_of(
    st.tuples(
        index,
        st.sampled_from(["charge", "payment", "writeoff", "insurance_payment"]),
        positive,
        reference,
    ),
    st.tuples(index, st.just("adjustment"), cents.filter(bool), reference),
)
transaction_import = st.tuples(
    st.just("transactions"), st.lists(transaction, min_size=1, max_size=5)
)
payment = st.tuples(st.just("pay"), st.tuples(index, positive, reference))
operations = st.lists(
    st.one_of(account_import, transaction_import, payment), min_size=1, max_size=6
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_balances_always_equal_the_ledger(
    db: Database, ctx: Context, ops: list[tuple[str, object]]
) -> None:
    prefix = uuid.uuid4().hex[:10]  # the database lives across examples: own numbers
    expected: dict[str, int] = {}
    posted: set[tuple[str, str]] = set()

    def number(i: int) -> str:
        return f"{prefix}-{i}"

    with tempfile.TemporaryDirectory() as tmp:
        for step, (op, arg) in enumerate(ops):
            path = Path(tmp) / f"{step}.csv"
            if op == "accounts":
                assert isinstance(arg, dict)
                rows = [f"{number(i)},Debtor {i},{format_amount(b)}" for i, b in arg.items()]
                path.write_text("account_number,debtor_name,balance\n" + "\n".join(rows) + "\n")
                import_file(ctx, "accounts", path)
                for i, b in arg.items():
                    expected[number(i)] = b
            elif op == "transactions":
                assert isinstance(arg, list)
                rows, seen = [], set()
                for i, kind, amount, ref in arg:
                    if number(i) not in expected or (i, ref) in seen:
                        continue  # unknown accounts and in-file duplicates are errors
                    if ref is not None:
                        seen.add((i, ref))
                    rows.append(
                        f"{number(i)},2026-11-01,{kind},{format_amount(amount)},{ref or ''}"
                    )
                    if ref is None or (number(i), ref) not in posted:
                        expected[number(i)] += signed_amount(kind, amount)
                        if ref is not None:
                            posted.add((number(i), ref))
                if not rows:
                    continue
                path.write_text(
                    "account_number,posted_on,kind,amount,reference\n" + "\n".join(rows) + "\n"
                )
                import_file(ctx, "transactions", path)
            else:
                assert isinstance(arg, tuple)
                i, amount, ref = arg
                if number(i) not in expected:
                    continue
                try:
                    pay(ctx, number(i), amount, reference=ref)
                except InputError:
                    assert ref is not None and (number(i), ref) in posted
                else:
                    expected[number(i)] -= amount
                    if ref is not None:
                        posted.add((number(i), ref))

            assert verify_balances() == []
            for n, balance in expected.items():
                acct = Account.get(Account.number == n)
                assert acct.balance_cents == ledger_sum(acct.id) == balance, (n, ops)
