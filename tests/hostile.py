"""A hostile corpus: an account whose every stored text is markup or terminal control.

Values are written straight into the tables, the way data from another system or an older
release sits in a database (the importer refuses controls at the door today; what is
already stored must still be shown safely). PostgreSQL refuses NUL in text, so NUL is left
to the unit tests of the display rule.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from collections_tui.services.context import Context
from collections_tui.services.facts import refresh_accounts
from collections_tui.store.db import to_db, write_transaction
from collections_tui.store.models import (
    Account,
    AvoidWindow,
    Callback,
    Claim,
    Consent,
    Contact,
    Debtor,
    LedgerEntry,
    Note,
    Phone,
    Promise,
    database,
)
from tests.factories import make_account

OSC52 = "\x1b]52;c;SGVsbG8=\x07"  # rewrite the clipboard
OSC0 = "\x1b]0;owned\x07"  # set the window title
C1_CSI = "\x9b2J"  # clear the screen, 8-bit form
RLO = "\u202e"  # right-to-left override
ZWSP = "\u200b"

NAME = f"[/]Ann [bold red]Lee{OSC52}{RLO}eel"
CREDITOR = f'[link="file:///etc/passwd"]Acme[/link]{OSC0}'
MEMO = f"[@click=app.quit]memo{C1_CSI}"
NOTE = f"[ reverse]said {OSC52}\nsecond{ZWSP} line [/]"

# Raw bytes that must never reach the terminal from data (Textual's own output is CSI
# sequences only: colours, cursor moves).
FORBIDDEN = ("\x1b]", "\x9b", "\x07", "\x08", RLO, ZWSP, "SGVsbG8=\x07")
_CSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")
_MOVE = re.compile(r"\x1b\[\d+;\d+H")


def visible(terminal_output: str) -> str:
    """What a person sees: the output with Textual's own CSI sequences taken out, a line
    for each cursor move."""
    return _CSI.sub("", _MOVE.sub("\n", terminal_output))


def make_hostile_account(ctx: Context, number: str = "H-1") -> int:
    account_id = make_account(ctx, number, name=NAME, creditor=CREDITOR, balance_cents=54_321)
    now = ctx.now()
    with write_transaction(database.obj):
        acct = Account.get_by_id(account_id)
        Debtor.update(
            address1=f"[ reverse]1 Main St{C1_CSI}",
            city=f"Town{OSC0}",
            postal_code="10001",
            email=f"[/]x@example.com{RLO}",
        ).where(Debtor.id == acct.debtor_id).execute()
        Phone.update(raw_text=f"212-555-0143{OSC0}").where(Phone.debtor == acct.debtor_id).execute()
        LedgerEntry.create(
            account=acct,
            posted_on=date(2026, 10, 1),
            kind="adjustment",
            amount_cents=-1,
            reference=f"[/]REF{OSC52}",
            memo=MEMO,
            source="import",
            created_at=to_db(now),
            created_by=f"[b]mallory{OSC0}",
        )
        contact = Contact.create(
            account=acct,
            phone_e164="+12125550143",
            at=to_db(now - timedelta(days=9)),
            outcome="conversation",
            coordinator=f"[/]mallory{OSC0}",
            source="import",
            created_at=to_db(now),
        )
        Note.create(
            account=acct,
            contact=contact,
            at=to_db(now - timedelta(days=9)),
            coordinator=f"[bold]eve{OSC52}",
            body=NOTE,
        )
        Note.create(
            account=acct, at=to_db(now - timedelta(days=8)), coordinator="tester", body=MEMO
        )
        Promise.create(
            account=acct,
            amount_cents=1000,
            due_on=date(2026, 10, 20),
            coordinator=f"[/]p{OSC0}",
            created_at=to_db(now - timedelta(days=30)),
        )
        Callback.create(
            account=acct,
            due_at=to_db(now + timedelta(days=2)),
            coordinator=f"[/]cb{OSC52}",
            created_at=to_db(now),
        )
        Claim.create(
            account=acct,
            claim_number=f"[/]CLM{OSC0}",
            payer=f"[bold red]Payer{OSC52}{RLO}",
            service_date=date(2026, 6, 1),
            billed_cents=12_000,
            status="denied",
            denial_code="[/]CO-45\x1b[2J",
            payer_phone="[/]\x1b]0;p\x07",
            created_at=to_db(now),
            updated_at=to_db(now),
        )
        Consent.create(
            debtor=acct.debtor_id,
            account=acct,
            given_at=to_db(now - timedelta(days=20)),
            source="letter",
            note=f"[/]consent{OSC52}",
            coordinator=f"[@click=app.quit]c{OSC0}",
            created_at=to_db(now),
        )
        AvoidWindow.create(
            debtor=acct.debtor_id,
            weekdays="5,6",
            spec=f"sat-sun [/]{OSC0}",
            note=f"[bold red]weekends{OSC52}",
            coordinator=f"[/]av{RLO}",
            created_at=to_db(now),
        )
        refresh_accounts(ctx, [account_id])
    return account_id
