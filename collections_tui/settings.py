"""Where things live and how they are configured.

Precedence, strongest first: command-line options, environment variables, the config file,
built-in defaults. The config file is TOML; see README "Configuration".
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import platformdirs

from .domain import dates

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


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (containers without passwd)
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "coordinator"


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
    try:
        fixed = parse_instant(now_text) if now_text else None
    except SettingsError as exc:
        raise SettingsError(f"{'--now' if now else 'COLLECTIONS_NOW'}: {exc}") from None

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
