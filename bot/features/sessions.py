"""/session: study sessions with Going / Maybe / Can't, a cap and a waitlist, weekly series, and
calendar files. Reminders and "Were you there?" are in session_reminders.py, the calendar in
session_calendar.py."""

from __future__ import annotations

from datetime import date

from bot.core.errors import PermissionDenied, UserError
from bot.core.instants import instant
from bot.core.mentions import member_in_group_scope
from bot.core.model import Context, Image, Reply, Section, Visibility
from bot.core.registry import OptionSpec, SubcommandSpec, action, command_group
from bot.features.private_notes import joined_by_taking_part, plan_note
from bot.features.services import ActionContext, CommandContext, Services
from bot.features.session_calendar import calendar_file, feed_url, new_feed_token
from bot.features.session_card import LABELS, RSVP_ACTION, session_card
from bot.features.session_reminders import set_reminders
from bot.features.session_rsvps import attendance
from bot.features.session_times import ADD_USAGE, occurrences, parse_session, starts_at
from bot.features.session_when import pick_time, start_time_poll
from bot.store.sessions import ALL_OCCURRENCES, StudySession

# Subcommands ------------------------------------------------------------------------------------


async def _add(ctx: CommandContext, words: list[str]) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    member, now = invocation.member, services.clock()
    on_roster = await services.members.is_on_roster(invocation.group_id, member.id)
    if not (on_roster or member.is_organizer):
        raise PermissionDenied(
            "Sessions are added by members of the roster.", hint="`/join` first, then try again."
        )
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=now
    )
    plan = parse_session(words, default_zone=group.timezone, now=now)
    session = await services.sessions.add(
        group_id=group.id,
        platform=invocation.platform,
        title=plan.title,
        local_date=plan.local_date,
        local_time=plan.local_time,
        timezone=plan.zone.key,
        starts_at=plan.starts_at,
        weekly=plan.weekly,
        minutes=plan.minutes,
        cap=plan.cap,
        place=plan.place,
        created_by=member.id,
        now=now,
    )
    return await session_card(services, session, plan.local_date)


async def _find(ctx: CommandContext, raw: str | None) -> StudySession:
    digits = (raw or "").removeprefix("#")
    found = await ctx.services.sessions.get(int(digits)) if digits.isdigit() else None
    if found is None or found.group_id != ctx.invocation.group_id or found.cancelled_at:
        raise UserError(
            f"This group has no session `{raw or ''}`.", hint="`/session list` shows them."
        )
    return found


async def _list(ctx: CommandContext, words: list[str]) -> Reply:
    services = ctx.services
    now = services.clock()
    lines = []
    for session in await services.sessions.of_group(ctx.invocation.group_id):
        upcoming = occurrences(session, after=now)
        if not upcoming:
            continue
        answers = await services.sessions.answers(session.id, upcoming[0].isoformat())
        seen = attendance(session, answers)
        cap = f"/{session.cap}" if session.cap is not None else ""
        series = " · weekly" if session.weekly else ""
        lines.append(
            f"#{session.id} {session.title} · {instant(starts_at(session, upcoming[0]))}{series} "
            f"· going {len(seen.going)}{cap}"
            + (f", waitlist {len(seen.waitlist)}" if seen.waitlist else "")
        )
    if not lines:
        return Reply(
            title="No sessions coming up",
            parts=(Context(text=f"`{ADD_USAGE}`"),),
            visibility=Visibility.PRIVATE,
        )
    return Reply(
        title=f"Sessions coming up ({len(lines)})",
        parts=(Section(text="\n".join(lines)),),
        visibility=Visibility.PRIVATE,
    )


async def _show(ctx: CommandContext, words: list[str]) -> Reply:
    session = await _find(ctx, words[0] if words else None)
    upcoming = occurrences(session, after=ctx.services.clock())
    if not upcoming:
        raise UserError(f"Session #{session.id} is over.")
    return await session_card(ctx.services, session, upcoming[0])


async def _may_change(ctx: CommandContext, session: StudySession) -> None:
    member = ctx.invocation.member
    if not (member.is_organizer or member.id == session.created_by):
        raise PermissionDenied("Only the session's creator or an organizer can change it.")


async def _cancel(ctx: CommandContext, words: list[str]) -> Reply:
    services = ctx.services
    session = await _find(ctx, words[0] if words else None)
    await _may_change(ctx, session)
    now = services.clock()
    if len(words) > 1:  # one date of a weekly series
        day = words[1]
        upcoming = {d.isoformat() for d in occurrences(session, after=now, limit=60)}
        if day not in upcoming:
            raise UserError(f"Session #{session.id} has no upcoming date {day}.")
        await services.sessions.skip(session, day)
        told = await _tell_going(services, session, day, "is cancelled this time")
        return Reply(title=f"{session.title} on {day} is cancelled", parts=(Context(text=told),))
    upcoming_dates = occurrences(session, after=now)
    await services.sessions.cancel(session.id, now=now)
    told = ""
    if upcoming_dates:
        told = await _tell_going(services, session, upcoming_dates[0].isoformat(), "is cancelled")
    return Reply(title=f"{session.title} is cancelled", parts=(Context(text=told or "Done."),))


async def _tell_going(services: Services, session: StudySession, day: str, what: str) -> str:
    seen = attendance(session, await services.sessions.answers(session.id, day))
    everyone = seen.going + seen.waitlist
    start = starts_at(session, date.fromisoformat(day))
    for rsvp in everyone:
        await plan_note(
            services,
            key=f"session-cancelled:{session.id}:{day}:{rsvp.member_id}",
            group_id=session.group_id,
            member_id=rsvp.member_id,
            title=f"{session.title} {what}",
            text=f"The session on {instant(start)} {what}.",
            hint="`/session list` shows what's still coming up.",
        )
    return f"I'm telling the {len(everyone)} who said they'd come." if everyone else ""


async def _edit(ctx: CommandContext, words: list[str]) -> Reply:
    services = ctx.services
    session = await _find(ctx, words[0] if words else None)
    await _may_change(ctx, session)
    if len(words) < 3 or words[1] not in {"when", "where", "cap"}:
        raise UserError(
            "Say what to change.",
            hint='`/session edit 3 when 2026-12-10 19:00`, `where "Room 4"` or `cap 10`.',
        )
    field, values = words[1], words[2:]
    if field == "where":
        await services.sessions.update(session.id, place=" ".join(values)[:500])
    elif field == "cap":
        raw = values[0]
        if not raw.isdigit() or int(raw) < 1:
            raise UserError(f"`cap {raw}`: the cap is a number of people, 1 or more.")
        await services.sessions.update(session.id, cap=int(raw))
    else:
        plan = parse_session(
            [session.title, *values], default_zone=session.timezone, now=services.clock()
        )
        await services.sessions.update(
            session.id,
            local_date=plan.local_date.isoformat(),
            local_time=f"{plan.local_time:%H:%M}",
            timezone=plan.zone.key,
            starts_at=plan.starts_at,
        )
    changed = await services.sessions.get(session.id)
    assert changed is not None
    upcoming = occurrences(changed, after=services.clock())
    if not upcoming:
        return Reply(title=f"Session #{session.id} changed")
    return await session_card(services, changed, upcoming[0])


async def _ics(ctx: CommandContext, words: list[str]) -> Reply:
    session = await _find(ctx, words[0] if words else None)
    return Reply(
        title=f"📅 {session.title}: calendar file",
        parts=(Context(text="Open it to add the session (or the series) to your calendar."),),
        image=Image(
            data=calendar_file([session]),
            filename=f"session-{session.id}.ics",
            alt=f"Calendar file for {session.title}",
            media_type="text/calendar",
        ),
        visibility=Visibility.PRIVATE,
    )


async def _feed(ctx: CommandContext, words: list[str]) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    if not invocation.member.is_organizer:
        raise PermissionDenied("Only organizers can see or reset the calendar feed.")
    if words and words[0] != "reset":
        raise UserError("`/session feed` or `/session feed reset`.")
    token = await new_feed_token(services, invocation.group_id, reset=bool(words))
    url = feed_url(services, token)
    return Reply(
        title="The group's calendar feed",
        parts=(
            Section(text=url),
            Context(
                text="Subscribe to it in your calendar app; anyone with the link can read the "
                "group's sessions. `/session feed reset` makes a new link and retires this one."
            ),
        ),
        visibility=Visibility.PRIVATE,
    )


SESSION = command_group(
    name="session",
    description="Study sessions: add one, RSVP, see what's coming, get a calendar file.",
    subcommands=[
        SubcommandSpec(
            name="add",
            handler=_add,
            usage=ADD_USAGE.removeprefix("/session add "),
            summary="a study session (roster members): a card with Going, Maybe, Can't, the "
            "cap and the waitlist; times show in each reader's zone",
        ),
        SubcommandSpec(name="list", handler=_list, summary="sessions coming up, with counts"),
        SubcommandSpec(name="show", handler=_show, usage="<id>", summary="a session's card"),
        SubcommandSpec(
            name="cancel",
            handler=_cancel,
            usage="<id> [YYYY-MM-DD]",
            summary="cancel it, or one date of a series (its creator or an organizer); those "
            "going are told",
        ),
        SubcommandSpec(
            name="edit",
            handler=_edit,
            usage="<id> when|where|cap …",
            summary="change its time, place or cap (its creator or an organizer)",
        ),
        SubcommandSpec(name="ics", handler=_ics, usage="<id>", summary="a calendar file"),
        SubcommandSpec(
            name="feed",
            handler=_feed,
            usage="[reset]",
            summary="a secret calendar feed URL of the group's sessions (organizers); `reset` "
            "retires the old one",
        ),
        SubcommandSpec(
            name="remind",
            handler=set_reminders,
            usage="[1h,24h]",
            summary="when those going are reminded privately (organizers)",
        ),
        SubcommandSpec(
            name="when",
            handler=start_time_poll,
            usage='"<title>" "<YYYY-MM-DD HH:MM>" …',
            summary="find a time: members tick every option (2 to 10) that fits",
        ),
        SubcommandSpec(
            name="pick",
            handler=pick_time,
            usage="<poll> <n>",
            summary="make the session from option n and tell those it fits (the poll's "
            "creator or an organizer)",
        ),
    ],
    details_option=OptionSpec(name="details", description="what the action needs", rest=True),
    details=f"`{ADD_USAGE}`: the day is a date or the next weekday; the zone defaults to the "
    "group's. Times show in each reader's own zone. Press Going, Maybe or Can't on the card; "
    "beyond the cap you wait, and move up (told privately) when someone drops out. Those going "
    "are reminded privately 24 hours and 1 hour before and asked afterwards whether they were "
    "there (a yes counts toward the streak). `/session cancel <id> [date]` (its creator or an "
    "organizer; a date cancels one week of a series), `/session edit <id> when|where|cap …`, "
    "`/session ics <id>` a calendar file, `/session feed` (organizers) a subscribable URL. "
    '`/session when "<title>" "<YYYY-MM-DD HH:MM>" …` asks which of 2 to 10 times fit; '
    "`/session pick <poll> <n>` makes the session and tells those it fits.",
    examples=(
        '/session add "Paper club" 2026-12-03 18:30 Europe/Berlin cap 8',
        '/session add "Study night" thu 19:00 weekly for 90m where "https://meet.example/x"',
        "/session list",
        "/session ics 1",
    ),
)


@action(RSVP_ACTION)
async def rsvp(ctx: ActionContext) -> Reply:
    services, press = ctx.services, ctx.press
    raw_id, _, rest = press.value.partition(":")
    occurrence, _, answer = rest.partition(":")
    session = await services.sessions.get(int(raw_id)) if raw_id.isdigit() else None
    if session is None or session.cancelled_at is not None or answer not in LABELS:
        raise UserError("That session is no longer on.")
    now = services.clock()
    dates = [d.isoformat() for d in occurrences(session, after=now, limit=60)]
    if occurrence != ALL_OCCURRENCES and occurrence not in dates:
        raise UserError("That session is over.")
    shown = dates[0] if occurrence == ALL_OCCURRENCES else occurrence
    member_id = member_in_group_scope(press.member.id, session.group_id)
    before = attendance(session, await services.sessions.answers(session.id, shown))
    await services.sessions.answer(
        session.id, occurrence, member_id, press.member.name, answer, now=now
    )
    after = attendance(session, await services.sessions.answers(session.id, shown))
    await joined_by_taking_part(services, session.group_id, member_id, press.member.name)
    moved_up = {r.member_id for r in after.going} - {r.member_id for r in before.going}
    start = starts_at(session, date.fromisoformat(shown))
    for rsvp_ in after.going:
        if rsvp_.member_id in moved_up and rsvp_.member_id != member_id:
            await plan_note(
                services,
                key=f"session-moved-up:{session.id}:{shown}:{rsvp_.member_id}:{now.isoformat()}",
                group_id=session.group_id,
                member_id=rsvp_.member_id,
                title=f"You're in: {session.title}",
                text=f"A place opened up for {instant(start)} and you were first on the waitlist.",
                hint="Press Can't on the card if you can no longer come.",
            )
    card = await session_card(services, session, date.fromisoformat(shown))
    return Reply(
        title=card.title,
        parts=card.parts,
        buttons=card.buttons,
        summary=card.summary,
        replace_original=True,
    )
