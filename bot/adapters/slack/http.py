"""Slack's HTTP mode: `POST /slack/events`, `GET /healthz`, and bolt's OAuth install pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.manifest import EVENTS_PATH

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


class SlackHttpServer:
    def __init__(
        self,
        app: AsyncApp,
        *,
        acking: Callable[[], AbstractContextManager[object]],
    ) -> None:
        self.app = app
        # Counts the whole request as an ack in flight: reading, verifying and answering it.
        self._acking = acking
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def web_app(self) -> web.Application:
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._handle_post)
        application.router.add_get(HEALTH_PATH, _health)
        flow = self.app.oauth_flow
        if flow is not None:
            application.router.add_get(flow.install_path, self._handle_install)
            application.router.add_get(flow.redirect_uri_path, self._handle_redirect)
        return application

    async def start(self, host: str, port: int) -> int | None:
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port
        log.info("Slack: listening for events on port %s", self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle_post(self, request: web.Request) -> web.Response:
        with self._acking():
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

    async def _handle_install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _handle_redirect(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)


async def _health(_request: web.Request) -> web.Response:
    return web.Response(text="ok")
