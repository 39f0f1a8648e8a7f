"""/progress and /snooze: streaks of weeks taken part in, and breaks that keep them intact."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.model import Context, Image, Reply, Section, Visibility
from bot.core.registry import OptionSpec, UsageForm, command
from bot.core.time import parse_zone
from bot.features.charts import column_chart_png
from bot.features.services import CommandContext, Services
from bot.store.progress import Break

CHART_WEEKS = 8
LONGEST_SNOOZE = timedelta(days=90)
# Never look further back than this for a streak (ten years of weekly study is plenty).
MAX_WEEKS = 520


def week_of(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday that starts `moment`'s week, in `zone`."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def break_weeks(breaks: Iterable[Break], zone: ZoneInfo, *, now: datetime) -> set[date]:
    weeks: set[date] = set()
    for item in breaks:
        week, last = week_of(item.starts_at, zone), week_of(min(item.ends_at or now, now), zone)
        while week <= last:
            weeks.add(week)
            week += timedelta(days=7)
    return weeks


def streak(active: set[date], paused: set[date], current: date) -> int:
    """Consecutive weeks with activity up to now. A week without activity inside a break
    neither counts nor breaks the streak; nor does the current week before it is over."""
    week, count = current, 0
    if week not in active:
        week -= timedelta(days=7)
    for _ in range(MAX_WEEKS):
        if week in active:
            count += 1
        elif week not in paused:
            break
        week -= timedelta(days=7)
    return count


@command(
    name="progress",
    description="Your study streak, or the group's progress as a chart.",
    options=[
        OptionSpec(
            name="scope",
            description="`group` for the whole group, `zone` to set your time zone",
            choices=lambda _services: ("me", "group", "zone"),
        ),
        OptionSpec(name="timezone", description="your IANA time zone, with `zone`", rest=True),
    ],
    details="Your streak counts consecutive weeks (in your time zone, `/progress zone "
    "Europe/Berlin` sets it; else the group's) in which you "
    "answered a check-in or voted in a named poll; weeks you snoozed, or when the group's "
    "schedules were paused, keep it intact. `/progress group` charts how many members took "
    "part each week.",
    examples=("/progress", "/progress group", "/progress zone Asia/Kolkata"),
    forms=(
        UsageForm(
            usage="/progress",
            summary="your streak, the weeks you took part and the roadmap weeks you marked done",
        ),
        UsageForm(usage="/progress group", summary="a chart of members taking part, week by week"),
        UsageForm(
            usage="/progress zone <Area/City>",
            summary="the zone your weeks are counted in (the same as /me zone)",
        ),
    ),
)
async def progress(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    zone = ZoneInfo(group.timezone)
    member = invocation.member
    now = services.clock()
    if ctx.text_arg("scope") == "zone":
        # The same setting as `/me zone`: one zone per member for streaks and reminders.
        chosen = parse_zone(ctx.text_arg("timezone") or "")
        await services.members.update_settings(member.id, now=now, timezone=chosen.key)
        return Reply(
            title=f"Your weeks are now counted in {chosen.key}",
            parts=(Context(text="Reminders use it too; `/me` shows your settings."),),
            visibility=Visibility.PRIVATE,
        )
    if ctx.text_arg("scope") == "group":
        return await group_progress(services, invocation.group_id, zone)
    if (own := (await services.members.settings(member.id)).timezone) is not None:
        zone = ZoneInfo(own)
    moments = [at for _, at in await services.progress.activity(invocation.group_id, member.id)]
    active = {week_of(at, zone) for at in moments}
    paused = break_weeks(
        await services.progress.breaks_of(invocation.group_id, member.id), zone, now=now
    )
    current = streak(active, paused, week_of(now, zone))
    completed = sorted(await services.progress.completed_weeks(invocation.group_id, member.id))
    lines = [
        f"Streak: {current} week" + ("" if current == 1 else "s"),
        f"Weeks you took part: {len(active)}",
        "Roadmap weeks you marked done: " + (", ".join(map(str, completed)) or "none yet"),
    ]
    snoozed = await services.progress.snoozed_until(invocation.group_id, member.id, now=now)
    parts: list[Section | Context] = [Section(text="\n".join(lines))]
    if snoozed is not None:
        last_day = (snoozed - timedelta(seconds=1)).astimezone(zone)
        parts.append(Context(text=f"Snoozed until the end of {last_day:%a %d %b} ({zone.key})."))
    parts.append(Context(text=f"Weeks are counted in {zone.key}. /progress group for the group."))
    return Reply(
        title=f"{member.name}'s progress", parts=tuple(parts), visibility=Visibility.PRIVATE
    )


async def group_progress(services: Services, group_id: str, zone: ZoneInfo) -> Reply:
    now = services.clock()
    this_week = week_of(now, zone)
    activity = await services.progress.activity(group_id)
    # From the group's first week with anyone taking part, at most CHART_WEEKS back.
    first = min((week_of(at, zone) for _, at in activity), default=this_week)
    start = max(first, this_week - timedelta(days=7 * (CHART_WEEKS - 1)))
    weeks = [start + timedelta(days=7 * n) for n in range((this_week - start).days // 7 + 1)]
    per_week: dict[date, set[str]] = {week: set() for week in weeks}
    for member_id, at in activity:
        week = week_of(at, zone)
        if week in per_week:
            per_week[week].add(member_id)
    counts = [len(per_week[week]) for week in weeks]
    labels = [f"{week:%d %b}" for week in weeks]
    lines = "\n".join(
        f"Week of {label}: {count}" for label, count in zip(labels, counts, strict=True)
    )
    image = None
    if any(counts):
        image = Image(
            data=column_chart_png(
                "Members taking part, week by week", labels, counts, unit="members"
            ),
            filename=f"group-progress-{services.clock().date().isoformat()}.png",
            alt="Bar chart of members taking part each week",
        )
    return Reply(
        title="Group progress",
        parts=(
            Section(text=lines),
            Context(text="Check-in answers, named poll votes, partner meetings and sessions."),
        ),
        image=image,
    )


@command(
    name="snooze",
    description="Pause your reminders until a date; your streak is kept.",
    options=[
        OptionSpec(name="until", description="a date like 2026-12-24, or `off`", required=True)
    ],
    examples=("/snooze 2026-12-24", "/snooze off"),
    forms=(
        UsageForm(
            usage="/snooze <YYYY-MM-DD>",
            summary="no reminders until the end of that day; your streak is kept",
        ),
        UsageForm(usage="/snooze off", summary="reminders again from now"),
    ),
)
async def snooze(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    now = services.clock()
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=now
    )
    # The same rule as /progress: the member's own zone, else the group's, and it is named.
    own = (await services.members.settings(invocation.member.id)).timezone
    zone = ZoneInfo(own or group.timezone)
    raw = str(ctx.text_arg("until"))
    if raw.lower() == "off":
        await services.progress.end_member_break(invocation.group_id, invocation.member.id, now=now)
        return Reply(title="Welcome back: reminders are on again.", visibility=Visibility.PRIVATE)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise UserError(f"`{raw}` isn't a date.", hint="Use YYYY-MM-DD, e.g. 2026-12-24.") from None
    until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    if until <= now:
        raise UserError("That date has passed.")
    if until - now > LONGEST_SNOOZE:
        raise UserError("You can snooze for up to 90 days at a time.")
    await services.progress.start_break(
        invocation.group_id, invocation.member.id, starts_at=now, ends_at=until
    )
    return Reply(
        title=f"Snoozed until the end of {day:%a %d %b} ({zone.key})",
        parts=(
            Context(
                text="No reminders until then, and your streak is kept. "
                "`/snooze off` to come back early."
            ),
        ),
        visibility=Visibility.PRIVATE,
    )
