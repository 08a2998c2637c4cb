"""Where things live and how they are configured.

Precedence, strongest first: command-line options, environment variables, the config file,
built-in defaults. The config file is TOML; see README "Configuration".
"""

from __future__ import annotations

import os
import pwd
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import platformdirs

APP_NAME = "collections-tui"


class SettingsError(ValueError):
    """A configuration problem; the message names the file or variable."""


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME)


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
    """ISO 8601 instant; a value without an offset is taken as UTC."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(s)
    except ValueError:
        raise SettingsError(
            f"'{text}' is not an ISO 8601 instant (e.g. 2026-11-27T15:30:00Z)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Settings:
    db_url: str
    coordinator: str
    now: datetime | None = None
    config_path: Path | None = None
    default_region: str = "US"
    default_currency: str = "USD"
    identity: str = "as-allowed"  # or "os-user": --as is refused (shared deployments)
    dial_command: str | None = None
    db_file_mode: int = 0o600
    supervisors: frozenset[str] = frozenset()
    overrides: str = "coordinator"  # who may override a block: coordinator | supervisor
    raw: dict[str, Any] = field(default_factory=dict)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read config: {exc.strerror}") from None


def _account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (containers, a removed account)
        return f"uid{uid}"


def os_user() -> str:
    """Who is running this: the effective uid's account. Never the environment (USER,
    LOGNAME, as getpass reads them): anyone can set those."""
    return _account(os.geteuid())


def load_settings(
    *,
    db: str | None = None,
    now: str | None = None,
    as_user: str | None = None,
    config: str | None = None,
    demo: bool = False,
    environ: dict[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    cfg_path: Path | None
    if config:
        cfg_path = Path(config)
        if not cfg_path.exists():
            raise SettingsError(f"{cfg_path}: config file not found")
    elif env.get("COLLECTIONS_CONFIG"):
        cfg_path = Path(env["COLLECTIONS_CONFIG"])
    else:
        cfg_path = default_config_path()
    cfg = _read_config(cfg_path)

    general = cfg.get("general", {}) if isinstance(cfg.get("general"), dict) else {}
    database = cfg.get("database", {}) if isinstance(cfg.get("database"), dict) else {}

    if demo:
        db_url = db or demo_db_url()
    else:
        db_url = db or env.get("COLLECTIONS_DB") or database.get("url") or default_db_url()

    now_text = now or env.get("COLLECTIONS_NOW") or None
    fixed = parse_instant(now_text) if now_text else None

    identity = str(general.get("identity", "as-allowed"))
    if identity not in ("as-allowed", "os-user"):
        raise SettingsError(f"{cfg_path}: general.identity must be 'as-allowed' or 'os-user'")
    if as_user and identity == "os-user":
        raise SettingsError(
            "--as is not allowed here: this deployment identifies coordinators by OS user"
        )
    coordinator = as_user or os_user()

    region = str(general.get("default_region", "US")).upper()
    currency = str(general.get("default_currency", "USD")).upper()
    dial = cfg.get("dial", {}) if isinstance(cfg.get("dial"), dict) else {}
    mode_text = str(database.get("file_mode", "0600"))
    try:
        file_mode = int(mode_text, 8)
    except ValueError:
        raise SettingsError(f'{cfg_path}: database.file_mode must be octal, e.g. "0660"') from None
    team = cfg.get("team", {}) if isinstance(cfg.get("team"), dict) else {}
    sup = team.get("supervisors", [])
    if not isinstance(sup, list) or not all(isinstance(x, str) for x in sup):
        raise SettingsError(f"{cfg_path}: team.supervisors must be a list of names")
    overrides = team.get("overrides", "coordinator")
    if overrides not in ("coordinator", "supervisor"):
        raise SettingsError(
            f'{cfg_path}: team.overrides must be "coordinator" or "supervisor", not {overrides!r}'
        )
    return Settings(
        supervisors=frozenset(sup),
        overrides=overrides,
        db_url=db_url,
        coordinator=coordinator,
        now=fixed,
        config_path=cfg_path,
        default_region=region,
        default_currency=currency,
        identity=identity,
        dial_command=dial.get("command"),
        db_file_mode=file_mode,
        raw=cfg,
    )
