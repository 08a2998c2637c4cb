"""`export` writes only regular files, beside the target, and follows no link another user
planted (the kernel's protected_symlinks rule): on a shared host a coordinator (or root)
must not be made to overwrite someone else's file, a device or a pipe."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from peewee import Database

from collections_tui.services.context import Context
from collections_tui.services.errors import InputError
from collections_tui.services.exporter import export
from tests.factories import make_account

OTHER_UID = 12_345  # another user (os.lchown as root makes their link)


@contextlib.contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (opening a FIFO for writing blocks until a reader comes)."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"export still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def sticky(tmp_path: Path) -> Path:
    """A shared folder like /tmp: world-writable and sticky."""
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    return folder


def _others_link(link: Path, target: Path) -> None:
    link.symlink_to(target)
    os.lchown(link, OTHER_UID, OTHER_UID)


def test_a_named_pipe_is_refused_without_hanging(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    with at_most(10), pytest.raises(InputError, match="is a named pipe"):
        export(ctx, "ledger", fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_device_and_a_socket_are_refused(db: Database, ctx: Context, tmp_path: Path) -> None:
    """The device is a twin of /dev/null (the same device numbers, made with mknod as root):
    were the refusal ever broken, this test must not replace the host's own /dev/null."""
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.stat("/dev/null").st_rdev)
    with pytest.raises(InputError, match="null: is a device; export writes only regular files"):
        export(ctx, "ledger", null)
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    sock_path = tmp_path / "s.csv"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(InputError, match="is a socket"):
            export(ctx, "ledger", sock_path)
    with pytest.raises(InputError, match="is a folder"):
        export(ctx, "ledger", tmp_path)


def test_another_users_link_is_not_followed_and_its_target_is_untouched(
    db: Database, ctx: Context, tmp_path: Path, sticky: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("their data\n")
    os.chmod(victim, 0o644)
    for folder in (sticky, tmp_path / "plain"):
        folder.mkdir(exist_ok=True)
        link = folder / "ledger.csv"
        _others_link(link, victim)
        with pytest.raises(InputError, match=r"symbolic link of another user \(uid 12345\)"):
            export(ctx, "ledger", link)
        assert os.path.islink(link)
    assert victim.read_text() == "their data\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644


def test_another_users_link_to_a_folder_in_a_shared_folder_is_not_followed(
    db: Database, ctx: Context, tmp_path: Path, sticky: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _others_link(sticky / "reports", home)
    with pytest.raises(InputError, match="symbolic link of another user"):
        export(ctx, "ledger", sticky / "reports" / "ledger.csv")
    assert list(home.iterdir()) == []


def test_another_users_file_in_a_shared_folder_is_not_replaced(
    db: Database, ctx: Context, sticky: Path
) -> None:
    theirs = sticky / "ledger.csv"
    theirs.write_text("their data\n")
    os.chown(theirs, OTHER_UID, OTHER_UID)
    with pytest.raises(InputError, match=r"belongs to another user \(uid 12345\)"):
        export(ctx, "ledger", theirs)
    assert theirs.read_text() == "their data\n"


def test_a_regular_file_is_replaced_whole_by_a_new_one_beside_it(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    make_account(ctx, "X-1", balance_cents=1_234)
    target = tmp_path / "ledger.csv"
    target.write_text("old contents\n")
    old_inode = target.stat().st_ino
    report = export(ctx, "ledger", target)
    assert report.rows == 1
    assert target.read_text().startswith("account_number,posted_on,kind,amount")
    assert target.stat().st_ino != old_inode  # a new file renamed over the old one
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]


def test_ones_own_link_is_followed_and_the_file_made_beside_its_target(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real = tmp_path / "b" / "ledger.csv"
    real.write_text("old\n")
    link = tmp_path / "a" / "latest.csv"
    link.symlink_to(Path("..") / "b" / "ledger.csv")
    export(ctx, "ledger", link)
    assert os.path.islink(link)
    assert real.read_text().startswith("account_number,")
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["ledger.csv"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["latest.csv"]
