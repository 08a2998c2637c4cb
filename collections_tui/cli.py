"""Command line: argument parsing and output formatting only; the work is in services."""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import io
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TextIO
from urllib.parse import urlparse

from . import settings as settings_mod
from .domain.display import safe_json, safe_text
from .domain.money import MoneyError, format_amount, format_money, parse_amount
from .services.clock import Clock, FixedClock, SystemClock
from .services.context import Context
from .services.errors import InputError
from .settings import Settings, SettingsError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEMO_ACCOUNTS = 2000
DEMO_SEED = 1

log = logging.getLogger("collections_tui")


class UsageError(Exception):
    pass


# ---------------------------------------------------------------- argument parsing


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    g = parser.add_argument_group("global options")
    g.add_argument(
        "--db",
        metavar="URL",
        default=d,
        help="database: sqlite:///PATH (?mode=ro: read-only) or postgresql://USER@HOST:PORT/DB "
        "(env COLLECTIONS_DB; default: collections.db in your user data folder). A file that "
        "does not exist is created only by demo, import and import-db",
    )
    g.add_argument(
        "--now",
        metavar="ISO8601",
        default=d,
        help="fix the clock, e.g. 2026-11-27T15:00:00Z (env COLLECTIONS_NOW)",
    )
    g.add_argument(
        "--as",
        dest="as_user",
        metavar="NAME",
        default=d,
        help="act as this coordinator (default: your OS user name)",
    )
    g.add_argument("--config", metavar="PATH", default=d, help="config file (TOML; see README)")
    g.add_argument(
        "--demo",
        action="store_true",
        default=d if suppress else False,
        help="use the demo database (created with realistic data on first use)",
    )
    g.add_argument(
        "--mouse",
        action="store_true",
        default=d if suppress else False,
        help="let the workstation use the mouse (off by default: over SSH it gets in the way)",
    )


def _date(text: str | None, what: str) -> date | None:
    """A ``YYYY-MM-DD`` option, or None when not given; refused as invalid input (exit 1)
    when it is not a date or is outside the accepted dates (``domain.dates``)."""
    if text is None:
        return None
    from .domain.dates import DateError, parse_date

    try:
        return parse_date(text)
    except DateError as exc:
        raise InputError(f"{what}: {exc}") from None


def _whole_number(text: str) -> int:
    """A whole number in ASCII digits (``int()`` also takes ``١٢``, ``１２`` and ``1_000``)."""
    s = text.strip()
    digits = s[1:] if s[:1] == "-" else s
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number")
    return int(s)


def _positive_int(text: str) -> int:
    value = _whole_number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _outcomes() -> list[str]:
    from .domain.compliance import OUTCOMES

    return list(OUTCOMES)


def _instant(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    from .domain.dates import DateError, parse_instant

    try:
        return parse_instant(text)
    except DateError as exc:
        raise InputError(f"{what}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collections-tui",
        description="A keyboard-only workstation for billing and collections coordinators. "
        "With no command it shows the accounts to work first.",
        epilog="Exit codes: 0 success, 1 invalid input (nothing was written), 2 usage error.",
    )
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, description: str | None = None) -> Any:
        p = sub.add_parser(name, help=help_text, description=description or help_text)
        _global_options(p, suppress=True)
        return p

    p = command(
        "demo",
        "fill the database with realistic synthetic accounts",
        "Fill the database with realistic synthetic data: people and businesses, several "
        "creditors, phones across every US time zone, ledgers, calls, promises, claims. "
        "The same seed and clock give the same data.",
    )
    p.add_argument("--accounts", type=_positive_int, default=DEMO_ACCOUNTS, metavar="N")
    p.add_argument("--seed", type=_whole_number, default=DEMO_SEED, metavar="S")

    p = command(
        "import",
        "import a CSV file (accounts, transactions, calls, claims)",
        "Import a CSV file. The whole file is checked first: any error lists every problem "
        "as FILE:LINE: column: message and nothing is written. See README 'File formats'.",
    )
    p.add_argument("kind", choices=["accounts", "transactions", "calls", "claims"])
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    p = command(
        "export",
        "export calls, promises, arrangements or the ledger to CSV",
        "Write a CSV file. Cells that a spreadsheet would run as formulas are neutralised.",
    )
    p.add_argument("kind", choices=["calls", "promises", "arrangements", "ledger"])
    p.add_argument("file", type=Path, metavar="FILE")

    p = command(
        "account",
        "show an account: debtor, phones, balance, aging, ledger, calls, notes",
    )
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = command(
        "queue",
        "the accounts to call now, best first",
        "The callable queue at this instant (DESIGN §5): callbacks due, then broken "
        "promises, then by score. Every row is confirmed against the compliance rules. When "
        "nothing is callable it says why and when the next account becomes callable.",
    )
    p.add_argument("--limit", type=_positive_int, default=50, metavar="N")
    p.add_argument("--all", action="store_true", help="also list blocked accounts, with reasons")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--creditor", metavar="NAME", help="only this creditor's accounts")
    p.add_argument(
        "--tier", choices=["callback_due", "broken_promise", "scored"], help="only this tier"
    )
    p.add_argument("--aging", choices=["0-30", "31-60", "61-90", "91-120", "120+"])

    p = command(
        "log-call",
        "record a call and its outcome (for dialers and scripts)",
        "Record a call with the same rules and effects as the workstation: not_in_service and "
        "wrong_number mark the phone bad, dispute sets the dispute flag, callback_requested "
        "needs --callback (and is consent for that day), promise needs --promise and "
        "--promise-date. An attempt on an account the rules block is refused unless "
        "--override gives a reason (never for cease, attorney, bankruptcy).",
    )
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--outcome", required=True, metavar="CODE", choices=_outcomes())
    p.add_argument(
        "--phone", metavar="P", help="the number dialled (default: the only dialable one)"
    )
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--at", metavar="ISO8601", help="when the call was (default now)")
    p.add_argument("--callback", metavar="ISO8601", help="when to call back (stored in UTC)")
    p.add_argument("--promise", metavar="AMOUNT", help="amount promised")
    p.add_argument("--promise-date", metavar="DATE")
    p.add_argument("--override", metavar="REASON", help="record an attempt the rules block")
    p.add_argument("--inbound", action="store_true", help="the debtor called in")

    p = command(
        "consent",
        "record the debtor's direct consent to be called (or --revoke it)",
        "Record direct prior consent to be called (from a letter, an email or an inbound "
        "call): calls may be made for 7 days from the day it was given, within calling hours "
        "and inconvenient times, and count toward neither weekly limit. It ends at --until, "
        "when revoked, or at the next conversation.",
    )
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--at", metavar="ISO8601", help="when consent was given (default now)")
    p.add_argument("--until", metavar="ISO8601", help="when it ends, if sooner")
    p.add_argument("--note", metavar="TEXT", default="")
    p.add_argument("--revoke", action="store_true", help="end consent now (or --at)")

    p = command(
        "avoid",
        "times the debtor said are inconvenient (or --clear them)",
        "Record times the debtor said are inconvenient, in the debtor's local time. SPEC is "
        "days and an optional time range: 'mon-fri 15:00-17:00', 'sat-sun', "
        "'mon,wed 18:00-21:00', 'weekdays 3pm-5pm'. --when may be repeated.",
    )
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--when", action="append", metavar="SPEC", default=[])
    p.add_argument("--note", metavar="TEXT", default="")
    p.add_argument("--clear", action="store_true", help="remove every inconvenient time")
    p.add_argument(
        "--phone",
        metavar="P",
        help="the debtor said calls to this number are inconvenient (e.g. a work phone); "
        "with --clear, take that back",
    )

    p = command(
        "next",
        "lease the best callable account to you (--as) and show it",
        "Lease the best callable account nobody else holds to the coordinator (--as) for 15 "
        "minutes, and print it. Other coordinators are not offered it until it is released, "
        "an outcome is recorded, or the lease expires.",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = command("release", "give back the lease on an account")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--any", action="store_true", help="whoever holds it (supervisors only)")

    p = command("leases", "who holds which account now")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = command("reassign", "move an account's lease to another coordinator (supervisors)")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--to", required=True, metavar="NAME")

    p = command(
        "grant",
        "let a coordinator override a block or record an offer outside policy, once (supervisors)",
        "A supervisor's one-time permission for one coordinator on one account: --override "
        "(record an attempt the compliance verdict blocks; needed where the config says [team] "
        'overrides = "supervisor") or --approve (an arrangement outside policy). It lasts '
        "--minutes (default 60), is used once, and is in the audit log. cease, attorney and "
        "bankruptcy can never be overridden.",
    )
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--to", required=True, metavar="NAME", help="the coordinator")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--override", dest="kind", action="store_const", const="override")
    kind.add_argument("--approve", dest="kind", action="store_const", const="approval")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--minutes", type=_whole_number, default=60, metavar="N")

    p = command("team", "coordinators and their roles")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = command(
        "set-role",
        "make a coordinator a supervisor or a coordinator (supervisors only)",
        "Set a coordinator's role. Only a supervisor may; the first supervisors are named in "
        "the config file ([team] supervisors = [...]).",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", choices=["coordinator", "supervisor"])

    p = command("drafts", "notes you started typing and have not saved yet")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = command(
        "import-db",
        "copy a SQLite database into this (empty) database, e.g. PostgreSQL",
        "Copy every table of a SQLite database into the --db database, which must be empty: "
        "for a team that outgrows one SQLite file. One transaction: all or nothing, "
        "verified (row counts, balances) before it commits.",
    )
    p.add_argument("source", metavar="SOURCE_URL", help="sqlite:///path/to/collections.db")

    p = command(
        "plan",
        "an installment schedule for a balance",
        "An installment schedule that splits the balance exactly: the odd cents on the "
        "earliest installments (1000.00 in 3: 333.34, 333.33, 333.33); a fixed payment leaves "
        "a smaller last one; monthly dates keep the day or fall to the month's last "
        "(Jan 31, Feb 28, Mar 31). With --down, row 1 is the down payment on --first and the "
        "installments start one period later. A plan with an installment of zero is refused.",
    )
    p.add_argument("--balance", required=True, metavar="AMOUNT")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--installments", type=_positive_int, metavar="N")
    how.add_argument("--payment", metavar="AMOUNT")
    p.add_argument("--first", required=True, metavar="DATE")
    p.add_argument("--every", choices=["week", "2weeks", "month"], default="month")
    p.add_argument("--down", metavar="AMOUNT")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = command(
        "offers",
        "arrangement options to read out on the call, within the creditor's policy",
        "What a coordinator can offer for an account's balance: pay in full today (with the "
        "policy's discount), a plan within policy, the plan that fits what the debtor can pay, "
        "and the largest settlement within policy. Offers outside policy are marked as "
        "needing supervisor approval, with the rule they break.",
    )
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--can-pay", metavar="AMOUNT", help="what the debtor says they can pay")
    p.add_argument("--every", choices=["week", "2weeks", "month"], default="month")

    p = command("pay", "record a payment received on an account")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("amount", metavar="AMOUNT", help="plain decimal, e.g. 125.00")
    p.add_argument("--on", metavar="DATE", help="date received (default today)")
    p.add_argument("--reference", metavar="R", help="payment reference; a repeat is refused")
    return parser


# ---------------------------------------------------------------- helpers


def _clock(s: Settings) -> Clock:
    return FixedClock(s.now) if s.now else SystemClock()


def _context(s: Settings) -> Context:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .domain.compliance import Policy
    from .domain.priority import Weights

    # The tables' keys and types were checked when the files were read (config_schema);
    # what is judged here is their meaning, named with the file(s) that set them.
    general = s.raw.get("general", {})
    office = str(general.get("office_timezone", "America/New_York"))
    try:
        ZoneInfo(office)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{s.where('general')}: general.office_timezone: unknown time zone {office!r}"
        ) from None
    try:
        policy = Policy.from_config({"office_zone": office, **s.raw.get("compliance", {})})
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"{s.where('compliance')}: [compliance] {exc}") from None
    weights_table = dict(s.raw.get("priority", {}))
    try:
        grace = int(weights_table.pop("grace_days", 3))
        weights = Weights(**weights_table)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{s.where('priority')}: [priority] {exc}") from None
    from .domain.arrangements import policies_from_config

    try:
        default_policy, creditor_policies = policies_from_config(
            dict(s.raw.get("arrangements", {}))
        )
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"{s.where('arrangements')}: [arrangements] {exc}") from None
    return Context(
        arrangement_policy=default_policy,
        creditor_policies=creditor_policies,
        actor=s.coordinator,
        clock=_clock(s),
        default_region=s.default_region,
        default_currency=s.default_currency,
        default_zones=policy.default_zones,
        home_zone=office,
        policy=policy,
        weights=weights,
        grace_days=grace,
        supervisors=s.supervisors,
        overrides_need_grant=s.overrides == "supervisor",
    )


def _to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {
            (k[:-6] if k.endswith("_cents") else k): (
                format_amount(v) if k.endswith("_cents") and isinstance(v, int) else _to_jsonable(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> None:
    rows = [[safe_text(c) for c in row] for row in rows]  # one value, one cell, one line
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    print(fmt(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(fmt(row))


# ---------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.demo import generate_demo

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            _progress(f"\r  {done:,}/{total:,} accounts")

    report = generate_demo(ctx, accounts=args.accounts, seed=args.seed, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        f"Demo data (seed {args.seed}) in {settings_mod.describe_url(s.db_url)}: "
        f"{report.accounts:,} accounts, {report.phones:,} phones, "
        f"{report.ledger_entries:,} ledger entries, {report.contacts:,} calls, "
        f"{report.promises:,} promises, {report.arrangements:,} arrangements, "
        f"{report.callbacks:,} callbacks, {report.claims:,} claims "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.importer import import_file

    report = import_file(ctx, args.kind, args.file, dry_run=args.dry_run)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    verb = "would be" if report.dry_run else "were"
    print(
        f"{report.file}: {report.rows:,} rows — {report.created:,} created, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.skipped:,} skipped, {len(report.warnings):,} warnings"
        + (f" (dry run: nothing {verb} written)" if report.dry_run else "")
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.exporter import export

    report = export(ctx, args.kind, args.file)
    print(f"Wrote {report.rows:,} {report.kind} rows to {report.file}")
    return EXIT_OK


def cmd_pay(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.ledger import pay

    try:
        cents = parse_amount(args.amount, allow_negative=False)
    except MoneyError as exc:
        raise InputError(f"amount: {exc}") from None
    if cents == 0:
        raise InputError("amount: a payment of 0.00 records nothing")
    posted = pay(ctx, args.number, cents, on=_date(args.on, "--on"), reference=args.reference)
    print(
        f"Payment of {format_money(cents)} posted to {posted.account_number}; "
        f"balance now {format_money(posted.balance_cents)}"
    )
    return EXIT_OK


def cmd_account(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.accounts import get_account

    view = get_account(ctx, args.number)
    if args.format == "json":
        print(safe_json(_to_jsonable(view), indent=2))
        return EXIT_OK
    cur = view.currency
    print(f"Account {view.number} — {view.debtor_name} ({view.debtor_type})")
    print(f"  Creditor:   {view.creditor or '-'}    Status: {view.status}")
    print(f"  Balance:    {format_money(view.balance_cents, cur)}")
    due = view.due_date.isoformat() if view.due_date else "no due date"
    print(f"  Due:        {due}, {view.days_past_due} days past due (aging {view.aging_bucket})")
    print(f"  Flags:      {', '.join(view.flags) if view.flags else 'none'}")
    print(f"  Address:    {view.address or '-'}")
    if view.email:
        print(f"  Email:      {view.email}")
    times = ", ".join(f"{t.time} {t.weekday}" for t in view.local_times)
    print(f"  Local time: {times}")
    if view.verdict is not None:
        v = view.verdict
        state = "CALLABLE" if v.callable else f"BLOCKED ({v.reason})"
        print(f"  Verdict:    {state} — {v.message}")
        if v.next_callable_at is not None:
            print(f"  Next call:  {_iso(v.next_callable_at)}")
        print(f"  Attempts:   {v.attempts_7d} counted in the last 7 days")
        if not v.callable:
            can = "possible with a typed reason" if v.overridable else "not allowed"
            print(f"  Override:   {can}")
    if view.priority is not None:
        parts = ", ".join(f"{p.name} {p.points:+d} ({p.detail})" for p in view.priority.parts)
        print(f"  Priority:   tier {view.priority.tier}, score {view.priority.score} = {parts}")
    for cons in view.consents:
        state = "revoked" if cons.revoked_at else ("callback" if cons.callback_at else "consent")
        line = f"  Consent:    {state} given {_iso(cons.given_at)} ({cons.source}) {cons.note}"
        print(line.rstrip())
    for av in view.inconvenient:
        note = f" — {av.note}" if av.note else ""
        print(f"  Avoid:      {av.spec} (debtor's local time){note}")
    print("\nPhones")
    if not view.phones:
        print("  (none)")
    for ph in view.phones:
        state = "dialable" if ph.dialable else (ph.problem or ph.status)
        if ph.valid and ph.status != "ok":
            state = {"bad": "bad number", "dnc": "do not call"}.get(ph.status, ph.status)
        lt = ", ".join(t.time for t in ph.local_times) or "zone unknown"
        print(f"  {ph.kind:<7} {ph.display:<22} {state:<20} {lt}")
    print("\nLedger (oldest first)")
    if not view.ledger:
        print("  (no entries)")
    for e in view.ledger:
        ref = f" [{e.reference}]" if e.reference else ""
        print(
            f"  {e.posted_on}  {e.kind:<17} {format_money(e.amount_cents, cur):>13}  "
            f"{format_money(e.balance_after_cents, cur):>13}  {e.memo}{ref}"
        )
    print("\nCalls (newest first)")
    if not view.contacts:
        print("  (none)")
    for c in view.contacts[:20]:
        note = f" — {' / '.join(c.notes)}" if c.notes else ""
        print(f"  {_fmt_instant(c.at)}  {c.outcome:<18} {c.phone or '-':<13} {c.coordinator}{note}")
    if view.promises:
        print("\nPromises")
        for p in view.promises:
            paid = f", {format_money(p.paid_cents, cur)} paid" if p.paid_cents else ""
            print(
                f"  {p.due_on}  {format_money(p.amount_cents, cur):>11}  {p.status:<14}"
                f" (grace to {p.grace_ends}{paid})  by {p.coordinator}"
            )
    if view.arrangements:
        print("\nArrangements")
        for a in view.arrangements:
            every = f", every {a.every}" if a.every else ""
            line = (
                f"  #{a.id} {a.kind} {a.status}: {format_money(a.total_cents, cur)} in "
                f"{len(a.installments)} payment(s){every}; {format_money(a.paid_cents, cur)} paid"
            )
            if a.discount_cents:
                line += f"; discount {format_money(a.discount_cents, cur)}"
            print(line)
            if a.next_due_on is not None and a.status in ("active", "broken"):
                overdue = (
                    f"; {format_money(a.overdue_cents, cur)} overdue" if a.overdue_cents else ""
                )
                print(
                    f"     next due {a.next_due_on}: {format_money(a.next_due_cents, cur)}{overdue}"
                )
    if view.callbacks:
        print("\nCallbacks")
        for cb in view.callbacks:
            print(f"  {_fmt_instant(cb.due_at)}  {cb.coordinator}{' (done)' if cb.done else ''}")
    other_notes = [n for n in view.notes]
    if other_notes:
        print("\nNotes (newest first)")
        for n in other_notes[:20]:
            add = f" (addendum to #{n.addendum_of})" if n.addendum_of else ""
            print(f"  {_fmt_instant(n.at)}  {n.coordinator}: {n.body}{add}")
    if view.claims:
        print("\nInsurance claims")
        for cl in view.claims:
            denial = f" denial {cl.denial_code}" if cl.denial_code else ""
            print(
                f"  {cl.claim_number}  {cl.payer}  service {cl.service_date}  billed "
                f"{format_money(cl.billed_cents, cur)}  {cl.status}{denial}"
            )
    return EXIT_OK


def _fmt_instant(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _keymap(s: Settings) -> dict[str, str]:
    table = s.raw.get("keys", {})
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in table.items()
    ):
        raise SettingsError(
            f'{s.where("keys")}: [keys] maps binding ids to keys, e.g. "account.dial" = "D"'
        )
    if not table:  # nothing to check: the screens are imported when first shown
        return {}
    from .ui.keys import binding_ids

    known = binding_ids()
    unknown = sorted(k for k in table if k not in known)
    if unknown:
        raise SettingsError(
            f"{s.where('keys')}: [keys] has no binding {', '.join(repr(u) for u in unknown)}; "
            "the ids are listed by ? in the workstation"
        )
    return dict(table)


def _opens_workstation(args: argparse.Namespace) -> bool:
    """No command, on a terminal: the workstation (piped, the queue is printed instead)."""
    return (
        args.command is None
        and sys.stdin.isatty()
        and sys.stdout.isatty()
        and os.environ.get("TERM") != "dumb"
    )


def _resume_gc() -> None:
    """Resume the garbage collector paused by :mod:`collections_tui.launch`; what was loaded
    until now lives as long as the program, so it is frozen out of the collector's way."""
    gc.freeze()
    gc.enable()


def _load_peewee_without_postgres() -> None:
    """Import Peewee with the PostgreSQL drivers hidden. Peewee imports psycopg2 as it loads
    when it is installed (~10 ms of every start, DESIGN §9); the workstation on SQLite never
    uses it. Hidden only while Peewee loads: a later ``import psycopg2`` works as usual."""
    hidden = [m for m in ("psycopg2", "psycopg", "psycopg2cffi") if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # type: ignore[assignment]  # makes `import m` fail at once
    try:
        import peewee  # noqa: F401
    finally:
        for m in hidden:
            if m in sys.modules and sys.modules[m] is None:
                del sys.modules[m]


def cmd_default(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    """No command: the workstation on a terminal; the queue as text when not on one."""
    if _opens_workstation(args):
        keymap = _keymap(s)
        # The database thread reads the first page of the queue while Textual is imported.
        from .ui.backend import Backend

        backend = Backend(ctx, dial_command=s.dial_command).start(shutil.get_terminal_size().lines)
        from .ui.app import run_workstation

        with _terminal_output():  # Textual draws: every widget gets data as text (ui/text.py)
            return run_workstation(
                ctx,
                keymap=keymap,
                mouse=bool(getattr(args, "mouse", False)),
                backend=backend,
                on_first_frame=_resume_gc if getattr(args, "gc_paused", False) else None,
            )
    args.limit, args.all, args.format = 20, False, "table"
    args.creditor = args.tier = args.aging = None
    when = _iso(ctx.now().replace(second=0, microsecond=0))
    print(f"Queue for {ctx.actor} at {when} — {settings_mod.describe_url(s.db_url)}")
    return cmd_queue(args, s, ctx)


QUEUE_COLUMNS = (
    "rank",
    "account_number",
    "debtor_name",
    "balance",
    "days_past_due",
    "score",
    "tier",
    "callable",
    "reason",
    "next_callable_at",
    "local_time",
)


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def _queue_record(r: Any) -> dict[str, Any]:
    return {
        "rank": r.rank,
        "account_number": r.account_number,
        "debtor_name": r.debtor_name,
        "balance": format_amount(r.balance_cents),
        "days_past_due": r.days_past_due,
        "score": r.score,
        "tier": r.tier,
        "callable": "yes" if r.callable else "no",
        "reason": r.reason,
        "next_callable_at": _iso(r.next_callable_at),
        "local_time": r.local_time,
    }


def cmd_queue(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    import csv

    from .services.queue import Filters, build_queue

    result = build_queue(
        ctx,
        limit=args.limit,
        include_blocked=args.all,
        filters=Filters(creditor=args.creditor, tier=args.tier, aging=args.aging),
    )
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(QUEUE_COLUMNS)
        for r in result.rows:
            rec = _queue_record(r)
            writer.writerow([rec[c] for c in QUEUE_COLUMNS])
        if result.explanation:
            print(result.explanation, file=sys.stderr)
        return EXIT_OK
    if args.format == "json":
        records = []
        for r in result.rows:
            rec = _queue_record(r)
            rec["callable"] = r.callable
            rec["next_callable_at"] = rec["next_callable_at"] or None
            rec["message"] = r.message
            rec["creditor"] = r.creditor
            rec["score_parts"] = [
                {"name": p.name, "points": p.points, "detail": p.detail} for p in r.score_parts
            ]
            records.append(rec)
        out: dict[str, Any] = {"now": _iso(ctx.now()), "rows": records}
        if result.explanation:
            out["explanation"] = result.explanation
            out["blocked"] = [
                {"reason": b.reason, "count": b.count, "next_callable_at": _iso(b.next_at) or None}
                for b in result.blocked
            ]
        print(safe_json(out, indent=2))
        return EXIT_OK
    if not result.rows:
        print(result.explanation or "Nothing is callable now.")
        return EXIT_OK
    _print_table(
        ["#", "account", "debtor", "balance", "days", "tier", "score", "local time", "verdict"],
        [
            [
                str(r.rank),
                r.account_number,
                r.debtor_name[:24],
                format_money(r.balance_cents, r.currency),
                str(r.days_past_due),
                r.tier,
                str(r.score),
                r.local_time,
                "callable" if r.callable else r.reason,
            ]
            for r in result.rows
        ],
        right={0, 3, 4, 6},
    )
    if result.explanation:
        print(result.explanation)
    return EXIT_OK


def cmd_log_call(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.calls import record_call

    promise_cents = None
    if args.promise is not None:
        try:
            promise_cents = parse_amount(args.promise, allow_negative=False)
        except MoneyError as exc:
            raise InputError(f"--promise: {exc}") from None
    rec = record_call(
        ctx,
        args.number,
        args.outcome,
        phone=args.phone,
        note=args.note,
        at=_instant(args.at, "--at"),
        callback_at=_instant(args.callback, "--callback"),
        promise_cents=promise_cents,
        promise_on=_date(args.promise_date, "--promise-date"),
        override=args.override,
        inbound=args.inbound,
        source="cli",
    )
    extra = []
    if rec.overridden:
        extra.append(f"override of {rec.verdict.reason} recorded in the audit log")
    if rec.marked_bad:
        extra.append(f"{rec.phone} marked bad")
    if rec.callback_id:
        extra.append("callback scheduled")
    if rec.promise_id:
        extra.append("promise recorded")
    tail = f" ({'; '.join(extra)})" if extra else ""
    print(f"Recorded {rec.outcome} on {rec.account_number}{tail}")
    return EXIT_OK


def cmd_consent(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.consent import record_consent, revoke_consent

    at = _instant(args.at, "--at")
    if args.revoke:
        n = revoke_consent(ctx, args.number, at=at)
        print(f"Consent ended on {args.number} ({n} in force)")
        return EXIT_OK
    until = _instant(args.until, "--until")
    record_consent(ctx, args.number, at=at, until=until, note=args.note)
    print(f"Consent to be called recorded on {args.number}")
    return EXIT_OK


def cmd_avoid(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.consent import add_avoid, clear_avoid

    if args.clear and args.when:
        raise UsageError("give either --when SPEC or --clear, not both")
    if args.phone:
        from .services.consent import mark_phone_inconvenient

        if args.when:
            raise UsageError("give either --when SPEC or --phone P, not both")
        e164 = mark_phone_inconvenient(
            ctx, args.number, args.phone, inconvenient=not args.clear, note=args.note
        )
        state = "no longer inconvenient" if args.clear else "inconvenient: not dialled"
        print(f"{e164} on {args.number}: {state}")
        return EXIT_OK
    if args.clear:
        n = clear_avoid(ctx, args.number)
        print(f"Cleared {n} inconvenient time(s) on {args.number}")
        return EXIT_OK
    if not args.when:
        raise UsageError("give --when SPEC (e.g. 'mon-fri 15:00-17:00') or --clear")
    from .services.consent import AvoidSpecError, parse_avoid

    problems = []
    for spec in args.when:
        try:
            parse_avoid(spec)
        except AvoidSpecError as exc:
            problems.append(f"--when: {exc}")
    if problems:
        raise InputError(problems[0], problems)
    for spec in args.when:
        view = add_avoid(ctx, args.number, spec, note=args.note)
        print(f"Inconvenient for {args.number}: {view.spec} (debtor's local time)")
    return EXIT_OK


def cmd_next(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.leases import take_next
    from .services.queue import blocked_summary, explain

    row = take_next(ctx)
    if row is None:
        why = explain(ctx, blocked_summary(ctx))
        if args.format == "json":
            print(safe_json({"account_number": None, "explanation": why}, indent=2))
        else:
            print(why)
        return EXIT_OK
    expires = ctx.now() + timedelta(minutes=ctx.lease_minutes)
    if args.format == "json":
        rec = _queue_record(row)
        rec["callable"] = row.callable
        rec["next_callable_at"] = None
        rec["creditor"] = row.creditor
        rec["message"] = row.message
        rec["coordinator"] = ctx.actor
        rec["lease_expires_at"] = _iso(expires)
        print(safe_json(rec, indent=2))
        return EXIT_OK
    print(
        f"{row.account_number}  {row.debtor_name}  {format_money(row.balance_cents, row.currency)}"
        f"  {row.days_past_due} days past due  tier {row.tier}  score {row.score}"
    )
    print(f"  local time {row.local_time}; leased to {ctx.actor} until {_iso(expires)}")
    return EXIT_OK


def cmd_release(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.leases import release
    from .services.team import release_lease

    done = release_lease(ctx, args.number, s.supervisors) if args.any else release(ctx, args.number)
    if done:
        print(f"Released {args.number}")
    else:
        print(f"{args.number} was not leased")
    return EXIT_OK


def _money_arg(text: str, what: str, *, allow_zero: bool = False) -> int:
    try:
        cents = parse_amount(text, allow_negative=False)
    except MoneyError as exc:
        raise InputError(f"{what}: {exc}") from None
    if cents == 0 and not allow_zero:
        raise InputError(f"{what}: must be more than 0.00")
    return cents


def cmd_plan(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    import csv

    from .domain.arrangements import PlanError, schedule_by_count, schedule_by_payment

    balance = _money_arg(args.balance, "--balance")
    down = _money_arg(args.down, "--down", allow_zero=True) if args.down else 0
    first = _date(args.first, "--first")
    assert first is not None  # a required option
    try:
        if args.installments is not None:
            plan = schedule_by_count(balance, args.installments, first, args.every, down)
        else:
            payment = _money_arg(args.payment, "--payment")
            plan = schedule_by_payment(balance, payment, first, args.every, down)
    except PlanError as exc:
        raise InputError(f"plan refused: {exc}") from None
    rows = [
        (i.number, i.due_on.isoformat(), format_amount(i.amount_cents)) for i in plan.installments
    ]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["number", "due_on", "amount"])
        writer.writerows(rows)
    elif args.format == "json":
        print(safe_json([{"number": n, "due_on": d, "amount": a} for n, d, a in rows], indent=2))
    else:
        _print_table(
            ["#", "due on", "amount"],
            [
                [str(n), d, format_money(i.amount_cents) + (" (down)" if i.is_down_payment else "")]
                for (n, d, _), i in zip(rows, plan.installments, strict=True)
            ],
            right={0, 2},
        )
        print(f"Total {format_money(plan.total_cents)} in {len(rows)} payments")
    return EXIT_OK


def cmd_offers(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .domain.arrangements import PlanError, build_offers
    from .services.accounts import get_account

    view = get_account(ctx, args.number, history=0)
    can_pay = _money_arg(args.can_pay, "--can-pay", allow_zero=True) if args.can_pay else None
    policy = ctx.policy_for(view.creditor)
    try:
        offers = build_offers(
            view.balance_cents, ctx.today(), policy, can_pay_cents=can_pay, every=args.every
        )
    except PlanError as exc:
        raise InputError(f"{args.number}: {exc}") from None
    cur = view.currency
    print(f"{view.number} — {view.debtor_name}: balance {format_money(view.balance_cents, cur)}")
    for n, o in enumerate(offers, 1):
        approval = o.check.needs_approval or not o.check.within_policy
        mark = "  [needs approval]" if approval and "approval" not in o.title else ""
        print(f"\n{n}. {o.title}{mark}")
        if o.note:
            print(f"   {o.note}")
        for rule in o.check.broken_rules:
            print(f"   - {rule}")
        if o.schedule is not None:
            shown = o.schedule.installments[:6]
            for i in shown:
                down = " (down)" if i.is_down_payment else ""
                print(
                    f"   {i.number:>3}  {i.due_on}  {format_money(i.amount_cents, cur):>12}{down}"
                )
            more = len(o.schedule.installments) - len(shown)
            if more > 0:
                print(f"   … {more} more, last {o.schedule.last_due_on}")
            print(f"   total {format_money(o.schedule.total_cents, cur)}")
    return EXIT_OK


def cmd_leases(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    import csv

    from .services.team import list_leases

    leases = list_leases(ctx)
    cols = ("account_number", "coordinator", "taken_at", "expires_at")
    recs = [
        {
            "account_number": x.account_number,
            "coordinator": x.coordinator,
            "taken_at": _iso(x.taken_at),
            "expires_at": _iso(x.expires_at),
        }
        for x in leases
    ]
    if args.format == "json":
        print(safe_json(recs, indent=2))
    elif args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cols)
        w.writerows([r[c] for c in cols] for r in recs)
    elif not recs:
        print("No account is leased now.")
    else:
        _print_table(cols, [[r[c] for c in cols] for r in recs], right=set())
    return EXIT_OK


def cmd_grant(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.grants import grant

    g = grant(ctx, args.number, args.to, args.kind, args.reason, minutes=args.minutes)
    what = "override a block" if g.kind == "override" else "record an offer outside policy"
    print(f"{g.coordinator} may {what} on {g.account_number} once, until {_iso(g.expires_at)}")
    return EXIT_OK


def cmd_reassign(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.team import reassign_lease

    lease = reassign_lease(ctx, args.number, args.to, s.supervisors)
    until = _iso(lease.expires_at)
    print(f"{lease.account_number} is now leased to {lease.coordinator} until {until}")
    return EXIT_OK


def cmd_team(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.team import coordinators

    people = coordinators(s.supervisors)
    if args.format == "json":
        print(safe_json([{"name": p.name, "role": p.role, "supervisor": p.supervisor,
                           "configured_supervisor": p.configured_supervisor} for p in people],
                         indent=2))  # fmt: skip
        return EXIT_OK
    for p in people:
        role = "supervisor" if p.supervisor else p.role
        note = " (config)" if p.configured_supervisor else ""
        print(f"{p.name:<24} {role}{note}")
    return EXIT_OK


def cmd_set_role(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.team import set_role

    change = set_role(ctx, args.name, args.role, configured_supervisors=s.supervisors)
    was = f" (was {change.previous})" if change.previous else " (new)"
    print(f"{change.name} is now a {change.role}{was}")
    return EXIT_OK


def cmd_drafts(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.drafts import drafts_for

    drafts = drafts_for(ctx)
    if args.format == "json":
        print(safe_json([{"account_number": d.account_number, "field": d.field,
                           "body": d.body, "updated_at": _iso(d.updated_at)} for d in drafts],
                         indent=2))  # fmt: skip
        return EXIT_OK
    if not drafts:
        print("No unsaved drafts.")
    for d in drafts:
        first = d.body.strip().splitlines()[0] if d.body.strip() else ""
        print(f"{d.account_number:<14} {_iso(d.updated_at)}  {d.field}: {first[:60]}")
    return EXIT_OK


def cmd_import_db(args: argparse.Namespace, s: Settings, ctx: Context) -> int:
    from .services.copydb import copy_database

    def progress(table: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            _progress(f"\r  {safe_text(table)}: {done:,}/{total:,}")

    report = copy_database(
        args.source,
        s.db_url,
        progress=progress,
        file_mode=s.db_file_mode,
        create_folder=_may_create(args, s)[1],
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    accounts = report.tables.get("account", 0)
    print(
        f"Copied {report.rows:,} rows ({accounts:,} accounts) from "
        f"{settings_mod.describe_url(args.source)} to {settings_mod.describe_url(s.db_url)} "
        f"in {report.seconds:.0f} s"
    )
    return EXIT_OK


NO_DATABASE = frozenset(
    {"plan", "import-db"}
)  # pure calculations: no database is opened or created

# A new database file is made only where one is meant to be: by the commands that fill one
# (`demo`, `import` without --dry-run, `import-db`), with --demo, and at the default and demo
# locations (created on first use, with their folders). Any other command on a missing file
# says "no database at PATH": a typo in --db must not look like an empty queue. Folders are
# made only for the default locations, never for a --db path.
CREATES_DATABASE = frozenset({"demo", "import", "import-db"})


def _may_create(args: argparse.Namespace, s: Settings) -> tuple[bool, bool]:
    """(may create the database file, may create its folders) for this command line."""
    if s.db_url in (settings_mod.default_db_url(), settings_mod.demo_db_url()):
        return True, True
    fills = args.command in CREATES_DATABASE and not getattr(args, "dry_run", False)
    return fills or bool(getattr(args, "demo", False)), False


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, Context], int]] = {
    "plan": cmd_plan,
    "leases": cmd_leases,
    "reassign": cmd_reassign,
    "grant": cmd_grant,
    "team": cmd_team,
    "set-role": cmd_set_role,
    "drafts": cmd_drafts,
    "import-db": cmd_import_db,
    "offers": cmd_offers,
    "next": cmd_next,
    "release": cmd_release,
    "queue": cmd_queue,
    "log-call": cmd_log_call,
    "consent": cmd_consent,
    "avoid": cmd_avoid,
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
    "account": cmd_account,
    "pay": cmd_pay,
}


# ---------------------------------------------------------------- entry point


class _SafeFormatter(logging.Formatter):
    """Log lines quote data too (an account number, an error that echoes a file): shown by
    the safe-display rule, so `tail -f` of the log is as safe as the screen."""

    def format(self, record: logging.LogRecord) -> str:
        return safe_text(super().format(record), multiline=True)


class _LogFile(logging.StreamHandler[TextIO]):
    """A handler on a file opened by :func:`settings.open_private_log`; closing it closes
    the file (a StreamHandler leaves its stream open)."""

    def close(self) -> None:
        self.acquire()
        try:
            self.flush()
            self.stream.close()
        finally:
            self.release()
        super().close()


def _setup_logging() -> Path | None:
    for h in list(log.handlers):  # run() may be called many times in one process
        log.removeHandler(h)
        h.close()
    try:  # private: folder 0700, file 0600, from the moment they exist
        folder = settings_mod.private_dir(settings_mod.log_dir(), narrow=True)
        path = folder / "collections-tui.log"
        handler = _LogFile(settings_mod.open_private_log(path))
    except OSError:
        return None
    handler.setFormatter(_SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def _fail(code: int, message: str) -> NoReturn:
    print(f"collections-tui: {safe_text(message)}", file=sys.stderr)
    raise SystemExit(code)


def _ensure_demo(s: Settings, ctx: Context) -> None:
    """``--demo``: the demo database gets realistic data the first time it is used."""
    from .services.demo import generate_demo
    from .services.overview import account_count

    if account_count() == 0:
        if not gc.isenabled():  # seconds of work, paused for the start: collect as usual
            _resume_gc()
        print(
            f"Creating demo data ({DEMO_ACCOUNTS:,} accounts) in "
            f"{settings_mod.describe_url(s.db_url)} …",
            file=sys.stderr,
        )
        generate_demo(ctx, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)


class SafeStream(io.TextIOBase):
    """A text stream that shows everything written to it through the safe-display rule
    (:func:`collections_tui.domain.display.safe_text`, newlines kept): every line a command
    prints — tables, CSV, messages, argparse's own errors — is text, never terminal control,
    whatever the data it quotes."""

    def __init__(self, unsafe: TextIO) -> None:
        super().__init__()
        self.unsafe = unsafe  # the stream itself, for the program's own control (progress)

    def write(self, text: str) -> int:
        self.unsafe.write(safe_text(text, multiline=True))
        return len(text)

    def flush(self) -> None:
        self.unsafe.flush()

    def isatty(self) -> bool:
        return self.unsafe.isatty()

    def fileno(self) -> int:
        return self.unsafe.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.unsafe, "encoding", "utf-8")


def _progress(text: str) -> None:
    """A progress line (``\r`` rewinds it), written past :class:`SafeStream`: ours alone."""
    stream = getattr(sys.stderr, "unsafe", sys.stderr)
    stream.write(text)
    stream.flush()


@contextlib.contextmanager
def _safe_output() -> Iterator[None]:
    out, err = sys.stdout, sys.stderr
    # A stream closed by the caller (`>&-`) is None: print() then writes nowhere, as it would.
    sys.stdout = SafeStream(out) if out is not None else out
    sys.stderr = SafeStream(err) if err is not None else err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


@contextlib.contextmanager
def _terminal_output() -> Iterator[None]:
    """The streams as they were, for the workstation: Textual writes escape codes of its own."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = getattr(out, "unsafe", out)
    sys.stderr = getattr(err, "unsafe", err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def run(argv: Sequence[str] | None = None, *, gc_paused: bool = False) -> int:
    """Run one command. ``gc_paused``: the garbage collector was paused for the start
    (:mod:`collections_tui.launch`); the workstation resumes it once it is drawn, any other
    command at once."""
    with _safe_output():
        return _run(argv, gc_paused=gc_paused)


def _undecodable(argv: Sequence[str]) -> int | None:
    """The position of the first argument that is not UTF-8 (the OS hands such bytes over
    as surrogates, which no text may hold), or None."""
    for i, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return i
    return None


def _run(argv: Sequence[str] | None, *, gc_paused: bool) -> int:
    bad = _undecodable(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        print(f"collections-tui: argument {bad} is not UTF-8 text", file=sys.stderr)
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    workstation = _opens_workstation(args)
    if gc_paused and not workstation:
        _resume_gc()
    args.gc_paused = gc_paused and workstation
    log_path = _setup_logging()
    try:
        s = settings_mod.load_settings(
            db=getattr(args, "db", None),
            now=getattr(args, "now", None),
            as_user=getattr(args, "as_user", None),
            config=getattr(args, "config", None),
            demo=bool(getattr(args, "demo", False)),
        )
        ctx = _context(s)
    except SettingsError as exc:
        _fail(EXIT_USAGE, str(exc))

    if workstation and urlparse(s.db_url).scheme in ("sqlite", "") and "peewee" not in sys.modules:
        _load_peewee_without_postgres()
    from .store.db import NoDatabase, StoreError, as_store_error, close_database, open_database

    try:
        if args.command in NO_DATABASE:
            return COMMANDS[args.command](args, s, ctx)
        create, create_folder = _may_create(args, s)
        open_database(
            s.db_url, file_mode=s.db_file_mode, create=create, create_folder=create_folder
        )
        from .services.team import ensure_coordinator

        ensure_coordinator(ctx)
        if args.demo and args.command != "demo":
            _ensure_demo(s, ctx)
        if args.command is None:
            return cmd_default(args, s, ctx)
        return COMMANDS[args.command](args, s, ctx)
    except NoDatabase as exc:
        hint = (
            "folders are made only for the default database"
            if exc.folder_missing
            else "check --db, or create one with import, import-db or demo"
        )
        _fail(EXIT_INVALID, f"{exc}; {hint}")
    except StoreError as exc:
        _fail(EXIT_INVALID, str(exc))
    except (UsageError, SettingsError) as exc:
        print(f"collections-tui: {safe_text(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        for line in exc.lines:  # they quote files and values: each shown as one safe line
            print(safe_text(line), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output is gone: main() ends quietly
        raise
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        known = as_store_error(exc)  # a database fault met outside the store's cursors
        if known is not None:
            _fail(EXIT_INVALID, str(known))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
            what = exc.filename if exc.filename else "the output"  # a file, or our own output
            _fail(EXIT_INVALID, f"cannot write {what}: {exc.strerror}")
        log.exception("unexpected error running %s", args.command)
        where = f"; details in {log_path}" if log_path else ""
        _fail(EXIT_INVALID, f"unexpected error: {exc}".splitlines()[0] + where)
    finally:
        close_database()


def main(argv: Sequence[str] | None = None, *, gc_paused: bool = False) -> NoReturn:
    try:
        code = run(argv, gc_paused=gc_paused)
        if sys.stdout is not None:
            sys.stdout.flush()  # output that fitted in the buffer meets a closed pipe here
    except BrokenPipeError:  # `collections-tui queue | head`: the reader has what it wanted
        _discard_stdout()
        code = EXIT_OK
    except OSError as exc:  # the output itself failed: `queue > /dev/full`
        _discard_stdout()
        if sys.stderr is not None:
            print(f"collections-tui: cannot write the output: {exc.strerror}", file=sys.stderr)
        code = EXIT_INVALID
    raise SystemExit(code)


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's own last flush of what
    is still buffered does not fail (and complain) on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind stdout (tests, embedding)
        pass
