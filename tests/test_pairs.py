"""Accountability pairs, driven as members and organizers would: chat, console, the scheduler
and both platform fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.app import Application
from bot.core.model import ActionPress, Member
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox
from tests.fakes.slack.server import FakeSlack
from tests.test_cli import studybot
from tests.test_slack_adapter import command

PEOPLE = [Member(id=f"test:{name}", name=name.title()) for name in ("ada", "bob", "cy")]


async def run(app: Application, outbox: FakeOutbox) -> None:
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()


async def test_bad_input_is_refused_and_stores_nothing(app: Application, admin: Chat) -> None:
    ada = admin.as_member(PEOPLE[0])
    refused = await ada.send("/pairs round")
    assert refused.is_error
    assert "Only organizers can use /pairs round" in reply_text(refused)
    assert "groups are 2 or 3 people" in reply_text(await admin.send("/pairs size 9"))
    assert await app.services.pairs.size("test:group") == 2
    await ada.send("/pairs join")
    lonely = await admin.send("/pairs round")
    assert lonely.is_error
    assert "at least two members" in reply_text(lonely)
    assert await app.services.pairs.recent_teams("test:group", rounds=3) == []
    assert "not in the rounds" in reply_text(await admin.send("/pairs skip"))


async def test_a_round_pairs_everyone_and_follows_up(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    chats = [admin.as_member(person) for person in PEOPLE]
    for chat in chats:
        assert "next round" in reply_text(await chat.send("/pairs join"))
    announced = await admin.send("/pairs round")
    assert announced.title == "🤝 This week's study partners"
    assert sorted(announced.mentions) == sorted(p.id for p in PEOPLE)  # they opted in
    assert "Ada · Bob · Cy" in reply_text(announced)  # three members: one trio
    assert "This round: Bob, Cy" in reply_text(await chats[0].send("/pairs"))

    outbox = FakeOutbox()
    await run(app, outbox)
    assert [post.group_id for post in outbox.shared] == ["test:ada,test:bob,test:cy"]
    intro = reply_text(outbox.shared[0].reply)
    assert "Free at the same time" in intro
    assert "A 30-minute exercise" in intro
    assert outbox.private == []  # the follow-ups wait three days

    clock.advance(timedelta(days=3))
    await run(app, outbox)
    follow_ups = {post.group_id: post.reply for post in outbox.private}
    assert sorted(follow_ups) == sorted(p.id for p in PEOPLE)
    question = follow_ups[PEOPLE[0].id]
    assert question.title == "Did you meet with Bob, Cy?"
    yes = next(button for button in question.buttons if button.label == "Yes")
    thanks = await app.dispatcher.press(
        ActionPress(
            action_id=yes.action_id,
            value=yes.value,
            member=PEOPLE[0],
            group_id="test:dm",
            platform="test",
        )
    )
    assert "counts toward your streak" in reply_text(thanks)
    assert "Meetings so far: 1" in reply_text(await chats[0].send("/pairs"))
    assert "Streak: 1 week" in reply_text(await chats[0].send("/progress"))
    assert "1 of 1 pairs met" in reply_text(await admin.send("/report"))
    await run(app, outbox)
    assert len(outbox.private) == 3  # each follow-up once


async def test_skipping_sits_out_one_round_and_partners_change(admin: Chat) -> None:
    people = [Member(id=f"test:m{n}", name=f"M{n}") for n in range(4)]
    for person in people:
        await admin.as_member(person).send("/pairs join")
    first = reply_text(await admin.send("/pairs round"))
    second = reply_text(await admin.send("/pairs round"))
    assert first != second  # nobody meets the same partner twice when that can be avoided
    await admin.as_member(people[0]).send("/pairs skip")
    third = reply_text(await admin.send("/pairs round"))
    assert "M0" not in third
    fourth = reply_text(await admin.send("/pairs round"))
    assert "M0" in fourth


async def test_a_scheduled_round_is_made_once(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    for person in PEOPLE[:2]:
        await admin.as_member(person).send("/pairs join")
    assert "round of study partners" in reply_text(
        await admin.send("/schedule add pairs tue 08:00")
    )
    outbox = FakeOutbox()
    clock.advance(timedelta(days=1))
    await run(app, outbox)
    await run(app, outbox)
    assert [post.reply.title for post in outbox.posts] == ["🤝 This week's study partners"]
    assert len(outbox.shared) == 1
    assert len(await app.services.pairs.recent_teams("test:group", rounds=9)) == 1


def test_members_pair_up_from_terminals_sharing_a_database(tmp_path: Path) -> None:
    env = {"STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    for user in ("grace", "linus"):
        joined = studybot("console", "--user", user, stdin="/pairs join\n", env=env, cwd=tmp_path)
        assert "You're in the next round" in joined.stdout, joined.stderr
    organizer = studybot("console", stdin="/pairs round\n", env=env, cwd=tmp_path)
    assert "This week's study partners" in organizer.stdout, organizer.stderr
    for user, partner in (("grace", "linus"), ("linus", "grace")):
        mine = studybot("console", "--user", user, stdin="/pairs\n", env=env, cwd=tmp_path)
        assert f"This round: {partner}" in mine.stdout


# Through the platform fakes -------------------------------------------------------------------


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(admins={"UADMIN"}).start()
    yield fake
    await fake.stop()


async def test_slack_opens_one_group_dm_per_pair(tmp_path: Path, slack: FakeSlack) -> None:
    from bot.app import build_application
    from tests.test_slack_adapter import slack_settings

    app = await build_application(slack_settings(tmp_path, slack))
    adapter = SlackAdapter(
        settings=app.settings, dispatcher=app.dispatcher, engine=app.services.store.engine
    )
    await adapter.start(host="127.0.0.1", port=0)
    try:
        for user in ("U1", "U2", "U3", "U4"):
            await command(adapter, slack, "/pairs join", user=user)
        announced = await command(adapter, slack, "/pairs round", user="UADMIN")
        assert "study partners" in str(announced)
        service = app.scheduler({"slack": adapter})
        await service.tick()
        await service.drain()
        opened = [call.params["users"] for call in slack.calls_to("conversations.open")]
        assert len(opened) == 2
        assert sorted(u for users in opened for u in users.split(",")) == ["U1", "U2", "U3", "U4"]
        for users in opened:
            channel = next(c for c, members in slack.dm_users.items() if members == users)
            assert channel.startswith("G")  # a multi-person DM
            assert len(slack.messages[channel]) == 1
    finally:
        await adapter.stop()
        await app.close()
