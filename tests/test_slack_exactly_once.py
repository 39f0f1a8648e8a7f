"""Exactly once on Slack: a nudge and a progress poll fall due in one channel, and the process is
killed with kill -9 the moment the first post reaches Slack. After a restart each arrives exactly
once, with no 'may not have arrived' notice: the nudge is found in the channel's history by its
metadata key, the poll (never attempted) is simply sent."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.time import Occurrence, WeeklyRule
from bot.store.db import create_engine, upgrade_database
from bot.store.schedules import ScheduleStore
from tests.fakes.loopback import free_port
from tests.fakes.slack.server import FakeSlack
from tests.test_durability import SECRET, SLACK_TOKEN, start_studybot, stop

CHANNEL = "C1"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


async def due_now(
    database_url: str,
    kinds: list[str],
    *,
    group_id: str = f"slack:T1:{CHANNEL}",
    platform: str = "slack",
    created_by: str = "slack:T1:UADMIN",
) -> None:
    """Schedules in one channel (a Slack one unless told), each due a moment ago."""
    engine = create_engine(database_url)
    await upgrade_database(engine)
    store = ScheduleStore(engine)
    now = datetime.now(UTC)
    rule = WeeklyRule(weekdays=frozenset(range(7)), at=clock_time(9, 0), zone=ZoneInfo("UTC"))
    for kind in kinds:
        due = now - timedelta(seconds=5)
        await store.add_schedule(
            group_id=group_id,
            platform=platform,
            kind=kind,
            rule=rule,
            first=Occurrence(due_at=due, slot=f"{due:%Y-%m-%dT%H:%M}"),
            created_by=created_by,
            now=now,
        )
    await engine.dispose()


def titles(slack: FakeSlack) -> list[str]:
    return [str(message.get("text", "")) for message in slack.messages.get(CHANNEL, [])]


async def test_kill_9_as_the_first_post_reaches_slack_loses_and_repeats_nothing(
    tmp_path: Path, slack: FakeSlack, database_url: str
) -> None:
    await due_now(database_url, ["nudge", "poll"])
    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "STUDYBOT_HOST": "127.0.0.1",
        "STUDYBOT_PORT": str(free_port()),
        "STUDYBOT_DATABASE_URL": database_url,
        "STUDYBOT_CLAIM_LEASE": "3",
    }
    slack.hanging.add("chat.postMessage")  # Slack stores the post; its answer never comes
    process = await start_studybot(env, tmp_path)
    try:
        await slack.wait_for(lambda: slack.messages.get(CHANNEL), within=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert len(titles(slack)) == 1  # the second post was still waiting for its turn

        slack.hanging.clear()
        restarted = time.monotonic()
        process = await start_studybot(env, tmp_path)
        await slack.wait_for(lambda: len(titles(slack)) >= 2, within=60)
        await asyncio.sleep(6)  # two more leases: nothing arrives a second time
    finally:
        await stop(process)
    posted = titles(slack)
    assert len(posted) == 2, posted
    assert sum("nudge" in title for title in posted) == 1, posted
    assert sum("How far did you get" in title for title in posted) == 1, posted
    assert not any("did not go out" in title for title in posted)
    assert time.monotonic() - restarted < 120
    assert len(slack.calls_to("conversations.history")) >= 1  # the nudge was settled, not resent
