"""Fan-out of render events to every renderer; a failing renderer is logged and never stops the show."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from agent.ports import Renderer
from agent.render import RenderEvent

log = logging.getLogger(__name__)


class RenderBus:
    def __init__(self, renderers: Sequence[Renderer] = ()) -> None:
        self.renderers = list(renderers)
        self.sent: list[RenderEvent] = []  # bounded history for the console and tests
        self._keep = 500

    async def send(self, event: RenderEvent) -> None:
        self.sent.append(event)
        if len(self.sent) > self._keep:
            del self.sent[: len(self.sent) - self._keep]
        for r in self.renderers:
            try:
                await r.send(event)
            except Exception as exc:  # noqa: BLE001 - one broken renderer must not stop the show
                log.warning("renderer failed", extra={"renderer": r.name, "error": repr(exc)})
