"""What the command does to start quickly (DESIGN §9) must not change what it does."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from collections_tui.cli import run
from collections_tui.store.db import close_database, open_database


def _new_database(path: Path) -> str:
    """An empty collections-tui database (a read-only command never creates one)."""
    url = f"sqlite:///{path}"
    open_database(url)
    close_database()
    return url


def test_a_command_resumes_the_paused_garbage_collector(tmp_path: Path) -> None:
    """`collections-tui` pauses the collector while it loads; a command that is not the
    workstation resumes it as soon as its arguments are read."""
    gc.disable()
    try:
        assert run(["--db", _new_database(tmp_path / "x.db"), "queue"], gc_paused=True) == 0
        assert gc.isenabled()
    finally:
        gc.enable()


def test_peewee_loaded_for_sqlite_leaves_postgres_importable() -> None:
    """On SQLite the workstation loads Peewee with the PostgreSQL driver hidden; the driver
    is importable again afterwards (a PostgreSQL database opened later still works)."""
    code = (
        "import sys\n"
        "from collections_tui import cli\n"
        "assert 'peewee' not in sys.modules\n"
        "cli._load_peewee_without_postgres()\n"
        "import peewee\n"
        "assert peewee.psycopg2 is None and 'psycopg2' not in sys.modules\n"
        "import psycopg2\n"
        "print('ok', psycopg2.__name__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok psycopg2"


def test_the_command_runs_through_the_launcher(tmp_path: Path) -> None:
    """`python -m collections_tui` (and the installed command) go through the launcher."""
    url = _new_database(tmp_path / "y.db")
    proc = subprocess.run(
        [sys.executable, "-m", "collections_tui", "--db", url, "queue"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "No open overdue accounts with a balance match.\n"
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="collections-tui")
    assert script.value == "collections_tui.launch:main"
