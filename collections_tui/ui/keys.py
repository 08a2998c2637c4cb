"""Every binding id of the workstation, so a `[keys]` entry with a typo is refused."""

from __future__ import annotations

import importlib

from textual.binding import Binding
from textual.dom import DOMNode

_MODULES = (
    "app",
    "screens.account",
    "screens.arrangement",
    "screens.consent",
    "screens.dial",
    "screens.filter",
    "screens.help",
    "screens.note",
    "screens.outcome",
    "screens.override",
    "screens.queue",
    "screens.search",
    "widgets.queue_view",
)


def binding_ids() -> frozenset[str]:
    """The ids of the bindings of the app, its screens, dialogs and widgets."""
    ids: set[str] = set()
    for name in _MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DOMNode):
                for b in getattr(value, "BINDINGS", []):
                    if isinstance(b, Binding) and b.id:
                        ids.add(b.id)
    return frozenset(ids)
