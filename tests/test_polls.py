"""Polls: votes, live tallies, anonymity, closing with a chart, scheduled progress polls."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from bot.app import Application, build_application
from bot.core.model import ActionPress, Member
from bot.settings import Settings
from scheduler.service import SchedulerService
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox


async def press_as(app: Application, member_id: str, value: str) -> str:
    reply = await app.dispatcher.press(
        ActionPress(
            action_id="poll:vote",
            value=value,
            member=Member(id=member_id, name=member_id),
            group_id="test:group",
            platform="test",
        )
    )
    return reply_text(reply)


async def test_one_vote_per_member_and_a_live_tally(admin: Chat, app: Application) -> None:
    card = await admin.send('/poll "Best study day?" "Monday" "Thursday" "Saturday"')
    assert [b.label for b in card.buttons] == ["Monday", "Thursday", "Saturday"]
    first = await admin.press("Thursday")
    assert first.replace_original
    assert "2. Thursday  ██████████ 1 (100%)" in reply_text(first)
    changed = await admin.press("Saturday")  # a second click changes the vote
    assert "3. Saturday  ██████████ 1 (100%)" in reply_text(changed)
    assert "2. Thursday  · 0 (0%)" in reply_text(changed)
    await press_as(app, "test:grace", "1:0")
    text = await press_as(app, "test:linus", "1:0")
    assert "1. Monday  ██████████ 2 (67%)" in text
    assert "3 votes" in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('/poll "Only one?" "yes"', "needs 2 to 10 options; I found 1"),
        ("/poll " + '"q" ' + " ".join(f'"o{i}"' for i in range(11)), "I found 11"),
        ('/poll "q" "same" "Same"', "Two options are the same"),
        ('/poll "q" "a" "b" closes soon', "`soon` isn't a duration"),
        ('/poll "q" "a" "b" closes 30d', "from 1 minute to 14 days"),
        ('/poll "' + "x" * 201 + '" "a" "b"', "under 200 characters"),
        ('/poll "q" "a" "' + "b" * 81 + '"', "1 to 80 characters"),
        ("/poll close 99", "no poll `99`"),
        ('/poll "unclosed', "quote is left open"),
    ],
)
async def test_bad_polls_are_explained_and_nothing_is_stored(
    admin: Chat, app: Application, line: str, expected: str
) -> None:
    reply = await admin.send(line)
    assert reply.is_error
    assert expected in reply_text(reply)
    assert await app.services.polls.get(1) is None


async def test_200_members_voting_at_once_give_an_exact_tally(
    admin: Chat, app: Application
) -> None:
    await admin.send('/poll "Ready?" "yes" "no"')
    await asyncio.gather(*(press_as(app, f"test:m{i}", f"1:{i % 3 % 2}") for i in range(200)))
    # Half of them change their minds at once.
    await asyncio.gather(*(press_as(app, f"test:m{i}", "1:1") for i in range(0, 200, 2)))
    poll = await app.services.polls.get(1)
    assert poll is not None
    tally = await app.services.polls.tally(poll)
    expected_yes = sum(1 for i in range(1, 200, 2) if i % 3 % 2 == 0)
    assert tally.counts == (expected_yes, 200 - expected_yes)


async def test_anonymous_polls_keep_no_member_identity(
    admin: Chat, app: Application, database_url: str
) -> None:
    await admin.send('/poll "How confident are you?" "low" "medium" "high" anonymous')
    voters = [f"test:voter{i}" for i in range(2)]
    text = await press_as(app, voters[0], "1:2")
    text = await press_as(app, voters[1], "1:2")
    assert "Per-option results appear once 3 members have voted" in text
    assert "2 votes" in text
    voters.append("test:voter2")
    text = await press_as(app, voters[2], "1:0")
    assert "3. high  ██████████ 2 (67%)" in text
    results = await admin.send("/poll close 1")
    assert results.image is not None

    engine = app.services.store.engine
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        everything = []
        for name in tables:
            table = await connection.run_sync(
                lambda c, n=name: __import__("sqlalchemy").Table(
                    n, __import__("sqlalchemy").MetaData(), autoload_with=c
                )
            )
            everything += [str(row) for row in (await connection.execute(select(table))).all()]
    dump = "\n".join(everything)
    for voter in voters:
        assert voter not in dump
    async with engine.connect() as connection:
        key = (await connection.exec_driver_sql("SELECT vote_key FROM polls")).scalar_one()
    assert key is None  # erased at close: the hashes can no longer be linked to anyone


async def test_closing_posts_results_with_a_real_chart(admin: Chat, app: Application) -> None:
    await admin.send('/poll "Which topic next?" "Statistics" "Deep learning" "MLOps"')
    for index, member in enumerate(["a", "b", "c", "d"]):
        await press_as(app, f"test:{member}", f"1:{min(index, 2)}")
    results = await admin.send("/poll close 1")
    assert "Results: Which topic next?" in reply_text(results)
    assert results.image is not None
    png = results.image.data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 680)  # 2x for high-density screens
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.std() > 0.05  # not blank
    again = await admin.send("/poll close 1")
    assert "already closed" in reply_text(again)


async def test_only_the_creator_or_an_admin_may_close(admin: Chat, app: Application) -> None:
    member = admin.as_member(Member(id="test:m", name="m"))
    await admin.send('/poll "q" "a" "b"')
    refused = await member.send("/poll close 1")
    assert "Only the poll's creator or an organizer" in reply_text(refused)
    assert "Results" in reply_text(await admin.send("/poll close 1"))


async def test_a_poll_closes_on_time_exactly_once(
    admin: Chat, app: Application, clock: FakeClock, database_url: str
) -> None:
    await admin.send('/poll "q" "a" "b" closes 2h')
    await press_as(app, "test:x", "1:0")
    outbox = FakeOutbox()
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        services = [
            SchedulerService(
                ledger=application.services.deliveries,
                notices=application.services.notices,
                outboxes={"test": outbox},
                kinds=application.kinds,
                clock=clock,
                grace=timedelta(hours=1),
                sweepers=application.scheduler({"test": outbox}).sweepers,
            )
            for application in (app, other)
        ]
        clock.advance(timedelta(hours=1))
        await services[0].tick()
        assert outbox.posts == []
        clock.advance(timedelta(hours=1, seconds=1))
        await asyncio.gather(*(service.tick() for service in services))
        await asyncio.gather(*(service.drain() for service in services))
    finally:
        await other.close()
    assert outbox.titles() == ["📊 Results: q"]
    assert "has closed" in await press_as(app, "test:late", "1:1")


async def test_a_scheduled_progress_poll_asks_about_the_current_week(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await admin.send("/schedule add poll fri 17:00 UTC")
    [record] = await app.services.schedules.list_schedules("test:group")
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    clock.set(record.next_due_at + timedelta(seconds=1))
    await service.tick()
    await service.drain()
    [post] = outbox.posts
    assert post.reply.title == "📊 How far did you get with week 1?"
    assert [b.label for b in post.reply.buttons] == [
        "Not started",
        "Started",
        "Halfway",
        "Done",
        "Ahead",
    ]


def test_votes_survive_kill_9(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "COLUMNS": "100",
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'votes.db'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write('/poll "Ready?" "yes" "no"\n/press 2\n')
    process.stdin.flush()
    seen, deadline = "", time.monotonic() + 30
    while "1 vote " not in seen and time.monotonic() < deadline:
        seen += process.stdout.readline()
    assert "1 vote " in seen  # the vote was acknowledged...
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    after = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--user", "you"],
        input="/poll close 1\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert "2. no  ██████████ 1 (100%)" in after.stdout  # ...and kept
    assert "Bar chart of the results of poll #1:" in after.stdout


@pytest.mark.parametrize("reached_the_platform", [True, False])
async def test_results_whose_sender_died_mid_send_are_posted_once_by_another_process(
    admin: Chat,
    app: Application,
    clock: FakeClock,
    database_url: str,
    reached_the_platform: bool,
) -> None:
    from bot.features.poll_schedule import sweep_closed_polls
    from tests.fakes.outbox import Post

    await admin.send('/poll "q" "a" "b" closes 1h')
    await press_as(app, "test:x", "1:0")
    clock.advance(timedelta(hours=1, seconds=1))
    # A process claims the results, marks them attempted, and dies before hearing back.
    [dying] = await sweep_closed_polls(app.services, ["test"], lease=timedelta(minutes=1))
    assert dying.mark_attempted is not None
    assert await dying.mark_attempted()
    outbox = FakeOutbox()
    if reached_the_platform:
        outbox.posts.append(Post(group_id="test:group", reply=dying.reply, key=dying.key))
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        survivor = other.scheduler({"test": outbox})
        await survivor.tick()
        await survivor.drain()
        assert outbox.history_reads == 0  # still within the dead process's lease
        clock.advance(timedelta(minutes=1, seconds=1))
        await survivor.tick()
        await survivor.drain()
        await survivor.tick()
        await survivor.drain()
    finally:
        await other.close()
    assert outbox.titles() == ["📊 Results: q"]
    assert outbox.history_reads == 1  # it looked before posting again
    poll = await app.services.polls.get(1)
    assert poll is not None
    assert (
        await app.services.polls.results.claim(
            platforms=["test"], claimer="any", now=clock() + timedelta(hours=1), lease=timedelta(0)
        )
        == []
    )


async def test_results_claimed_but_never_attempted_are_posted_after_the_lease(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    from bot.features.poll_schedule import sweep_closed_polls

    await admin.send('/poll "q" "a" "b" closes 1h')
    clock.advance(timedelta(hours=1, seconds=1))
    assert len(await sweep_closed_polls(app.services, ["test"])) == 1  # claimed, then lost
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()
    assert outbox.posts == []
    clock.advance(timedelta(minutes=1, seconds=1))
    await service.tick()
    await service.drain()
    assert outbox.titles() == ["📊 Results: q"]
    assert outbox.history_reads == 0  # never attempted: nothing to look for


async def test_a_poll_closed_by_command_is_not_announced_again(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await admin.send('/poll "q" "a" "b" closes 1h')
    assert "Results" in reply_text(await admin.send("/poll close 1"))
    clock.advance(timedelta(hours=2))
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()
    assert outbox.posts == []
