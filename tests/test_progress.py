"""Streaks, snoozes, paused groups, the group chart and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import Application
from bot.core.model import ActionPress, Member
from bot.export import UnknownGroup, export_csv
from bot.features.progress import break_weeks, streak, week_of
from bot.store.progress import Break
from tests.chat import Chat, reply_text
from tests.conftest import ADMIN
from tests.fakes.clock import FakeClock

MONDAY = date(2026, 3, 2)


def weeks(*offsets: int) -> set[date]:
    return {MONDAY - timedelta(days=7 * n) for n in offsets}


@pytest.mark.parametrize(
    ("active", "paused", "expected"),
    [
        (weeks(0, 1, 2), set(), 3),
        (weeks(1, 2), set(), 2),  # this week is not over yet: no activity doesn't break it
        (weeks(0, 2), set(), 1),
        (weeks(0, 2, 3), weeks(1), 3),  # a snoozed or paused week keeps the streak
        (set(), set(), 0),
    ],
)
def test_streak(active: set[date], paused: set[date], expected: int) -> None:
    assert streak(active, paused, MONDAY) == expected


def test_weeks_are_local_to_the_zone() -> None:
    sunday_night = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # already Monday in Kolkata
    assert week_of(sunday_night, ZoneInfo("UTC")) == date(2026, 2, 23)
    assert week_of(sunday_night, ZoneInfo("Asia/Kolkata")) == MONDAY
    covered = break_weeks(
        [
            Break(
                member_id=None,
                starts_at=datetime(2026, 2, 18, tzinfo=UTC),
                ends_at=datetime(2026, 3, 3, tzinfo=UTC),
            )
        ],
        ZoneInfo("UTC"),
        now=datetime(2026, 3, 20, tzinfo=UTC),
    )
    assert covered == {date(2026, 2, 16), date(2026, 2, 23), MONDAY}


async def answer_checkin(admin: Chat, app: Application) -> None:
    await admin.send("/checkin open 24h")
    [item] = [
        c
        for c in [await app.services.checkins.latest_open("test:group", now=app.services.clock())]
        if c
    ]
    await app.dispatcher.press(
        ActionPress(
            action_id="checkin:submit",
            value=str(item.id),
            member=ADMIN,
            group_id="test:group",
            platform="test",
            fields=(("q0", "learned"), ("confidence", "4")),
        )
    )
    await admin.send("/checkin close")


async def test_a_streak_survives_a_snoozed_week(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await answer_checkin(admin, app)  # week 1
    clock.advance(timedelta(days=7))
    await answer_checkin(admin, app)  # week 2
    clock.advance(timedelta(days=1))
    until = (clock() + timedelta(days=7)).date().isoformat()
    assert "Snoozed until" in reply_text(await admin.send(f"/snooze {until}"))
    clock.advance(timedelta(days=13))  # week 3 passes snoozed, without a check-in
    await answer_checkin(admin, app)  # week 4
    text = reply_text(await admin.send("/progress"))
    assert "Streak: 3 weeks" in text
    assert "Weeks you took part: 3" in text


async def test_a_missed_week_breaks_the_streak(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await answer_checkin(admin, app)
    clock.advance(timedelta(days=14))
    await answer_checkin(admin, app)
    assert "Streak: 1 week" in reply_text(await admin.send("/progress"))


async def test_a_paused_group_keeps_streaks(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await admin.send("/schedule add checkin mon 09:00 UTC")
    await answer_checkin(admin, app)
    await admin.send("/schedule pause 1")
    clock.advance(timedelta(days=14))
    await admin.send("/schedule resume 1")
    await answer_checkin(admin, app)
    assert "Streak: 2 weeks" in reply_text(await admin.send("/progress"))


async def test_done_votes_on_progress_polls_count_as_completed_weeks(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    poll = await app.services.polls.create(
        group_id="test:group",
        platform="test",
        question="How far did you get with week 2?",
        options=("Not started", "Started", "Halfway", "Done", "Ahead"),
        anonymous=False,
        created_by="studybot",
        closes_at=clock() + timedelta(days=1),
        now=clock(),
        week=2,
    )
    await app.services.polls.vote(poll.id, ADMIN.id, 3, now=clock())
    assert "Roadmap weeks you marked done: 2" in reply_text(await admin.send("/progress"))


async def test_group_progress_is_a_chart_from_the_groups_first_week(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await answer_checkin(admin, app)
    reply = await admin.send("/progress group")
    assert reply.image is not None
    assert reply.image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert reply_text(reply).count("Week of") == 1  # the group started this week
    clock.advance(timedelta(weeks=3))
    text = reply_text(await admin.send("/progress group"))
    assert text.count("Week of") == 4
    assert "Week of 05 Jan: 1" in text
    clock.advance(timedelta(weeks=20))
    assert reply_text(await admin.send("/progress group")).count("Week of") == 8  # at most


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/snooze someday", "isn't a date"),
        ("/snooze 2020-01-01", "has passed"),
        ("/snooze 2027-12-01", "up to 90 days"),
    ],
)
async def test_bad_snoozes(admin: Chat, line: str, expected: str) -> None:
    assert expected in reply_text(await admin.send(line))


async def test_snoozed_members_get_no_reminder(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    from tests.fakes.outbox import FakeOutbox

    await admin.send("/checkin open 48h")
    for member in ("ken", "lin"):
        await app.services.members.join("test:group", f"test:{member}", member.title(), now=clock())
    ken = admin.as_member(Member(id="test:ken", name="Ken"))
    await ken.send(f"/snooze {(clock() + timedelta(days=5)).date().isoformat()}")
    outbox = FakeOutbox()
    scheduler = app.scheduler({"test": outbox})
    clock.advance(timedelta(hours=40))
    await scheduler.tick()
    await scheduler.drain()
    [reminder] = outbox.posts
    assert "Still to answer: Lin" in reply_text(reminder.reply)


async def test_export_writes_csv_without_anonymous_identities(
    admin: Chat, app: Application
) -> None:
    await answer_checkin(admin, app)
    await admin.send('/poll "Named?" "yes" "no"')
    await admin.send('/poll "Secret?" "yes" "no" anonymous')
    for poll_id in (1, 2):
        await app.dispatcher.press(
            ActionPress(
                action_id="poll:vote",
                value=f"{poll_id}:0",
                member=ADMIN,
                group_id="test:group",
                platform="test",
            )
        )
    out = io.StringIO()
    # One anonymous vote is left out: alone it would tell who chose what.
    assert await export_csv(app.services, "test:group", "votes", out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["question"], r["member_id"]) for r in rows] == [("Named?", "test:admin")]
    out = io.StringIO()
    assert await export_csv(app.services, "test:group", "checkins", out) == 3
    assert "learned" in out.getvalue()
    out = io.StringIO()
    assert await export_csv(app.services, "test:group", "polls", out) == 4
    await admin.send("/me zone Europe/Berlin")
    await admin.send("/me hours 08:00-21:00")
    out = io.StringIO()
    assert await export_csv(app.services, "test:group", "members", out) == 1  # answered: on it
    (member,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (member["member_id"], member["timezone"], member["hours"]) == (
        "test:admin",
        "Europe/Berlin",
        "08:00-21:00",
    )


def test_the_cli_offers_every_export() -> None:
    from bot.cli import EXPORT_KINDS
    from bot.export import EXPORTS

    assert set(EXPORT_KINDS) == set(EXPORTS)


async def test_a_member_can_count_weeks_in_their_own_zone(admin: Chat) -> None:
    assert "Asia/Kolkata" in reply_text(await admin.send("/progress zone Asia/Kolkata"))
    assert "Weeks are counted in Asia/Kolkata" in reply_text(await admin.send("/progress"))
    bad = await admin.send("/progress zone Mars/Olympus")
    assert "I don't know the time zone" in reply_text(bad)


async def vote(app: Application, poll_id: int, member: str, option: int) -> None:
    await app.dispatcher.press(
        ActionPress(
            action_id="poll:vote",
            value=f"{poll_id}:{option}",
            member=Member(id=f"test:{member}", name=member),
            group_id="test:group",
            platform="test",
        )
    )


async def test_an_anonymous_poll_exports_no_more_than_its_card_shows(
    admin: Chat, app: Application
) -> None:
    await admin.send('/poll "Secret?" "yes" "no" anonymous')
    await vote(app, 1, "a", 0)
    await vote(app, 1, "b", 1)
    out = io.StringIO()
    await export_csv(app.services, "test:group", "polls", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["votes"] for r in rows] == ["", ""]  # 2 voters: per-option counts stay hidden
    assert rows[0]["closes_at"] == rows[0]["closes_at"][:10]  # a day, not a time
    out = io.StringIO()
    assert await export_csv(app.services, "test:group", "votes", out) == 0

    await vote(app, 1, "c", 0)
    out = io.StringIO()
    await export_csv(app.services, "test:group", "polls", out)
    assert [r["votes"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == ["2", "1"]
    out = io.StringIO()
    assert await export_csv(app.services, "test:group", "votes", out) == 3
    votes = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["member_id"] for r in votes} == {""}
    assert all(len(r["voted_at"]) == len("2026-03-01") for r in votes)


async def test_exported_cells_never_run_as_spreadsheet_formulas(
    admin: Chat, app: Application
) -> None:
    await admin.send("/checkin open 24h")
    item = await app.services.checkins.latest_open("test:group", now=app.services.clock())
    assert item is not None
    await app.dispatcher.press(
        ActionPress(
            action_id="checkin:submit",
            value=str(item.id),
            member=ADMIN,
            group_id="test:group",
            platform="test",
            fields=(("q0", '=HYPERLINK("http://evil.example","x")'), ("q1", "@SUM(A1)")),
        )
    )
    out = io.StringIO()
    await export_csv(app.services, "test:group", "checkins", out)
    answers = [r["answer"] for r in csv.DictReader(io.StringIO(out.getvalue()))]
    assert '\'=HYPERLINK("http://evil.example","x")' in answers
    assert "'@SUM(A1)" in answers


async def test_an_unknown_group_names_the_known_ones(admin: Chat, app: Application) -> None:
    await admin.send('/poll "Named?" "yes" "no"')
    with pytest.raises(UnknownGroup, match="known groups: test:group"):
        await export_csv(app.services, "test:nope", "polls", io.StringIO())
