"""The command palette (ctrl+p) offers every action of the screen it was opened from."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


class WorkstationCommands(Provider):
    """Every binding of the current screen, by its description, runnable by name."""

    def _actions(self) -> list[tuple[str, str, str, DOMNode]]:
        screen = self.screen
        out: list[tuple[str, str, str, DOMNode]] = []
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            b = active.binding
            if b.action in seen or b.action in ("command_palette",):
                continue
            seen.add(b.action)
            keys = screen.app.get_key_display(b)
            # Run on the node that owns the binding (the app, the screen or a widget).
            out.append((b.description or b.action, b.action, keys, active.node))
        return out

    async def _run(self, action: str, node: DOMNode) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for name, action, keys, node in self._actions():
            yield DiscoveryHit(name, partial(self._run, action, node), help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, keys, node in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, action, node),
                    help=f"key: {keys}",
                )
