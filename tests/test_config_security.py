"""Identity and configuration on a shared host (issue 11): who is who comes from the effective
uid and the root-owned system config; config files others could write, unknown keys, values
of the wrong type and non-UTF-8 text are refused with one line; the log is private."""

from __future__ import annotations

import dataclasses
import logging
import os
import pwd
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from collections_tui import config_schema, settings
from collections_tui.cli import _setup_logging, run
from collections_tui.settings import SettingsError, load_settings

NOW = "2026-11-27T15:00:00Z"
ME = pwd.getpwuid(os.geteuid()).pw_name
OS_USER = '[general]\nidentity = "os-user"\n'
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


def write(path: Path, text: str | bytes, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the system config is read from (not yet written)."""
    path = tmp_path / "etc" / "config.toml"
    monkeypatch.setattr(settings, "SYSTEM_CONFIG", path)
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = run(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- identity


def test_identity_is_the_effective_uid_account_not_the_environment(
    monkeypatch: pytest.MonkeyPatch, system: Path
) -> None:
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, "sam")
    write(system, OS_USER)
    assert load_settings(environ={}).coordinator == ME
    assert settings.os_user() == ME


def test_a_uid_without_a_passwd_entry_is_named_by_number(monkeypatch: pytest.MonkeyPatch) -> None:
    uid = next(u for u in range(54321, 60000) if not _has_account(u))
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    monkeypatch.setenv("LOGNAME", "sam")
    assert settings.os_user() == f"uid{uid}"


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _audit_actors(db_url: str) -> list[str]:
    from collections_tui.store.db import open_database
    from collections_tui.store.models import AuditEvent

    open_database(db_url)
    return [str(e.actor) for e in AuditEvent.select().order_by(AuditEvent.id)]


def test_borrowed_user_name_cannot_set_roles(
    db: Database,
    db_url: str,
    system: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """USER=sam LOGNAME=sam set-role mallory supervisor: sam is the supervisor, but the one
    running it is not sam. (COLLECTIONS_CONFIG naming the system config, as deployments did
    before it was read by itself, is the same file read once.)"""
    write(system, OS_USER + '[team]\nsupervisors = ["sam"]\n')
    monkeypatch.setenv("COLLECTIONS_CONFIG", str(system))
    monkeypatch.setenv("USER", "sam")
    monkeypatch.setenv("LOGNAME", "sam")
    code, _, err = cli(capsys, "--db", db_url, "set-role", "mallory", "supervisor")
    assert code == 1 and "supervisor" in err
    assert "sam" not in _audit_actors(db_url)


def test_set_role_under_os_user_is_audited_as_the_real_user(
    db: Database,
    db_url: str,
    system: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(system, OS_USER + f'[team]\nsupervisors = ["{ME}"]\n')
    monkeypatch.setenv("USER", "sam")
    monkeypatch.setenv("LOGNAME", "sam")
    code, out, err = cli(capsys, "--db", db_url, "set-role", "mallory", "supervisor")
    assert code == 0, err
    assert "mallory is now a supervisor" in out
    assert _audit_actors(db_url) == [ME]


# ---------------------------------------------------------------- the system config locks


LOCKED = [
    ('[team]\nsupervisors = ["me"]\n', "[team] supervisors"),
    ('[team]\noverrides = "coordinator"\n', "[team] overrides"),
    ('[general]\nidentity = "as-allowed"\n', "[general] identity"),
    ('[dial]\ncommand = "sh -c id"\n', "[dial] command"),
    ('[compliance]\nearliest = "06:00"\n', "[compliance] earliest"),
    ("[arrangements]\nmax_settlement_percent = 90\n", "[arrangements] max_settlement_percent"),
]


@pytest.mark.parametrize(("text", "key"), LOCKED)
@pytest.mark.parametrize("how", ["--config", "COLLECTIONS_CONFIG", "default path"])
def test_a_user_file_cannot_set_who_is_who_under_os_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system: Path, text: str, key: str, how: str
) -> None:
    write(system, OS_USER + '[team]\nsupervisors = ["sam"]\n[dial]\ncommand = "softphone"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if how == "default path":
        user = write(settings.default_config_path(), text)
        kwargs: dict[str, object] = {"environ": {}}
    elif how == "--config":
        user = write(tmp_path / "mine.toml", text)
        kwargs = {"config": str(user), "environ": {}}
    else:
        user = write(tmp_path / "mine.toml", text)
        kwargs = {"environ": {"COLLECTIONS_CONFIG": str(user)}}
    with pytest.raises(SettingsError) as err:
        load_settings(**kwargs)  # type: ignore[arg-type]
    message = str(err.value)
    assert message.startswith(f"{user}: {key} is set only by the system config {system}")
    assert "\n" not in message


def test_under_os_user_other_settings_still_come_from_the_user_file(
    tmp_path: Path, system: Path
) -> None:
    write(
        system,
        OS_USER + '[team]\nsupervisors = ["sam"]\n[dial]\ncommand = "softphone {number}"\n'
        '[priority]\ngrace_days = 5\nage_per_day = 2\n[arrangements.creditors."Mercy"]\n'
        "max_term_months = 24\n",
    )
    user = write(
        tmp_path / "mine.toml",
        '[priority]\ngrace_days = 1\n[keys]\n"account.dial" = "D"\n',
    )
    s = load_settings(config=str(user), environ={})
    assert (s.identity, s.supervisors, s.dial_command) == (
        "os-user",
        frozenset({"sam"}),
        "softphone {number}",
    )
    assert s.raw["priority"] == {"grace_days": 1, "age_per_day": 2}
    assert s.raw["keys"] == {"account.dial": "D"}
    assert s.raw["arrangements"]["creditors"]["Mercy"] == {"max_term_months": 24}
    assert s.where("priority") == f"{system} and {user}"
    with pytest.raises(SettingsError, match="--as is not allowed"):
        load_settings(config=str(user), as_user="sam", environ={})


def test_under_os_user_the_clock_is_the_hosts(tmp_path: Path, system: Path) -> None:
    """A fixed clock would move calling hours and every audit stamp: refused under os-user,
    except on the demo database (training)."""
    write(system, OS_USER)
    with pytest.raises(SettingsError, match="--now / COLLECTIONS_NOW is not allowed here"):
        load_settings(now=NOW, environ={})
    with pytest.raises(SettingsError, match="not allowed here"):
        load_settings(environ={"COLLECTIONS_NOW": NOW})
    assert load_settings(now=NOW, demo=True, environ={}).now is not None


def test_without_os_user_the_system_config_gives_defaults(tmp_path: Path, system: Path) -> None:
    write(system, '[team]\nsupervisors = ["sam"]\n[dial]\ncommand = "softphone"\n')
    user = write(tmp_path / "mine.toml", '[team]\nsupervisors = ["ana"]\n')
    assert load_settings(environ={}).supervisors == {"sam"}
    s = load_settings(config=str(user), as_user="ben", environ={})
    assert (s.supervisors, s.dial_command, s.coordinator) == (
        frozenset({"ana"}),
        "softphone",
        "ben",
    )


def test_collections_config_naming_the_system_config_reads_it_once(system: Path) -> None:
    write(system, OS_USER + '[team]\nsupervisors = ["sam"]\n')
    s = load_settings(environ={"COLLECTIONS_CONFIG": str(system)})
    assert s.identity == "os-user" and s.supervisors == {"sam"}


# ---------------------------------------------------------------- who may have written it


@pytest.mark.parametrize("which", ["user", "system"])
def test_a_world_writable_config_is_refused(tmp_path: Path, system: Path, which: str) -> None:
    path = system if which == "system" else tmp_path / "mine.toml"
    write(path, '[dial]\ncommand = "sh -c id"\n', mode=0o666)
    with pytest.raises(SettingsError) as err:
        load_settings(config=str(path) if which == "user" else None, environ={})
    assert str(err.value) == f"{path}: refused: the file is writable by everyone (chmod o-w {path})"


@as_root
def test_a_user_config_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.toml", '[dial]\ncommand = "sh -c id"\n')
    os.chown(path, 12345, -1)
    with pytest.raises(SettingsError, match=r"refused: the file is owned by .*not by you or root"):
        load_settings(config=str(path), environ={})
    with pytest.raises(SettingsError, match=re.escape(str(path))):
        load_settings(environ={"COLLECTIONS_CONFIG": str(path)})


@as_root
def test_a_system_config_not_owned_by_root_is_refused(system: Path) -> None:
    write(system, OS_USER)
    os.chown(system, 12345, -1)
    with pytest.raises(
        SettingsError, match=rf"^{re.escape(str(system))}: refused: .* must be owned by root"
    ):
        load_settings(environ={})


def test_a_fifo_in_place_of_the_config_is_refused_not_waited_on(tmp_path: Path) -> None:
    path = tmp_path / "fifo.toml"
    os.mkfifo(path)
    with pytest.raises(SettingsError, match="must be a regular file"):
        load_settings(config=str(path), environ={})


# ---------------------------------------------------------------- what it may say


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[general]\nidentiy = "os-user"\n',
            "unknown key [general] identiy (did you mean identity?)",
        ),
        ('[genral]\nidentity = "os-user"\n', "unknown table [genral] (did you mean general?)"),
        ('identity = "os-user"\n', "unknown key identity (settings belong in a table: [general]"),
        ("[compliance]\nerliest = '07:00'\n", "unknown key [compliance] erliest"),
        ("[team]\nsupervisor = ['me']\n", "unknown key [team] supervisor"),
        (
            '[arrangements.creditors."Mercy Hospital"]\nmax_term = 3\n',
            'unknown key [arrangements.creditors."Mercy Hospital"] max_term',
        ),
        ("[priority]\nage_per_year = 1\n", "unknown key [priority] age_per_year"),
    ],
)
def test_unknown_keys_are_errors_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(SettingsError) as err:
        load_settings(config=str(path), environ={}, as_user="x")
    assert str(err.value).startswith(f"{path}: {expected}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[team]\nsupervisors = "sam"\n', "team.supervisors must be a list of names, not 'sam'"),
        ('[priority]\nage_per_day = "2"\n', "priority.age_per_day must be a whole number"),
        ("[priority]\ngrace_days = true\n", "priority.grace_days must be a whole number"),
        ("[dial]\ncommand = 5\n", "dial.command must be a string"),
        (
            "[general]\ndefault_region = 1\n",
            "general.default_region must be a two-letter country code",
        ),
        ('[keys]\n"account.dial" = 1\n', 'keys."account.dial" must be a string'),
        ("[compliance]\nstate_caps = { MA = 'two' }\n", "compliance.state_caps.MA must be a whole"),
        ("general = 3\n", "general must be a table, not 3"),
        ('[database]\nurl = ["x"]\n', "database.url must be a string"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(SettingsError, match=f"^{re.escape(str(path))}: "):
        load_settings(config=str(path), environ={})
    code, out, err = cli(capsys, "--config", str(path), "--db", "sqlite://", "queue")
    assert code == 2 and out == ""
    assert err.startswith(f"collections-tui: {path}: {expected}") and err.count("\n") == 1


def test_a_config_that_is_not_utf8_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "c.toml", b'[general]\ndefault_region = "\xff"\n')
    code, out, err = cli(capsys, "--config", str(path), "--db", "sqlite://", "queue")
    assert code == 2 and out == ""
    assert (
        err
        == f"collections-tui: {path}: line 2: byte 0xFF is not UTF-8; a config file is UTF-8 text\n"
    )


@pytest.mark.parametrize("mode", ['"-1"', '"0777"', '"777"', '"0644"', '"0600 "', "432", '"rw"'])
def test_database_file_mode_is_one_of_three(tmp_path: Path, mode: str) -> None:
    path = write(tmp_path / "c.toml", f"[database]\nfile_mode = {mode}\n")
    with pytest.raises(
        SettingsError, match=r'database\.file_mode must be "0600", "0640" or "0660"'
    ):
        load_settings(config=str(path), environ={})


@pytest.mark.parametrize(("text", "mode"), [("0600", 0o600), ("0640", 0o640), ("0660", 0o660)])
def test_the_allowed_file_modes(tmp_path: Path, text: str, mode: int) -> None:
    path = write(tmp_path / "c.toml", f'[database]\nfile_mode = "{text}"\n')
    assert load_settings(config=str(path), environ={}).db_file_mode == mode


def test_the_schema_knows_what_the_domain_reads() -> None:
    """One schema: every key the policies accept is known to it, and no other."""
    from collections_tui.domain import arrangements
    from collections_tui.domain.compliance import Policy
    from collections_tui.domain.priority import Weights

    tables = config_schema.SCHEMA.keys

    def keys(name: str) -> set[str]:
        table = tables[name]
        assert isinstance(table, config_schema.Table)
        return set(table.keys)

    assert keys("compliance") == {f.name for f in dataclasses.fields(Policy)}
    assert keys("priority") == {f.name for f in dataclasses.fields(Weights)} | {"grace_days"}
    assert keys("arrangements") == {*arrangements._POLICY_KEYS, "creditors"}


# ---------------------------------------------------------------- private log


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that narrows nothing: the modes must come from the code, not the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)
        log = logging.getLogger("collections_tui")
        for h in list(log.handlers):
            log.removeHandler(h)
            h.close()


def test_the_log_folder_and_file_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = _setup_logging()
    assert path is not None and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    folder = path.parent
    while folder != tmp_path:  # every folder it created
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        folder = folder.parent


def test_a_log_left_readable_is_narrowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = write(settings.log_dir() / "collections-tui.log", "before\n", mode=0o644)
    assert _setup_logging() == old
    logging.getLogger("collections_tui").info("after")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert stat.S_IMODE(old.parent.stat().st_mode) == 0o700
    assert old.read_text(encoding="utf-8").startswith("before\n")


# ---------------------------------------------------------------- found in review


def test_the_demo_flag_does_not_free_the_clock_on_another_database(
    tmp_path: Path, system: Path
) -> None:
    """`--demo --db REAL --now …` would stamp a shared database's audit with any time."""
    write(system, OS_USER)
    with pytest.raises(SettingsError, match="not allowed here"):
        load_settings(now=NOW, demo=True, db=f"sqlite:///{tmp_path / 'real.db'}", environ={})


@as_root
def test_a_config_its_group_may_write_is_refused(tmp_path: Path, system: Path) -> None:
    """The README's team shares one group: none of them may rewrite who is who."""
    write(system, OS_USER + '[team]\nsupervisors = ["boss"]\n', mode=0o664)
    os.chown(system, 0, 12345)
    with pytest.raises(SettingsError, match=r"writable by the group gid12345 \(chmod g-w"):
        load_settings(environ={})
    user = write(tmp_path / "mine.toml", "[priority]\ngrace_days = 2\n", mode=0o664)
    os.chown(user, os.geteuid(), 12345)
    with pytest.raises(SettingsError, match="writable by the group"):
        load_settings(config=str(user), environ={})


@as_root
def test_a_link_to_the_config_planted_by_another_user_is_not_followed(tmp_path: Path) -> None:
    target = write(tmp_path / "theirs.toml", '[dial]\ncommand = "sh -c id"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(target)
    os.lchown(link, 12345, 12345)
    with pytest.raises(SettingsError, match="a symbolic link owned by uid12345"):
        load_settings(config=str(link), environ={})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[general]\ndefault_currency = "[/]\\u001b]52;c;aGk=\\u0007"\n', "default_currency"),
        ('[general]\ndefault_currency = "dollars"\n', "default_currency"),
        ('[general]\ndefault_region = "[/]\\u001b"\n', "default_region"),
        ("[compliance]\ncap_days = 9223372036854775807\n", "compliance.cap_days"),
        ("[priority]\ngrace_days = 99999999\n", "priority.grace_days"),
    ],
)
def test_codes_and_whole_numbers_in_the_config_are_checked(
    tmp_path: Path, text: str, key: str
) -> None:
    user = write(tmp_path / "mine.toml", text)
    with pytest.raises(SettingsError) as err:
        load_settings(config=str(user), environ={})
    assert key in str(err.value) and "\x1b" not in str(err.value)
