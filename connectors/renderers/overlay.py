"""The browser overlay renderer: render events go as JSON to every page connected to /ws.

The page (``connectors/web/static/overlay.html``) plays the audio, shows captions, the avatar, the product
card and the chat feed; it is meant to be added to OBS as a browser source.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.routing import BaseRoute

from agent.ports import Clock
from agent.render import ChatSeen, ChatShown, RenderEvent
from agent.settings import OverlaySettings, Settings
from connectors.renderers.options import OverlayOptions
from connectors.web.hub import Broadcaster
from connectors.web.server import WebServer, build_app, overlay_routes

log = logging.getLogger(__name__)


class OverlayRenderer:
    """Serves the overlay page and broadcasts render events to it.

    Two channels: ``hub`` is the broadcast (the overlay page, what every viewer sees), ``console`` is for
    moderators. Moderation's view of each comment (:class:`ChatSeen`, blocked text and reasons included) goes
    to the console only; the chat feed on the broadcast gets :class:`ChatShown`, which the show sends only for
    comments that passed every layer. Everything else goes to both.
    ``extra_routes`` (e.g. the console) are served by the same app, ahead of the overlay's own routes.
    With ``serve=False`` nothing listens: mount :meth:`routes` into your own app instead.
    """

    name = "overlay"

    def __init__(
        self,
        settings: OverlaySettings,
        *,
        show: str = "",
        extra_routes: Sequence[BaseRoute] = (),
        queue_size: int = 64,
        serve: bool = True,
    ) -> None:
        self.settings = settings
        self.hub = Broadcaster({"ai_label": settings.ai_label, "show": show}, queue_size=queue_size)
        self.console = Broadcaster({"ai_label": settings.ai_label, "show": show}, queue_size=queue_size)
        self._extra = tuple(extra_routes)
        self._server = WebServer(self.app(), settings.host, settings.port) if serve else None

    def routes(self) -> list[BaseRoute]:
        return overlay_routes(self.hub)

    def app(self) -> Any:
        return build_app(self._extra, self.routes())

    @property
    def url(self) -> str:
        """Base URL actually bound (after :meth:`start`), e.g. ``http://127.0.0.1:8780``."""
        if self._server is None:
            raise RuntimeError("overlay renderer built with serve=False has no URL")
        return self._server.url

    @property
    def overlay_url(self) -> str:
        return self.url + "/overlay"

    @property
    def ws_url(self) -> str:
        return self._server.ws_url + "/ws" if self._server else ""

    async def start(self) -> None:
        if self._server is not None:
            await self._server.start()
            log.info("overlay ready", extra={"url": self.overlay_url})

    async def send(self, event: RenderEvent) -> None:
        message = event.to_json()
        if not isinstance(event, ChatShown):
            self.console.publish(message)
        if not isinstance(event, ChatSeen):
            self.hub.publish(message)

    async def aclose(self) -> None:
        if self._server is not None:
            await self._server.aclose()


def create(options: Mapping[str, Any], *, settings: Settings, clock: Clock) -> OverlayRenderer:
    """Registry factory: ``options`` (``[renderers.overlay]``) may override [overlay] keys (host, port, ai_label)."""
    del clock  # the page keeps time with its own audio clock
    section = OverlaySettings.model_validate(OverlayOptions.of(options, settings).model_dump())
    return OverlayRenderer(section, show=settings.show.name)
