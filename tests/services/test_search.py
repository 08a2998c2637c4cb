"""Finding an account from what an inbound caller says, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from peewee import Database

from collections_tui.services.context import Context
from collections_tui.services.search import SearchHit, search_accounts
from collections_tui.store.db import is_postgres
from collections_tui.store.models import Account
from tests.factories import make_account


def numbers(hits: list[SearchHit]) -> list[str]:
    return [h.account_number for h in hits]


def close(number: str) -> None:
    Account.update(status="closed").where(Account.number == number).execute()


def test_blank_text_finds_nothing(db: Database, ctx: Context) -> None:
    make_account(ctx, "A-1001", name="Pat Doe")
    assert search_accounts(ctx, "") == []
    assert search_accounts(ctx, "   \t") == []


def test_a_caller_is_found_by_the_phone_they_call_from_however_it_is_written(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "A-1001", name="Pat Doe", phones=("212-555-0143",))
    make_account(ctx, "A-1002", name="Sam Doe", phones=("(646) 555-0199", "212.555.0143"))
    make_account(ctx, "A-1003", name="Lee Roe", phones=("646-555-0100",))
    for typed in ("(212) 555-0143", "212 555 0143", "+1 212-555-0143", "2125550143"):
        hits = search_accounts(ctx, typed)
        assert numbers(hits) == ["A-1001", "A-1002"], typed
        assert {h.matched for h in hits} == {"phone"}
        # the number that matched, even when it is not the debtor's first
        assert [h.phone for h in hits] == ["+12125550143", "+12125550143"]
    assert search_accounts(ctx, "(212) 555-0199") == []


def test_a_name_is_found_by_the_start_of_any_of_its_words_in_any_case(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "A-1", name="Maria Q. Gonzalez", phones=("646-555-0100",))
    make_account(ctx, "A-2", name="Robert Gonzales Jr.", phones=())
    make_account(ctx, "A-3", name="Aisha Pham-Cook")
    make_account(ctx, "A-4", name="Gonzo Plumbing LLC")
    assert numbers(search_accounts(ctx, "GONZAL")) == ["A-1", "A-2"]
    assert numbers(search_accounts(ctx, "gonz")) == ["A-4", "A-1", "A-2"]  # by name
    assert numbers(search_accounts(ctx, "maria")) == ["A-1"]
    assert numbers(search_accounts(ctx, "plumb")) == ["A-4"]
    assert numbers(search_accounts(ctx, "pham")) == ["A-3"]
    # more than one word: each must start a word, in any order; hyphens split words
    assert numbers(search_accounts(ctx, "maria gonz")) == ["A-1"]
    assert numbers(search_accounts(ctx, "Gonzalez, Maria")) == ["A-1"]
    assert numbers(search_accounts(ctx, "aisha cook")) == ["A-3"]
    assert search_accounts(ctx, "maria gonzales") == []
    assert search_accounts(ctx, "onzal") == []  # the start of a word, not any part of it
    hit = search_accounts(ctx, "maria")[0]
    assert hit == SearchHit(
        account_number="A-1",
        debtor_name="Maria Q. Gonzalez",
        creditor="Lakeside Family Medicine",
        balance_cents=10_000,
        status="open",
        phone="+16465550100",  # the debtor's first phone
        matched="name",
    )
    assert search_accounts(ctx, "robert")[0].phone is None  # no phone on file


def test_an_account_number_is_found_exactly_or_by_its_start(db: Database, ctx: Context) -> None:
    for n in ("A-1001", "A-10010", "A-1002", "A-2001", "B-1001"):
        make_account(ctx, n, name="Pat Doe")
    assert numbers(search_accounts(ctx, "A-10")) == ["A-1001", "A-10010", "A-1002"]
    assert numbers(search_accounts(ctx, "a-10")) == ["A-1001", "A-10010", "A-1002"]
    assert numbers(search_accounts(ctx, " b-1001 ")) == ["B-1001"]
    assert {h.matched for h in search_accounts(ctx, "A-")} == {"number"}
    close("A-1001")  # the exact number comes first, open or not
    assert numbers(search_accounts(ctx, "a-1001")) == ["A-1001", "A-10010"]


def test_results_come_exact_number_then_phone_then_number_start_then_name(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "2125550143", name="Exact Number", phones=())
    make_account(ctx, "2125550143-2", name="Number Start", phones=())
    make_account(ctx, "Z-1", name="Called From", phones=("212-555-0143",))
    hits = search_accounts(ctx, "2125550143")
    assert [(h.account_number, h.matched) for h in hits] == [
        ("2125550143", "number"),
        ("Z-1", "phone"),
        ("2125550143-2", "number"),
    ]
    make_account(ctx, "SMI-7", name="Pat Doe", phones=())
    make_account(ctx, "B-1", name="Ann Smith", phones=())
    hits = search_accounts(ctx, "smi")
    assert [(h.account_number, h.matched) for h in hits] == [("SMI-7", "number"), ("B-1", "name")]


def test_open_accounts_come_before_closed_ones_and_each_account_once(
    db: Database, ctx: Context
) -> None:
    make_account(ctx, "D-1", name="Aaron Doe", phones=("646-555-0101",))
    make_account(ctx, "D-2", name="Zed Doe", phones=("646-555-0102",))
    make_account(ctx, "D-3", name="Doe Holdings", phones=())
    make_account(ctx, "X-9", name="Mia Doe", phones=("212-555-0143",))
    make_account(ctx, "Y-9", name="Kim Doe", phones=("212-555-0143",))
    close("D-1")
    close("D-3")
    close("X-9")
    # by name among the open (Kim, Zed), then among the closed (Aaron, Doe Holdings, Mia)
    assert numbers(search_accounts(ctx, "doe")) == ["Y-9", "D-2", "D-1", "D-3", "X-9"]
    assert numbers(search_accounts(ctx, "(212) 555-0143")) == ["Y-9", "X-9"]
    assert numbers(search_accounts(ctx, "d-")) == ["D-2", "D-1", "D-3"]
    # found by number and by name: listed once, as the first way it was found
    hits = search_accounts(ctx, "D-2")
    assert [(h.account_number, h.matched) for h in hits] == [("D-2", "number")]


def test_open_accounts_come_first_even_behind_many_closed_ones(db: Database, ctx: Context) -> None:
    for i in range(1, 7):
        make_account(ctx, f"C-{i}", name=f"Lee Name{i}", phones=())
        if i < 6:
            close(f"C-{i}")
    assert numbers(search_accounts(ctx, "C-", limit=3)) == ["C-6", "C-1", "C-2"]
    assert numbers(search_accounts(ctx, "lee", limit=3)) == ["C-6", "C-1", "C-2"]
    assert numbers(search_accounts(ctx, "lee name", limit=3)) == ["C-6", "C-1", "C-2"]


def test_an_open_account_is_found_behind_more_closed_ones_than_are_read_at_first(
    db: Database, ctx: Context
) -> None:
    for i in range(60):
        make_account(ctx, f"K-{i:02}", name=f"Kay Name{i:02}", phones=())
        if i != 57:
            close(f"K-{i:02}")
    hits = search_accounts(ctx, "kay", limit=3)
    assert numbers(hits) == ["K-57", "K-00", "K-01"]
    assert len(search_accounts(ctx, "kay", limit=100)) == 60


def test_letters_outside_ascii(db: Database, ctx: Context) -> None:
    make_account(ctx, "E-1", name="Émile Zoë Łukasiewicz", phones=())
    for typed in ("Émile", "zoë", "Zoë Ł", "émile Łukasiewicz"):
        if typed[0] == "é" and not is_postgres(db):
            continue  # SQLite: typed in the case stored
        assert numbers(search_accounts(ctx, typed)) == ["E-1"], typed


def test_at_most_limit_results(db: Database, ctx: Context) -> None:
    for i in range(6):
        make_account(ctx, f"L-{i}", name=f"Lee Number{i}", phones=())
    assert numbers(search_accounts(ctx, "lee", limit=4)) == ["L-0", "L-1", "L-2", "L-3"]
    assert len(search_accounts(ctx, "lee")) == 6
    assert len(search_accounts(ctx, "L-", limit=2)) == 2
    assert search_accounts(ctx, "lee", limit=0) == []


@pytest.fixture
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SQL the search sends, captured."""
    seen: list[tuple[str, Any]] = []
    original = db.execute_sql

    def spy(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        db.__dict__.pop("execute_sql", None)


def test_every_search_reads_through_an_index(
    db: Database, ctx: Context, statements: list[tuple[str, Any]]
) -> None:
    """The search indexes are on expressions; a query that spells its expression even a
    little differently would silently read the whole table. No table is scanned."""
    make_account(ctx, "A-1001", name="Maria Q. Gonzalez", phones=("212-555-0143",))
    make_account(ctx, "A-1002", name="Robert Gonzales", phones=())
    for text in ("(212) 555-0143", "A-10", "gonz", "maria gonz", "robert q gonzales"):
        search_accounts(ctx, text)
    queries = [(sql, params) for sql, params in statements if sql.startswith("SELECT")]
    assert len(queries) > 10
    db.__dict__.pop("execute_sql")
    if is_postgres(db):
        db.execute_sql("SET enable_seqscan = off")  # a few rows: PostgreSQL would scan
        try:
            for sql, params in queries:
                plan = "\n".join(r[0] for r in db.execute_sql("EXPLAIN " + sql, params))
                assert not re.search(r"Seq Scan on (account|debtor|phone)\b", plan), (sql, plan)
        finally:
            db.execute_sql("SET enable_seqscan = on")
    else:
        for sql, params in queries:
            plan = "\n".join(r[3] for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
            assert not re.search(r"\bSCAN t\d\b", plan), (sql, plan)
        names = {"debtor_name_0", "debtor_name_1", "debtor_name_2", "account_status_number"}
        used = set()
        for sql, params in queries:
            for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params):
                used |= {n for n in names if f"INDEX {n} " in row[3]}
        assert used == names
