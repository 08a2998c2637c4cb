"""Consent to be called, and times the debtor said are inconvenient (DESIGN §4, §6).

One dialog, two modes, opened from the account screen:

* ``"consent"`` (``c``): the consents on record, and a form to record a new one (how it was
  given, a note, an optional end typed in the debtor's local time and shown back in both the
  debtor's and the office's time). ``ctrl+r`` revokes every consent in force, after a
  confirmation.
* ``"avoid"`` (``i``): the inconvenient times on record, and a form to add one as a SPEC
  (``mon-fri 15:00-17:00``, ``sat-sun``, ``3-5pm``) with a live reading of it, and a note.
  ``ctrl+r`` clears them all, after a confirmation.

``ctrl+s`` saves, ``esc`` cancels. Errors from the services stay in the dialog; on success it
dismisses with ``True`` and the account screen reloads.

Marking one *phone* inconvenient is not offered: the ``phone.inconvenient`` column exists
and the rules honour it, but no service writes it yet.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, ClassVar, cast
from zoneinfo import ZoneInfo

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from ...domain.avoid import AvoidSpecError, describe, parse_avoid
from ...domain.display import safe_text
from ...domain.when import WhenError, parse_local_time
from ...services import consent as consent_service
from ...services.accounts import AccountView
from ...services.consent import ConsentView
from ...services.errors import InputError
from ..format import short_zone, when_text
from ..text import Content, cell, fmt, lines, plain
from ..widgets.line import Line

if TYPE_CHECKING:
    from ..app import WorkstationApp

MODES = ("consent", "avoid")

# How the debtor gave consent (DESIGN §4: a letter, an email or an inbound call).
SOURCES: tuple[tuple[str, str], ...] = (
    ("Inbound call", "inbound_call"),
    ("Email", "email"),
    ("Letter", "letter"),
)


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no to something that cannot be undone from here."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > #confirm-box {
        width: 90%;
        max-width: 70;
        height: auto;
        border: thick $error;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog #confirm-keys { margin-top: 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="consent.confirm_yes"),
        Binding("n", "answer(False)", "No", id="consent.confirm_no"),
        Binding("escape", "answer(False)", "No", id="consent.confirm_cancel"),
    ]

    def __init__(self, question: Content) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            yield Static("[b]y[/b] yes · [b]n[/b] / [b]esc[/b] no", id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConsentDialog(ModalScreen[bool | None]):
    """Record or revoke consent (mode ``"consent"``), or add or clear inconvenient times
    (mode ``"avoid"``), for the account in ``view``."""

    DEFAULT_CSS = """
    ConsentDialog { align: center middle; }
    ConsentDialog > #consent-box {
        width: 96%;
        max-width: 100;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    ConsentDialog #consent-title { height: auto; }
    ConsentDialog #consent-current {
        height: auto;
        max-height: 6;
        margin-top: 1;
        border-left: outer $panel-lighten-2;
        padding-left: 1;
    }
    ConsentDialog #consent-current-body { height: auto; }
    ConsentDialog Input { width: 1fr; }
    ConsentDialog #consent-row { height: auto; }
    ConsentDialog #consent-source { width: 24; }
    ConsentDialog #consent-preview { height: auto; min-height: 1; }
    ConsentDialog #consent-errors { height: auto; color: $error; text-style: bold; }
    ConsentDialog #consent-errors.-empty { display: none; }
    ConsentDialog #consent-keys { height: auto; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="consent.save", priority=True),
        Binding("ctrl+r", "revoke", "Revoke consent", id="consent.revoke", priority=True),
        Binding("ctrl+r", "clear", "Clear all", id="consent.clear", priority=True),
        Binding("escape", "cancel", "Cancel", id="consent.cancel"),
        # The dialog's own binding, not the field's Submitted message (which comes after the
        # key is done): the keys typed on after enter go into the next field (app.on_event).
        Binding("enter", "next_or_save", "Next field / save", id="consent.next", priority=True),
    ]

    def __init__(self, view: AccountView, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        super().__init__()
        self.view = view
        self.mode = mode
        self._busy = False

    # --- context ----------------------------------------------------------------------------

    @property
    def ws(self) -> WorkstationApp:
        return cast("WorkstationApp", self.app)

    @property
    def zone(self) -> str:
        """The debtor's zone: times typed here are read in it."""
        lt = self.view.local_times
        return lt[0].zone if lt else self.ws.ctx.home_zone

    @property
    def office(self) -> str:
        return self.ws.ctx.home_zone

    def now(self) -> datetime:
        return self.ws.ctx.now()

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        v = self.view
        what = "Consent to be called" if self.mode == "consent" else "Inconvenient times"
        with Vertical(id="consent-box"):
            yield Static(
                fmt("[b]$what[/b] · $number $name", what=what, number=v.number, name=v.debtor_name),
                id="consent-title",
            )
            with VerticalScroll(id="consent-current"):
                yield Line("", id="consent-current-body")
            if self.mode == "consent":
                yield from self._consent_form()
            else:
                yield from self._avoid_form()
            yield Line("", id="consent-preview")
            yield Line("", id="consent-errors", classes="-empty")
            yield Static(self._keys(), id="consent-keys")

    def _consent_form(self) -> ComposeResult:
        note = Input(placeholder="How it was given: inbound call, email of 27 Nov…", id="c-note")
        note.border_title = "Note"
        yield note
        with Horizontal(id="consent-row"):
            yield Select(SOURCES, value="inbound_call", allow_blank=False, id="consent-source")
            until = Input(
                placeholder="Ends (optional): fri 5pm, tomorrow 18:00, 12/4 9am",
                id="c-until",
            )
            until.border_title = f"Until, debtor's time ({short_zone(self.zone)})"
            yield until

    def _avoid_form(self) -> ComposeResult:
        spec = Input(placeholder="mon-fri 15:00-17:00 · sat-sun · 3-5pm", id="a-spec")
        spec.border_title = f"When, debtor's time ({short_zone(self.zone)})"
        yield spec
        note = Input(placeholder="What the debtor said: not at work, school run…", id="a-note")
        note.border_title = "Note"
        yield note
        phones = [
            (
                cell(
                    f"{p.kind} {p.display}"
                    + (" — inconvenient now: select to take that back" if p.inconvenient else "")
                ),
                p.e164,
            )
            for p in self.view.phones
            if p.e164 is not None
        ]
        yield Select(
            phones,
            prompt="…or a phone the debtor said not to call (optional)",
            id="a-phone",
        )

    def _keys(self) -> str:
        remove = "revoke consent" if self.mode == "consent" else "clear all"
        save = "record" if self.mode == "consent" else "add"
        return (
            f"[b]ctrl+s[/b] {save} · [b]ctrl+r[/b] {remove} · [b]tab[/b]/[b]enter[/b] next · "
            "[b]esc[/b] cancel"
        )

    def on_mount(self) -> None:
        self.query_one("#consent-current-body", Static).update(self._current())
        self.query_one("#c-note" if self.mode == "consent" else "#a-spec", Input).focus()
        self._preview()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revoke":
            return self.mode == "consent"
        if action == "clear":
            return self.mode == "avoid"
        return True

    # --- what is on record ------------------------------------------------------------------

    def _current(self) -> Content:
        if self.mode == "consent":
            consents = self.view.consents
            if not consents:
                return plain("No consent on record.")
            return lines(self._consent_line(c) for c in consents[:30])
        windows = self.view.inconvenient
        marked = [p for p in self.view.phones if p.inconvenient]
        if not windows and not marked:
            return plain("No inconvenient times or phones on record.")
        out = [
            fmt("• phone [b]$phone[/b] ($kind): not to be called", phone=p.display, kind=p.kind)
            for p in marked
        ]
        for w in windows:
            out.append(
                fmt(
                    "• [b]$spec[/b]$note ($who, $when)",
                    spec=w.spec,
                    note=f" — “{w.note}”" if w.note else "",
                    who=w.coordinator,
                    when=f"{w.created_at.astimezone(ZoneInfo(self.office)):%d %b}",
                )
            )
        return lines(out)

    def _lapses_at(self, c: ConsentView) -> datetime:
        """When a consent's window of days closes (the earliest across the debtor's zones)."""
        if c.callback_at is not None:
            start, days = c.callback_at, 1
        else:
            start, days = c.given_at, self.ws.ctx.policy.consent_days
        ends = []
        for z in self.view.zones or (self.zone,):
            tz = ZoneInfo(z)
            day = start.astimezone(tz).date() + timedelta(days=days)
            ends.append(datetime.combine(day, time(0), tzinfo=tz))
        return min(ends)

    def _consent_line(self, c: ConsentView) -> Content:
        now = self.now()
        kind = (
            f"callback for {c.callback_at.astimezone(ZoneInfo(self.zone)):%a %d %b}"
            if c.callback_at is not None
            else c.source.replace("_", " ")
        )
        given = when_text(c.given_at, self.zone)
        if c.revoked_at is not None:
            state = f"revoked {when_text(c.revoked_at, self.zone)}"
        elif c.until is not None and c.until <= now:
            state = f"ended {when_text(c.until, self.zone)}"
        elif not self._is_open(c):
            state = "lapsed"
        else:
            end = self._lapses_at(c)
            if c.until is not None:
                end = min(end, c.until)
            state = f"open to {when_text(end, self.zone)} unless a conversation ends it"
        note = f" “{c.note}”" if c.note else ""
        line = plain(f"• {given} {kind}{safe_text(note)} ({safe_text(c.coordinator)}) · ")
        if state.startswith("open "):
            return line + plain("open", style="bold") + state[4:]
        return line + state

    def _is_open(self, c: ConsentView) -> bool:
        """Not revoked, not past its end, inside its window of days. (A conversation since
        may have ended it too; the banner's verdict says whether calls are under consent.)"""
        now = self.now()
        return (
            c.revoked_at is None and (c.until is None or c.until > now) and self._lapses_at(c) > now
        )

    # --- live reading of what is typed ------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, _: Input.Changed) -> None:
        self._preview()
        self._show_errors([])

    def action_next_or_save(self) -> None:
        """enter in a text field moves to the next field; on the last one it saves. Elsewhere
        (the list of phones) enter does what it does there."""
        field = self.focused
        if not isinstance(field, Input):
            raise SkipAction()
        last = "c-until" if self.mode == "consent" else "a-note"
        if field.id == last:
            self.action_save()
        else:
            self.focus_next()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def _until(self) -> datetime | None:
        text = self._value("#c-until")
        if not text:
            return None
        until = parse_local_time(text, self.now(), self.zone)
        if until <= self.now():
            raise WhenError(f"'{text}' is already past: consent must end later than now")
        return until

    def _both(self, at: datetime) -> str:
        debtor = when_text(at, self.zone)
        if at.astimezone(ZoneInfo(self.zone)).utcoffset() == (
            at.astimezone(ZoneInfo(self.office)).utcoffset()
        ):
            return f"{debtor} (debtor and office)"
        return f"{debtor} debtor = {when_text(at, self.office)} office"

    def _preview(self) -> None:
        text = self._consent_preview() if self.mode == "consent" else self._avoid_preview()
        self.query_one("#consent-preview", Static).update(text)

    def _consent_preview(self) -> Content:
        now = self.now()
        days = self.ws.ctx.policy.consent_days
        lapse = self._lapses_at(
            ConsentView(now, None, None, None, "inbound_call", "", self.ws.ctx.actor)
        )
        try:
            until = self._until()
        except WhenError as exc:
            return plain(f"✖ {exc}")
        if until is None:
            return plain(
                f"Given now ({when_text(now, self.zone)}); calls allowed up to "
                f"{self._both(lapse)} ({days} days), unless revoked or a conversation ends it."
            )
        capped = f" — the {days}-day window ends sooner" if until > lapse else ""
        return plain(f"✔ Until {self._both(until)}{capped}")

    def _avoid_preview(self) -> Content:
        spec = self._value("#a-spec")
        if not spec:
            return plain(
                "Type days and an optional time range: mon-fri 15:00-17:00, sat-sun, 3-5pm."
            )
        try:
            w = parse_avoid(spec)
        except AvoidSpecError as exc:
            return plain(f"✖ {exc}")
        office = ""
        if w.start is not None and w.end is not None and self.zone != self.office:
            today = self.now().astimezone(ZoneInfo(self.zone)).date()
            a, b = (
                datetime.combine(today, t, tzinfo=ZoneInfo(self.zone)).astimezone(
                    ZoneInfo(self.office)
                )
                for t in (w.start, w.end)
            )
            if a.time() != w.start:
                office = f" (office {a:%H:%M}-{b:%H:%M} {a:%Z})"
        return plain(f"✔ Do not call {describe(w)}, debtor's local time{office}")

    def _show_errors(self, problems: list[str]) -> None:
        errors = self.query_one("#consent-errors", Static)
        errors.update(lines(f"✖ {p}" for p in problems))
        errors.set_class(not problems, "-empty")

    # --- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._busy:
            return
        if self.mode == "consent":
            self._save_consent()
        else:
            self._save_avoid()

    def _save_consent(self) -> None:
        try:
            until = self._until()
        except WhenError as exc:
            self._show_errors([str(exc)])
            self.query_one("#c-until", Input).focus()
            return
        source = self.query_one("#consent-source", Select).value
        note = self._value("#c-note")
        b = self.ws.backend
        self._write(
            b.call(
                consent_service.record_consent,
                b.ctx,
                self.view.number,
                until=until,
                note=note,
                source=source if isinstance(source, str) else "inbound_call",
            ),
            f"Consent to be called recorded on {self.view.number}",
        )

    def _save_avoid(self) -> None:
        spec = self._value("#a-spec")
        chosen = self.query_one("#a-phone", Select).value
        if isinstance(chosen, str) and not spec:
            phone = next(p for p in self.view.phones if p.e164 == chosen)
            b = self.ws.backend
            self._write(
                b.call(
                    consent_service.mark_phone_inconvenient,
                    b.ctx,
                    self.view.number,
                    chosen,
                    inconvenient=not phone.inconvenient,
                    note=self._value("#a-note"),
                ),
                f"{phone.display} on {self.view.number}: "
                + ("may be called again" if phone.inconvenient else "not to be called"),
            )
            return
        if not spec:
            self._show_errors(["Type when the debtor is not to be called, e.g. mon-fri 3-5pm."])
            self.query_one("#a-spec", Input).focus()
            return
        try:
            text = describe(parse_avoid(spec))
        except AvoidSpecError as exc:
            self._show_errors([str(exc)])
            self.query_one("#a-spec", Input).focus()
            return
        b = self.ws.backend
        number, note = self.view.number, self._value("#a-note")
        also_phone = next((p for p in self.view.phones if p.e164 == chosen), None)

        also = f"; {also_phone.display} toggled" if also_phone is not None else ""
        self._write(
            b.call(
                consent_service.add_avoid,  # a phone chosen too: marked in the same transaction
                b.ctx,
                number,
                spec,
                note=note,
                phone=also_phone.e164 if also_phone is not None else None,
                phone_inconvenient=also_phone is None or not also_phone.inconvenient,
            ),
            f"Inconvenient time {text} added on {number}{also}",
        )

    def _write(self, call: Awaitable[object], done: str) -> None:
        """Run a service call on the database thread; stay open on an InputError."""

        async def run() -> None:
            try:
                await call
            except InputError as exc:
                self._show_errors(exc.lines)
                return
            finally:
                self._busy = False
            self.notify(done, timeout=4)
            self.dismiss(True)

        self._busy = True
        self.run_worker(run(), group="consent-write")

    # --- revoking and clearing --------------------------------------------------------------

    def action_revoke(self) -> None:
        if self._busy:
            return
        live = [c for c in self.view.consents if self._is_open(c)]
        if not live:
            self._show_errors(["No consent is in force: there is nothing to revoke."])
            return
        n = len(live)
        question = fmt("[b]Revoke consent on $number?[/b]\n", number=self.view.number) + plain(
            f"This ends {n} open consent{'s' if n != 1 else ''} now"
            f"{' (callbacks included)' if any(c.callback_at for c in live) else ''}; "
            "calls then follow the usual limits."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                b = self.ws.backend
                self._write(
                    b.call(consent_service.revoke_consent, b.ctx, self.view.number),
                    f"Consent revoked on {self.view.number}",
                )

        self.app.push_screen(ConfirmDialog(question), answered)

    def action_clear(self) -> None:
        if self._busy:
            return
        n = len(self.view.inconvenient)
        if not n:
            self._show_errors(["No inconvenient times on record: there is nothing to clear."])
            return
        question = fmt(
            "[b]Clear all inconvenient times on $number?[/b]\n", number=self.view.number
        ) + plain(f"This removes {n} time{'s' if n != 1 else ''} the debtor said are inconvenient.")

        def answered(yes: bool | None) -> None:
            if yes:
                b = self.ws.backend
                self._write(
                    b.call(consent_service.clear_avoid, b.ctx, self.view.number),
                    f"Inconvenient times cleared on {self.view.number}",
                )

        self.app.push_screen(ConfirmDialog(question), answered)

    def action_cancel(self) -> None:
        self.dismiss(None)
