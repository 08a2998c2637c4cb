"""Where things live and how they are configured.

Precedence, strongest first: command-line options, environment variables, the user's config
file, the system config (``SYSTEM_CONFIG``), built-in defaults. Config files are TOML; what
they may hold is :mod:`collections_tui.config_schema`. See README "Configuration".
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlparse

import platformdirs

from . import config_schema
from .domain import dates

APP_NAME = "collections-tui"

# The host's config, read before the user's. Root-owned; with ``identity = "os-user"`` it
# alone says who is who (README "Security on a shared host"). A constant, not an
# environment variable: whoever runs the program must not be able to choose it.
SYSTEM_CONFIG = Path("/etc/collections-tui/config.toml")


class SettingsError(ValueError):
    """A configuration problem; the message names the file or variable."""


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME)


def private_dir(path: Path, *, narrow: bool = False) -> Path:
    """``path`` as a folder, every part of it this creates 0700 (the XDG rule: the umask can
    only narrow it), so what goes in it is never readable by others on the way. ``narrow``:
    an existing ``path`` of ours that others may enter is made 0700 too (the log folder; not
    the data folder, which a team may share on purpose)."""
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            folder.mkdir(mode=0o700)
    if narrow and not missing:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            path.chmod(0o700)
    return path


def open_private_log(path: Path) -> TextIO:
    """The log file, appended to, created 0600 (a file left readable by an older version is
    narrowed): lines in it may name debtors."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        st = os.fstat(fd)
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            os.fchmod(fd, 0o600)
        return open(fd, "a", encoding="utf-8")  # the log handler closes it
    except BaseException:
        os.close(fd)
        raise


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'collections.db'}"


def demo_db_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.db'}"


def describe_url(url: str) -> str:
    """A database URL fit to print: the password masked."""
    p = urlparse(url)
    if p.password:
        return url.replace(f":{p.password}@", ":***@")
    return url


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def parse_instant(text: str) -> datetime:
    """ISO 8601 instant; a value without an offset is taken as UTC. ASCII digits, within the
    accepted dates (:mod:`collections_tui.domain.dates`, the one rule)."""
    try:
        return dates.parse_instant(text)
    except dates.DateError as exc:
        raise SettingsError(str(exc)) from None


@dataclass(frozen=True)
class Settings:
    db_url: str
    coordinator: str
    now: datetime | None = None
    config_path: Path | None = None  # the user's config file (it may not exist)
    default_region: str = "US"
    default_currency: str = "USD"
    identity: str = "as-allowed"  # or "os-user": --as is refused (shared deployments)
    dial_command: str | None = None
    db_file_mode: int = 0o600
    supervisors: frozenset[str] = frozenset()
    overrides: str = "coordinator"  # who may override a block: coordinator | supervisor
    raw: dict[str, Any] = field(default_factory=dict)  # the merged, checked config tables
    system_config_path: Path | None = None  # the system config, when there is one
    # The files each top-level table came from, for messages about its values.
    sources: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)

    def where(self, table: str) -> str:
        """The file(s) that set ``[table]``, to name in a message about its values."""
        files = self.sources.get(table) or ((self.config_path,) if self.config_path else ())
        return " and ".join(str(f) for f in files) or "config"


# ---------------------------------------------------------------- reading a config file


@dataclass(frozen=True)
class _Loaded:
    path: Path
    doc: dict[str, Any]
    identity: tuple[int, int]  # (device, inode): the same file read twice is read once


def _refuse_unsafe(path: Path, st: os.stat_result, *, system: bool) -> None:
    """A config holds the dial command (run on ``d``) and, on a shared host, who is who:
    one that others could have written is refused, with the reason."""
    if not stat.S_ISREG(st.st_mode):
        raise SettingsError(f"{path}: refused: a config must be a regular file")
    if st.st_mode & stat.S_IWOTH:
        raise SettingsError(f"{path}: refused: the file is writable by everyone (chmod o-w {path})")
    euid = os.geteuid()
    if st.st_mode & stat.S_IWGRP and (system or not _own_group(st.st_gid, euid)):
        # A team's group (README: coordinators share one) must not rewrite who is who.
        raise SettingsError(
            f"{path}: refused: the file is writable by the group {_group(st.st_gid)} "
            f"(chmod g-w {path})"
        )
    if system and st.st_uid != 0:
        raise SettingsError(
            f"{path}: refused: the system config must be owned by root, not {_account(st.st_uid)}"
        )
    if not system and st.st_uid not in (euid, 0):
        raise SettingsError(
            f"{path}: refused: the file is owned by {_account(st.st_uid)}, not by you or root"
        )


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return f"gid{gid}"


def _own_group(gid: int, uid: int) -> bool:
    """The user's own private group (the "user private groups" scheme, umask 002): named
    after the user, nobody else in it. A file it may write is the user's alone."""
    try:
        group, user = grp.getgrgid(gid), pwd.getpwuid(uid)
    except KeyError:
        return False
    return group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def _read_config(path: Path, *, system: bool = False, required: bool = False) -> _Loaded | None:
    """The file's tables, checked against the schema; None when there is no such file."""
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        link = None
    except OSError:
        link = None  # os.open below says why
    if link is not None and stat.S_ISLNK(link.st_mode) and link.st_uid not in (os.geteuid(), 0):
        # A link another user planted (a sticky /tmp): not followed, whatever the kernel does.
        raise SettingsError(
            f"{path}: refused: a symbolic link owned by {_account(link.st_uid)}, not by you or root"
        )
    try:
        # O_NONBLOCK: a FIFO put where the config goes is refused, not waited on
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        if required:
            raise SettingsError(f"{path}: config file not found") from None
        return None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read config: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())  # the file read is the file checked
        _refuse_unsafe(path, st, system=system)
        try:
            data = fh.read()
        except OSError as exc:
            raise SettingsError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"{path}: line {line}: byte 0x{data[exc.start]:02X} is not UTF-8; "
            "a config file is UTF-8 text"
        ) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {str(exc).splitlines()[0]}") from None
    try:
        config_schema.check(doc)
    except config_schema.ConfigError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    return _Loaded(path, doc, (st.st_dev, st.st_ino))


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over``'s values over ``base``'s, table by table (a creditor's table key by key)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (containers, a removed account)
        return f"uid{uid}"


def os_user() -> str:
    """Who is running this: the effective uid's account. Never the environment (USER,
    LOGNAME, as getpass reads them): anyone can set those."""
    return _account(os.geteuid())


def _table(cfg: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = cfg.get(name, {})
    return value if isinstance(value, dict) else {}


def load_settings(
    *,
    db: str | None = None,
    now: str | None = None,
    as_user: str | None = None,
    config: str | None = None,
    demo: bool = False,
    environ: Mapping[str, str] | None = None,
    system_config: Path | None = None,
) -> Settings:
    """Settings from the options, the environment, the user's config file, the system config
    (``SYSTEM_CONFIG``; tests pass ``system_config``) and the defaults, strongest first.

    With ``identity = "os-user"`` in the system config, who is who (identity, ``[team]``,
    ``[dial] command``) is the system config's alone: a user file naming any of it is
    refused (``config_schema.LOCKED_BY_OS_USER``).
    """
    env = os.environ if environ is None else environ
    system = _read_config(SYSTEM_CONFIG if system_config is None else system_config, system=True)
    cfg_path: Path
    if config:
        cfg_path = Path(config)
    elif env.get("COLLECTIONS_CONFIG"):
        cfg_path = Path(env["COLLECTIONS_CONFIG"])
    else:
        cfg_path = default_config_path()
    user = _read_config(cfg_path, required=bool(config))
    if user is not None and system is not None and user.identity == system.identity:
        user = None  # COLLECTIONS_CONFIG pointing at the system config: one file, read once

    locked = _table(system.doc, "general").get("identity") == "os-user" if system else False
    if locked and user is not None:
        names = config_schema.locked_keys(user.doc)
        if names:
            assert system is not None
            raise SettingsError(
                f"{user.path}: {config_schema.where(names[0])} is set only by the system "
                f'config {system.path} (identity = "os-user"); remove it from this file'
            )
    cfg: dict[str, Any] = {}
    sources: dict[str, tuple[Path, ...]] = {}
    for loaded in (system, user):
        if loaded is None:
            continue
        cfg = _merge(cfg, loaded.doc)
        for table in loaded.doc:
            sources[table] = (*sources.get(table, ()), loaded.path)

    general = _table(cfg, "general")
    database = _table(cfg, "database")
    team = _table(cfg, "team")
    dial = _table(cfg, "dial")

    if demo:
        db_url = db or demo_db_url()
    else:
        db_url = db or env.get("COLLECTIONS_DB") or database.get("url") or default_db_url()

    now_text = now or env.get("COLLECTIONS_NOW") or None
    try:
        fixed = parse_instant(now_text) if now_text else None
    except SettingsError as exc:
        raise SettingsError(f"{'--now' if now else 'COLLECTIONS_NOW'}: {exc}") from None

    identity = str(general.get("identity", "as-allowed"))
    if fixed is not None and locked and db_url != demo_db_url():
        # The clock decides who may be called now and stamps every audit event.
        raise SettingsError(
            "--now / COLLECTIONS_NOW is not allowed here: this deployment identifies "
            "coordinators by OS user, and its clock is the host's (only the demo database, "
            "--demo without --db, may have another)"
        )
    if as_user and identity == "os-user":
        raise SettingsError(
            "--as is not allowed here: this deployment identifies coordinators by OS user"
        )
    coordinator = as_user or os_user()

    return Settings(
        supervisors=frozenset(team.get("supervisors", [])),
        overrides=str(team.get("overrides", "coordinator")),
        db_url=db_url,
        coordinator=coordinator,
        now=fixed,
        config_path=cfg_path,
        default_region=str(general.get("default_region", "US")).upper(),
        default_currency=str(general.get("default_currency", "USD")).upper(),
        identity=identity,
        dial_command=dial.get("command"),
        db_file_mode=int(str(database.get("file_mode", "0600")), 8),
        raw=cfg,
        system_config_path=system.path if system else None,
        sources=sources,
    )
