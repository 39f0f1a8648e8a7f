"""Scheduled delivery, driven by a controllable clock: exactly once, late but once, never twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from bot.app import Application, build_application
from bot.core.model import Member, Reply
from bot.core.ports import Pace, PostFailed, PostOutcomeUnknown
from bot.settings import Settings
from bot.store.deliveries import DeliveryLedger, Status
from content.catalog import load_catalog
from scheduler.claiming import plan_claims
from scheduler.pacing import Pacer
from scheduler.service import SchedulerService
from scheduler.sharing import BEAT, WARM_UP_BEATS
from tests.chat import Chat, reply_text
from tests.conftest import ADMIN
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox

MONDAY_8_UTC = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
KEY = "studybot:1:2026-03-02T09:00"  # the first nudge's delivery key

# Nudge titles as the shipped roadmap words them (content may be edited; the tests follow it).
_ROADMAP = load_catalog().weeks
WEEK_1 = f"Week 1: {_ROADMAP[1].title}"
WEEK_2 = f"Week 2: {_ROADMAP[2].title}"


class Sleeps:
    """Records the delays a service asked for instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))  # a Sunday


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox()


def make_service(
    app: Application,
    outbox: FakeOutbox,
    *,
    ledger: DeliveryLedger | None = None,
    grace: timedelta = timedelta(hours=12),
    sleeps: Sleeps | None = None,
) -> SchedulerService:
    return SchedulerService(
        ledger=ledger or app.services.deliveries,
        notices=app.services.notices,
        outboxes={outbox.platform: outbox},
        kinds=app.kinds,
        clock=app.services.clock,
        grace=grace,
        sleep=sleeps or Sleeps(),
    )


async def run_tick(service: SchedulerService) -> None:
    await service.tick()
    await service.drain()


async def statuses(app: Application) -> dict[Status, int]:
    return await app.services.deliveries.count_by_status()


async def test_a_due_nudge_is_posted_once(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    reply = await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    # Times are instants: each reader sees their own zone (Slack and Discord markup).
    assert "Mon 02 Mar 08:00 UTC" in reply_text(reply)
    assert "Mon 02 Mar 09:00 CET" in reply_text(reply, ZoneInfo("Europe/Berlin"))
    service = make_service(app, outbox)

    clock.set(MONDAY_8_UTC - timedelta(seconds=1))
    await run_tick(service)
    assert outbox.posts == []

    clock.set(MONDAY_8_UTC + timedelta(seconds=3))
    await run_tick(service)
    await run_tick(service)
    assert outbox.titles() == [WEEK_1]
    assert outbox.posts[0].group_id == "test:group"
    assert await statuses(app) == {Status.SENT: 1}

    clock.set(MONDAY_8_UTC + timedelta(days=7))
    await run_tick(service)
    assert outbox.titles() == [WEEK_1, WEEK_2]


async def test_restart_inside_the_due_minute_delivers_once(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock, database_url: str
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(seconds=2))
    await run_tick(make_service(app, outbox))
    # The process dies and a new one starts 30 s later, still inside the due minute.
    clock.set(MONDAY_8_UTC + timedelta(seconds=32))
    restarted = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        await run_tick(make_service(restarted, outbox))
    finally:
        await restarted.close()
    assert len(outbox.posts) == 1


async def claimed_by_a_process_that_died(
    app: Application, clock: FakeClock, *, attempted: bool
) -> None:
    """Another process claims the occurrence (and, if `attempted`, starts sending it) and dies."""
    dead = DeliveryLedger(app.services.store.engine, claimer="a-process-that-died")
    claims = await dead.claim_due(
        now=clock(),
        platforms=["test"],
        limit=10,
        plan=partial(plan_claims, now=clock(), grace=timedelta(hours=12)),
    )
    assert len(claims) == 1
    if attempted:
        assert await dead.mark_attempting([claims[0].delivery_id], now=clock()) == {
            claims[0].delivery_id
        }


async def test_a_claim_never_attempted_is_delivered_by_the_next_owner(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(seconds=1))
    await claimed_by_a_process_that_died(app, clock, attempted=False)
    service = make_service(app, outbox)
    await run_tick(service)
    assert outbox.posts == []  # still within the claim lease: maybe the owner is just slow

    clock.advance(timedelta(seconds=61))
    await run_tick(service)
    assert outbox.titles() == [WEEK_1]  # sent once, and no notice
    assert outbox.history_reads == 0  # nothing to settle: it was never sent
    assert await statuses(app) == {Status.SENT: 1}


async def test_an_attempt_that_arrived_is_settled_from_history_not_resent(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(seconds=1))
    await claimed_by_a_process_that_died(app, clock, attempted=True)
    # The platform stored the post; the process died before it heard back.
    await outbox.post("test:group", Reply(title=WEEK_1), idempotency_key=KEY)
    clock.advance(timedelta(seconds=61))
    await run_tick(make_service(app, outbox))
    assert outbox.titles() == [WEEK_1]
    assert outbox.history_reads == 1
    assert await statuses(app) == {Status.SENT: 1}


async def test_an_attempt_that_never_arrived_is_sent_once(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(seconds=1))
    await claimed_by_a_process_that_died(app, clock, attempted=True)
    clock.advance(timedelta(seconds=61))
    await run_tick(make_service(app, outbox))
    assert outbox.titles() == [WEEK_1]
    assert [post.key for post in outbox.posts] == [KEY]
    assert await statuses(app) == {Status.SENT: 1}


async def test_an_attempt_that_cannot_be_settled_is_never_blindly_resent(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    outbox = FakeOutbox(keeps_history=False)
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(seconds=1))
    await claimed_by_a_process_that_died(app, clock, attempted=True)
    clock.advance(timedelta(seconds=61))
    await run_tick(make_service(app, outbox))
    assert await statuses(app) == {Status.UNKNOWN: 1}
    # Not re-sent; the channel is told instead.
    assert outbox.titles() == ["A scheduled post did not go out"]


async def test_an_idempotent_platform_finishes_an_orphaned_claim(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    outbox = FakeOutbox(idempotent=True)
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(seconds=1))
    await app.services.deliveries.claim_due(
        now=clock(),
        platforms=["test"],
        limit=10,
        plan=partial(plan_claims, now=clock(), grace=timedelta(hours=12)),
    )
    clock.advance(timedelta(minutes=11))
    await run_tick(make_service(app, outbox))
    assert outbox.titles() == [WEEK_1]
    assert outbox.posts[0].key.startswith("studybot:")
    assert await statuses(app) == {Status.SENT: 1}


async def test_two_schedulers_on_one_database_deliver_each_occurrence_once(
    app: Application, outbox: FakeOutbox, clock: FakeClock, database_url: str
) -> None:
    for index in range(40):
        group = Chat(dispatcher=app.dispatcher, member=ADMIN, group_id=f"test:g{index}")
        await group.send("/schedule add nudge mon 09:00 Europe/Berlin")
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    try:
        first = make_service(app, outbox)
        second = make_service(other, outbox)
        first.claim_batch = second.claim_batch = 7  # many small transactions that interleave
        clock.set(MONDAY_8_UTC + timedelta(seconds=1))
        await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
        await asyncio.gather(first.drain(), second.drain())
    finally:
        await other.close()
    delivered = sorted(post.group_id for post in outbox.posts)
    assert delivered == sorted(f"test:g{index}" for index in range(40))
    assert await statuses(app) == {Status.SENT: 40}


async def test_downtime_within_grace_delivers_once_marked_late(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge daily 09:00 Europe/Berlin")
    # Down from before Monday's nudge until Wednesday 10:00 Berlin; grace 48 h.
    clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    await run_tick(make_service(app, outbox, grace=timedelta(hours=48)))
    assert len(outbox.posts) == 1
    assert "sent late" in reply_text(outbox.posts[0].reply)
    # Monday is beyond the grace window; Tuesday is folded into Wednesday's late post.
    assert await statuses(app) == {Status.MISSED: 1, Status.COALESCED: 1, Status.SENT: 1}
    status = reply_text(await admin.send("/schedule status"))
    assert "late; covers 2 occurrences" in status
    assert "missed (bot was offline too long)" in status


async def test_downtime_beyond_grace_is_recorded_as_missed_and_not_sent(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(hours=13))
    service = make_service(app, outbox)
    await run_tick(service)
    assert outbox.posts == []
    assert await statuses(app) == {Status.MISSED: 1}
    records = await app.services.schedules.list_schedules("test:group")
    assert records[0].next_due_at == MONDAY_8_UTC + timedelta(days=7)


async def test_failed_posts_are_retried_with_backoff(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    outbox = FakeOutbox(failures=[PostFailed("HTTP 500"), PostFailed("HTTP 500")])
    sleeps = Sleeps()
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC)
    await run_tick(make_service(app, outbox, sleeps=sleeps))
    assert len(outbox.posts) == 1
    assert sleeps.delays == [2.0, 8.0]
    status = reply_text(await admin.send("/schedule status"))
    assert "sent (3 attempts)" in status


async def test_a_post_that_keeps_failing_is_recorded_and_admins_are_told(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    # Every attempt fails, and so does the notice to the channel.
    outbox = FakeOutbox(failures=[PostFailed("channel_not_found", retryable=False)] * 2)
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC)
    await run_tick(make_service(app, outbox))
    assert outbox.posts == []
    assert await statuses(app) == {Status.FAILED: 1}
    member = admin.as_member(Member(id="test:m", name="m"))
    assert "did not go out" not in reply_text(await member.send("/tip"))
    reply = reply_text(await admin.send("/roadmap 1"))
    assert (
        "I couldn't deliver the scheduled nudge due 2026-03-02 09:00 (channel_not_found)" in reply
    )
    assert "couldn't deliver" not in reply_text(await admin.send("/roadmap 1"))  # told once


async def test_unknown_outcome_is_not_resent_on_a_platform_without_idempotency(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    outbox = FakeOutbox(failures=[PostOutcomeUnknown("timed out after sending")])
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC)
    await run_tick(make_service(app, outbox))
    assert outbox.attempts[0].startswith("studybot:")
    assert [a for a in outbox.attempts if not a.startswith("studybot:notice")] == [
        outbox.attempts[0]
    ]
    assert await statuses(app) == {Status.UNKNOWN: 1}


async def test_unknown_outcome_is_retried_with_the_same_key_where_idempotent(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    outbox = FakeOutbox(idempotent=True, failures=[PostOutcomeUnknown("timed out")])
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC)
    await run_tick(make_service(app, outbox))
    assert len(set(outbox.attempts)) == 1
    assert len(outbox.attempts) == 2
    assert await statuses(app) == {Status.SENT: 1}


async def test_nudges_walk_the_roadmap_one_week_per_local_week(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon,thu 09:00 Europe/Berlin")
    service = make_service(app, outbox)
    for days in (0, 3, 7, 10, 14):
        clock.set(MONDAY_8_UTC + timedelta(days=days, seconds=1))
        await run_tick(service)
    assert [title.split(":")[0] for title in outbox.titles()] == [
        "Week 1",
        "Week 1",
        "Week 2",
        "Week 2",
        "Week 3",
    ]
    assert "Your group is on week 3" in reply_text(await admin.send("/roadmap"))


async def test_paused_schedules_do_not_fire_and_resume_does_not_catch_up(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    assert "paused" in reply_text(await admin.send("/schedule pause 1"))
    service = make_service(app, outbox)
    clock.set(MONDAY_8_UTC + timedelta(seconds=1))
    await run_tick(service)
    assert outbox.posts == []
    resumed = reply_text(await admin.send("/schedule resume #1"), ZoneInfo("Europe/Berlin"))
    assert "next Mon 09 Mar 09:00 CET" in resumed
    await run_tick(service)
    assert outbox.posts == []


async def test_daylight_saving_days_fire_once_per_local_slot(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 28, 12, tzinfo=UTC))
    await admin.send("/schedule add nudge sun 02:30 Europe/Berlin")
    service = make_service(app, outbox)
    clock.set(datetime(2026, 3, 29, 0, 59, tzinfo=UTC))  # 01:59 CET: not yet
    await run_tick(service)
    clock.set(datetime(2026, 3, 29, 1, 0, tzinfo=UTC))  # 03:00 CEST: the end of the gap
    await run_tick(service)
    assert len(outbox.posts) == 1

    clock.set(datetime(2026, 10, 24, 12, tzinfo=UTC))
    await admin.send("/schedule resume 1")
    for minute in range(0, 150, 5):  # ticks straight through the repeated hour
        clock.set(datetime(2026, 10, 25, 0, 0, tzinfo=UTC) + timedelta(minutes=minute))
        await run_tick(service)
    assert len(outbox.posts) == 2
    records = await app.services.deliveries.recent_deliveries("test:group")
    assert [d.due_at for d in records[1]][0] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


async def test_other_platforms_schedules_are_left_alone(
    app: Application, admin: Chat, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    slack_only = FakeOutbox(platform="slack")
    clock.set(MONDAY_8_UTC)
    await run_tick(make_service(app, slack_only))
    assert slack_only.posts == []
    assert await statuses(app) == {}


@pytest.mark.parametrize(
    "command",
    [
        "/schedule add nudge mon 09:00",
        "/schedule list",
        "/schedule pause 1",
        "/schedule resume 1",
        "/schedule remove 1",
        "/schedule timezone Europe/Berlin",
        "/schedule status",
    ],
)
async def test_members_who_are_not_admins_are_refused(
    app: Application, admin: Chat, command: str
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    member = admin.as_member(Member(id="test:m", name="m"))
    reply = await member.send(command)
    assert reply.is_error
    assert "Only organizers can use /schedule" in reply_text(reply)
    records = await app.services.schedules.list_schedules("test:group")
    assert [(r.id, r.paused) for r in records] == [(1, False)]
    group = await app.services.store.get_group("test:group")
    assert group is not None
    assert group.timezone == "UTC"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/schedule add nudge funday 25:99 Mars/Olympus", "`funday` isn't a day I know"),
        ("/schedule add nudge mon 25:99 Europe/Berlin", "`25:99` isn't a time of day"),
        ("/schedule add nudge mon 09:00 Mars/Olympus", "I don't know the time zone"),
        ("/schedule add nudge mon 09:00 Europe/Berln", "`Europe/Berlin`"),
        ("/schedule add lecture mon 09:00", "I can't schedule `lecture`"),
        ("/schedule add nudge mon", "Usage"),
        ("/schedule explode", "I don't know the action `explode`"),
        ("/schedule pause 42", "no schedule `42`"),
        ("/schedule remove", "Which schedule?"),
        ("/schedule timezone Narnia/Cair", "I don't know the time zone"),
    ],
)
async def test_bad_schedule_input_is_explained_and_stores_nothing(
    app: Application, admin: Chat, command: str, expected: str
) -> None:
    reply = await admin.send(command)
    assert reply.is_error
    assert expected in reply_text(reply)
    assert await app.services.schedules.list_schedules("test:group") == []
    assert await app.services.store.get_group("test:group") is None


async def test_list_and_remove(app: Application, admin: Chat) -> None:
    await admin.send("/schedule timezone Asia/Kolkata")
    await admin.send("/schedule add nudge weekdays 07:30")
    listing = reply_text(await admin.send("/schedule list"))
    assert "#1 weekly learning nudge · weekdays 07:30 Asia/Kolkata" in listing
    assert "next Mon 02 Mar 02:00 UTC" in listing  # 07:30 in Kolkata
    assert "Removed #1" in reply_text(await admin.send("/schedule remove 1"))
    assert "No schedules yet" in reply_text(await admin.send("/schedule list"))


async def test_pacer_spaces_posts_overall_and_per_conversation() -> None:
    now = [0.0]
    starts: list[tuple[str, float]] = []

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(
        Pace(per_second=10, per_conversation_per_second=1, concurrency=4),
        monotonic=lambda: now[0],
        sleep=fake_sleep,
    )
    for conversation in ["a", "b", "a", "c"]:
        async with pacer.turn(conversation):
            await pacer.gate(conversation)
            starts.append((conversation, round(now[0], 3)))
    # 10 a second with 2% headroom; "c" takes the slot the late "a" left unused (one at most).
    assert starts == [("a", 0.0), ("b", 0.102), ("a", 1.0), ("c", 1.0)]


async def test_service_start_catches_up_and_stop_drains(
    app: Application, admin: Chat, outbox: FakeOutbox, clock: FakeClock
) -> None:
    await admin.send("/schedule add nudge mon 09:00 Europe/Berlin")
    clock.set(MONDAY_8_UTC + timedelta(hours=1))
    service = make_service(app, outbox)
    await service.start()
    await service.stop()
    assert len(outbox.posts) == 1
    assert replace(outbox.posts[0]).group_id == "test:group"


async def test_a_kind_this_build_does_not_deliver_is_refused(app: Application) -> None:
    from bot.core.dispatcher import Dispatcher

    limited = Dispatcher(
        services=replace(app.services, schedule_kinds=frozenset({"nudge"})),
        registry=app.services.registry,
        notices=app.services.notices,
        roles=app.services.members,
        now=app.services.clock,
    )
    reply = await Chat(dispatcher=limited, member=ADMIN).send("/schedule add poll mon 09:00")
    assert "Scheduled progress polls aren't available" in reply_text(reply)
    assert await app.services.schedules.list_schedules("test:group") == []


async def test_slack_paces_each_workspace_on_its_own_and_shares_apply_at_once() -> None:
    now = [0.0]
    starts: list[tuple[str, float]] = []

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(
        Pace(per_second=10, concurrency=4, limit_scope="workspace"),
        monotonic=lambda: now[0],
        sleep=fake_sleep,
    )
    for conversation in ["slack:T1:C1", "slack:T2:C1", "slack:T1:C2", "slack:T2:C2"]:
        async with pacer.turn(conversation):
            await pacer.gate(conversation)
            starts.append((conversation, round(now[0], 3)))
    # T2 does not wait behind T1: each workspace has its own 10 a second.
    assert starts == [
        ("slack:T1:C1", 0.0),
        ("slack:T2:C1", 0.0),
        ("slack:T1:C2", 0.102),
        ("slack:T2:C2", 0.102),
    ]
    pacer.share = 0.5  # a second process joined: half the rate, from the next post on
    async with pacer.turn("slack:T1:C3"):
        await pacer.gate("slack:T1:C3")
    before = now[0]
    async with pacer.turn("slack:T1:C4"):
        await pacer.gate("slack:T1:C4")
        assert round(now[0] - before, 3) == 0.204  # 1 / (10 x 0.5 x 0.98)


async def test_processes_on_one_database_share_the_limit(app: Application) -> None:
    from bot.store.capacity import CapacityStore
    from scheduler.pacing import Pacer
    from scheduler.sharing import LimitSharing

    store = CapacityStore(app.services.store.engine)

    def process(name: str) -> LimitSharing:
        pacers = {"test": Pacer(Pace(per_second=50))}
        return LimitSharing(store, process=name, pacers=pacers, clock=app.services.clock)

    first, second = process("first"), process("second")
    assert await first.beat({"test": 0}) is False
    assert first.pacers["test"].share == 1.0  # alone: the whole limit
    # Another process, even an idle one, means waiting a beat before posting.
    assert await second.beat({"test": 0}) is True
    assert second.pacers["test"].share == 0.5
    # The first gets work: its rise counts one beat later, once the second has seen it.
    assert await first.beat({"test": 99}) is True
    assert first.pacers["test"].share == 0.5
    assert await second.beat({"test": 0}) is True
    assert second.pacers["test"].share == 0.01
    await first.beat({"test": 99})
    assert first.pacers["test"].share == 0.99  # shares add up to 1: 0.99 + 0.01
    await second.leave()
    await first.beat({"test": 99})
    assert first.pacers["test"].share == 1.0
    await first.leave()


async def test_a_scheduler_joining_busy_ones_waits_a_beat_before_posting(
    app: Application,
) -> None:
    from bot.store.capacity import CapacityStore
    from bot.store.db import process_identity

    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    busy = CapacityStore(app.services.store.engine)
    await busy.beat(
        "busy-process", {"test": 500}, now=app.services.clock(), expiry=timedelta(seconds=15)
    )
    service = SchedulerService(
        ledger=DeliveryLedger(app.services.store.engine, claimer=process_identity()),
        notices=app.services.notices,
        outboxes={"test": FakeOutbox(pace=Pace(per_second=50))},
        kinds=app.kinds,
        clock=app.services.clock,
        grace=timedelta(hours=12),
        sleep=record,
        capacity=busy,
    )
    await service.start()
    await service.stop()
    assert sleeps[:1] == [BEAT.total_seconds() * WARM_UP_BEATS]  # a beat and a half
    assert service.pacers["test"].share == 1 / 501


@pytest.mark.parametrize("busy_turn", [0.0, 0.004])
async def test_the_gate_keeps_every_second_within_the_limit_even_when_sleeps_run_late(
    busy_turn: float,
) -> None:
    """1,000 posts at 100/s: with every sleep overshooting by a busy loop turn (4 ms, 40% of
    the 10 ms spacing), slots keep their own times (no drift into a slower rate), and no
    one-second window ever holds more than the limit. (That a busy turn no longer caps the
    rate at one post per turn shows in benchmarks/fanout.py part b, which a fake clock cannot
    reproduce.)"""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds + busy_turn
        await asyncio.sleep(0)

    pacer = Pacer(Pace(per_second=100, concurrency=2000), monotonic=lambda: now[0], sleep=sleep)
    passed: list[float] = []

    async def post(index: int) -> None:
        async with pacer.turn(f"c{index}"):
            await pacer.gate(f"c{index}")
            passed.append(now[0])

    await asyncio.gather(*(post(index) for index in range(1000)))
    passed.sort()
    busiest = max(sum(1 for moment in passed if start <= moment < start + 1.0) for start in passed)
    assert busiest <= 100
    assert passed[-1] <= 1000 / (100 * 0.98) * 1.03  # within 3% of the paced ideal
