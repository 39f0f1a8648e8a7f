"""Reminders before a study session and "Were you there?" after it, by private message.

A sweeper (every tick, every process) plans them into the private ledger when they fall due,
one row per (session, occurrence, reminder, member), so planning twice stores them once. Those
who turned private messages off are named in one channel post instead (no ping), handed out by
one process only (an insert-or-nothing marker).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta

from bot.core.errors import UserError
from bot.core.ids import platform_of
from bot.core.instants import InstantStyle, instant
from bot.core.mentions import member_in_group_scope
from bot.core.model import Button, Context, Reply, Section, Visibility
from bot.core.private import PrivateDelivery, PrivatePost
from bot.core.registry import action
from bot.core.scheduled import Announcement
from bot.core.time import parse_duration
from bot.features.services import ActionContext, CommandContext, Services
from bot.features.session_rsvps import attendance
from bot.features.session_times import occurrences, starts_at
from bot.store.private_messages import PlannedMessage
from bot.store.sessions import StudySession

REMINDER_KIND = "session_reminder"
ATTENDED_KIND = "session_attended"
ATTENDED_ACTION = "session:attended"
DEFAULT_REMINDERS = (24 * 60, 60)  # minutes before
# A reminder whose moment passed longer ago than this (the bot was down) is not sent late.
STALE_AFTER = timedelta(minutes=10)
ASK_WITHIN = timedelta(hours=6)


def _key(group_id: str) -> str:
    return f"session-reminders:{group_id}"


async def reminder_minutes(services: Services, group_id: str) -> tuple[int, ...]:
    raw = await services.store.get_value(_key(group_id))
    return tuple(json.loads(raw)) if raw else DEFAULT_REMINDERS


async def set_reminders(ctx: CommandContext, words: list[str]) -> Reply:
    """`/session remind 1h,24h` (organizers)."""
    invocation, services = ctx.invocation, ctx.services
    if not invocation.member.is_organizer:
        raise UserError("Only organizers can change when sessions are reminded.")
    if not words:
        current = await reminder_minutes(services, invocation.group_id)
        shown = ", ".join(_describe(m) for m in current)
        return Reply(title=f"Reminders go out {shown} before each session")
    minutes = set()
    for part in ",".join(words).split(","):
        if part.strip():
            span = parse_duration(part.strip(), units="mhd", noun="reminder time", hint="`1h,24h`")
            if not timedelta(minutes=5) <= span <= timedelta(days=7):
                raise UserError("Reminders go out between 5 minutes and 7 days before.")
            minutes.add(int(span.total_seconds() // 60))
    if not minutes or len(minutes) > 4:
        raise UserError("Give one to four reminder times, e.g. `/session remind 1h,24h`.")
    ordered = tuple(sorted(minutes, reverse=True))
    await services.store.set_value(
        _key(invocation.group_id), json.dumps(ordered), now=services.clock()
    )
    return Reply(title=f"Sessions are now reminded {', '.join(map(_describe, ordered))} before")


def _describe(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} d"
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


async def plan_session_messages(services: Services, platforms: Sequence[str]) -> list[Announcement]:
    now = services.clock()
    out: list[Announcement] = []
    for session in await services.sessions.running(list(platforms)):
        offsets = await reminder_minutes(services, session.group_id)
        for day in occurrences(session, after=now - ASK_WITHIN, limit=3):
            start = starts_at(session, day)
            for minutes in offsets:
                due = start - timedelta(minutes=minutes)
                if now - STALE_AFTER < due <= now:
                    out += await _plan(services, session, day, REMINDER_KIND, f"{minutes}")
            end = start + timedelta(minutes=session.minutes)
            if now - ASK_WITHIN < end <= now:
                out += await _plan(services, session, day, ATTENDED_KIND, "after")
    return out


async def _plan(
    services: Services, session: StudySession, day: date, kind: str, tag: str
) -> list[Announcement]:
    """Plan `kind` now for everyone going (once per tag); a channel line for those without
    private messages, reminders only."""
    occurrence = day.isoformat()
    going = attendance(session, await services.sessions.answers(session.id, occurrence)).going
    roster = {e.member_id: e for e in await services.members.roster(session.group_id)}
    privately = [
        r for r in going if r.member_id not in roster or roster[r.member_id].settings.dm_enabled
    ]
    await services.private.plan(
        [
            PlannedMessage(
                key=f"{kind}:{session.id}:{occurrence}:{tag}:{rsvp.member_id}",
                platform=platform_of(session.group_id),
                group_id=session.group_id,
                member_id=rsvp.member_id,
                kind=kind,
                due_at=services.clock(),
                payload=json.dumps({"session_id": session.id, "occurrence": occurrence}),
            )
            for rsvp in privately
        ]
    )
    in_channel = [r.name for r in going if r not in privately]
    marker = f"session-channel:{kind}:{session.id}:{occurrence}:{tag}"
    if kind != REMINDER_KIND or not in_channel:
        return []
    if not await services.store.set_value_once(marker, "posted", now=services.clock()):
        return []
    start = starts_at(session, day)
    return [
        Announcement(
            group_id=session.group_id,
            reply=Reply(
                parts=(
                    Section(
                        text=f"{', '.join(sorted(in_channel))}: {session.title} starts "
                        f"{instant(start)} ({instant(start, InstantStyle.RELATIVE)})."
                    ),
                ),
                summary=f"{session.title} starts soon",
            ),
            key=f"studybot:{marker}",
        )
    ]


async def _still_going(
    services: Services, message: PrivateDelivery
) -> tuple[StudySession, date] | None:
    data = json.loads(message.payload or "{}")
    session = await services.sessions.get(int(data.get("session_id", 0)))
    occurrence = str(data.get("occurrence", ""))
    if session is None or session.cancelled_at is not None:
        return None
    if occurrence in session.skipped_dates:
        return None
    going = attendance(session, await services.sessions.answers(session.id, occurrence)).going
    if all(r.member_id != message.member_id for r in going):
        return None
    return session, date.fromisoformat(occurrence)


class SessionReminderKind:
    name = REMINDER_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        found = await _still_going(self.services, message)
        if found is None:
            return None
        session, day = found
        start = starts_at(session, day)
        where = f"\nWhere: {session.place}" if session.place else ""
        relative = instant(start, InstantStyle.RELATIVE)
        text = f"{instant(start)} ({relative}), {session.minutes} min{where}"
        return PrivatePost(
            reply=Reply(
                title=f"⏰ {session.title}",
                parts=(
                    Section(text=text),
                    Context(text="Can't make it? Press Can't on the session's card."),
                ),
                summary=f"{session.title} starts soon",
            ),
            fallback=Reply(
                parts=(Section(text=f"{session.title} starts {instant(start)}."),),
                summary=f"{session.title} starts soon",
            ),
        )


class SessionAttendedKind:
    name = ATTENDED_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        found = await _still_going(self.services, message)
        if found is None:
            return None
        session, day = found
        value = f"{session.id}:{day.isoformat()}"
        return PrivatePost(
            reply=Reply(
                title=f"Were you at {session.title}?",
                parts=(Context(text="A yes counts toward your streak in `/progress`."),),
                buttons=(
                    Button(label="Yes", action_id=ATTENDED_ACTION, value=f"{value}:yes"),
                    Button(label="No", action_id=ATTENDED_ACTION, value=f"{value}:no"),
                ),
                summary=f"Were you at {session.title}?",
            )
        )


@action(ATTENDED_ACTION)
async def attended(ctx: ActionContext) -> Reply:
    raw_id, _, rest = ctx.press.value.partition(":")
    occurrence, _, answer = rest.rpartition(":")
    session = await ctx.services.sessions.get(int(raw_id)) if raw_id.isdigit() else None
    if session is None or answer not in {"yes", "no"}:
        raise UserError("That button no longer works.")
    member_id = member_in_group_scope(ctx.press.member.id, session.group_id)
    await ctx.services.sessions.mark_attended(
        session.id,
        occurrence,
        member_id,
        ctx.press.member.name,
        answer == "yes",
        now=ctx.services.clock(),
    )
    title = (
        "Noted: it counts toward your streak." if answer == "yes" else "Noted. See you next time."
    )
    return Reply(title=title, visibility=Visibility.PRIVATE, replace_original=True)
