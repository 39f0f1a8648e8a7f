"""Check-ins by private message at each member's local time, exactly once (a controllable clock,
SQLite and PostgreSQL, restarts and two processes on one database)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.app import Application, build_application
from bot.core.model import ActionPress, Member, Reply
from bot.settings import Settings
from bot.store.private_messages import PrivateLedger, PrivateStatus
from scheduler.service import SchedulerService
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox
from tests.fakes.slack.server import FakeSlack
from tests.test_slack_adapter import command, slack_settings

BERLIN = Member(id="test:grace", name="Grace")
LOS_ANGELES = Member(id="test:linus", name="Linus")
SUNDAY = datetime(2026, 1, 11, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 1, 12, tzinfo=UTC)


@pytest.fixture
async def second_process(database_url: str, clock: FakeClock) -> AsyncIterator[Application]:
    """Another studybot process on the same database (its own claims, its own connections)."""
    application = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    yield application
    await application.close()


async def set_up(admin: Chat, clock: FakeClock) -> None:
    clock.set(SUNDAY)
    await admin.send("/checkin delivery dm")
    await admin.send("/schedule add checkin mon 09:00")  # the group's zone: UTC
    for member, zone in ((BERLIN, "Europe/Berlin"), (LOS_ANGELES, "America/Los_Angeles")):
        person = admin.as_member(member)
        await person.send("/join")
        await person.send(f"/me zone {zone}")


async def at(service: SchedulerService, clock: FakeClock, moment: datetime) -> None:
    clock.set(moment)
    await service.tick()
    await service.drain()


def dms(outbox: FakeOutbox, member: Member) -> list[str]:
    return [post.key for post in outbox.private if post.group_id == member.id]


async def test_each_member_is_asked_once_at_nine_in_their_own_zone(
    app: Application, admin: Chat, clock: FakeClock, second_process: Application
) -> None:
    await set_up(admin, clock)
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    await at(service, clock, SUNDAY)
    assert outbox.private == []

    await at(service, clock, MONDAY.replace(hour=7, minute=59))  # 08:59 in Berlin
    assert outbox.private == []
    await at(service, clock, MONDAY.replace(hour=8))  # 09:00 in Berlin
    assert len(dms(outbox, BERLIN)) == 1
    assert dms(outbox, LOS_ANGELES) == []
    question = outbox.private[0].reply
    assert question.title == "📝 Week 1 check-in"
    assert "How confident do you feel" in reply_text(question)
    assert [button.label for button in question.buttons] == ["Answer"]

    # A restart within that minute: a new process on the same database sends nothing again.
    restarted = second_process.scheduler({"test": outbox})
    await at(restarted, clock, MONDAY.replace(hour=8, second=30))
    assert len(dms(outbox, BERLIN)) == 1

    await at(service, clock, MONDAY.replace(hour=9))  # the group's own 09:00: the card
    assert len(outbox.posts) == 1
    card = outbox.posts[0].reply
    assert "privately" in reply_text(card)
    # The card and the private questions are one check-in.
    assert card.buttons[0].value == question.buttons[0].value

    await at(service, clock, MONDAY.replace(hour=16, minute=59))  # 08:59 in Los Angeles
    assert dms(outbox, LOS_ANGELES) == []
    await at(service, clock, MONDAY.replace(hour=17))  # 09:00 in Los Angeles
    assert len(dms(outbox, LOS_ANGELES)) == 1
    await at(restarted, clock, MONDAY.replace(hour=17, second=40))
    assert [len(dms(outbox, m)) for m in (BERLIN, LOS_ANGELES)] == [1, 1]
    assert len(outbox.posts) == 1


async def test_two_processes_ticking_together_send_each_question_once(
    app: Application, admin: Chat, clock: FakeClock, second_process: Application
) -> None:
    await set_up(admin, clock)
    outbox = FakeOutbox()
    first, second = app.scheduler({"test": outbox}), second_process.scheduler({"test": outbox})
    for moment in (SUNDAY, MONDAY.replace(hour=8), MONDAY.replace(hour=9), MONDAY.replace(hour=17)):
        clock.set(moment)
        await asyncio.gather(first.tick(), second.tick())
        await asyncio.gather(first.drain(), second.drain())
    assert [len(dms(outbox, m)) for m in (BERLIN, LOS_ANGELES)] == [1, 1]
    assert len(outbox.posts) == 1


async def test_a_process_that_died_mid_send_is_taken_over_without_a_duplicate(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    await set_up(admin, clock)
    outbox = FakeOutbox()  # keeps history, like Slack: an attempt can be settled
    service = app.scheduler({"test": outbox})
    await at(service, clock, SUNDAY)
    clock.set(MONDAY.replace(hour=8))
    dead = PrivateLedger(app.services.private.engine, claimer="dead-process")
    (claimed,) = await dead.claim_due(now=clock(), platforms=["test"], limit=10)
    assert claimed.member_id == BERLIN.id
    assert await dead.mark_attempting(claimed.message_id, now=clock())
    # It reached the platform; then the process died before recording that.
    await outbox.post_private(
        BERLIN.id, Reply(title="📝 Week 1 check-in"), idempotency_key=claimed.key
    )

    await at(service, clock, MONDAY.replace(hour=8, second=30))  # within the lease: hands off
    await at(service, clock, MONDAY.replace(hour=8, minute=2))  # the lease ran out
    assert dms(outbox, BERLIN) == [claimed.key]  # settled from history, not sent twice
    statuses = dict(await app.services.private.statuses(member_id=BERLIN.id))
    assert statuses[claimed.key] is PrivateStatus.SENT


async def test_closed_dms_fall_back_to_the_channel_and_reminders_go_privately(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    await set_up(admin, clock)
    outbox = FakeOutbox(closed_dms={LOS_ANGELES.id})
    service = app.scheduler({"test": outbox})
    await at(service, clock, SUNDAY)
    await at(service, clock, MONDAY.replace(hour=8))
    await at(service, clock, MONDAY.replace(hour=9))
    await at(service, clock, MONDAY.replace(hour=17))
    fallback = [
        p.reply for p in outbox.posts if "couldn't send it to you privately" in reply_text(p.reply)
    ]
    assert len(fallback) == 1
    assert "Linus" in reply_text(fallback[0])
    assert fallback[0].mentions == ()  # named, never pinged
    statuses = dict(await app.services.private.statuses(member_id=LOS_ANGELES.id))
    assert list(statuses.values()) == [PrivateStatus.FELL_BACK]

    # Grace answers from her DM; Linus does not: only he is reminded, privately where possible.
    question = next(p.reply for p in outbox.private if p.group_id == BERLIN.id)
    form = await app.dispatcher.press(
        ActionPress(
            action_id=question.buttons[0].action_id,
            value=question.buttons[0].value,
            member=BERLIN,
            group_id="test:dm-with-grace",
            platform="test",
        )
    )
    assert form.form is not None
    await app.dispatcher.press(
        ActionPress(
            action_id=form.form.submit_action,
            value=form.form.submit_value,
            member=BERLIN,
            group_id="test:dm-with-grace",
            platform="test",
            fields=(("q0", "Backprop by hand"), ("confidence", "4")),
        )
    )
    posts_before = len(outbox.posts)
    wednesday = MONDAY + timedelta(days=2)
    await at(service, clock, wednesday.replace(hour=5))  # 12 hours before it closes
    reminders = [p for p in outbox.posts[posts_before:] if "closes soon" in reply_text(p.reply)]
    assert len(reminders) == 1  # Linus's DMs are closed: named in the channel
    assert "Linus" in reply_text(reminders[0].reply)
    assert "Grace" not in reply_text(reminders[0].reply)
    assert dms(outbox, BERLIN) == [f"checkin:1:2026-01-12T09:00:{BERLIN.id}"]

    await at(service, clock, wednesday.replace(hour=17))
    digest = reply_text(outbox.posts[-1].reply)
    assert "1 of 2 members answered" in digest
    assert "Not answered: Linus" in digest


async def test_through_slack_each_member_gets_one_dm_at_their_nine(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The same flow against the fake Slack: commands as signed HTTP requests, questions through
    conversations.open and chat.postMessage into each member's DM, a refused DM in the channel."""
    slack = await FakeSlack(admins={"UADMIN"}).start()
    app = await build_application(slack_settings(tmp_path, slack), clock=clock)
    adapter = SlackAdapter(
        settings=app.settings, dispatcher=app.dispatcher, engine=app.services.store.engine
    )
    await adapter.start(host="127.0.0.1", port=0)
    try:
        clock.set(SUNDAY)
        await command(adapter, slack, "/checkin delivery dm", user="UADMIN")
        await command(adapter, slack, "/schedule add checkin mon 09:00", user="UADMIN")
        for user, zone in (("UBERLIN", "Europe/Berlin"), ("ULA", "America/Los_Angeles")):
            await command(adapter, slack, "/join", user=user)
            await command(adapter, slack, f"/me zone {zone}", user=user)
        slack.dm_refusals["ULA"] = "user_disabled"
        service = app.scheduler({"slack": adapter})
        for moment in (
            SUNDAY,
            MONDAY.replace(hour=7, minute=59),
            MONDAY.replace(hour=8),
            MONDAY.replace(hour=8, second=20),
            MONDAY.replace(hour=9),
            MONDAY.replace(hour=17),
        ):
            clock.set(moment)
            await service.tick()
            await service.drain()
        dms = slack.dms_to("UBERLIN")
        assert len(dms) == 1
        assert "How confident" in json.dumps(dms[0])
        channel = [json.dumps(m, ensure_ascii=False) for m in slack.messages.get("C1", [])]
        assert sum("couldn't send it to you privately" in text for text in channel) == 1
        assert sum("Week 1 check-in" in text for text in channel) >= 1
        told = await command(adapter, slack, "/tip", user="ULA")
        assert "couldn't reach you by private message" in json.dumps(told)
    finally:
        await adapter.stop()
        await app.close()
        await slack.stop()
