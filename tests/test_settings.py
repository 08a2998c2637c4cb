from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from collections_tui.settings import SettingsError, load_settings, parse_instant


def test_precedence_option_over_env_over_config(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[database]\nurl = "sqlite:///from-config.db"\n', encoding="utf-8")
    env = {"COLLECTIONS_DB": "sqlite:///from-env.db"}
    assert load_settings(config=str(cfg), environ={}).db_url == "sqlite:///from-config.db"
    assert load_settings(config=str(cfg), environ=env).db_url == "sqlite:///from-env.db"
    assert (
        load_settings(db="sqlite:///opt.db", config=str(cfg), environ=env).db_url
        == "sqlite:///opt.db"
    )


def test_default_database_is_in_user_data_dir(tmp_path: Path) -> None:
    s = load_settings(config=None, environ={"COLLECTIONS_CONFIG": str(tmp_path / "none.toml")})
    assert s.db_url.startswith("sqlite:///")
    assert s.db_url.endswith("collections-tui/collections.db")


def test_now_from_env_and_naive_means_utc() -> None:
    s = load_settings(environ={"COLLECTIONS_NOW": "2026-03-08T06:30:00"})
    assert s.now == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert parse_instant("2026-03-08T01:30:00-05:00") == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)


def test_bad_now_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="not an ISO 8601 instant"):
        load_settings(now="yesterday", environ={})


def test_os_user_identity_refuses_as(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[general]\nidentity = "os-user"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="--as is not allowed"):
        load_settings(as_user="someone", config=str(cfg), environ={})
    assert load_settings(config=str(cfg), environ={}).coordinator != "someone"


def test_broken_config_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[general\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=str(cfg)):
        load_settings(config=str(cfg), environ={})
