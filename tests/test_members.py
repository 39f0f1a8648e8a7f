"""The roster, /me, organizers and private notes, driven as members would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.app import Application
from bot.core.model import ActionPress, Member
from bot.features.checkins import SUBMIT_ACTION
from bot.store.db import create_engine, upgrade_database
from bot.store.members import MemberStore
from bot.store.private_messages import PrivateStatus
from bot.store.repos import Store
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox
from tests.test_cli import studybot

GRACE = Member(id="test:grace", name="Grace")
LINUS = Member(id="test:linus", name="Linus")


async def test_join_leave_and_the_roster_each_role_sees(admin: Chat, chat: Chat) -> None:
    grace = chat.as_member(GRACE)
    assert "Welcome to the roster" in reply_text(await grace.send("/join"))
    assert "already on the roster" in reply_text(await grace.send("/join"))
    await chat.as_member(LINUS).send("/join")

    plain = reply_text(await grace.send("/members"))
    assert "Roster: 2 members" in plain
    assert "Grace, Linus" in plain
    assert "Europe/Berlin" not in plain
    assert "last active" not in plain

    await grace.send("/me zone Europe/Berlin")
    full = reply_text(await admin.send("/members"))
    assert "Grace · Europe/Berlin · last active" in full
    assert "Linus · UTC (group's) · last active" in full

    assert "You've left the roster" in reply_text(await grace.send("/leave"))
    assert "not on this group's roster" in reply_text(await grace.send("/leave"))
    assert "Roster: 1 member" in reply_text(await admin.send("/members"))


async def test_me_shows_and_changes_settings_and_refuses_bad_input(chat: Chat) -> None:
    shown = reply_text(await chat.send("/me"))
    assert "Time zone: not set (the group's UTC is used)" in shown
    assert "Private messages: on" in shown
    assert "Hours: any time" in shown
    assert "On this group's roster: no" in shown

    for bad, expected in [
        ("/me zone Mars/Olympus", "Mars/Olympus"),
        ("/me zone EST", "America/New_York"),
        ("/me hours 25:00-08:00", "isn't a time of day"),
        ("/me hours 08:00", "isn't a range of hours"),
        ("/me hours 09:00-09:00", "different times"),
        ("/me dm maybe", "say `on` or `off`"),
        ("/me zone", "needs a value"),
    ]:
        reply = await chat.send(bad)
        assert reply.is_error, bad
        assert expected in reply_text(reply), bad
    assert "Time zone: not set" in reply_text(await chat.send("/me"))  # nothing changed

    await chat.send("/me zone Asia/Kolkata")
    await chat.send("/me hours 22:00-07:00")
    await chat.send("/me dm off")
    shown = reply_text(await chat.send("/me"))
    assert "Time zone: Asia/Kolkata" in shown
    assert "Hours: 22:00-07:00" in shown
    assert "Private messages: off" in shown
    # /progress zone is the same setting.
    await chat.send("/progress zone Europe/Paris")
    assert "Time zone: Europe/Paris" in reply_text(await chat.send("/me"))


async def test_organizers_are_added_and_removed_by_organizers_only(admin: Chat, chat: Chat) -> None:
    grace, linus = chat.as_member(GRACE), chat.as_member(LINUS)
    refused = await grace.send("/organizers add linus")
    assert refused.is_error
    assert "Only organizers can add organizers" in reply_text(refused)
    assert (await grace.send("/schedule list")).is_error

    nobody = await admin.send("/organizers add")
    assert nobody.is_error
    assert "Who should I add?" in reply_text(nobody)
    junk = await admin.send("/organizers add <not a member>")
    assert junk.is_error
    assert "isn't a mention" in reply_text(junk)
    assert "Nobody has been added" in reply_text(await admin.send("/organizers"))

    assert "grace is now an organizer" in reply_text(await admin.send("/organizers add @grace"))
    assert "already" in reply_text(await admin.send("/organizers add grace"))
    assert not (await grace.send("/schedule list")).is_error
    assert "linus is now an organizer" in reply_text(await grace.send("/organizers add @linus"))
    listed = reply_text(await linus.send("/organizers"))
    assert "grace (added" in listed
    assert "linus (added" in listed

    assert "no longer an organizer" in reply_text(await grace.send("/organizers remove linus"))
    assert (await linus.send("/schedule list")).is_error
    missing = await admin.send("/organizers remove linus")
    assert missing.is_error
    assert "nothing to remove" in reply_text(missing)


async def test_me_forget_asks_first_then_erases_this_group_only(
    app: Application, chat: Chat, admin: Chat
) -> None:
    grace = chat.as_member(GRACE)
    await grace.send("/join")
    grace.last = await admin.send('/poll "Best day?" "Mon" "Thu"')
    await grace.press("Thu")
    await grace.send("/pairs join")
    await app.services.sessions.add(
        group_id="test:group",
        platform="test",
        title="Paper club",
        local_date=date(2026, 1, 8),
        local_time=time(18, 30),
        timezone="UTC",
        starts_at=datetime(2026, 1, 8, 18, 30, tzinfo=UTC),
        weekly=False,
        minutes=60,
        cap=None,
        place=None,
        created_by="test:admin",
        now=datetime(2026, 1, 5, tzinfo=UTC),
    )
    await app.services.sessions.answer(
        1, "2026-01-08", GRACE.id, "Grace", "going", now=datetime(2026, 1, 5, tzinfo=UTC)
    )
    grace.last = await grace.send("/quiz math")
    await grace.press(grace.last.buttons[0].label)
    await grace.send("/tip math")
    assert await app.services.quiz.reviews(GRACE.id) != {}
    confirm = await grace.send("/me forget")
    assert "cannot be undone" in reply_text(confirm)
    assert await app.services.members.is_on_roster("test:group", GRACE.id)  # not yet
    done = await grace.press("Erase my data")
    assert "erased" in reply_text(done)
    assert not await app.services.members.is_on_roster("test:group", GRACE.id)
    assert await app.services.progress.activity("test:group", GRACE.id) == []
    assert await app.services.sessions.answers(1, "2026-01-08") == []
    assert await app.services.pairs.opted_in("test:group") == []
    # In no other group: practice history and seen tips go too.
    assert await app.services.quiz.reviews(GRACE.id) == {}
    async with app.services.store.engine.connect() as connection:
        from sqlalchemy import func, select

        from bot.store.tables import quiz_cards, seen_tips

        for table in (quiz_cards, seen_tips):
            count = select(func.count()).select_from(table).where(table.c.member_id == GRACE.id)
            assert (await connection.execute(count)).scalar_one() == 0


async def test_a_first_vote_joins_the_roster_with_one_private_note(
    app: Application, chat: Chat, admin: Chat
) -> None:
    grace = chat.as_member(GRACE)
    grace.last = await admin.send('/poll "Best day?" "Mon" "Thu"')
    await grace.press("Mon")
    grace.last = await admin.send('/poll "Best time?" "AM" "PM"')
    await grace.press("PM")
    assert await app.services.members.is_on_roster("test:group", GRACE.id)

    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()
    assert [(p.group_id, p.reply.title) for p in outbox.private] == [
        (GRACE.id, "You're on the study group's roster")
    ]
    assert outbox.posts == []


async def test_private_messages_wait_for_the_members_hours(
    app: Application, chat: Chat, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 1, 5, 23, 30, tzinfo=UTC))  # 00:30 in Berlin
    grace = chat.as_member(GRACE)
    await grace.send("/me zone Europe/Berlin")
    await grace.send("/me hours 08:00-22:00")
    grace.last = await chat.as_member(Member(id="test:admin", name="Ada", is_admin=True)).send(
        '/poll "Best day?" "Mon" "Thu"'
    )
    await grace.press("Mon")
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()
    assert outbox.private == []  # held: it is the middle of her night
    clock.advance(timedelta(hours=7, minutes=29))  # 07:59 Berlin
    await service.tick()
    await service.drain()
    assert outbox.private == []
    clock.advance(timedelta(minutes=1))  # 08:00 Berlin
    await service.tick()
    await service.drain()
    assert len(outbox.private) == 1
    assert await app.services.private.statuses(member_id=GRACE.id) == [
        (f"joined:test:group:{GRACE.id}", PrivateStatus.SENT)
    ]


async def test_closed_dms_are_remembered_and_the_member_is_told_once(
    app: Application, chat: Chat, admin: Chat
) -> None:
    grace = chat.as_member(GRACE)
    grace.last = await admin.send('/poll "Best day?" "Mon" "Thu"')
    await grace.press("Mon")
    outbox = FakeOutbox(closed_dms={GRACE.id})
    service = app.scheduler({"test": outbox})
    await service.tick()
    await service.drain()
    # The note has no channel fallback: nothing is posted for it anywhere.
    assert outbox.private == []
    assert outbox.posts == []
    assert await app.services.private.statuses(member_id=GRACE.id) == [
        (f"joined:test:group:{GRACE.id}", PrivateStatus.CANCELLED)
    ]
    told = reply_text(await grace.send("/tip"))
    assert "couldn't reach you by private message" in told
    assert "couldn't reach you" not in reply_text(await grace.send("/tip"))
    assert "I couldn't reach you since" in reply_text(await grace.send("/me"))
    await grace.send("/me dm on")
    assert "Private messages: on\n" in reply_text(await grace.send("/me")) + "\n"


def test_every_role_can_be_tried_from_a_terminal(tmp_path: Path) -> None:
    """The console's default user organizes the group; `--user` names a plain member."""
    env = {"STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    member = studybot(
        "console",
        "--user",
        "grace",
        stdin="/join\n/me zone Europe/Berlin\n/me\n/organizers add you\n/report\n/roadmap set 4\n",
        env=env,
        cwd=tmp_path,
    )
    assert member.returncode == 0, member.stderr
    assert "Welcome to the roster" in member.stdout
    assert "Time zone: Europe/Berlin" in member.stdout
    assert "Only organizers can add organizers" in member.stdout
    assert "Only organizers can use /report" in member.stdout
    assert "Only organizers can move" in member.stdout

    owner = studybot(
        "console",
        stdin="/members\n/organizers add grace\n/organizers\n/roadmap set 4\n/report\n"
        "/me hours 25:00-08:00\n/organizers add\n/me zone Mars/Base\n",
        env=env,
        cwd=tmp_path,
    )
    assert owner.returncode == 0, owner.stderr
    out = " ".join(owner.stdout.split())
    assert "Roster: 1 member" in out
    assert "grace · Europe/Berlin · last active" in out
    assert "grace is now an organizer" in out
    assert "The group is now on week 4" in out
    assert "Organizer report" in out
    assert "Week 4:" in out
    assert "isn't a time of day" in out
    assert "Who should I add?" in out
    assert "Mars/Base" in out
    again = studybot("console", "--user", "grace", stdin="/me\n", env=env, cwd=tmp_path)
    assert "Organizer here: yes" in again.stdout
    assert "Time zone: Europe/Berlin" in again.stdout  # nothing the bad input touched changed


async def test_the_report_sums_up_the_group_for_organizers(
    app: Application, admin: Chat, chat: Chat, clock: FakeClock
) -> None:
    grace, linus = chat.as_member(GRACE), chat.as_member(LINUS)
    await linus.send("/join")
    await admin.send("/checkin open")
    for member, blocker, confidence in ((GRACE, "Linear algebra", "2"), (LINUS, "none", "4")):
        await app.dispatcher.press(
            ActionPress(
                action_id=SUBMIT_ACTION,
                value="1",
                member=member,
                group_id="test:group",
                platform="test",
                fields=(("q0", "Vectors"), ("q2", blocker), ("confidence", confidence)),
            )
        )
    clock.advance(timedelta(days=15))  # both have been quiet since
    await grace.send("/tip")  # a tip is no taking part: Grace stays quiet too
    assert (await grace.send("/report")).is_error
    report = await admin.send("/report")
    text = reply_text(report)
    assert "Organizer report" in text
    assert "This week: 0 members (the four weeks before: 0, 0, 2, 0)" in text
    assert "Quiet for two weeks or more\nGrace, Linus" in text
    assert "Grace: Linear algebra" in text
    assert "Linus: none" not in text
    assert "Confidence\n3 / 5 in the week 1 check-in" in text
    assert "Week 1: " in text
    assert report.image is not None


async def test_a_scheduled_report_reaches_each_organizer_privately_once(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    await admin.send("/organizers add grace")
    added = await admin.send("/schedule add report tue 08:00")
    assert "organizer report" in reply_text(added)
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    clock.advance(timedelta(days=1, minutes=1))  # Tuesday 08:01 UTC... after 08:00
    await service.tick()
    await service.drain()
    await service.tick()
    await service.drain()
    assert outbox.posts == []  # nothing in the channel
    assert sorted(post.group_id for post in outbox.private) == ["test:admin", "test:grace"]
    assert {post.reply.title for post in outbox.private} == {"📋 Organizer report"}


async def test_zones_set_before_the_roster_existed_are_kept(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_database(engine, "0009")
        store = Store(engine)
        at = datetime(2026, 1, 1, tzinfo=UTC)
        await store.set_value("member-zone:slack:T1:U1", "Europe/Berlin", now=at)
        await store.set_value("member-zone:discord:G1:42", "Asia/Kolkata", now=at)
        await upgrade_database(engine)
        members = MemberStore(engine)
        assert (await members.settings("slack:T1:U1")).timezone == "Europe/Berlin"
        # A Discord user's settings follow them into every server.
        assert (await members.settings("discord:G2:42")).timezone == "Asia/Kolkata"
        assert await store.get_value("member-zone:slack:T1:U1") is None
    finally:
        await engine.dispose()
