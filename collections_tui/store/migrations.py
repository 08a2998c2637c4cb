"""Versioned schema changes, applied in order when a database is opened.

Each migration is plain SQL written once and never edited after release; ``schema_version``
records which have run. The SQL is portable between SQLite and PostgreSQL except for a few
type names, filled in per dialect. Two processes opening a new database at once are
serialised (SQLite ``BEGIN IMMEDIATE``; PostgreSQL an advisory lock), so each migration runs
exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import Database, PostgresqlDatabase

_TYPES = {
    "sqlite": {"pk": "INTEGER NOT NULL PRIMARY KEY", "ts": "DATETIME", "bool": "INTEGER"},
    "postgres": {"pk": "SERIAL NOT NULL PRIMARY KEY", "ts": "TIMESTAMP", "bool": "BOOLEAN"},
}

# v6 (services/search.py): the expressions the search indexes are built on, per dialect.
# The search repeats them exactly: an index on an expression serves only a query that spells
# the same expression. Written once, with V6, and never edited: a database migrated earlier
# keeps the index it was given, so a different key needs a new migration.
# - number: compared byte by byte, so that the numbers starting with a prefix are one range
#   of an index whatever the database's collation (SQLite's order is bytewise already and
#   its unique index on number serves; PostgreSQL gets an index in "C" order).
# - name_0, name_1, name_2: a debtor's name from its first, second and third word (words
#   split at spaces), without case (on SQLite, of ASCII letters). On SQLite name_2 holds only
#   names of three words or more (fewer index entries to write); PostgreSQL misjudges how
#   many rows a partial index on an expression holds, so there it holds every name.
SEARCH_KEYS: dict[str, dict[str, str]] = {
    "sqlite": {
        "number": "number",
        "number_index": "",
        "name_0": "name COLLATE NOCASE",
        "name_1": "substr(name, instr(name, ' ') + 1) COLLATE NOCASE",
        "name_2": "substr(substr(name, instr(name, ' ') + 1), "
        "instr(substr(name, instr(name, ' ') + 1), ' ') + 1) COLLATE NOCASE",
        "name_2_where": "instr(substr(name, instr(name, ' ') + 1), ' ') > 0",
    },
    "postgres": {
        "number": 'number COLLATE "C"',
        "number_index": 'CREATE INDEX account_number_bytewise ON account (number COLLATE "C")',
        "name_0": '(lower(name)) COLLATE "C"',
        "name_1": "(lower(substr(name, strpos(name, ' ') + 1))) COLLATE \"C\"",
        "name_2": "(lower(substr(substr(name, strpos(name, ' ') + 1), "
        "strpos(substr(name, strpos(name, ' ') + 1), ' ') + 1))) COLLATE \"C\"",
        "name_2_where": "TRUE",
    },
}

_ADVISORY_LOCK_KEY = 7_310_042  # any constant; identifies "collections-tui migrations"


def dialect(db: Database) -> str:
    return "postgres" if isinstance(db, PostgresqlDatabase) else "sqlite"


V1 = """
CREATE TABLE coordinator (
  id {pk}, name VARCHAR(100) NOT NULL UNIQUE, role VARCHAR(20) NOT NULL DEFAULT 'coordinator',
  created_at {ts} NOT NULL);
CREATE TABLE debtor (
  id {pk}, name TEXT NOT NULL, debtor_type VARCHAR(10) NOT NULL DEFAULT 'person', email TEXT,
  address1 TEXT, city TEXT, state VARCHAR(10), postal_code VARCHAR(20),
  country VARCHAR(2) NOT NULL DEFAULT 'US', created_at {ts} NOT NULL, updated_at {ts} NOT NULL);
CREATE TABLE phone (
  id {pk}, debtor_id INTEGER NOT NULL REFERENCES debtor (id) ON DELETE CASCADE,
  position SMALLINT NOT NULL DEFAULT 0, kind VARCHAR(10) NOT NULL DEFAULT 'other',
  raw TEXT NOT NULL,
  e164 VARCHAR(20), extension VARCHAR(10), valid {bool} NOT NULL DEFAULT FALSE,
  status VARCHAR(10) NOT NULL DEFAULT 'ok', zones TEXT NOT NULL DEFAULT '', problem TEXT,
  created_at {ts} NOT NULL, updated_at {ts} NOT NULL);
CREATE INDEX phone_debtor_id ON phone (debtor_id);
CREATE INDEX phone_e164 ON phone (e164);
CREATE TABLE account (
  id {pk}, number VARCHAR(64) NOT NULL UNIQUE,
  debtor_id INTEGER NOT NULL REFERENCES debtor (id) ON DELETE CASCADE,
  creditor VARCHAR(200) NOT NULL DEFAULT '', currency VARCHAR(3) NOT NULL DEFAULT 'USD',
  due_date DATE, status VARCHAR(10) NOT NULL DEFAULT 'open', flags INTEGER NOT NULL DEFAULT 0,
  balance_cents BIGINT NOT NULL DEFAULT 0, created_at {ts} NOT NULL, updated_at {ts} NOT NULL);
CREATE INDEX account_debtor_id ON account (debtor_id);
CREATE INDEX account_status_due_date ON account (status, due_date);
CREATE INDEX account_balance ON account (balance_cents);
CREATE INDEX account_creditor ON account (creditor);
CREATE TABLE ledger_entry (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  posted_on DATE NOT NULL, kind VARCHAR(20) NOT NULL, amount_cents BIGINT NOT NULL,
  reference VARCHAR(100), memo TEXT NOT NULL DEFAULT '',
  source VARCHAR(20) NOT NULL DEFAULT 'system',
  created_at {ts} NOT NULL, created_by VARCHAR(100) NOT NULL);
CREATE INDEX ledger_entry_account_posted ON ledger_entry (account_id, posted_on);
CREATE UNIQUE INDEX ledger_entry_account_reference ON ledger_entry (account_id, reference);
CREATE TABLE contact (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  phone_id INTEGER REFERENCES phone (id) ON DELETE SET NULL, phone_e164 VARCHAR(20),
  at {ts} NOT NULL, outcome VARCHAR(24) NOT NULL, coordinator VARCHAR(100) NOT NULL,
  source VARCHAR(16) NOT NULL DEFAULT 'workstation', created_at {ts} NOT NULL);
CREATE INDEX contact_account_at ON contact (account_id, at);
CREATE TABLE note (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  contact_id INTEGER REFERENCES contact (id) ON DELETE SET NULL, at {ts} NOT NULL,
  coordinator VARCHAR(100) NOT NULL, body TEXT NOT NULL,
  addendum_of_id INTEGER REFERENCES note (id) ON DELETE SET NULL);
CREATE INDEX note_account_at ON note (account_id, at);
CREATE TABLE promise (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  amount_cents BIGINT NOT NULL, due_on DATE NOT NULL, phone_e164 VARCHAR(20),
  coordinator VARCHAR(100) NOT NULL, contact_id INTEGER REFERENCES contact (id) ON DELETE SET NULL,
  created_at {ts} NOT NULL, cancelled_at {ts});
CREATE INDEX promise_account_due ON promise (account_id, due_on);
CREATE TABLE arrangement (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  kind VARCHAR(12) NOT NULL DEFAULT 'plan', status VARCHAR(12) NOT NULL DEFAULT 'active',
  total_cents BIGINT NOT NULL, discount_cents BIGINT NOT NULL DEFAULT 0, every VARCHAR(8),
  created_at {ts} NOT NULL, created_by VARCHAR(100) NOT NULL, approved_by VARCHAR(100),
  status_changed_at {ts});
CREATE INDEX arrangement_account ON arrangement (account_id);
CREATE TABLE installment (
  id {pk}, arrangement_id INTEGER NOT NULL REFERENCES arrangement (id) ON DELETE CASCADE,
  number SMALLINT NOT NULL, due_on DATE NOT NULL, amount_cents BIGINT NOT NULL);
CREATE UNIQUE INDEX installment_arrangement_number ON installment (arrangement_id, number);
CREATE TABLE callback (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  due_at {ts} NOT NULL, phone_e164 VARCHAR(20), coordinator VARCHAR(100) NOT NULL,
  contact_id INTEGER REFERENCES contact (id) ON DELETE SET NULL, created_at {ts} NOT NULL,
  done_at {ts});
CREATE INDEX callback_account ON callback (account_id);
CREATE INDEX callback_due_at ON callback (due_at);
CREATE TABLE claim (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  claim_number VARCHAR(64) NOT NULL, payer TEXT NOT NULL, service_date DATE NOT NULL,
  billed_cents BIGINT NOT NULL, submitted_on DATE, status VARCHAR(20) NOT NULL DEFAULT 'submitted',
  denial_code VARCHAR(20), paid_cents BIGINT, patient_responsibility_cents BIGINT,
  payer_phone VARCHAR(20), timely_filing_days INTEGER, created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL);
CREATE UNIQUE INDEX claim_account_number ON claim (account_id, claim_number);
CREATE TABLE lease (
  id {pk}, account_id INTEGER NOT NULL UNIQUE REFERENCES account (id) ON DELETE CASCADE,
  coordinator VARCHAR(100) NOT NULL, taken_at {ts} NOT NULL, expires_at {ts} NOT NULL);
CREATE INDEX lease_expires_at ON lease (expires_at);
CREATE TABLE audit_event (
  id {pk}, at {ts} NOT NULL, actor VARCHAR(100) NOT NULL, action VARCHAR(40) NOT NULL,
  account_id INTEGER REFERENCES account (id) ON DELETE SET NULL,
  detail TEXT NOT NULL DEFAULT '{{}}');
CREATE INDEX audit_event_account_at ON audit_event (account_id, at);
CREATE INDEX audit_event_at ON audit_event (at);
"""

V2 = """
CREATE TABLE zone_set (id {pk}, zones TEXT NOT NULL UNIQUE);
ALTER TABLE account ADD COLUMN zone_set_id INTEGER REFERENCES zone_set (id) ON DELETE SET NULL;
ALTER TABLE account ADD COLUMN blocked_until {ts};
ALTER TABLE account ADD COLUMN tier SMALLINT NOT NULL DEFAULT 3;
ALTER TABLE account ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN last_attempt_at {ts};
CREATE INDEX account_queue ON account (status, tier, score);
CREATE INDEX account_zone_blocked ON account (zone_set_id, blocked_until);
"""

V3 = """
CREATE TABLE consent (
  id {pk}, debtor_id INTEGER NOT NULL REFERENCES debtor (id) ON DELETE CASCADE,
  account_id INTEGER REFERENCES account (id) ON DELETE SET NULL,
  given_at {ts} NOT NULL, until {ts}, revoked_at {ts}, callback_at {ts},
  source VARCHAR(16) NOT NULL DEFAULT 'inbound_call', note TEXT NOT NULL DEFAULT '',
  coordinator VARCHAR(100) NOT NULL, created_at {ts} NOT NULL);
CREATE INDEX consent_debtor ON consent (debtor_id, given_at);
CREATE TABLE avoid_window (
  id {pk}, debtor_id INTEGER NOT NULL REFERENCES debtor (id) ON DELETE CASCADE,
  weekdays VARCHAR(20) NOT NULL, start_time VARCHAR(5), end_time VARCHAR(5),
  spec TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', coordinator VARCHAR(100) NOT NULL,
  created_at {ts} NOT NULL, cleared_at {ts});
CREATE INDEX avoid_window_debtor ON avoid_window (debtor_id);
ALTER TABLE contact ADD COLUMN direction VARCHAR(8) NOT NULL DEFAULT 'outbound';
ALTER TABLE phone ADD COLUMN inconvenient {bool} NOT NULL DEFAULT FALSE;
ALTER TABLE account ADD COLUMN blocked_reason VARCHAR(24);
DROP INDEX account_queue;
CREATE INDEX account_queue ON account (status, tier, score DESC, id);
CREATE INDEX account_blocked_summary ON account
  (status, flags, zone_set_id, blocked_reason, blocked_until, balance_cents, due_date);
CREATE INDEX callback_open_due ON callback (done_at, due_at);
CREATE TABLE meta (key VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL);
"""

V4 = """
CREATE TABLE draft (
  id {pk}, coordinator VARCHAR(100) NOT NULL,
  account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  field VARCHAR(32) NOT NULL DEFAULT 'note', body TEXT NOT NULL, updated_at {ts} NOT NULL);
CREATE UNIQUE INDEX draft_owner ON draft (coordinator, account_id, field);
CREATE INDEX promise_due_on ON promise (due_on);
CREATE INDEX installment_due_on ON installment (due_on);
"""


V5 = """
CREATE TABLE grant_ (
  id {pk}, account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  kind VARCHAR(16) NOT NULL, coordinator VARCHAR(100) NOT NULL,
  granted_by VARCHAR(100) NOT NULL, reason TEXT NOT NULL,
  granted_at {ts} NOT NULL, expires_at {ts} NOT NULL, used_at {ts});
CREATE INDEX grant_open ON grant_ (account_id, coordinator, kind);
"""


V6 = """
CREATE INDEX account_status_number ON account (status, {number});
{number_index};
CREATE INDEX debtor_name_0 ON debtor ({name_0});
CREATE INDEX debtor_name_1 ON debtor ({name_1});
CREATE INDEX debtor_name_2 ON debtor ({name_2}) WHERE {name_2_where};
"""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str

    def statements(self, db: Database) -> list[str]:
        text = self.sql.format(**_TYPES[dialect(db)], **SEARCH_KEYS[dialect(db)])
        return [s.strip() for s in text.split(";") if s.strip()]


MIGRATIONS: Sequence[Migration] = (
    Migration(
        1,
        "accounts, debtors, phones, ledger, contacts, notes, promises, "
        "arrangements, callbacks, claims, leases, audit",
        V1,
    ),
    Migration(2, "queue pre-filter facts: zone sets, blocked_until, tier, score", V2),
    Migration(3, "consent, inconvenient times, inbound contacts, queue index in queue order", V3),
    Migration(4, "note drafts; promise and installment dates indexed for the tier sweep", V4),
    Migration(5, "supervisor grants: overrides and approvals for one account", V5),
    Migration(
        6, "search: account numbers by prefix; debtors by the start of a name's first words", V6
    ),
)

LATEST = MIGRATIONS[-1].version


def current_version(db: Database) -> int:
    if "schema_version" not in db.get_tables():
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _locked(db: Database) -> Callable[[], object]:
    if dialect(db) == "postgres":

        def lock() -> object:
            return db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
    else:

        def lock() -> object:
            return None  # BEGIN IMMEDIATE (below) already holds the write lock

    return lock


def migrate(db: Database, *, target: int | None = None) -> list[int]:
    """Apply every migration above the database's version, up to ``target`` (default: all).

    Returns the versions applied. Each migration runs in its own transaction together with
    its ``schema_version`` row, so a crash leaves the database at a whole version.
    """
    goal = LATEST if target is None else target
    applied: list[int] = []
    if current_version(db) >= goal:
        return applied
    lock = _locked(db)
    ctx = db.atomic("IMMEDIATE") if dialect(db) == "sqlite" else db.atomic()
    with ctx:
        lock()
        db.execute_sql(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at {ts} NOT NULL)".format(**_TYPES[dialect(db)])
        )
        have = current_version(db)
        for m in MIGRATIONS:
            if m.version <= have or m.version > goal:
                continue
            for stmt in m.statements(db):
                db.execute_sql(stmt)
            db.execute_sql(
                "INSERT INTO schema_version (version, description, applied_at) "
                f"VALUES ({db.param}, {db.param}, {db.param})",
                (m.version, m.description, datetime.now(UTC).replace(tzinfo=None)),
            )
            applied.append(m.version)
    return applied
