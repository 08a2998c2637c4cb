"""Demo data (``collections-tui demo``): realistic, deterministic, consistent with the rules.

Two kinds of tests:

- On both backends (the ``db`` fixture): determinism, ledger sums, the queue's cached columns
  agreeing with ``services.facts``, refusing a second run.
- On one 2,000-account SQLite demo made once for this module (read with plain SQL): what a
  user sees -- names, addresses, phones in every time zone, aging, calls, promises, plans,
  callbacks, flags and insurance claims.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from peewee import Database

from collections_tui.domain import compliance
from collections_tui.domain.aging import BUCKETS, aging_bucket, days_past_due
from collections_tui.domain.claims import AWAITING_DECISION, CLAIM_STATUSES
from collections_tui.domain.demo_names import CREDITORS, DENIAL_CODES, PAYERS
from collections_tui.domain.demo_places import CITIES
from collections_tui.domain.flags import Flag
from collections_tui.domain.phones import parse_phone
from collections_tui.domain.zones import STATE_ZONES
from collections_tui.services import demo
from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.services.demo import DemoReport, generate_demo
from collections_tui.services.errors import InputError
from collections_tui.services.facts import refresh_accounts
from collections_tui.services.ledger import verify_balances
from collections_tui.store.db import close_database, is_postgres, open_database, write_transaction
from collections_tui.store.models import Account

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday; 10:00 in New York
TODAY = date(2026, 11, 27)
MEDICAL = {c.name for c in CREDITORS if c.medical}
DEMO_TABLES = (
    "coordinator",
    "debtor",
    "phone",
    "zone_set",
    "account",
    "ledger_entry",
    "contact",
    "note",
    "promise",
    "arrangement",
    "installment",
    "callback",
    "consent",
    "claim",
    "audit_event",
)


def ctx_at(instant: datetime = NOW) -> Context:
    return Context(actor="tester", clock=FixedClock(instant))


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: [tuple(r) for r in db.execute_sql(f'SELECT * FROM "{t}" ORDER BY id').fetchall()]
        for t in DEMO_TABLES
    }


def wipe(db: Database) -> None:
    """Empty every table and restart the ids, as in a new database."""
    tables = [t for t in db.get_tables() if t != "schema_version"]
    if is_postgres(db):
        names = ", ".join(f'"{t}"' for t in tables)
        db.execute_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        db.execute_sql("PRAGMA foreign_keys = OFF")
        for t in tables:
            db.execute_sql(f'DELETE FROM "{t}"')
        db.execute_sql("PRAGMA foreign_keys = ON")


# ------------------------------------------------------------- on both backends


def test_same_seed_same_data_and_another_seed_other_data(db: Database) -> None:
    first = generate_demo(ctx_at(), accounts=600, seed=1)
    one = dump(db)
    wipe(db)
    again = generate_demo(ctx_at(), accounts=600, seed=1)
    assert dump(db) == one
    assert (again.accounts, again.ledger_entries, again.contacts) == (
        first.accounts,
        first.ledger_entries,
        first.contacts,
    )
    wipe(db)
    generate_demo(ctx_at(), accounts=600, seed=2)
    other = dump(db)
    names_1 = [r[1] for r in one["debtor"]]
    names_2 = [r[1] for r in other["debtor"]]
    assert len(set(names_1) & set(names_2)) < len(names_1) // 4  # mostly different people
    assert other["account"][0][1] == "D2-0000001"


def test_ledgers_sum_to_balances_and_queue_columns_match_the_facts_service(
    db: Database,
) -> None:
    ctx = ctx_at()
    generate_demo(ctx, accounts=1500, seed=1)
    assert verify_balances() == []
    columns = (
        "SELECT id, zone_set_id, blocked_until, blocked_reason, tier, score, last_attempt_at "
        "FROM account ORDER BY id"
    )
    before = db.execute_sql(columns).fetchall()
    with write_transaction(db):
        refresh_accounts(ctx, [r[0] for r in before])
    after = db.execute_sql(columns).fetchall()
    assert [a for a, b in zip(before, after, strict=True) if a != b] == []
    # and the facts are not all defaults: blocks, broken promises and scores vary
    assert {r[4] for r in after} >= {2, 3}
    assert sum(1 for r in after if r[2] is not None) > 30
    assert len({r[5] for r in after}) > 500


def test_second_run_for_a_seed_is_refused_and_changes_nothing(db: Database) -> None:
    generate_demo(ctx_at(), accounts=150, seed=7)
    before = {t: len(rows) for t, rows in dump(db).items()}
    with pytest.raises(InputError, match="seed 7 is already in this database"):
        generate_demo(ctx_at(), accounts=150, seed=7)
    assert {t: len(rows) for t, rows in dump(db).items()} == before
    # another seed adds its own accounts beside the first
    generate_demo(ctx_at(), accounts=20, seed=8)
    numbers = [a.number for a in Account.select(Account.number).order_by(Account.id)]
    assert numbers[0] == "D7-0000001" and numbers[149] == "D7-0000150"
    assert numbers[150:] == [f"D8-{n:07d}" for n in range(1, 21)]
    assert verify_balances() == []


def test_nonsense_arguments_are_refused(db: Database) -> None:
    with pytest.raises(InputError, match="at least 1 account"):
        generate_demo(ctx_at(), accounts=0)
    with pytest.raises(InputError, match="seed must be 0 or more"):
        generate_demo(ctx_at(), accounts=10, seed=-1)
    assert Account.select().count() == 0


# ------------------------------------------------------------------ SQLite only


def _sqlite_demo(path: Path, accounts: int, seed: int, instant: datetime = NOW) -> DemoReport:
    open_database(f"sqlite:///{path}")
    try:
        return generate_demo(ctx_at(instant), accounts=accounts, seed=seed)
    finally:
        close_database()


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_everything_moves_with_the_clock(tmp_path: Path) -> None:
    """--now shifts the whole history: four weeks later, every date is four weeks later."""
    later = NOW + timedelta(days=28)
    _sqlite_demo(tmp_path / "a.db", 300, seed=5)
    _sqlite_demo(tmp_path / "b.db", 300, seed=5, instant=later)
    for sql in (
        "SELECT due_date FROM account ORDER BY id",
        "SELECT posted_on FROM ledger_entry ORDER BY id",
        "SELECT due_on FROM promise ORDER BY id",
    ):
        a = _rows(tmp_path / "a.db", sql)
        b = _rows(tmp_path / "b.db", sql)
        assert len(a) == len(b) > 0
        for (x,), (y,) in zip(a, b, strict=True):
            if x is None:
                assert y is None
            else:
                assert date.fromisoformat(y) - date.fromisoformat(x) == timedelta(days=28)
    a = _rows(tmp_path / "a.db", "SELECT at FROM contact ORDER BY id")
    b = _rows(tmp_path / "b.db", "SELECT at FROM contact ORDER BY id")
    assert len(a) == len(b) > 100
    for (x,), (y,) in zip(a, b, strict=True):
        shift = datetime.fromisoformat(y) - datetime.fromisoformat(x)
        assert abs(shift - timedelta(days=28)) <= timedelta(hours=1)  # daylight saving
    assert _rows(tmp_path / "a.db", "SELECT name FROM debtor") == _rows(
        tmp_path / "b.db", "SELECT name FROM debtor"
    )


def test_the_parallel_writer_writes_exactly_what_the_simple_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large demos on SQLite are made by worker processes and copied in with SQL; the
    result must be the same rows, ids included, as making them here."""
    monkeypatch.setattr(demo, "SEGMENT_MIN_ACCOUNTS", 400)
    monkeypatch.setattr(demo, "_WORKERS_FROM", 10**9)
    _sqlite_demo(tmp_path / "here.db", 1000, seed=4)
    monkeypatch.setattr(demo, "_WORKERS_FROM", 1)
    seen: list[tuple[int, int]] = []
    open_database(f"sqlite:///{tmp_path / 'workers.db'}")
    try:
        report = generate_demo(
            ctx_at(), accounts=1000, seed=4, progress=lambda d, t: seen.append((d, t))
        )
        attached = [r[1] for r in Account._meta.database.execute_sql("PRAGMA database_list")]
    finally:
        close_database()
    assert attached == ["main"]  # the segment files were detached
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".demo-")] == []
    assert seen == [(334, 1000), (668, 1000), (1000, 1000)]
    assert report.accounts == 1000
    for table in DEMO_TABLES:
        sql = f'SELECT * FROM "{table}" ORDER BY id'
        assert _rows(tmp_path / "here.db", sql) == _rows(tmp_path / "workers.db", sql), table
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert _rows(tmp_path / "here.db", indexes) == _rows(tmp_path / "workers.db", indexes)


def test_area_code_table_is_real() -> None:
    """Every area code of the place table is a valid US number prefix per phonenumbers, and
    every city's state is a US state with known zones."""
    for city in CITIES:
        assert city.state in STATE_ZONES
        assert all(len(z) == 3 and z.isdigit() for z in city.zip3)
        for npa in city.area_codes:
            parsed = parse_phone(f"({npa}) 234-5678")
            assert parsed.valid and parsed.region == "US", (city, npa)
            assert parsed.zones, (city, npa)
    states = {c.state for c in CITIES}
    assert {"HI", "AK", "AZ", "CA", "NY", "TX", "FL", "MA"} <= states
    assert len(states) >= 50  # every state and DC


def test_promise_history_on_day_numbers_follows_the_services_rule() -> None:
    """``_promise_history`` mirrors ``services.arrangements.promise_history`` on the demo's
    day numbers (0 = today, grace 3): (kept, missed, in the broken_promise tier now)."""
    ph = demo._promise_history
    promise = (-30, -20, 5_000)  # made 30 days ago, due 20 days ago: grace ended on day -17
    assert ph([], [], [(-5, 100)], 3) == (0, 0, False)
    assert ph([promise], [], [], 3) == (0, 1, True)  # broken
    assert ph([promise], [], [(-25, 1_000)], 3) == (0, 1, True)  # partially kept = missed
    assert ph([promise], [], [(-17, 5_000)], 3) == (1, 0, False)  # kept on grace's last day
    assert ph([promise], [], [(-31, 5_000)], 3) == (0, 1, True)  # paid before it was made
    assert ph([promise], [], [(-16, 100)], 3) == (0, 1, False)  # answered: paid after grace
    assert ph([promise], [], [(-17, 100)], 3) == (0, 1, True)  # ... within grace is no answer
    assert ph([promise], [], [(1, 9_000)], 3) == (0, 1, True)  # posted after today: not yet
    assert ph([promise, (-19, 0, 5_000)], [], [], 3) == (0, 1, False)  # a newer promise
    assert ph([promise, (-20, 0, 5_000)], [], [], 3) == (0, 1, True)  # ... made on the due day
    assert ph([(-3, 1, 5_000)], [], [], 3) == (0, 0, False)  # pending
    assert ph([(-9, -2, 5_000)], [], [], 3) == (0, 0, False)  # in grace
    # a plan made after the missed promise's due date answers it, whatever became of it
    done = (-19, "completed", [-10], [5_000])
    assert ph([promise], [done], [], 3) == (0, 1, False)
    assert ph([promise], [(-20, "completed", [-10], [5_000])], [], 3) == (0, 1, True)
    # the current plan, broken now: an installment unpaid past grace (payments count from
    # the day the plan was made, the oldest installment first, the rest carrying forward)
    plan = (-60, "active", [-50, -20, 10], [1_000, 1_000, 1_000])
    assert ph([], [plan], [(-49, 1_000)], 3) == (0, 0, True)
    assert ph([], [plan], [(-49, 2_000)], 3) == (0, 0, False)  # paid ahead
    assert ph([], [plan], [(-49, 1_000), (-2, 1_000)], 3) == (0, 0, False)  # caught up
    assert ph([], [plan], [(-61, 2_000)], 3) == (0, 0, True)  # paid before the plan
    assert ph([], [plan], [(-49, 1_000), (3, 1_000)], 3) == (0, 0, True)  # not yet paid
    assert ph([], [(-60, "active", [-50, -2], [1_000, 1_000])], [(-49, 1_000)], 3) == (
        0,
        0,
        False,  # the second installment is still in grace
    )
    assert ph([(-19, 5, 900)], [plan], [(-49, 1_000)], 3) == (0, 0, False)  # promised since
    assert ph([(-20, 5, 900)], [plan], [(-49, 1_000)], 3) == (0, 0, True)  # ... on the due day
    assert ph([], [(*plan[:1], "completed", *plan[2:])], [], 3) == (0, 0, False)  # final
    assert ph([], [(*plan[:1], "broken", *plan[2:])], [(-49, 2_000)], 3) == (0, 0, False)
    newer = (-10, "active", [5], [3_000])  # only the latest plan's state counts
    assert ph([], [plan, newer], [(-49, 1_000)], 3) == (0, 0, False)
    # kept and missed promises are counted for the score whatever the tier says
    kept = (-40, -35, 1_000)
    assert ph([kept, promise], [], [(-36, 1_000)], 3) == (1, 1, True)


def test_office_day_uses_the_offset_of_the_instant() -> None:
    """A call late on Saturday evening in Hawaii is early Sunday in UTC; on the weekend New
    York moves its clocks it is still Saturday in the office, as ``services`` reads it."""
    cal = demo._Calendar(NOW, TODAY, "America/New_York")
    saturday = date(2026, 3, 7)
    for at in (
        datetime(2026, 3, 8, 4, 30, tzinfo=UTC),  # 23:30 EST, before the change
        datetime(2026, 3, 7, 15, 0, tzinfo=UTC),
    ):
        day = at.astimezone(ZoneInfo("America/New_York")).date()
        assert day == saturday
        assert cal.office_day(int(at.timestamp())) == (day - TODAY).days
    sunday = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # midnight EST: Sunday begins
    assert cal.office_day(int(sunday.timestamp())) == (date(2026, 3, 8) - TODAY).days
    assert cal.office_day(int(NOW.timestamp())) == 0


# --------------------------------------------- one 2,000-account demo, read with SQL


@dataclass
class Demo:
    report: DemoReport
    con: sqlite3.Connection

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, args).fetchall()

    def one(self, sql: str, *args: Any) -> Any:
        return self.con.execute(sql, args).fetchone()[0]


@pytest.fixture(scope="module")
def demo_2000(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    report = _sqlite_demo(path, 2000, seed=1)
    con = sqlite3.connect(path)
    try:
        yield Demo(report, con)
    finally:
        con.close()


def test_report_counts_what_was_written(demo_2000: Demo) -> None:
    d, r = demo_2000, demo_2000.report
    assert r.accounts == d.one("SELECT COUNT(*) FROM account") == 2000
    assert r.debtors == d.one("SELECT COUNT(*) FROM debtor")
    assert 1700 <= r.debtors < 2000  # some people owe two creditors
    assert r.phones == d.one("SELECT COUNT(*) FROM phone")
    assert r.ledger_entries == d.one("SELECT COUNT(*) FROM ledger_entry")
    assert r.contacts == d.one("SELECT COUNT(*) FROM contact")
    assert r.notes == d.one("SELECT COUNT(*) FROM note")
    assert r.promises == d.one("SELECT COUNT(*) FROM promise")
    assert r.arrangements == d.one("SELECT COUNT(*) FROM arrangement")
    assert r.callbacks == d.one("SELECT COUNT(*) FROM callback")
    assert r.claims == d.one("SELECT COUNT(*) FROM claim")
    # modest rows per account (the 1,000,000-account demo must stay fast)
    assert 1.2 <= r.phones / r.debtors <= 1.8
    assert 1.8 <= r.ledger_entries / r.accounts <= 3.2
    assert 0.9 <= r.contacts / r.accounts <= 1.7
    numbers = [n for (n,) in d.rows("SELECT number FROM account ORDER BY id")]
    assert numbers == [f"D1-{n:07d}" for n in range(1, 2001)]
    (detail,) = d.rows("SELECT detail FROM audit_event WHERE action = 'demo.generate'")[0]
    assert '"accounts": 2000' in detail and '"seed": 1' in detail


def test_people_and_small_businesses(demo_2000: Demo) -> None:
    kinds = Counter(k for (k,) in demo_2000.rows("SELECT debtor_type FROM debtor"))
    share = kinds["business"] / sum(kinds.values())
    assert 0.14 <= share <= 0.26
    businesses = [
        n for (n,) in demo_2000.rows("SELECT name FROM debtor WHERE debtor_type = 'business'")
    ]
    assert sum(n.endswith((" LLC", " Inc", " Co", " PC", " LLP")) for n in businesses) > 0.7 * len(
        businesses
    )
    people = [n for (n,) in demo_2000.rows("SELECT name FROM debtor WHERE debtor_type = 'person'")]
    assert len(set(people)) > 0.95 * len(people)
    assert all(len(n.split()) >= 2 for n in people)
    emails = [e for (e,) in demo_2000.rows("SELECT email FROM debtor WHERE email IS NOT NULL")]
    assert 0.4 <= len(emails) / sum(kinds.values()) <= 0.75
    assert all("@example." in e and " " not in e for e in emails)  # never a real mailbox


def test_addresses_agree_with_their_state(demo_2000: Demo) -> None:
    zip3 = defaultdict(set)
    for city in CITIES:
        zip3[(city.name, city.state)].update(city.zip3)
    rows = demo_2000.rows("SELECT address1, city, state, postal_code, country FROM debtor")
    for address1, city, state, postal, country in rows:
        assert country == "US"
        assert address1[0].isdigit()
        assert len(postal) == 5 and postal.isdigit()
        assert postal[:3] in zip3[(city, state)], (city, state, postal)
    states = Counter(r[2] for r in rows)
    assert len(states) >= 35
    assert {"HI", "AK", "AZ"} <= set(states)


def test_every_us_time_zone_is_represented(demo_2000: Demo) -> None:
    zones: set[str] = set()
    for (key,) in demo_2000.rows(
        "SELECT DISTINCT z.zones FROM account a JOIN zone_set z ON z.id = a.zone_set_id"
    ):
        zones.update(key.split(","))
    assert {
        "Pacific/Honolulu",
        "America/Anchorage",
        "America/Phoenix",
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
    } <= zones
    # and phones say so too (Hawaii 808, Alaska 907, Arizona 480/602/520/623/928)
    prefixes = {e[:5] for (e,) in demo_2000.rows("SELECT e164 FROM phone WHERE valid = 1")}
    assert {"+1808", "+1907"} <= prefixes
    assert prefixes & {"+1480", "+1602", "+1520", "+1623", "+1928"}


def test_phones_are_real_numbers_that_parse_back(demo_2000: Demo) -> None:
    rows = demo_2000.rows(
        "SELECT kind, raw, e164, extension, valid, status, zones, problem FROM phone"
    )
    for kind, raw, e164, extension, valid, _status, zones, problem in rows:
        assert kind in ("mobile", "home", "work")
        parsed = parse_phone(raw, "US", kind)
        assert bool(valid) == parsed.valid, raw
        assert e164 == parsed.e164 and extension == parsed.extension, raw
        assert zones == ",".join(parsed.zones), raw
        assert problem == parsed.problem, raw
        if valid:
            number = phonenumbers.parse(e164)
            assert phonenumbers.is_valid_number(number)
    invalid = [r for r in rows if not r[4]]
    assert 5 <= len(invalid) <= 0.04 * len(rows)
    assert all(r[7] for r in invalid)  # each says what is wrong
    toll_free = [r for r in rows if r[4] and r[6] == ""]
    assert toll_free and all(
        r[2][2:5] in ("800", "888", "877", "866", "855", "844", "833") for r in toll_free
    )
    statuses = Counter(r[5] for r in rows)
    assert statuses["bad"] > 10 and statuses["dnc"] > 5 and statuses["ok"] > 0.9 * len(rows)
    assert any(r[3] for r in rows)  # work numbers with extensions


def test_some_people_moved_and_kept_their_mobile(demo_2000: Demo) -> None:
    rows = demo_2000.rows(
        "SELECT d.id, d.state, p.zones FROM debtor d JOIN phone p ON p.debtor_id = d.id "
        "WHERE p.valid = 1 AND p.zones != ''"
    )
    elsewhere: set[int] = set()
    debtors: set[int] = set()
    for debtor_id, state, zones in rows:
        debtors.add(debtor_id)
        phone_zones = {_zone_equivalent(z) for z in zones.split(",")}
        home = {_zone_equivalent(z) for z in STATE_ZONES[state]}
        if not phone_zones & home:
            elsewhere.add(debtor_id)
    assert 0.04 <= len(elsewhere) / len(debtors) <= 0.2


def _zone_equivalent(zone: str) -> str:
    """Zones that keep the same time as a mainland zone count as that zone."""
    return {
        "America/Detroit": "America/New_York",
        "America/Indiana/Indianapolis": "America/New_York",
        "America/Kentucky/Louisville": "America/New_York",
        "America/Menominee": "America/Chicago",
        "America/Boise": "America/Denver",
        "America/North_Dakota/Center": "America/Chicago",
        "America/Adak": "America/Anchorage",
        "America/Juneau": "America/Anchorage",
    }.get(zone, zone)


def test_balances_have_a_long_tail_and_every_aging_bucket(demo_2000: Demo) -> None:
    rows = demo_2000.rows("SELECT status, due_date, balance_cents FROM account")
    open_positive = [b for s, _d, b in rows if s == "open" and b > 0]
    assert min(open_positive) >= 1_500 and max(open_positive) <= 2_500_000
    assert 10_000 <= statistics.median(open_positive) <= 150_000  # $100..$1,500
    assert sum(b > 500_000 for b in open_positive) >= 20  # the long tail: over $5,000
    buckets = Counter(
        aging_bucket(days_past_due(date.fromisoformat(d), TODAY))
        for s, d, b in rows
        if s == "open" and b > 0 and d is not None and date.fromisoformat(d) < TODAY
    )
    assert set(buckets) == set(BUCKETS)
    assert all(n >= 50 for n in buckets.values()), buckets
    assert sum(1 for s, d, _b in rows if s == "open" and d and date.fromisoformat(d) > TODAY) >= 50
    assert sum(1 for _s, d, _b in rows if d is None) >= 20
    closed = [b for s, _d, b in rows if s == "closed"]
    assert len(closed) >= 30 and all(b == 0 for b in closed)
    assert sum(1 for s, _d, b in rows if s == "open" and b < 0) >= 10  # credits


def test_ledgers_tell_the_story_and_sum_to_the_balance(demo_2000: Demo) -> None:
    d = demo_2000
    assert (
        d.rows(
            "SELECT a.number FROM account a JOIN ledger_entry e ON e.account_id = a.id "
            "GROUP BY a.id HAVING SUM(e.amount_cents) != a.balance_cents"
        )
        == []
    )
    assert (
        d.one(
            "SELECT COUNT(*) FROM account WHERE id NOT IN "
            "(SELECT account_id FROM ledger_entry WHERE kind = 'charge')"
        )
        == 0
    )
    kinds = Counter(k for (k,) in d.rows("SELECT kind FROM ledger_entry"))
    assert set(kinds) == {"charge", "payment", "insurance_payment", "adjustment", "writeoff"}
    signs = d.rows(
        "SELECT kind, MIN(amount_cents), MAX(amount_cents) FROM ledger_entry GROUP BY kind"
    )
    for kind, low, high in signs:
        if kind == "charge":
            assert low > 0
        elif kind in ("payment", "insurance_payment", "writeoff"):
            assert high < 0
    insurers = {
        c
        for (c,) in d.rows(
            "SELECT DISTINCT a.creditor FROM ledger_entry e JOIN account a ON a.id = e.account_id "
            "WHERE e.kind = 'insurance_payment'"
        )
    }
    assert insurers and insurers <= MEDICAL
    assert d.one("SELECT MAX(posted_on) FROM ledger_entry") <= TODAY.isoformat()
    duplicated = d.rows(
        "SELECT account_id, reference FROM ledger_entry WHERE reference IS NOT NULL "
        "GROUP BY account_id, reference HAVING COUNT(*) > 1"
    )
    assert duplicated == []


def test_calls_look_like_a_collections_floor(demo_2000: Demo) -> None:
    d = demo_2000
    rows = d.rows(
        "SELECT c.at, c.outcome, c.phone_id, c.phone_e164, p.e164, p.debtor_id, a.debtor_id, "
        "z.zones FROM contact c JOIN phone p ON p.id = c.phone_id "
        "JOIN account a ON a.id = c.account_id JOIN zone_set z ON z.id = a.zone_set_id"
    )
    outcomes = Counter(r[1] for r in rows)
    assert set(outcomes) <= set(compliance.OUTCOMES)
    assert len(outcomes) == 13  # every outcome of DESIGN §4 happens
    unanswered = outcomes["no_answer"] + outcomes["voicemail"]
    assert unanswered > 0.5 * len(rows)
    assert outcomes["no_answer"] > outcomes["conversation"] > outcomes["dispute"]
    for at, _o, _pid, dialled, e164, phone_debtor, account_debtor, _zones in rows:
        assert dialled == e164 and phone_debtor == account_debtor
        assert datetime.fromisoformat(at).replace(tzinfo=UTC) < NOW
    # every call was placed between 08:00 and 21:00 local time for the debtor -- in the
    # zones known then (a number later found bad may have said more)
    outside = 0
    for at, *_rest, zones in rows:
        instant = datetime.fromisoformat(at).replace(tzinfo=UTC)
        for z in zones.split(","):
            local = instant.astimezone(ZoneInfo(z))
            outside += not (8 <= local.hour < 21)
    assert outside <= 0.01 * len(rows)
    # numbers found dead or wrong are marked bad
    bad_after = d.rows(
        "SELECT p.status FROM contact c JOIN phone p ON p.id = c.phone_id "
        "WHERE c.outcome IN ('not_in_service', 'wrong_number')"
    )
    assert bad_after and {s for (s,) in bad_after} == {"bad"}
    # last_attempt_at is the latest call
    assert (
        d.rows(
            "SELECT a.id FROM account a LEFT JOIN (SELECT account_id, MAX(at) AS last FROM contact "
            "GROUP BY account_id) c ON c.account_id = a.id "
            "WHERE a.last_attempt_at IS NOT c.last"
        )
        == []
    )


def test_notes_are_what_coordinators_write(demo_2000: Demo) -> None:
    d = demo_2000
    notes = d.rows(
        "SELECT n.body, c.outcome, n.at, c.at FROM note n JOIN contact c ON c.id = n.contact_id"
    )
    assert 0.3 * d.report.contacts <= len(notes) <= 0.7 * d.report.contacts
    bodies = Counter(b for b, *_ in notes)
    assert "Left VM" in bodies
    assert any("gets paid on" in b for b in bodies)
    assert all(n_at >= c_at for _b, _o, n_at, c_at in notes)
    assert all(len(b) < 120 for b in bodies)
    addenda = d.rows(
        "SELECT a.addendum_of_id, o.id FROM note a LEFT JOIN note o ON o.id = a.addendum_of_id "
        "WHERE a.addendum_of_id IS NOT NULL"
    )
    assert all(original is not None for _ref, original in addenda)


def _promise_fates(d: Demo) -> Counter[str]:
    payments: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for account_id, posted, amount in d.rows(
        "SELECT account_id, posted_on, amount_cents FROM ledger_entry "
        "WHERE kind IN ('payment', 'insurance_payment')"
    ):
        payments[account_id].append((posted, -amount))
    fates: Counter[str] = Counter()
    for account_id, amount, due_on, created in d.rows(
        "SELECT account_id, amount_cents, due_on, created_at FROM promise"
    ):
        due = date.fromisoformat(due_on)
        made = created[:10]
        paid = sum(
            a for p, a in payments[account_id] if made <= p <= (due + timedelta(days=3)).isoformat()
        )
        if paid >= amount:
            fates["kept"] += 1
        elif due + timedelta(days=3) < TODAY:
            fates["broken"] += 1
        elif due >= TODAY:
            fates["upcoming"] += 1
        else:
            fates["in grace"] += 1
    return fates


def test_promises_are_kept_broken_and_upcoming(demo_2000: Demo) -> None:
    fates = _promise_fates(demo_2000)
    assert fates["kept"] >= 20 and fates["broken"] >= 20 and fates["upcoming"] >= 5, fates
    linked = demo_2000.rows("SELECT c.outcome FROM promise p JOIN contact c ON c.id = p.contact_id")
    assert {o for (o,) in linked} == {"promise"} and len(linked) == demo_2000.report.promises
    # a broken promise still unanswered puts the account in tier 2
    assert demo_2000.one("SELECT COUNT(*) FROM account WHERE tier = 2") >= 10


def test_payment_plans_are_active_completed_and_broken(demo_2000: Demo) -> None:
    d = demo_2000
    plans = d.rows(
        "SELECT id, kind, status, total_cents, discount_cents, approved_by FROM arrangement"
    )
    assert {p[2] for p in plans} >= {"active", "completed", "broken"}
    for plan_id, kind, _status, total, discount, approved_by in plans:
        parts = d.rows(
            "SELECT number, amount_cents FROM installment WHERE arrangement_id = ? ORDER BY number",
            plan_id,
        )
        assert [n for n, _a in parts] == list(range(1, len(parts) + 1))
        assert sum(a for _n, a in parts) == total
        assert max(a for _n, a in parts) - min(a for _n, a in parts) <= 1  # split exactly
        if kind == "settlement":
            assert discount > 0 and approved_by
        else:
            assert discount == 0


def test_callbacks_due_now_today_and_later(demo_2000: Demo) -> None:
    d = demo_2000
    open_ = [
        datetime.fromisoformat(t).replace(tzinfo=UTC)
        for (t,) in d.rows("SELECT due_at FROM callback WHERE done_at IS NULL")
    ]
    assert any(t <= NOW for t in open_)  # due now
    assert any(t > NOW for t in open_)  # later
    assert any(t.astimezone(ZoneInfo("America/New_York")).date() == TODAY for t in open_)
    done = d.rows("SELECT done_at, due_at FROM callback WHERE done_at IS NOT NULL")
    assert done and all(done_at >= due_at for done_at, due_at in done)
    # each callback is the debtor's consent for that call (DESIGN §4)
    assert (
        d.rows(
            "SELECT b.id FROM callback b JOIN account a ON a.id = b.account_id "
            "LEFT JOIN consent c ON c.account_id = b.account_id AND c.callback_at = b.due_at "
            "AND c.debtor_id = a.debtor_id WHERE c.id IS NULL"
        )
        == []
    )


def test_flags_that_stop_calls_are_present_but_rare(demo_2000: Demo) -> None:
    flags = [f for (f,) in demo_2000.rows("SELECT flags FROM account")]
    for flag in Flag:
        share = sum(1 for f in flags if f & flag) / len(flags)
        assert 0.004 <= share <= 0.04, (flag, share)


def test_claims_only_on_medical_accounts(demo_2000: Demo) -> None:
    d = demo_2000
    claims = d.rows(
        "SELECT a.creditor, c.claim_number, c.payer, c.status, c.denial_code, c.paid_cents, "
        "c.timely_filing_days, c.service_date, c.submitted_on, c.billed_cents, a.id "
        "FROM claim c JOIN account a ON a.id = c.account_id"
    )
    assert len(claims) > 200
    assert {c[0] for c in claims} <= MEDICAL
    statuses = Counter(c[3] for c in claims)
    assert set(statuses) <= set(CLAIM_STATUSES)
    assert {"submitted", "pending", "paid", "denied", "appealed"} <= set(statuses)
    assert {c[2] for c in claims} <= {p.name for p in PAYERS}
    assert {c[6] for c in claims} <= {90, 180, 365} and len({c[6] for c in claims}) == 3
    for (
        _creditor,
        number,
        _payer,
        status,
        denial,
        paid,
        _tf,
        service,
        submitted,
        billed,
        account_id,
    ) in claims:
        assert number.startswith("CLM1-")
        assert service <= submitted <= TODAY.isoformat()
        assert billed > 0
        if status == "denied":
            assert denial in DENIAL_CODES and paid == 0
        if status in ("paid", "partially_paid"):
            era = d.one(
                "SELECT -SUM(amount_cents) FROM ledger_entry WHERE account_id = ? "
                "AND kind = 'insurance_payment'",
                account_id,
            )
            assert era == paid > 0
    awaiting = sum(n for s, n in statuses.items() if s in AWAITING_DECISION)
    assert 0.05 <= awaiting / len(claims) <= 0.4
