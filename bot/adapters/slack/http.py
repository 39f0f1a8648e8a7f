"""Slack's HTTP mode: `POST /slack/events`, `GET /healthz`, and bolt's OAuth install pages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.inbound import Refused, read_request
from bot.adapters.slack.manifest import EVENTS_PATH
from bot.adapters.slack.stored import StoredInteraction

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"

# Stores an interaction and says what to ack with (bolt's `ack()` keywords; {} for a plain ack),
# or None to hand the request to bolt after all.
Accept = Callable[[StoredInteraction], Awaitable[dict[str, Any] | None]]


class SlackHttpServer:
    def __init__(
        self,
        app: AsyncApp,
        *,
        signing_secret: str | None,
        acking: Callable[[], AbstractContextManager[object]],
        accept: Accept,
        extra_routes: Sequence[web.RouteDef] = (),
    ) -> None:
        self.app = app
        # /healthz and /metrics when the process has a health monitor (bot/adapters/health.py).
        self.extra_routes = list(extra_routes)
        # Without a secret (Socket Mode) this server is never started; if it were, it would
        # refuse every request.
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        # Counts the whole request as an ack in flight: reading, verifying and answering it.
        self._acking = acking
        self._accept = accept
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def web_app(self) -> web.Application:
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._handle_post)
        if self.extra_routes:
            application.add_routes(self.extra_routes)
        else:
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
        """Verify, then read the body once: an interaction is stored and acked right here,
        anything refused costs one line, the rest (SSL checks, the install prompt) is bolt's."""
        with self._acking():
            try:
                body = await request.text()
            except (UnicodeDecodeError, ValueError):
                return web.Response(status=400)
            if not self._signed(request, body):
                # Refused before the body is parsed: nobody unsigned can reach the parsers.
                return web.Response(status=401)
            reading = read_request(request.content_type, body)
            if isinstance(reading, Refused):
                log.warning("Slack: refused %s", reading.problem)
                return web.Response(status=400)
            if reading is not None:
                ack = await self._accept(reading)
                if ack is not None:
                    return await _ack_response(ack)
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            try:
                bolt_response = await self.app.async_dispatch(bolt_request)
            except Exception as error:
                log.warning("Slack: could not handle a request (%s)", type(error).__name__)
                return web.Response(status=400)
            return await to_aiohttp_response(bolt_response)

    def _signed(self, request: web.Request, body: str) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature")
        if self._verifier is None or not timestamp.isdigit() or not timestamp.isascii():
            return False
        return self._verifier.is_valid(body, timestamp, signature)

    async def _handle_install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _handle_redirect(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)


async def _ack_response(fields: dict[str, Any]) -> web.Response:
    """The HTTP answer bolt gives for `ack(**fields)`."""
    if not fields:
        return web.Response()
    return await to_aiohttp_response(await AsyncAck()(**fields))  # type: ignore[no-untyped-call]


async def _health(_request: web.Request) -> web.Response:
    return web.Response(text="ok")
