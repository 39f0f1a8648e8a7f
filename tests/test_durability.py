"""Acknowledged means stored: `kill -9` right after the acks, restart, and every effect is there.

Each test runs the real `studybot run` in a subprocess against a platform fake, on SQLite and on
PostgreSQL, and counts the effects in the database afterwards: each exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.store.db import create_engine
from bot.store.tables import poll_votes, schedules
from tests.fakes.discord.server import MANAGE_GUILD, FakeDiscord
from tests.fakes.loopback import free_port, wait_until
from tests.fakes.slack.server import FakeSlack, action_payload, command_body, form, sign

SECRET = "signing-secret-durable-0123456789"
SLACK_TOKEN = "xoxb-durable-token-123456"
DISCORD_TOKEN = "durable.discord.token"
VOTES = 40
COMMANDS = 10


async def start_studybot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env={**os.environ, "STUDYBOT_INBOX_LEASE": "2", **env},
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


async def counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            votes = (await connection.execute(select(func.count()).select_from(poll_votes))).one()
            added = (await connection.execute(select(func.count()).select_from(schedules))).one()
        return votes[0], added[0]
    finally:
        await engine.dispose()


async def wait_for_counts(database_url: str, expected: tuple[int, int]) -> None:
    seen: list[tuple[int, int]] = []

    async def reached() -> bool:
        seen.append(await counts(database_url))
        return seen[-1] == expected

    for _ in range(300):
        if await reached():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {expected} (votes, schedules), last saw {seen[-1]}")


# Slack ----------------------------------------------------------------------------------------


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(admins={"UADMIN"}).start()
    yield fake
    await fake.stop()


async def post_signed(session: aiohttp.ClientSession, port: int, body: str) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    async with session.post(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    ) as response:
        await response.read()
        return response.status


async def wait_healthy(session: aiohttp.ClientSession, port: int) -> None:
    async def healthy() -> bool:
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientConnectionError:
            return False

    for _ in range(300):
        if await healthy():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("studybot did not come up")


async def test_slack_interactions_acknowledged_before_kill_9_all_take_effect_once(
    tmp_path: Path, slack: FakeSlack, database_url: str
) -> None:
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "STUDYBOT_HOST": "127.0.0.1",
        "STUDYBOT_PORT": str(port),
        "STUDYBOT_DATABASE_URL": database_url,
    }
    process = await start_studybot(env, tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, port)
            card_body = form(
                command_body(
                    "/poll", '"Ready?" "yes" "no"', response_url=slack.response_url("card")
                )
            )
            assert await post_signed(session, port, card_body) == 200
            await slack.wait_for(lambda: slack.responses, within=15)
            card = slack.responses[0][1]
            buttons = next(b for b in card["blocks"] if b["type"] == "actions")["elements"]
            votes = [
                form(
                    {
                        "payload": json.dumps(
                            action_payload(
                                buttons[i % 2]["action_id"],
                                buttons[i % 2]["value"],
                                response_url=slack.response_url(f"vote{i}"),
                                user=f"V{i}",
                            )
                        )
                    }
                )
                for i in range(VOTES)
            ]
            commands = [
                form(
                    command_body(
                        "/schedule",
                        f"add nudge mon 09:{i:02d} Europe/Berlin",
                        response_url=slack.response_url(f"add{i}"),
                        user="UADMIN",
                    )
                )
                for i in range(COMMANDS)
            ]
            statuses = await asyncio.gather(
                *(post_signed(session, port, body) for body in [*votes, *commands])
            )
            process.send_signal(signal.SIGKILL)  # the moment the last ack arrived
        assert statuses == [200] * (VOTES + COMMANDS)
        await process.wait()

        process = await start_studybot(env, tmp_path)
        await wait_for_counts(database_url, (VOTES, COMMANDS))
        await asyncio.sleep(0.5)  # nothing is done a second time later on
        assert await counts(database_url) == (VOTES, COMMANDS)
    finally:
        stderr = await stop(process)
    assert SLACK_TOKEN not in stderr
    assert SECRET not in stderr


# Discord --------------------------------------------------------------------------------------


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()


async def test_discord_interactions_answered_before_kill_9_all_take_effect_once(
    tmp_path: Path, discord_fake: FakeDiscord, database_url: str
) -> None:
    env = {
        "DISCORD_TOKEN": DISCORD_TOKEN,
        "DISCORD_API_URL": discord_fake.api_url,
        "DISCORD_GATEWAY_URL": discord_fake.gateway_url,
        "STUDYBOT_DATABASE_URL": database_url,
        "STUDYBOT_HOST": "127.0.0.1",
        "STUDYBOT_PORT": str(free_port()),
    }
    process = await start_studybot(env, tmp_path)
    try:
        await discord_fake.wait_ready(within=30)
        await discord_fake.dispatch(
            "INTERACTION_CREATE", discord_fake.command("poll", {"details": '"Ready?" "yes" "no"'})
        )
        await discord_fake.wait_for(lambda: discord_fake.callbacks, within=15)
        interactions: list[dict[str, Any]] = [
            discord_fake.button(f"sb|poll:vote|1:{i % 2}", user_id=str(1700000000000000000 + i))
            for i in range(VOTES)
        ] + [
            discord_fake.command(
                "schedule",
                {"action": "add", "details": f"nudge mon 09:{i:02d} Europe/Berlin"},
                permissions=MANAGE_GUILD,
            )
            for i in range(COMMANDS)
        ]
        for interaction in interactions:
            await discord_fake.dispatch("INTERACTION_CREATE", interaction)
        answered = 1 + VOTES + COMMANDS
        await wait_until(
            lambda: len(discord_fake.callbacks) >= answered, within=30, what="the callbacks"
        )
        process.send_signal(signal.SIGKILL)  # every interaction has its answer
        await process.wait()

        process = await start_studybot(env, tmp_path)
        await discord_fake.wait_ready(within=30)
        await wait_for_counts(database_url, (VOTES, COMMANDS))
        assert await counts(database_url) == (VOTES, COMMANDS)
    finally:
        stderr = await stop(process)
    assert DISCORD_TOKEN not in stderr


# Starting together ----------------------------------------------------------------------------


async def test_three_processes_started_together_on_a_new_database_all_come_up(
    tmp_path: Path, slack: FakeSlack, database_url: str
) -> None:
    from tests.conftest import reset_postgres

    for round_ in range(5):
        url = database_url
        if url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'together-{round_}.db'}"
        else:
            await reset_postgres(url)
        ports = [free_port() for _ in range(3)]
        processes = [
            await start_studybot(
                {
                    "SLACK_BOT_TOKEN": SLACK_TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": slack.api_url,
                    "STUDYBOT_HOST": "127.0.0.1",
                    "STUDYBOT_PORT": str(port),
                    "STUDYBOT_DATABASE_URL": url,
                },
                tmp_path,
            )
            for port in ports
        ]
        try:
            async with aiohttp.ClientSession() as session:
                await asyncio.gather(*(wait_healthy(session, port) for port in ports))
        finally:
            errors = [await stop(process) for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], errors
