"""Every binding id of the workstation, so a `[keys]` entry with a typo is refused."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode


def binding_ids() -> frozenset[str]:
    """The ids of the bindings of the app, its screens, dialogs and widgets."""
    from . import app as app_module
    from .screens import (
        account,
        arrangement,
        consent,
        dial,
        filter,
        help,
        note,
        outcome,
        override,
        queue,
        search,
    )
    from .widgets import queue_view

    modules = (
        app_module,
        account,
        arrangement,
        consent,
        dial,
        filter,
        help,
        note,
        outcome,
        override,
        queue,
        search,
        queue_view,
    )
    ids: set[str] = set()
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DOMNode | App):
                for b in getattr(value, "BINDINGS", []):
                    if isinstance(b, Binding) and b.id:
                        ids.add(b.id)
    return frozenset(ids)
