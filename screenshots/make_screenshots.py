"""Draw the README's screenshots from a seeded demo database at a fixed clock.

    .venv/bin/python screenshots/make_screenshots.py            # SVG, and PNG beside each
                                                                 # when rsvg-convert is installed

The scenes (which keys reach which screen) are the snapshot tests' own
(tests/ui/scenes.py), so the pictures show what the tests check.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collections_tui.services.clock import FixedClock  # noqa: E402
from collections_tui.services.context import Context  # noqa: E402
from collections_tui.store.db import close_database, open_database  # noqa: E402
from collections_tui.ui.app import WorkstationApp  # noqa: E402
from tests.ui.scenes import COORDINATOR, SCENES, make_demo  # noqa: E402

OUT = ROOT / "screenshots"
PICTURES: tuple[tuple[str, tuple[int, int]], ...] = (
    ("queue", (80, 24)),
    ("queue_nothing_callable", (80, 24)),
    ("account", (80, 24)),
    ("account_balance", (80, 24)),
    ("outcome", (80, 24)),
    ("arrangement", (80, 24)),
    ("consent", (80, 24)),
    ("search", (80, 24)),
    ("dial", (80, 24)),
    ("help", (80, 24)),
    ("queue", (120, 40)),
    ("account", (120, 40)),
    ("arrangement", (120, 40)),
)


async def draw(scene: str, size: tuple[int, int], template: Path, work: Path) -> Path:
    db = work / f"{scene}-{size[0]}x{size[1]}.db"
    shutil.copy(template, db)
    open_database(f"sqlite:///{db}")
    clock, run_before = SCENES[scene]
    app = WorkstationApp(Context(actor=COORDINATOR, clock=FixedClock(clock)))
    name = f"{scene.replace('_', '-')}-{size[0]}x{size[1]}.svg"
    try:
        async with app.run_test(size=size) as pilot:
            await run_before(pilot)
            app.save_screenshot(name, str(OUT))
            app.hang_up()
    finally:
        app.backend.shutdown()
        close_database()
    return OUT / name


def main() -> None:
    converter = shutil.which("rsvg-convert")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "demo.db"
        make_demo(template)
        for scene, size in PICTURES:
            svg = asyncio.run(draw(scene, size, template, work))
            line = f"{svg.relative_to(ROOT)}"
            if converter:
                png = svg.with_suffix(".png")
                subprocess.run([converter, str(svg), "-o", str(png)], check=True)
                line += f" + {png.name}"
            print(line)
    if not converter:
        print("rsvg-convert not found (Debian: librsvg2-bin): SVG only", file=sys.stderr)


if __name__ == "__main__":
    main()
