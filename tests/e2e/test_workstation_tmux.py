"""The real `collections-tui` process in tmux at 80×24, driven by keys alone.

1. A whole call: open the top account, record a voicemail with a note, quit; the database
   holds the call and the note, and no lease is left behind.
2. A dropped SSH session: SIGHUP while a note is being typed; the lease is released and the
   note is kept as a draft, offered back next time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from peewee import Database

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.models import Contact, Draft, Lease, Note
from tests.factories import make_account

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

BIN = Path(sys.executable).parent / "collections-tui"
NOW = "2026-11-27T17:00:00Z"  # Friday, noon in New York
MIDDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


class Tmux:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.name = f"ct-{uuid.uuid4().hex[:8]}"
        self.socket = f"ct-{uuid.uuid4().hex[:8]}"
        line = " ".join(f"'{c}'" for c in command)
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "80",
                "-y",
                "24",
                f"exec {line}",
            ],
            check=True,
            env=env,
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        extra = ["-l"] if literal else []
        for k in keys:
            subprocess.run(
                ["tmux", "-L", self.socket, "send-keys", "-t", self.name, *extra, k], check=True
            )
            time.sleep(0.05)

    def screen(self) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        )
        return out.stdout

    def wait_for(self, text: str | Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if (text in screen) if isinstance(text, str) else text(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def pid(self) -> int:
        out = subprocess.run(
            ["tmux", "-L", self.socket, "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.strip())

    def alive(self) -> bool:
        return (
            subprocess.run(
                ["tmux", "-L", self.socket, "has-session", "-t", self.name], capture_output=True
            ).returncode
            == 0
        )

    def quit(self) -> None:
        """``q``, and the process is gone within 10 s."""
        self.keys("q")
        deadline = time.monotonic() + 10
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not self.alive(), "q did not quit"

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def tmux_app(db_url: str, tmp_path: Path) -> Iterator[Callable[..., Tmux]]:
    sessions: list[Tmux] = []

    def start(*extra: str) -> Tmux:
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLLECTIONS_CONFIG": str(tmp_path / "none.toml"),
        }
        t = Tmux([str(BIN), "--db", db_url, "--now", NOW, "--as", "maria", *extra], env)
        sessions.append(t)
        return t

    yield start
    for t in sessions:
        t.kill()


def test_a_whole_call_by_keys(db: Database, ctx: Context, tmux_app: Callable[..., Tmux]) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "W-1", name="Wanda Lee", balance_cents=120_000)
    make_account(ctx, "W-2", name="Omar Diaz", balance_cents=5_000, phones=("212-555-0199",))
    t = tmux_app()
    t.wait_for("W-1")
    t.keys("Enter")
    t.wait_for("Callable now")
    t.keys("o")
    t.wait_for("Record outcome")
    t.keys("2")
    t.wait_for("Outcome voicemail")
    t.keys("left voicemail, asked to call back", literal=True)
    t.keys("C-s")
    t.wait_for("voicemail recorded")
    t.keys("Escape")
    t.wait_for("Queue · ")
    t.quit()
    contact = Contact.get()
    assert (contact.account.number, contact.outcome, contact.coordinator) == (
        "W-1",
        "voicemail",
        "maria",
    )
    assert Note.get().body == "left voicemail, asked to call back"
    assert Lease.select().count() == 0


def test_hangup_while_typing_keeps_the_note_and_frees_the_lease(
    db: Database, ctx: Context, tmux_app: Callable[..., Tmux]
) -> None:
    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_account(ctx, "H-1", name="Hana Kim", balance_cents=80_000)
    t = tmux_app()
    t.wait_for("H-1")
    t.keys("Enter")
    t.wait_for("Callable now")
    assert Lease.get().coordinator == "maria"
    t.keys("o")
    t.wait_for("Record outcome")
    t.keys("7")
    t.wait_for("Outcome conversation")
    t.keys("she said she gets paid on the 15th", literal=True)
    t.wait_for("gets paid on the 15th")
    os.kill(t.pid(), signal.SIGHUP)  # what sshd does when the connection drops
    deadline = time.monotonic() + 10
    while Lease.select().count() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Lease.select().count() == 0
    draft = Draft.get()
    assert (draft.coordinator, draft.body) == ("maria", "she said she gets paid on the 15th")
    assert Contact.select().count() == 0

    # Next time, the note is offered back.
    t2 = tmux_app()
    t2.wait_for("H-1")
    t2.keys("Enter")
    t2.wait_for("Draft restored")
    t2.keys("o")
    t2.wait_for("gets paid on the 15th")


def test_hostile_data_never_reaches_the_terminal_as_control(
    db: Database, db_url: str, ctx: Context, tmp_path: Path
) -> None:
    """The bytes a real workstation writes through a pty (tmux pipe-pane), while it shows
    an account whose every stored text is markup and terminal control (issue 11)."""
    from tests.hostile import make_hostile_account

    ctx = replace(ctx, clock=FixedClock(MIDDAY))
    make_hostile_account(ctx)
    url = db_url
    capture = tmp_path / "pty.bytes"
    env = {**os.environ, "TERM": "xterm-256color", "COLLECTIONS_CONFIG": str(tmp_path / "x")}
    app = f"{BIN} --db {url} --now {NOW} --as maria"
    t = Tmux(["sh", "-c", f"sleep 0.5; exec {app}"], env)
    try:
        subprocess.run(
            ["tmux", "-L", t.socket, "pipe-pane", "-o", "-t", t.name, f"cat >> {capture}"],
            check=True,
        )
        t.wait_for("H-1")
        t.wait_for("[/]Ann [bold red]Lee\\x1b]52;c;")  # the status line: shown, as text
        t.keys("Enter")
        t.wait_for("Callable now")
        for key, text in (("2", "[/]REF"), ("4", "[ reverse]said"), ("5", "[/]CLM")):
            t.keys(key)
            t.wait_for(text)
        t.keys("o")
        t.wait_for("Record outcome")
        t.keys("Escape")  # alone: an ESC followed at once by a key reads as alt+key
        t.wait_for(lambda s: "Record outcome" not in s)
        t.keys("c")
        t.wait_for("[/]consent")
        t.keys("Escape")
        t.wait_for(lambda s: "[/]consent" not in s)
        t.keys("Escape")
        t.wait_for("Queue · ")
        t.quit()
    finally:
        t.kill()
    written = capture.read_bytes()
    assert len(written) > 1000  # the capture saw the app draw
    for raw in (
        b"\x1b]52;c;SGVsbG8",  # the clipboard
        b"\x1b]0;owned",  # the window title
        b"\x1b]8;",  # a hyperlink (a [link=...] read as markup)
        "\u009b".encode(),  # C1 CSI
        "\u202e".encode(),  # bidi override
        "\u200b".encode(),  # zero-width space
        b"SGVsbG8=\x07",
    ):
        assert raw not in written, f"{raw!r} reached the terminal"
    assert b"\\x1b]52;c;SGVsbG8=\\x07" in written  # the same bytes, shown as text
