"""Tables. The schema itself is created and changed by ``migrations.py``; these models mirror
its latest version (a test proves the two agree column for column).

Money columns are ``*_cents`` integers. Timestamps are naive UTC (``store.utc`` converts).
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    description = TextField()
    applied_at = DateTimeField()


class Coordinator(BaseModel):
    id = AutoField()
    name = CharField(max_length=100, unique=True)
    role = CharField(max_length=20, default="coordinator")
    created_at = DateTimeField()


class Debtor(BaseModel):
    id = AutoField()
    name = TextField()
    debtor_type = CharField(max_length=10, default="person")
    email = TextField(null=True)
    address1 = TextField(null=True)
    city = TextField(null=True)
    state = CharField(max_length=10, null=True)
    postal_code = CharField(max_length=20, null=True)
    country = CharField(max_length=2, default="US")
    created_at = DateTimeField()
    updated_at = DateTimeField()


class Phone(BaseModel):
    id = AutoField()
    debtor = ForeignKeyField(Debtor, backref="phones", on_delete="CASCADE")
    debtor_id: int  # the raw id, without a query
    position = SmallIntegerField(default=0)
    kind = CharField(max_length=10, default="other")
    raw_text = TextField(column_name="raw")
    e164 = CharField(max_length=20, null=True)
    extension = CharField(max_length=10, null=True)
    valid = BooleanField(default=False)
    status = CharField(max_length=10, default="ok")  # ok | bad | dnc
    zones = TextField(default="")  # comma-separated IANA zones
    problem = TextField(null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    inconvenient = BooleanField(default=False)  # v3: the debtor said this number is inconvenient


class ZoneSet(BaseModel):
    """A distinct set of time zones a debtor may be in (there are only dozens)."""

    id = AutoField()
    zones = TextField(unique=True)  # comma-separated, sorted


class Account(BaseModel):
    id = AutoField()
    number = CharField(max_length=64, unique=True)
    debtor = ForeignKeyField(Debtor, backref="accounts", on_delete="CASCADE")
    debtor_id: int  # the raw id, without a query
    creditor = CharField(max_length=200, default="")
    currency = CharField(max_length=3, default="USD")
    due_date = DateField(null=True)
    status = CharField(max_length=10, default="open")  # open | closed
    flags = IntegerField(default=0)  # bit set of domain.flags.Flag
    balance_cents = BigIntegerField(default=0)  # cache of sum(ledger_entry.amount_cents)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    # v2: facts the queue pre-filter needs, kept current by the services that change them
    zone_set = ForeignKeyField(ZoneSet, null=True, on_delete="SET NULL")
    zone_set_id: int | None  # the raw id, without a query
    blocked_until = DateTimeField(null=True)
    tier = SmallIntegerField(default=3)
    score = IntegerField(default=0)
    last_attempt_at = DateTimeField(null=True)
    blocked_reason = CharField(max_length=24, null=True)  # v3: why blocked_until is set


class LedgerEntry(BaseModel):
    id = AutoField()
    account = ForeignKeyField(Account, backref="ledger", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    posted_on = DateField()
    kind = CharField(max_length=20)
    amount_cents = BigIntegerField()  # signed effect on the balance: charges up, payments down
    reference = CharField(max_length=100, null=True)
    memo = TextField(default="")
    source = CharField(max_length=20, default="system")
    created_at = DateTimeField()
    created_by = CharField(max_length=100)


class Contact(BaseModel):
    """One call attempt and its outcome. Append-only."""

    id = AutoField()
    account = ForeignKeyField(Account, backref="contacts", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    phone = ForeignKeyField(Phone, null=True, on_delete="SET NULL")
    phone_id: int | None  # the raw id, without a query
    phone_e164 = CharField(max_length=20, null=True)
    at = DateTimeField()
    outcome = CharField(max_length=24)
    coordinator = CharField(max_length=100)
    source = CharField(max_length=16, default="workstation")
    created_at = DateTimeField()
    direction = CharField(max_length=8, default="outbound")  # v3: outbound | inbound


class Note(BaseModel):
    """Append-only; a correction is a new note whose ``addendum_of`` names the original."""

    id = AutoField()
    account = ForeignKeyField(Account, backref="notes", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    contact = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    contact_id: int | None  # the raw id, without a query
    at = DateTimeField()
    coordinator = CharField(max_length=100)
    body = TextField()
    addendum_of = ForeignKeyField("self", null=True, on_delete="SET NULL")
    addendum_of_id: int | None  # the raw id, without a query


class Promise(BaseModel):
    id = AutoField()
    account = ForeignKeyField(Account, backref="promises", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    amount_cents = BigIntegerField()
    due_on = DateField()
    phone_e164 = CharField(max_length=20, null=True)
    coordinator = CharField(max_length=100)
    contact = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    contact_id: int | None  # the raw id, without a query
    created_at = DateTimeField()
    cancelled_at = DateTimeField(null=True)


class Arrangement(BaseModel):
    id = AutoField()
    account = ForeignKeyField(Account, backref="arrangements", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    kind = CharField(max_length=12, default="plan")  # plan | settlement
    status = CharField(max_length=12, default="active")  # active|completed|broken|cancelled
    total_cents = BigIntegerField()
    discount_cents = BigIntegerField(default=0)
    every = CharField(max_length=8, null=True)  # week | 2weeks | month
    created_at = DateTimeField()
    created_by = CharField(max_length=100)
    approved_by = CharField(max_length=100, null=True)
    status_changed_at = DateTimeField(null=True)


class Installment(BaseModel):
    id = AutoField()
    arrangement = ForeignKeyField(Arrangement, backref="installments", on_delete="CASCADE")
    arrangement_id: int  # the raw id, without a query
    number = SmallIntegerField()
    due_on = DateField()
    amount_cents = BigIntegerField()


class Callback(BaseModel):
    id = AutoField()
    account = ForeignKeyField(Account, backref="callbacks", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    due_at = DateTimeField()
    phone_e164 = CharField(max_length=20, null=True)
    coordinator = CharField(max_length=100)
    contact = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    contact_id: int | None  # the raw id, without a query
    created_at = DateTimeField()
    done_at = DateTimeField(null=True)


class Claim(BaseModel):
    id = AutoField()
    account = ForeignKeyField(Account, backref="claims", on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    claim_number = CharField(max_length=64)
    payer = TextField()
    service_date = DateField()
    billed_cents = BigIntegerField()
    submitted_on = DateField(null=True)
    status = CharField(max_length=20, default="submitted")
    denial_code = CharField(max_length=20, null=True)
    paid_cents = BigIntegerField(null=True)
    patient_responsibility_cents = BigIntegerField(null=True)
    payer_phone = CharField(max_length=20, null=True)
    timely_filing_days = IntegerField(null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()


class Lease(BaseModel):
    id = AutoField()
    account = ForeignKeyField(Account, unique=True, on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    coordinator = CharField(max_length=100)
    taken_at = DateTimeField()
    expires_at = DateTimeField()


class AuditEvent(BaseModel):
    id = AutoField()
    at = DateTimeField()
    actor = CharField(max_length=100)
    action = CharField(max_length=40)
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    account_id: int | None  # the raw id, without a query
    detail = TextField(default="{}")  # JSON


class Consent(BaseModel):
    """Direct prior consent to be called (DESIGN §4); a callback request is consent for its day."""

    id = AutoField()
    debtor = ForeignKeyField(Debtor, on_delete="CASCADE")
    debtor_id: int  # the raw id, without a query
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    account_id: int | None  # the raw id, without a query
    given_at = DateTimeField()
    until = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    callback_at = DateTimeField(null=True)
    source = CharField(max_length=16, default="inbound_call")
    note = TextField(default="")
    coordinator = CharField(max_length=100)
    created_at = DateTimeField()


class AvoidWindow(BaseModel):
    """Times the debtor said are inconvenient, in the debtor's local time."""

    id = AutoField()
    debtor = ForeignKeyField(Debtor, on_delete="CASCADE")
    debtor_id: int  # the raw id, without a query
    weekdays = CharField(max_length=20)  # "0,1,2,3,4" (0 = Monday)
    start_time = CharField(max_length=5, null=True)  # "15:00"
    end_time = CharField(max_length=5, null=True)
    spec = TextField()
    note = TextField(default="")
    coordinator = CharField(max_length=100)
    created_at = DateTimeField()
    cleared_at = DateTimeField(null=True)


class Draft(BaseModel):
    """What a coordinator is typing on an account, saved as typed (v4)."""

    id = AutoField()
    coordinator = CharField(max_length=100)
    account = ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the raw id, without a query
    field = CharField(max_length=32, default="note")
    body = TextField()
    updated_at = DateTimeField()


class Grant(BaseModel):
    """A supervisor's one-time permission for a coordinator on one account (v5): ``override``
    (record an attempt the verdict blocks) or ``approval`` (an arrangement outside policy)."""

    id = AutoField()
    account = ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int
    kind = CharField(max_length=16)
    coordinator = CharField(max_length=100)
    granted_by = CharField(max_length=100)
    reason = TextField()
    granted_at = DateTimeField()
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "grant_"


class Meta(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()


ALL_MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Coordinator,
    Debtor,
    Phone,
    ZoneSet,
    Account,
    LedgerEntry,
    Contact,
    Note,
    Promise,
    Arrangement,
    Installment,
    Callback,
    Claim,
    Lease,
    AuditEvent,
    Consent,
    AvoidWindow,
    Meta,
    Draft,
    Grant,
)
