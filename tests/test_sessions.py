"""Study sessions: RSVP with a cap and a waitlist, reminders and "Were you there?" exactly once,
weekly series across DST, calendar files and the feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from icalendar import Calendar

from bot.adapters.calendar_feed import calendar_routes
from bot.adapters.discord.outbound import render as discord_render
from bot.adapters.slack.outbound import render as slack_render
from bot.app import Application
from bot.core.model import ActionPress, Member, Reply
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.outbox import FakeOutbox
from tests.test_cli import studybot

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PAPER_CLUB = '/session add "Paper club" 2026-12-03 18:30 Europe/Berlin cap 2'
PEOPLE = [Member(id=f"test:{name}", name=name.title()) for name in ("ada", "bob", "cy")]


async def press(app: Application, reply: Reply, label: str, member: Member) -> Reply:
    button = next(b for b in reply.buttons if b.label == label)
    return await app.dispatcher.press(
        ActionPress(
            action_id=button.action_id,
            value=button.value,
            member=member,
            group_id="test:group",
            platform="test",
        )
    )


async def tick(app: Application, outbox: FakeOutbox) -> None:
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()


async def test_a_cap_fills_and_the_waitlist_moves_up(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    clock.set(NOW)
    card = await admin.send(PAPER_CLUB)
    assert card.title == "📅 Paper club"
    for member in PEOPLE:
        card = await press(app, card, "Going", member)
    text = reply_text(card)
    assert "Going (2/2): Ada, Bob" in text
    assert "Waitlist: Cy" in text
    card = await press(app, card, "Can't", PEOPLE[0])
    text = reply_text(card)
    assert "Going (2/2): Bob, Cy" in text
    assert "Can't: Ada" in text
    assert "Waitlist" not in text
    outbox = FakeOutbox()
    await tick(app, outbox)
    titles = [p.reply.title for p in outbox.private if p.group_id == PEOPLE[2].id]
    assert titles.count("You're in: Paper club") == 1
    others = [p.reply.title for p in outbox.private if p.group_id != PEOPLE[2].id]
    assert "You're in: Paper club" not in others

    listed = reply_text(await admin.send("/session list"))
    assert "#1 Paper club" in listed
    assert "going 2/2" in listed

    ics = await admin.send("/session ics 1")
    assert ics.image is not None
    assert ics.image.media_type == "text/calendar"
    calendar = Calendar.from_ical(ics.image.data)
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.astimezone(UTC) == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert str(event["summary"]) == "Paper club"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('/session add "Old" 2026-11-01 18:30', "has passed"),
        ('/session add "Late" 2026-12-03 25:00', "isn't a time of day"),
        ('/session add "Far" 2026-12-03 18:30 Mars/Olympus', "Mars/Olympus"),
        ('/session add "Tiny" 2026-12-03 18:30 cap 0', "1 or more"),
        (f'/session add "{"x" * 201}" 2026-12-03 18:30', "up to 200 characters"),
        ('/session add "Odd" someday 18:30', "isn't a day"),
        ("/session cancel 9", "no session"),
    ],
)
async def test_bad_input_is_refused_and_stores_nothing(
    app: Application, admin: Chat, clock: FakeClock, line: str, expected: str
) -> None:
    clock.set(NOW)
    reply = await admin.send(line)
    assert reply.is_error
    assert expected in reply_text(reply)
    assert await app.services.sessions.of_group("test:group") == []


async def test_reminders_and_the_question_after_go_once_each(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    clock.set(NOW)
    card = await admin.send(PAPER_CLUB)
    await press(app, card, "Going", PEOPLE[0])
    start = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    outbox = FakeOutbox()
    for moment in (start - timedelta(hours=24, minutes=1), start - timedelta(hours=24)):
        clock.set(moment)
        await tick(app, outbox)
    clock.set(start - timedelta(hours=24) + timedelta(seconds=30))
    await tick(app, outbox)  # a second tick inside the same minute sends nothing again
    reminders = [p for p in outbox.private if p.reply.title == "⏰ Paper club"]
    assert len(reminders) == 1
    clock.set(start - timedelta(hours=1))
    await tick(app, outbox)
    await tick(app, outbox)
    assert len([p for p in outbox.private if p.reply.title == "⏰ Paper club"]) == 2

    clock.set(start + timedelta(minutes=60))
    await tick(app, outbox)
    (asked,) = [p.reply for p in outbox.private if p.reply.title == "Were you at Paper club?"]
    await press(app, asked, "Yes", PEOPLE[0])
    chat = admin.as_member(PEOPLE[0])
    assert "Streak: 1 week" in reply_text(await chat.send("/progress"))


async def test_a_weekly_series_keeps_its_local_time_across_the_dst_change(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 10, 15, 9, 0, tzinfo=UTC))
    await admin.send('/session add "Study night" sun 18:30 Europe/Berlin weekly')
    (session,) = await app.services.sessions.of_group("test:group")
    from bot.features.session_times import occurrences, starts_at

    first, second = occurrences(session, after=clock(), limit=2)
    assert starts_at(session, first) == datetime(2026, 10, 18, 16, 30, tzinfo=UTC)  # CEST
    assert starts_at(session, second) == datetime(2026, 10, 25, 17, 30, tzinfo=UTC)  # CET
    card = await admin.send("/session show 1")
    await press(app, card, "Going to all", PEOPLE[1])
    outbox = FakeOutbox()
    clock.set(datetime(2026, 10, 25, 16, 30, tzinfo=UTC))  # an hour before, after the change
    await tick(app, outbox)
    assert [p.group_id for p in outbox.private if p.reply.title == "⏰ Study night"] == [
        PEOPLE[1].id
    ]
    ics = Calendar.from_ical((await admin.send("/session ics 1")).image.data)  # type: ignore[union-attr]
    (event,) = ics.walk("VEVENT")
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"


async def test_times_render_in_each_readers_zone_on_both_platforms(
    admin: Chat, clock: FakeClock
) -> None:
    clock.set(NOW)
    card = await admin.send(PAPER_CLUB)
    slack = json.dumps(slack_render(card))
    assert "<!date^1796319000^{date_short_pretty} {time}|" in slack
    assert "{ago}" in slack
    discord = json.dumps([embed.to_dict() for embed in discord_render(card).embeds])
    assert "<t:1796319000:f>" in discord
    assert "<t:1796319000:R>" in discord


async def test_the_feed_serves_the_group_and_refuses_other_tokens(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    clock.set(NOW)
    await admin.send('/session add "Study night" thu 19:00 Europe/Berlin weekly')
    await admin.send(PAPER_CLUB)
    await admin.send("/session cancel 2")
    refused = await admin.as_member(PEOPLE[0]).send("/session feed")
    assert refused.is_error
    url = reply_text(await admin.send("/session feed"))
    token = url.split("/calendar/")[1].split(".ics")[0]
    web_app = web.Application()
    web_app.add_routes(calendar_routes(app.services))
    runner, base = await serve_on_loopback(web_app)
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{base}/calendar/{token}.ics") as response:
                assert response.status == 200
                assert response.content_type == "text/calendar"
                calendar = Calendar.from_ical(await response.read())
            events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
            assert events["Study night"]["rrule"]["FREQ"] == ["WEEKLY"]
            assert str(events["Paper club"]["status"]) == "CANCELLED"
            for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 32, "short"):
                async with client.get(f"{base}/calendar/{wrong}.ics") as response:
                    assert response.status == 404
            await admin.send("/session feed reset")
            async with client.get(f"{base}/calendar/{token}.ics") as response:
                assert response.status == 404  # the old link is retired
    finally:
        await runner.cleanup()


def test_three_members_rsvp_from_terminals_and_the_third_moves_up(tmp_path: Path) -> None:
    env = {"STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    made = studybot(
        "console",
        stdin='/session add "Paper club" thu 18:30 Europe/Berlin cap 2\n',
        env=env,
        cwd=tmp_path,
    )
    assert "Paper club" in made.stdout, made.stderr
    for user in ("ada", "bob", "cy"):
        going = studybot(
            "console", "--user", user, stdin="/session show 1\n/press 1\n", env=env, cwd=tmp_path
        )
        assert going.returncode == 0, going.stderr
    flat = " ".join(going.stdout.split())
    assert "Going (2/2): ada, bob" in flat
    assert "Waitlist: cy" in flat
    left = studybot(
        "console", "--user", "ada", stdin="/session show 1\n/press 3\n", env=env, cwd=tmp_path
    )
    assert "Going (2/2): bob, cy" in " ".join(left.stdout.split())
    listed = studybot("console", stdin="/session list\n/session ics 1\n", env=env, cwd=tmp_path)
    out = " ".join(listed.stdout.split())
    assert "#1 Paper club" in out
    path = Path(out.split("Calendar file for Paper club: ")[1].split()[0])
    (event,) = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    local = event.decoded("dtstart")
    assert (local.hour, local.minute, str(local.tzinfo)) == (18, 30, "Europe/Berlin")


async def test_finding_a_time_then_picking_it(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    clock.set(NOW)
    await admin.send("/schedule timezone Europe/Berlin")
    poll = await admin.send(
        '/session when "Paper club" "2026-12-03 18:30" "2026-12-04 19:00" "2026-12-05 10:00"'
    )
    assert poll.title == "🗓 When should we meet for Paper club?"
    assert [b.label for b in poll.buttons] == ["1 fits", "2 fits", "3 fits"]
    poll = await press(app, poll, "2 fits", PEOPLE[0])
    poll = await press(app, poll, "1 fits", PEOPLE[0])  # several may fit
    poll = await press(app, poll, "2 fits", PEOPLE[1])
    text = reply_text(poll)
    assert "2. Fri 04 Dec 18:00 UTC: 2 (Ada, Bob)" in text  # 19:00 Berlin, read in UTC
    refused = await admin.as_member(PEOPLE[1]).send("/session pick 1 2")
    assert refused.is_error
    card = await admin.send("/session pick 1 2")
    assert card.title == "📅 Paper club"
    assert "Fri 04 Dec 18:00 UTC" in reply_text(card)
    assert (await admin.send("/session pick 1 1")).is_error  # decided once
    outbox = FakeOutbox()
    await tick(app, outbox)
    told = sorted(p.group_id for p in outbox.private if p.reply.title == "Paper club: it's on")
    assert told == [PEOPLE[0].id, PEOPLE[1].id]
    for bad, expected in [
        ('/session when "X" "2026-12-03 18:30"', "2 to 10 times"),
        ('/session when "X" "2026-11-01 18:30" "2026-12-01 10:00"', "has passed"),
        ('/session when "X" "tomorrow" "2026-12-01 10:00"', "isn't a date and time"),
    ]:
        reply = await admin.send(bad)
        assert reply.is_error
        assert expected in reply_text(reply)


async def test_cancelling_tells_those_going_and_editing_checks_the_creator(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    clock.set(NOW)
    bob = admin.as_member(PEOPLE[1])
    await bob.send("/join")
    card = await bob.send('/session add "Study night" thu 19:00 Europe/Berlin weekly')
    await press(app, card, "Going to all", PEOPLE[0])
    refused = await admin.as_member(PEOPLE[2]).send("/session edit 1 cap 3")
    assert refused.is_error
    assert "creator or an organizer" in reply_text(refused)
    edited = reply_text(await bob.send('/session edit 1 where "Room 4"'))
    assert "Where: Room 4" in edited
    assert "Going (1/5): Ada" in reply_text(await bob.send("/session edit 1 cap 5"))
    moved = reply_text(await bob.send("/session edit 1 when fri 18:00"))
    assert "Fri 04 Dec 17:00 UTC" in moved

    skipped = await admin.send("/session cancel 1 2026-12-04")
    assert "cancelled" in reply_text(skipped)
    outbox = FakeOutbox()
    await tick(app, outbox)
    told = [p for p in outbox.private if "cancelled" in (p.reply.title or "")]
    assert [p.group_id for p in told] == [PEOPLE[0].id]
    (session,) = await app.services.sessions.of_group("test:group")
    assert session.skipped_dates == ("2026-12-04",)
    ics = Calendar.from_ical((await admin.send("/session ics 1")).image.data)  # type: ignore[union-attr]
    (event,) = ics.walk("VEVENT")
    assert "EXDATE" in event
    assert "cancelled" in reply_text(await admin.send("/session cancel 1"))
    assert await app.services.sessions.of_group("test:group") == []


async def test_through_slack_reminders_arrive_once_each_by_dm(
    tmp_path: Path, clock: FakeClock
) -> None:
    from bot.adapters.slack.adapter import SlackAdapter
    from bot.app import build_application
    from tests.fakes.slack.server import FakeSlack, action_payload, form
    from tests.test_slack_adapter import command, send, slack_settings

    slack = await FakeSlack(admins={"UADMIN"}).start()
    app = await build_application(slack_settings(tmp_path, slack), clock=clock)
    adapter = SlackAdapter(
        settings=app.settings, dispatcher=app.dispatcher, engine=app.services.store.engine
    )
    await adapter.start(host="127.0.0.1", port=0)
    try:
        clock.set(NOW)
        card = await command(adapter, slack, PAPER_CLUB, user="UADMIN")
        assert "<!date^1796319000^{date_short_pretty} {time}|" in json.dumps(card)
        going = next(
            element
            for block in card["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["text"]["text"] == "Going"
        )
        payload = action_payload(
            going["action_id"], going["value"], response_url=slack.response_url("rsvp"), user="U5"
        )
        assert (await send(adapter, form({"payload": json.dumps(payload)})))[0] == 200
        await slack.wait_for(lambda: any(name == "rsvp" for name, _ in slack.responses))
        start = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
        service = app.scheduler({"slack": adapter})
        for moment in (
            start - timedelta(hours=24),
            start - timedelta(hours=24) + timedelta(seconds=20),
            start - timedelta(hours=1),
            start - timedelta(minutes=59),
        ):
            clock.set(moment)
            await service.tick()
            await service.drain()
        reminders = [m for m in slack.dms_to("U5") if "Paper club starts soon" in m["text"]]
        assert len(reminders) == 2
        assert "<!date^1796319000^" in json.dumps(reminders[0])
    finally:
        await adapter.stop()
        await app.close()
        await slack.stop()
