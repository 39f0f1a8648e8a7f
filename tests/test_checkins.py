"""Check-ins: answers in a form, edits until close, one reminder, one digest."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import Application, build_application
from bot.core.model import ActionPress, Member, Reply
from bot.settings import Settings
from scheduler.service import SchedulerService
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox


async def answer(app: Application, member: Member, checkin_id: int, *values: str) -> Reply:
    fields = tuple(zip(["q0", "q1", "q2", "confidence"], values, strict=False))
    return await app.dispatcher.press(
        ActionPress(
            action_id="checkin:submit",
            value=str(checkin_id),
            member=member,
            group_id="test:group",
            platform="test",
            fields=fields,
        )
    )


def service(app: Application, outbox: FakeOutbox) -> SchedulerService:
    return app.scheduler({"test": outbox})


async def test_answers_can_be_edited_until_close_and_the_digest_sums_up(
    admin: Chat, app: Application
) -> None:
    card = await admin.send("/checkin open")
    assert card.title == "📝 Week 1 check-in"
    form = await admin.press("Answer")
    assert form.form is not None
    assert [f.id for f in form.form.fields] == ["q0", "q1", "q2", "confidence"]
    grace, linus = Member(id="test:grace", name="Grace"), Member(id="test:linus", name="Linus")
    saved = await answer(app, grace, 1, "Gradient descent", "Regularisation", "none", "3")
    assert "your check-in is saved" in reply_text(saved)
    edited = await answer(
        app, grace, 1, "Gradient descent and momentum", "Regularisation", "Time", "4"
    )
    assert "your check-in is updated" in reply_text(edited)
    await answer(app, linus, 1, "Pandas", "", "Linear algebra", "2")
    # Opening the form puts nobody on the roster; answering does, and so does /join.
    await app.services.members.join("test:group", "test:ken", "Ken", now=app.services.clock())
    await admin.send("/join")

    status = reply_text(await admin.send("/checkin status"))
    assert "2 answered so far" in status
    assert "Not yet: Ada, Ken" in status

    digest = reply_text(await admin.send("/checkin close"))
    assert "2 of 4 members answered." in digest
    assert "Grace: Gradient descent and momentum" in digest
    assert "Blockers" in digest
    assert "Linus: Linear algebra" in digest
    assert "Grace: Time" in digest
    assert "Average confidence 3 / 5" in digest
    assert "Not answered: Ada, Ken" in digest
    late = await answer(app, grace, 1, "too late")
    assert "has closed" in reply_text(late)


async def test_confidence_changes_are_reported_against_the_last_check_in(
    admin: Chat, app: Application
) -> None:
    grace = Member(id="test:grace", name="Grace")
    await admin.send("/checkin open")
    await answer(app, grace, 1, "a", "b", "", "2")
    await admin.send("/checkin close")
    await admin.send("/checkin open")
    await answer(app, grace, 2, "a", "b", "", "4")
    assert "Average confidence 4 / 5 (+2 since the last check-in)" in reply_text(
        await admin.send("/checkin close")
    )


async def test_a_digest_says_so_when_nobody_answered(admin: Chat) -> None:
    await admin.send("/checkin open")
    digest = reply_text(await admin.send("/checkin close"))
    assert "Nobody answered this week's check-in" in digest


@pytest.mark.parametrize(
    ("values", "expected"),
    [(("", "", "", ""), "That form was empty"), (("x", "", "", "9"), "number from 1 to 5")],
)
async def test_bad_answers_are_refused_and_not_saved(
    admin: Chat, app: Application, values: tuple[str, ...], expected: str
) -> None:
    await admin.send("/checkin open")
    reply = await answer(app, Member(id="test:g", name="G"), 1, *values)
    assert reply.is_error
    assert expected in reply_text(reply)
    assert await app.services.checkins.answers(1) == []


async def test_members_may_answer_but_not_open_or_close(admin: Chat, app: Application) -> None:
    member = admin.as_member(Member(id="test:m", name="M"))
    assert "Only organizers can use /checkin open" in reply_text(await member.send("/checkin open"))
    await admin.send("/checkin open")
    assert "Only organizers can use /checkin close" in reply_text(
        await member.send("/checkin close")
    )
    assert (await member.send("/checkin answer")).form is not None
    refused = await member.send('/checkin questions "Who are you?"')
    assert "Only organizers" in reply_text(refused)


async def test_questions_can_be_changed(admin: Chat) -> None:
    changed = reply_text(await admin.send('/checkin questions "What did you build?" "Why?"'))
    assert "1. What did you build?" in changed
    card = await admin.send("/checkin open")
    assert "2. Why?" in reply_text(card)
    too_many = await admin.send('/checkin questions "1" "2" "3" "4" "5"')
    assert "Up to 4 questions" in reply_text(too_many)


async def test_one_reminder_and_one_digest_even_with_two_schedulers_and_downtime(
    admin: Chat, app: Application, clock: FakeClock, database_url: str
) -> None:
    await admin.send("/checkin open 48h")
    await app.services.members.join("test:group", "test:ken", "Ken", now=clock())
    outbox = FakeOutbox()
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        services = [service(app, outbox), service(other, outbox)]

        async def tick_both() -> None:
            await asyncio.gather(*(s.tick() for s in services))
            await asyncio.gather(*(s.drain() for s in services))

        clock.advance(timedelta(hours=35))
        await tick_both()
        assert outbox.titles() == []
        clock.advance(timedelta(hours=2))  # 11 hours before the close
        await tick_both()
        await tick_both()
        assert len(outbox.posts) == 1
        assert "Still to answer: Ken" in reply_text(outbox.posts[0].reply)
        # Everyone is down when the check-in closes; it is summed up once they are back.
        clock.advance(timedelta(hours=30))
        await tick_both()
        await tick_both()
    finally:
        await other.close()
    assert [post.reply.title for post in outbox.posts][1:] == ["📝 Week 1 check-in digest"]


async def test_a_scheduled_check_in_opens_itself(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await admin.send("/schedule add checkin fri 17:00 UTC")
    [record] = await app.services.schedules.list_schedules("test:group")
    outbox = FakeOutbox()
    clock.set(record.next_due_at + timedelta(seconds=1))
    runner = service(app, outbox)
    await runner.tick()
    await runner.drain()
    [post] = outbox.posts
    assert post.reply.title == "📝 Week 1 check-in"
    assert await app.services.checkins.latest_open("test:group", now=clock()) is not None


async def test_the_digest_of_a_scheduled_check_in_answers_in_its_thread(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await admin.send("/schedule add checkin fri 17:00 UTC")
    [record] = await app.services.schedules.list_schedules("test:group")
    outbox = FakeOutbox()
    runner = service(app, outbox)
    clock.set(record.next_due_at + timedelta(seconds=1))
    await runner.tick()
    await runner.drain()
    opened = await app.services.checkins.get(1)
    assert opened is not None
    assert opened.message_ref == "msg-1"  # what the platform called the check-in's message
    clock.advance(timedelta(hours=49))
    await runner.tick()
    await runner.drain()
    digest = outbox.posts[-1].reply
    assert digest.title == "📝 Week 1 check-in digest"
    assert digest.thread_of == "msg-1"


async def test_reminders_ping_only_when_the_group_opted_in(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    member = admin.as_member(Member(id="test:m", name="M"))
    assert "Only organizers" in reply_text(await member.send("/checkin mentions on"))
    assert "name them without a ping" in reply_text(await admin.send("/checkin mentions"))
    assert "ping the members" in reply_text(await admin.send("/checkin mentions on"))
    await admin.send("/checkin open 48h")
    await app.services.members.join("test:group", "test:ken", "Ken", now=clock())
    outbox = FakeOutbox()
    runner = service(app, outbox)
    clock.advance(timedelta(hours=40))
    await runner.tick()
    await runner.drain()
    [post] = outbox.posts
    assert post.reply.mentions == ("test:ken",)


async def test_a_digest_whose_sender_died_mid_send_is_posted_once_after_the_lease(
    admin: Chat, app: Application, clock: FakeClock, database_url: str
) -> None:
    from bot.features.checkin_schedule import sweep_checkins

    await admin.send("/checkin open 24h")
    clock.advance(timedelta(hours=24, seconds=1))
    # A process closes the check-in, claims its digest, marks it attempted and dies before
    # the platform answers (here: before the platform got it).
    [dying] = await sweep_checkins(app.services, ["test"], lease=timedelta(minutes=1))
    assert dying.key == "studybot:checkin-digest:1"
    assert dying.mark_attempted is not None
    assert await dying.mark_attempted()
    outbox = FakeOutbox()
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        survivor = service(other, outbox)
        await survivor.tick()
        await survivor.drain()
        assert outbox.posts == []  # still the dead process's, within its lease
        clock.advance(timedelta(minutes=1, seconds=1))
        for _ in range(2):
            await survivor.tick()
            await survivor.drain()
    finally:
        await other.close()
    assert outbox.titles() == ["📝 Week 1 check-in digest"]
    assert outbox.history_reads == 1  # it looked in the conversation before posting


async def test_a_check_in_closed_by_command_is_not_summed_up_again(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await admin.send("/checkin open 24h")
    assert "digest" in reply_text(await admin.send("/checkin close"))
    clock.advance(timedelta(hours=25))
    outbox = FakeOutbox()
    runner = service(app, outbox)
    await runner.tick()
    await runner.drain()
    assert outbox.posts == []


async def test_a_reminder_whose_sender_died_mid_send_is_posted_once_after_the_lease(
    admin: Chat, app: Application, clock: FakeClock, database_url: str
) -> None:
    from bot.features.checkin_schedule import sweep_checkins

    await admin.send("/checkin open 48h")
    await app.services.members.join("test:group", "test:ken", "Ken", now=clock())
    clock.advance(timedelta(hours=37))  # 11 hours before it closes
    [dying] = await sweep_checkins(app.services, ["test"], lease=timedelta(minutes=1))
    assert dying.key == "studybot:checkin-reminder:1"
    assert dying.mark_attempted is not None
    assert await dying.mark_attempted()  # ...and the process dies before the platform answers
    outbox = FakeOutbox()
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        survivor = service(other, outbox)
        await survivor.tick()
        await survivor.drain()
        assert outbox.posts == []
        clock.advance(timedelta(minutes=1, seconds=1))
        for _ in range(2):
            await survivor.tick()
            await survivor.drain()
    finally:
        await other.close()
    [posted] = outbox.posts
    assert "Still to answer: Ken" in reply_text(posted.reply)
    assert outbox.history_reads == 1
