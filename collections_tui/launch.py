"""``collections-tui``, the installed command: :func:`collections_tui.cli.main` with the
cyclic garbage collector paused while the program loads.

Loading Textual, Peewee and the services makes some 10^5 objects that live as long as the
program; on the way the collector walked them about a hundred times (~17 ms of a start of
~0.4 s, DESIGN §9). Reference counting still frees everything else meanwhile. The
workstation resumes the collector once its first frame is drawn — after freezing what was
loaded (``gc.freeze``), so later collections pass it over — and any other command resumes it
as soon as its arguments are read.
"""

from __future__ import annotations

import gc
from typing import NoReturn


def main() -> NoReturn:
    gc.disable()
    from .cli import main as cli_main

    cli_main(gc_paused=True)
