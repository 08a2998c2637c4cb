"""SVG snapshots of every screen and dialog at 80×24 and 120×40 (pytest-textual-snapshot).

A change to what a coordinator sees fails here until the snapshot is looked at and updated:
`pytest tests/ui/test_snapshots.py --snapshot-update`, then check the pictures in
`tests/ui/__snapshots__/` (or the report pytest writes on failure).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from collections_tui.services.clock import FixedClock
from collections_tui.services.context import Context
from collections_tui.store.db import close_database, open_database
from collections_tui.ui.app import WorkstationApp
from tests.ui.scenes import COORDINATOR, SCENES, make_demo


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snapdemo") / "demo.db"
    make_demo(path)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    open_database(f"sqlite:///{path}")
    yield path
    close_database()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("scene", sorted(SCENES))
def test_screen(
    scene: str, size: tuple[int, int], demo_db: Path, snap_compare: Callable[..., Any]
) -> None:
    clock, run_before = SCENES[scene]
    app = WorkstationApp(Context(actor=COORDINATOR, clock=FixedClock(clock)))
    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        app.hang_up()
        app.backend.shutdown()
