"""The question of the week through both fakes, with real `studybot run` processes: answers are
private (ephemeral on Slack and Discord), and the reveal posts exactly once, also when the
process is killed with kill -9 as the reveal reaches the platform."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.store.db import create_engine
from bot.store.tables import polls
from tests.fakes.discord.server import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.loopback import free_port, wait_until
from tests.fakes.slack.server import FakeSlack, action_payload, form
from tests.test_durability import (
    DISCORD_TOKEN,
    SECRET,
    SLACK_TOKEN,
    post_signed,
    start_studybot,
    stop,
    wait_healthy,
)
from tests.test_slack_exactly_once import due_now

EPHEMERAL = 64  # Discord's message flag


async def close_the_question(database_url: str) -> None:
    """A day passes: the question of the week is due to close."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            update(polls).values(closes_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    await engine.dispose()


async def results_posted(database_url: str) -> bool:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        posted = (await connection.execute(select(polls.c.results_posted_at))).scalar_one()
    await engine.dispose()
    return posted is not None


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()


async def test_slack_answers_are_ephemeral_and_the_reveal_survives_kill_9_mid_send(
    tmp_path: Path, slack: FakeSlack, database_url: str
) -> None:
    await due_now(database_url, ["quiz"])
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "STUDYBOT_HOST": "127.0.0.1",
        "STUDYBOT_PORT": str(port),
        "STUDYBOT_DATABASE_URL": database_url,
        "STUDYBOT_CLAIM_LEASE": "3",
    }
    process = await start_studybot(env, tmp_path)
    try:
        await slack.wait_for(lambda: slack.messages.get("C1"), within=30)
        [card] = slack.messages["C1"]
        assert "Question of the week" in json.dumps(card["blocks"], ensure_ascii=False)
        buttons = next(b for b in card["blocks"] if b["type"] == "actions")["elements"]
        assert len(buttons) == 4
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, port)
            for index, button in enumerate(buttons[:2]):
                payload = action_payload(
                    button["action_id"],
                    button["value"],
                    response_url=slack.response_url(f"answer{index}"),
                    user=f"V{index}",
                )
                body = form({"payload": json.dumps(payload)})
                assert await post_signed(session, port, body) == 200
        await slack.wait_for(lambda: len(slack.responses) >= 2, within=15)
        for _, response in slack.responses:
            assert response["response_type"] == "ephemeral"
            assert not response.get("replace_original")
            assert "Answer noted" in json.dumps(response, ensure_ascii=False)
        assert len(slack.messages["C1"]) == 1  # nothing about the answers in the channel

        # A day later it closes; the process dies the moment the reveal reaches Slack.
        slack.hanging.add("chat.postMessage")
        await close_the_question(database_url)
        await slack.wait_for(lambda: len(slack.messages["C1"]) >= 2, within=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        slack.hanging.clear()
        process = await start_studybot(env, tmp_path)
        for _ in range(200):
            if await results_posted(database_url):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(4)  # another lease: nothing arrives a second time
    finally:
        await stop(process)
    texts = [json.dumps(m.get("blocks", []), ensure_ascii=False) for m in slack.messages["C1"]]
    assert len(texts) == 2, texts
    assert sum("🧠 Answer:" in text for text in texts) == 1
    assert "2 answers" in texts[1]
    assert await results_posted(database_url)
    assert slack.calls_to("conversations.history")  # settled from history, not resent


async def test_discord_answers_are_ephemeral_and_the_reveal_posts_once_across_restarts(
    tmp_path: Path, discord_fake: FakeDiscord, database_url: str
) -> None:
    await due_now(
        database_url,
        ["quiz"],
        group_id=f"discord:{GUILD_ID}:{CHANNEL_ID}",
        platform="discord",
        created_by=f"discord:{GUILD_ID}:1600000000000000001",
    )
    env = {
        "DISCORD_TOKEN": DISCORD_TOKEN,
        "DISCORD_API_URL": discord_fake.api_url,
        "DISCORD_GATEWAY_URL": discord_fake.gateway_url,
        "STUDYBOT_DATABASE_URL": database_url,
        "STUDYBOT_HOST": "127.0.0.1",
        "STUDYBOT_PORT": str(free_port()),
        "STUDYBOT_CLAIM_LEASE": "3",
    }

    def channel_posts() -> list[dict[str, Any]]:
        return [
            m
            for m in discord_fake.messages
            if m.get("route") == "channel" and m.get("channel_id") == CHANNEL_ID
        ]

    process = await start_studybot(env, tmp_path)
    try:
        await discord_fake.wait_ready(within=30)
        await wait_until(lambda: channel_posts(), within=30, what="the question of the week")
        [card] = channel_posts()
        assert "Question of the week" in json.dumps(card["embeds"], ensure_ascii=False)
        custom_ids = [c["custom_id"] for row in card["components"] for c in row["components"]]
        assert len(custom_ids) == 4
        for index, custom_id in enumerate(custom_ids[:2]):
            await discord_fake.dispatch(
                "INTERACTION_CREATE",
                discord_fake.button(custom_id, user_id=str(1700000000000000100 + index)),
            )
        await wait_until(lambda: len(discord_fake.callbacks) >= 2, within=15, what="answers")
        for callback in discord_fake.callbacks:
            assert callback["type"] == 4
            assert callback["data"]["flags"] & EPHEMERAL
            assert "Answer noted" in json.dumps(callback["data"]["embeds"], ensure_ascii=False)
        process.send_signal(signal.SIGKILL)
        await process.wait()

        await close_the_question(database_url)
        for _ in range(2):  # two restarts: the reveal posts once
            process = await start_studybot(env, tmp_path)
            await discord_fake.wait_ready(within=30)
            await wait_until(lambda: len(channel_posts()) >= 2, within=30, what="the reveal")
            await asyncio.sleep(2)
            process.send_signal(signal.SIGKILL)
            await process.wait()
    finally:
        await stop(process)
    texts = [json.dumps(m["embeds"], ensure_ascii=False) for m in channel_posts()]
    assert len(texts) == 2, texts
    assert "🧠 Answer:" in texts[1]
    assert "2 answers" in texts[1]
