"""Finding a time: `/session when "<title>" "<YYYY-MM-DD HH:MM>" …` asks which options fit
(members tick every one that does, each shown in the reader's own zone), and `/session pick
<poll> <n>` turns option n into a session and tells those it fits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.errors import PermissionDenied, UserError
from bot.core.instants import instant
from bot.core.mentions import member_in_group_scope
from bot.core.model import Button, Context, Reply, Section
from bot.core.registry import action
from bot.core.time import parse_time_of_day
from bot.features.private_notes import plan_note
from bot.features.services import ActionContext, CommandContext, Services
from bot.features.session_card import session_card
from bot.features.session_times import DEFAULT_MINUTES, MAX_TITLE
from bot.store.sessions import StudySession, TimePoll
from scheduler.recurrence import local_to_utc

FITS_ACTION = "session:fits"
WHEN_USAGE = '/session when "<title>" "<YYYY-MM-DD HH:MM>" "<YYYY-MM-DD HH:MM>" …'


def _option_start(poll: TimePoll, option: str) -> datetime:
    day, _, clock = option.partition(" ")
    return local_to_utc(date.fromisoformat(day), parse_time_of_day(clock), ZoneInfo(poll.timezone))


def time_poll_card(poll: TimePoll) -> Reply:
    lines = []
    for number, (option, people) in enumerate(zip(poll.options, poll.ticks, strict=True), 1):
        names = ", ".join(name for _, name in people) or "nobody yet"
        lines.append(f"{number}. {instant(_option_start(poll, option))}: {len(people)} ({names})")
    return Reply(
        title=f"🗓 When should we meet for {poll.title}?",
        parts=(
            Section(text="\n".join(lines)),
            Context(
                text=f"Press every time that fits you (again to untick) · poll #{poll.id} · "
                f"`/session pick {poll.id} <n>` makes the session"
            ),
        ),
        buttons=tuple(
            Button(label=f"{n} fits", action_id=FITS_ACTION, value=f"{poll.id}:{n - 1}")
            for n in range(1, len(poll.options) + 1)
        ),
        summary=f"When should we meet for {poll.title}?",
    )


async def start_time_poll(ctx: CommandContext, words: list[str]) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    now = services.clock()
    if len(words) < 3:
        raise UserError("Give a title and 2 to 10 times.", hint=f"`{WHEN_USAGE}`")
    title, options = words[0].strip(), [w.strip() for w in words[1:]]
    if not title or len(title) > MAX_TITLE:
        raise UserError(f"The title needs 1 to {MAX_TITLE} characters.")
    if len(options) > 10:
        raise UserError(f"Up to 10 times, please; I found {len(options)}.")
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=now
    )
    zone = ZoneInfo(group.timezone)
    cleaned = []
    for option in options:
        day, _, clock = option.partition(" ")
        try:
            start = local_to_utc(date.fromisoformat(day), parse_time_of_day(clock), zone)
        except ValueError:
            raise UserError(
                f"`{option}` isn't a date and time.", hint="Like `2026-12-03 18:30`."
            ) from None
        if start <= now:
            raise UserError(f"`{option}` has passed.")
        cleaned.append(f"{day} {parse_time_of_day(clock):%H:%M}")
    if len(set(cleaned)) != len(cleaned):
        raise UserError("Each time once, please.")
    poll = await services.time_polls.create(
        group_id=group.id,
        title=title,
        timezone=group.timezone,
        options=cleaned,
        created_by=invocation.member.id,
        now=now,
    )
    return time_poll_card(poll)


async def pick_time(ctx: CommandContext, words: list[str]) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    if len(words) != 2 or not words[0].lstrip("#").isdigit() or not words[1].isdigit():
        raise UserError("`/session pick <poll id> <option number>`, e.g. `/session pick 1 2`.")
    poll = await services.time_polls.get(int(words[0].lstrip("#")))
    if poll is None or poll.group_id != invocation.group_id:
        raise UserError(f"This group has no time poll #{words[0].lstrip('#')}.")
    member = invocation.member
    if not (member.is_organizer or member.id == poll.created_by):
        raise PermissionDenied("Only the poll's creator or an organizer can pick the time.")
    if poll.session_id is not None:
        raise UserError(f"Poll #{poll.id} already became session #{poll.session_id}.")
    number = int(words[1])
    if not 1 <= number <= len(poll.options):
        raise UserError(f"Poll #{poll.id} has options 1 to {len(poll.options)}.")
    session = await _make_session(services, poll, number - 1, created_by=member.id)
    if not await services.time_polls.close(poll.id, session.id):
        await services.sessions.cancel(session.id, now=services.clock())
        raise UserError(f"Poll #{poll.id} was picked a moment ago.")
    start = session.starts_at
    for member_id, _ in poll.ticks[number - 1]:
        await plan_note(
            services,
            key=f"session-picked:{poll.id}:{member_id}",
            group_id=poll.group_id,
            member_id=member_id,
            title=f"{poll.title}: it's on",
            text=f"The time you said fits was picked: {instant(start)}.",
            hint="Press Going on the session's card to take a place.",
        )
    return await session_card(services, session, session.local_date)


async def _make_session(
    services: Services, poll: TimePoll, index: int, *, created_by: str
) -> StudySession:
    day, _, clock = poll.options[index].partition(" ")
    local_day, at = date.fromisoformat(day), parse_time_of_day(clock)
    return await services.sessions.add(
        group_id=poll.group_id,
        platform=poll.group_id.split(":", 1)[0],
        title=poll.title,
        local_date=local_day,
        local_time=at,
        timezone=poll.timezone,
        starts_at=local_to_utc(local_day, at, ZoneInfo(poll.timezone)),
        weekly=False,
        minutes=DEFAULT_MINUTES,
        cap=None,
        place=None,
        created_by=created_by,
        now=services.clock(),
    )


@action(FITS_ACTION)
async def fits(ctx: ActionContext) -> Reply:
    raw_id, _, raw_option = ctx.press.value.partition(":")
    poll = await ctx.services.time_polls.get(int(raw_id)) if raw_id.isdigit() else None
    if poll is None or not raw_option.isdigit() or int(raw_option) >= len(poll.options):
        raise UserError("That poll is gone.")
    if poll.session_id is not None:
        raise UserError(f"The time was picked already: see session #{poll.session_id}.")
    member_id = member_in_group_scope(ctx.press.member.id, poll.group_id)
    await ctx.services.time_polls.toggle(poll.id, int(raw_option), member_id, ctx.press.member.name)
    updated = await ctx.services.time_polls.get(poll.id)
    assert updated is not None
    card = time_poll_card(updated)
    return Reply(
        title=card.title,
        parts=card.parts,
        buttons=card.buttons,
        summary=card.summary,
        replace_original=True,
    )
