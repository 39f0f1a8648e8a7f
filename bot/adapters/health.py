"""Health that tells the truth, and metrics: `GET /healthz` (JSON) and `GET /metrics`.

`/healthz` reports each configured platform's state and the scheduler's last tick, and answers
503 once a platform has been unhealthy, or the scheduler silent, for longer than STALE_AFTER; a
supervisor or load balancer can act on that. Served by the Slack HTTP server when there is one,
else by a small server of its own on STUDYBOT_HOST:STUDYBOT_PORT.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot import metrics

log = logging.getLogger(__name__)

STALE_AFTER = 60.0  # seconds
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


@dataclass(frozen=True, kw_only=True)
class PlatformHealth:
    state: str  # ok | failing | connecting | connected | reconnecting | down
    healthy: bool
    shards: Mapping[str, str] = field(default_factory=dict)


PlatformProbe = Callable[[], Awaitable[PlatformHealth]]


class HealthMonitor:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._probes: dict[str, PlatformProbe] = {}
        self._unhealthy_since: dict[str, float] = {}
        self._last_tick: Callable[[], float | None] | None = None
        self._started = clock()

    def add_platform(self, name: str, probe: PlatformProbe) -> None:
        self._probes[name] = probe

    def watch_scheduler(self, last_tick: Callable[[], float | None]) -> None:
        """`last_tick` returns the monotonic time of the scheduler's last completed tick."""
        self._last_tick = last_tick

    async def report(self) -> tuple[int, dict[str, Any]]:
        now = self._clock()
        healthy = True
        platforms: dict[str, Any] = {}
        for name, probe in self._probes.items():
            try:
                state = await probe()
            except Exception as error:  # a probe that breaks is a platform we cannot vouch for
                log.warning("health probe for %s failed (%s)", name, type(error).__name__)
                state = PlatformHealth(state="failing", healthy=False)
            since = self._since(name, state.healthy, now)
            healthy &= state.healthy or now - since <= STALE_AFTER
            entry: dict[str, Any] = {"state": state.state}
            if state.shards:
                entry["shards"] = dict(state.shards)
            platforms[name] = entry
        body: dict[str, Any] = {"platforms": platforms}
        if self._last_tick is not None:
            last = self._last_tick()
            age = now - (last if last is not None else self._started)
            body["scheduler"] = {"last_tick_seconds_ago": round(age, 1)}
            healthy &= age <= STALE_AFTER
        body["status"] = "ok" if healthy else "unhealthy"
        return (200 if healthy else 503), body

    def _since(self, name: str, healthy: bool, now: float) -> float:
        if healthy:
            self._unhealthy_since.pop(name, None)
            return now
        return self._unhealthy_since.setdefault(name, now)

    def routes(self) -> list[web.RouteDef]:
        return [web.get(HEALTH_PATH, self._health), web.get(METRICS_PATH, _metrics)]

    async def _health(self, _request: web.Request) -> web.Response:
        status, body = await self.report()
        return web.json_response(body, status=status)


async def _metrics(_request: web.Request) -> web.Response:
    response = web.Response(body=metrics.exposition())
    response.content_type = metrics.CONTENT_TYPE.split(";")[0]
    return response


class HealthServer:
    """/healthz, /metrics (and the calendar feed) on their own, for deployments without the
    Slack HTTP server."""

    def __init__(
        self, monitor: HealthMonitor, *, extra_routes: list[web.RouteDef] | None = None
    ) -> None:
        self.monitor = monitor
        self.extra_routes = extra_routes or []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> None:
        application = web.Application()
        application.add_routes(self.monitor.routes() + self.extra_routes)
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
