"""/healthz tells the truth (JSON, 503 when a platform or the scheduler has been stuck for a
minute) and /metrics counts what happened, in every mode that runs a platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.health import HealthMonitor, PlatformHealth
from bot.app import serve_platforms
from tests.fakes.discord.server import FakeDiscord
from tests.fakes.loopback import free_port
from tests.test_discord_adapter import discord_settings, run


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_platform_down_for_more_than_a_minute_makes_health_fail() -> None:
    clock = Clock()
    monitor = HealthMonitor(clock=clock)
    state = {"healthy": True}

    async def probe() -> PlatformHealth:
        healthy = state["healthy"]
        return PlatformHealth(state="connected" if healthy else "reconnecting", healthy=healthy)

    monitor.add_platform("discord", probe)
    last_tick: list[float | None] = [clock.now]
    monitor.watch_scheduler(lambda: last_tick[0])
    assert (await monitor.report())[0] == 200

    state["healthy"] = False
    status, body = await monitor.report()
    assert status == 200  # a reconnect is normal; a minute of it is not
    assert body["platforms"]["discord"]["state"] == "reconnecting"
    clock.now += 61
    last_tick[0] = clock.now
    status, body = await monitor.report()
    assert status == 503
    assert body["status"] == "unhealthy"

    state["healthy"] = True
    assert (await monitor.report())[0] == 200
    clock.now += 61  # the scheduler has not ticked for a minute
    status, body = await monitor.report()
    assert status == 503
    assert body["scheduler"]["last_tick_seconds_ago"] == 61.0


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()


async def fetch(port: int, path: str) -> tuple[int, str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        text = await response.text()
        body = await response.json() if path == "/healthz" else None
        return response.status, text, body


async def test_a_discord_only_bot_serves_health_and_metrics(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    port = free_port()
    settings = discord_settings(
        tmp_path, discord_fake, STUDYBOT_HOST="127.0.0.1", STUDYBOT_PORT=str(port)
    )
    stop = asyncio.Event()
    serving = asyncio.ensure_future(serve_platforms(settings, stop=stop))
    try:
        await discord_fake.wait_ready()
        for _ in range(100):
            try:
                status, _, body = await fetch(port, "/healthz")
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
                continue
            if body["platforms"]["discord"]["state"] == "connected":
                break
            await asyncio.sleep(0.05)
        assert status == 200
        assert body["status"] == "ok"
        assert body["platforms"]["discord"] == {"state": "connected", "shards": {"0": "connected"}}
        assert body["scheduler"]["last_tick_seconds_ago"] < 60

        await run(discord_fake, discord_fake.command("tip", {"topic": "math"}))
        status, text, _ = await fetch(port, "/metrics")
        assert status == 200
        assert 'studybot_handled_total{kind="command",name="tip",outcome="ok"}' in text
        assert "studybot_reply_seconds_bucket" in text
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)


async def test_slack_http_mode_serves_health_next_to_its_events(tmp_path: Path) -> None:
    from tests.fakes.slack.server import FakeSlack
    from tests.test_slack_adapter import slack_settings

    slack = await FakeSlack().start()
    port = free_port()
    settings = slack_settings(tmp_path, slack, STUDYBOT_HOST="127.0.0.1", STUDYBOT_PORT=str(port))
    stop = asyncio.Event()
    serving = asyncio.ensure_future(serve_platforms(settings, stop=stop))
    try:
        for _ in range(100):
            try:
                status, _, body = await fetch(port, "/healthz")
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        assert status == 200
        assert body["platforms"] == {"slack": {"state": "ok"}}
        status, text, _ = await fetch(port, "/metrics")
        assert status == 200
        assert "# TYPE studybot_handled_total counter" in text
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)
        await slack.stop()
