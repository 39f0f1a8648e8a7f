"""`studybot run` as a supervisor sees it: a rejected Socket Mode token is one line and exit 2
within seconds, and SIGTERM stops the process within 10 s in every phase, start-up included."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.loopback import free_port
from tests.fakes.slack.server import FakeSlack
from tests.test_slack_adapter import APP_TOKEN, BOT_TOKEN

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


def slack_env(slack: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
    }


async def start_studybot(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "STUDYBOT_HOST": "127.0.0.1",
            "STUDYBOT_PORT": str(free_port()),
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_rejected_app_token_is_one_line_and_exit_2(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.fail("apps.connections.open", 200, {"ok": False, "error": "invalid_auth"}, times=50)
    started = time.monotonic()
    process = await start_studybot(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": slack.api_url,
        },
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines == [
        "studybot: Slack rejected SLACK_APP_TOKEN (invalid_auth); it must be an app-level "
        "token (xapp-…) with the connections:write scope."
    ]
    assert APP_TOKEN not in stderr.decode()
    assert time.monotonic() - started < 15


async def stops_on_sigterm(
    process: asyncio.subprocess.Process, *, after: float
) -> tuple[float, str]:
    """Seconds from SIGTERM to exit, and what the process printed on stderr."""
    await asyncio.sleep(after)
    assert process.returncode is None, "studybot ended before it was asked to"
    process.send_signal(signal.SIGTERM)
    asked = time.monotonic()
    _, stderr = await asyncio.wait_for(process.communicate(), 15)
    return time.monotonic() - asked, stderr.decode()


async def test_sigterm_stops_socket_mode(tmp_path: Path, slack: FakeSlack) -> None:
    process = await start_studybot(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": slack.api_url,
        },
    )
    took, stderr = await stops_on_sigterm(process, after=3.0)
    assert process.returncode == 0
    assert took < 10
    # At the default log level, one line says it is up, and nothing else is printed.
    [line] = stderr.strip().splitlines()
    assert line.startswith("studybot is up: Slack; database sqlite (")
    assert "/healthz" in line


async def test_sigterm_stops_a_start_up_that_hangs(tmp_path: Path) -> None:
    # A Discord API that accepts connections and never answers: logging in hangs.
    release = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        process = await start_studybot(
            tmp_path,
            {
                "DISCORD_TOKEN": "discord-test-token.ABCDEF.0123456789",
                "DISCORD_API_URL": f"http://127.0.0.1:{port}/api/v10",
            },
        )
        took, _ = await stops_on_sigterm(process, after=3.0)
        assert took < 10
        assert process.returncode is not None
    finally:
        release.set()
        server.close()


async def test_with_two_platforms_the_one_that_fails_is_the_one_line(
    tmp_path: Path, slack: FakeSlack
) -> None:
    from tests.fakes.discord.server import FakeDiscord

    discord_fake = await FakeDiscord().start()
    try:
        slack.fail("auth.test", 200, {"ok": False, "error": "invalid_auth"}, times=5)
        process = await start_studybot(
            tmp_path,
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": "signing-secret-0123456789abcdef",
                "SLACK_API_URL": slack.api_url,
                "DISCORD_TOKEN": "discord-test-token.ABCDEF.0123456789",
                "DISCORD_API_URL": discord_fake.api_url,
                "DISCORD_GATEWAY_URL": discord_fake.gateway_url,
            },
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    finally:
        await discord_fake.stop()
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines() == [
        "studybot: Slack rejected SLACK_BOT_TOKEN (invalid_auth); check the token in your settings."
    ]
