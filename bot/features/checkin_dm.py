"""Check-ins asked privately (`/checkin delivery dm`): each roster member gets the questions at
the check-in's time in *their* zone, within their hours, and one private reminder before it
closes; the digest still goes to the channel.

Zones run from UTC-12 to UTC+14, so a member's 09:00 can come up to 26 hours before the
group's. A sweeper therefore plans each upcoming slot's private messages a little over a day
ahead, one ledger row per member (keyed by schedule, slot and member: planned twice, stored
once); whichever message goes out first opens the slot's check-in, and the channel card at the
group's own time finds the same one (checkins.slot_key).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.ids import platform_of
from bot.core.instants import instant
from bot.core.model import Button, Context, Reply, Section
from bot.core.private import PrivateDelivery, PrivatePost
from bot.core.scheduled import Announcement
from bot.features.checkins import ANSWER_ACTION, CONFIDENCE_LABEL, DEFAULT_WINDOW
from bot.features.services import Services
from bot.store.checkins import Checkin
from bot.store.private_messages import PlannedMessage
from bot.store.repos import Group
from bot.store.schedules import ScheduleRecord
from scheduler.recurrence import local_to_utc

DM_KIND = "checkin"
REMINDER_KIND = "checkin_reminder"
PLAN_AHEAD = timedelta(hours=27)
# A member whose local time passed this long ago (the bot was down) is not asked late.
TOO_LATE = timedelta(hours=12)


def slot_key(schedule_id: int, slot: str) -> str:
    return f"{schedule_id}:{slot}"


def _day_and_time(slot: str) -> tuple[date, time]:
    day, _, clock = slot.partition("T")
    return date.fromisoformat(day), time.fromisoformat(clock)


# Planning ---------------------------------------------------------------------------------------


async def plan_checkin_dms(services: Services, platforms: Sequence[str]) -> list[Announcement]:
    """For the scheduler (a sweeper that posts nothing itself): plan the private questions of
    every check-in slot due within a day or so, in groups that chose private delivery."""
    now = services.clock()
    upcoming = await services.schedules.due_before(
        kind="checkin", before=now + PLAN_AHEAD, platforms=platforms
    )
    private_groups = await services.store.groups_delivering_checkins_by_dm(
        [schedule.group_id for schedule in upcoming]
    )
    for schedule in upcoming:
        if schedule.group_id not in private_groups:
            continue
        marker = f"checkin-dm-planned:{slot_key(schedule.id, schedule.next_slot)}"
        if await services.store.get_value(marker) is not None:
            continue
        # Planning is insert-or-nothing per member, so the marker comes after it: a crash in
        # between plans the slot again, harmlessly, instead of never.
        await _plan_slot(services, schedule, now=now)
        await services.store.set_value_once(marker, "planned", now=now)
    return []


async def _plan_slot(services: Services, schedule: ScheduleRecord, *, now: datetime) -> None:
    group = await services.store.get_group(schedule.group_id)
    if group is None:
        return
    day, at = _day_and_time(schedule.next_slot)
    key = slot_key(schedule.id, schedule.next_slot)
    planned = []
    for entry in await services.members.roster(schedule.group_id):
        if not entry.settings.dm_enabled:
            continue  # they read the channel card
        zone = ZoneInfo(entry.settings.timezone or group.timezone)
        due = local_to_utc(day, at, zone)
        if due < now - TOO_LATE:
            continue
        planned.append(
            PlannedMessage(
                key=f"checkin:{key}:{entry.member_id}",
                platform=schedule.platform,
                group_id=schedule.group_id,
                member_id=entry.member_id,
                kind=DM_KIND,
                due_at=due,
                payload=json.dumps({"slot_key": key}),
            )
        )
    await services.private.plan(planned)


async def slot_checkin(services: Services, group: Group, key: str) -> Checkin:
    """The check-in of a schedule slot, opened by whoever needs it first. It stays open for the
    usual window after the slot's time in the latest zone among the roster."""
    now = services.clock()
    existing = await services.checkins.latest_open(group.id, now=now)
    if existing is not None:
        return existing
    schedule_part, _, slot = key.partition(":")
    day, at = _day_and_time(slot)
    zones = {group.timezone} | {
        entry.settings.timezone
        for entry in await services.members.roster(group.id)
        if entry.settings.timezone
    }
    latest = max(local_to_utc(day, at, ZoneInfo(zone)) for zone in zones)
    return await services.checkins.open(
        group_id=group.id,
        platform=group.platform,
        week=group.roadmap_week,
        closes_at=max(latest, now) + DEFAULT_WINDOW,
        now=now,
        slot_key=key if schedule_part.isdigit() else None,
    )


# Sending ----------------------------------------------------------------------------------------


def _questions(item: Checkin) -> str:
    listing = "\n".join(f"{n}. {q}" for n, q in enumerate(item.questions, 1))
    return f"{listing}\n{len(item.questions) + 1}. {CONFIDENCE_LABEL}"


def _answer_button(item: Checkin) -> tuple[Button, ...]:
    return (Button(label="Answer", action_id=ANSWER_ACTION, value=str(item.id)),)


async def _name_of(services: Services, group_id: str, member_id: str) -> str:
    roster = await services.members.roster(group_id)
    return next((e.name for e in roster if e.member_id == member_id), "A member")


class CheckinDmKind:
    """The check-in's questions, privately, at the member's own time."""

    name = DM_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        services = self.services
        group = await services.store.get_group(message.group_id)
        if group is None or not await services.members.is_on_roster(group.id, message.member_id):
            return None
        key = str(json.loads(message.payload or "{}").get("slot_key", ""))
        item = await slot_checkin(services, group, key)
        answers = await services.checkins.answers(item.id)
        if any(answer.member_id == message.member_id for answer in answers):
            return None
        name = await _name_of(services, group.id, message.member_id)
        return PrivatePost(
            reply=Reply(
                title=f"📝 Week {item.week} check-in",
                parts=(
                    Section(text=_questions(item)),
                    Context(
                        text="Your answers go to the group's digest. You can change them until "
                        f"{instant(item.closes_at)}."
                    ),
                ),
                buttons=_answer_button(item),
                summary=f"Week {item.week} check-in: a few questions for you",
            ),
            fallback=Reply(
                parts=(
                    Section(
                        text=f"{name}: the week {item.week} check-in is open "
                        "(I couldn't send it to you privately)."
                    ),
                ),
                buttons=_answer_button(item),
                summary="Check-in",
            ),
        )


class CheckinReminderDmKind:
    """One private reminder to those who have not answered."""

    name = REMINDER_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        services = self.services
        checkin_id = int(json.loads(message.payload or "{}").get("checkin_id", 0))
        item = await services.checkins.get(checkin_id)
        if item is None or not item.is_open(services.clock()):
            return None
        if any(a.member_id == message.member_id for a in await services.checkins.answers(item.id)):
            return None
        name = await _name_of(services, item.group_id, message.member_id)
        return PrivatePost(
            reply=Reply(
                title=f"⏰ The week {item.week} check-in closes {instant(item.closes_at)}",
                parts=(Context(text="It takes a minute; your group's digest counts on it."),),
                buttons=_answer_button(item),
                summary="Check-in reminder",
            ),
            fallback=Reply(
                parts=(Section(text=f"{name}: the week {item.week} check-in closes soon."),),
                buttons=_answer_button(item),
                summary="Check-in reminder",
            ),
        )


async def plan_private_reminders(
    services: Services, item: Checkin, missing: dict[str, str]
) -> dict[str, str]:
    """Plan a private reminder for each missing member who takes private messages; returns the
    rest, for a channel reminder."""
    roster = {e.member_id: e for e in await services.members.roster(item.group_id)}
    privately = [m for m in missing if m in roster and roster[m].settings.dm_enabled]
    await services.private.plan(
        [
            PlannedMessage(
                key=f"checkin-reminder:{item.id}:{member_id}",
                platform=platform_of(item.group_id),
                group_id=item.group_id,
                member_id=member_id,
                kind=REMINDER_KIND,
                due_at=services.clock(),
                payload=json.dumps({"checkin_id": item.id}),
            )
            for member_id in privately
        ]
    )
    return {m: name for m, name in missing.items() if m not in privately}
