"""/schedule: organizers set, list, pause, resume and remove the group's schedules."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.instants import instant
from bot.core.model import Context, Reply, Section
from bot.core.registry import (
    OptionSpec,
    Permission,
    SubcommandHandler,
    SubcommandSpec,
    command_group,
)
from bot.core.text import one_of
from bot.core.time import (
    WeeklyRule,
    parse_days,
    parse_time_of_day,
    parse_zone,
    suggest_zone_completion,
)
from bot.features.services import CommandContext
from bot.store.deliveries import DeliveryRecord, Status
from bot.store.schedules import ScheduleRecord
from scheduler.recurrence import next_occurrence

KINDS = ("nudge", "checkin", "poll", "report", "pairs", "quiz")
KIND_NAMES = {
    "nudge": "weekly learning nudge",
    "checkin": "check-in",
    "poll": "progress poll",
    "report": "organizer report (sent privately)",
    "pairs": "round of study partners",
    "quiz": "question of the week",
}
ADD_USAGE = "/schedule add <nudge|checkin|poll|report|pairs|quiz> <days> <HH:MM> [time zone]"
STATUS_WORDS = {
    Status.CLAIMED: "sending",
    Status.SENT: "sent",
    Status.FAILED: "failed",
    Status.UNKNOWN: "may not have arrived",
    Status.MISSED: "missed (bot was offline too long)",
    Status.COALESCED: "folded into a later late post",
}


async def _group(ctx: CommandContext):  # type: ignore[no-untyped-def]
    invocation, services = ctx.invocation, ctx.services
    return await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )


def _upcoming(record_or_rule: WeeklyRule, after: datetime, count: int) -> list[datetime]:
    instants = []
    cursor = after
    for _ in range(count):
        occurrence = next_occurrence(record_or_rule, cursor)
        instants.append(occurrence.due_at)
        cursor = occurrence.due_at
    return instants


async def _add(ctx: CommandContext, words: list[str]) -> Reply:
    if len(words) < 3 or len(words) > 4:
        raise UserError("That's not quite a schedule.", hint=f"Usage: `{ADD_USAGE}`")
    kind = words[0].lower()
    if kind not in KINDS:
        raise UserError(f"I can't schedule `{words[0]}`.", hint=f"Choose {one_of(KINDS)}.")
    days = parse_days(words[1])
    at = parse_time_of_day(words[2])
    zone = parse_zone(words[3]) if len(words) == 4 else None
    services = ctx.services
    if kind not in services.schedule_kinds:
        raise UserError(
            f"Scheduled {KIND_NAMES[kind]}s aren't available in this version yet.",
            hint="You can schedule a `nudge` now.",
        )
    # Only now, with every part valid, does anything get stored.
    group = await _group(ctx)
    zone = zone or ZoneInfo(group.timezone)
    rule = WeeklyRule(weekdays=days, at=at, zone=zone)
    for existing in await services.schedules.list_schedules(ctx.invocation.group_id):
        if existing.kind == kind and existing.rule == rule:
            raise UserError(
                f"That schedule exists already: #{existing.id}.",
                hint=f"`/schedule list` shows it; `/schedule remove {existing.id}` removes it.",
            )
    now = services.clock()
    record = await services.schedules.add_schedule(
        group_id=ctx.invocation.group_id,
        platform=ctx.invocation.platform,
        kind=kind,
        rule=rule,
        first=next_occurrence(rule, now),
        created_by=ctx.invocation.member.id,
        now=now,
    )
    upcoming = _upcoming(rule, services.clock(), 3)
    return Reply(
        title=f"Scheduled #{record.id}: {KIND_NAMES[kind]}",
        parts=(
            Section(text=f"{record.days_text} at {record.local_time:%H:%M} in {zone.key}."),
            Section(
                heading="Next three",
                text="\n".join(f"• {instant(i)}" for i in upcoming),
            ),
            Context(
                text=f"`/schedule pause {record.id}` or `/schedule remove {record.id}` "
                "to change it."
            ),
        ),
        summary=f"Scheduled #{record.id}",
    )


def _line(record: ScheduleRecord) -> str:
    state = "paused" if record.paused else f"next {instant(record.next_due_at)}"
    return (
        f"#{record.id} {KIND_NAMES.get(record.kind, record.kind)} · {record.days_text} "
        f"{record.local_time:%H:%M} {record.timezone} · {state}"
    )


async def _list(ctx: CommandContext, words: list[str]) -> Reply:
    _no_more(words, "list")
    records = await ctx.services.schedules.list_schedules(ctx.invocation.group_id)
    group = await ctx.services.store.get_group(ctx.invocation.group_id)
    zone_line = Context(text=f"Group time zone: {group.timezone if group else 'UTC'}")
    if not records:
        return Reply(
            title="No schedules yet",
            parts=(Section(text=f"Add one with `{ADD_USAGE}`."), zone_line),
            summary="No schedules yet",
        )
    return Reply(
        title=f"Schedules ({len(records)})",
        parts=(Section(text="\n".join(_line(r) for r in records)), zone_line),
        summary=f"{len(records)} schedules",
    )


async def _find(ctx: CommandContext, words: list[str], action: str) -> ScheduleRecord:
    if len(words) != 1:
        raise UserError(
            f"Which schedule? `/schedule {action} <id>`", hint="`/schedule list` shows the ids."
        )
    raw = words[0].removeprefix("#")
    record = None
    if raw.isdigit():
        record = await ctx.services.schedules.get_schedule(ctx.invocation.group_id, int(raw))
    if record is None:
        raise UserError(
            f"This group has no schedule `{words[0]}`.", hint="`/schedule list` shows the ids."
        )
    return record


async def _set_paused(ctx: CommandContext, words: list[str], *, paused: bool) -> Reply:
    action = "pause" if paused else "resume"
    record = await _find(ctx, words, action)
    now = ctx.services.clock()
    schedules, group_id = ctx.services.schedules, ctx.invocation.group_id
    updated = (
        await schedules.pause(group_id, record.id)
        if paused
        else await schedules.resume(group_id, record.id, next_due=next_occurrence(record.rule, now))
    )
    # A paused group is taking a break: members' streaks survive it.
    if paused:
        await ctx.services.progress.start_break(
            ctx.invocation.group_id, None, starts_at=now, ends_at=None
        )
    else:
        await ctx.services.progress.end_group_break(ctx.invocation.group_id, now=now)
    assert updated is not None
    verb = "Paused" if paused else "Resumed"
    return Reply(
        title=f"{verb} #{record.id}",
        parts=(Section(text=_line(updated)),),
        summary=f"{verb} #{record.id}",
    )


async def _pause(ctx: CommandContext, words: list[str]) -> Reply:
    return await _set_paused(ctx, words, paused=True)


async def _resume(ctx: CommandContext, words: list[str]) -> Reply:
    return await _set_paused(ctx, words, paused=False)


async def _remove(ctx: CommandContext, words: list[str]) -> Reply:
    record = await _find(ctx, words, "remove")
    await ctx.services.schedules.remove(ctx.invocation.group_id, record.id)
    return Reply(
        title=f"Removed #{record.id}",
        parts=(Section(text=_line(record)),),
        summary=f"Removed #{record.id}",
    )


async def _timezone(ctx: CommandContext, words: list[str]) -> Reply:
    zone = parse_zone(" ".join(words)) if words else None
    group = await _group(ctx)
    if zone is None:
        return Reply(
            title=f"Group time zone: {group.timezone}",
            parts=(
                Context(text="Change it with `/schedule timezone <zone>`, e.g. Europe/Berlin."),
            ),
        )
    await ctx.services.store.set_group_timezone(group.id, zone.key)
    now = ctx.services.clock().astimezone(zone)
    return Reply(
        title=f"Group time zone set to {zone.key}",
        parts=(
            Section(text=f"It is {now:%H:%M} there now. New schedules without a zone use it."),
            Context(text="Existing schedules keep the zone they were created with."),
        ),
        summary=f"Time zone {zone.key}",
    )


def _delivery_line(delivery: DeliveryRecord) -> str:
    words = STATUS_WORDS[delivery.status]
    extras = []
    if delivery.late:
        extras.append("late")
    if delivery.coalesced:
        extras.append(f"covers {delivery.coalesced + 1} occurrences")
    if delivery.attempts > 1:
        extras.append(f"{delivery.attempts} attempts")
    if delivery.detail and delivery.status in {Status.FAILED, Status.UNKNOWN}:
        extras.append(delivery.detail)
    suffix = f" ({'; '.join(extras)})" if extras else ""
    return f"  {instant(delivery.due_at)}: {words}{suffix}"


async def _status(ctx: CommandContext, words: list[str]) -> Reply:
    _no_more(words, "status")
    records = await ctx.services.schedules.list_schedules(ctx.invocation.group_id)
    if not records:
        return Reply(title="No schedules yet", parts=(Section(text=f"Add one: `{ADD_USAGE}`"),))
    recent = await ctx.services.deliveries.recent_deliveries(ctx.invocation.group_id)
    lines = []
    for record in records:
        lines.append(_line(record))
        history = recent.get(record.id, [])
        lines += [_delivery_line(d) for d in history] or ["  nothing delivered yet"]
    return Reply(
        title="Schedule status", parts=(Section(text="\n".join(lines)),), summary="Schedule status"
    )


def _no_more(words: list[str], action: str) -> None:
    if words:
        raise UserError(f"`/schedule {action}` takes nothing more.")


def _organizer(name: str, handler: SubcommandHandler, usage: str, summary: str) -> SubcommandSpec:
    return SubcommandSpec(
        name=name, handler=handler, permission=Permission.ORGANIZER, usage=usage, summary=summary
    )


SCHEDULE = command_group(
    name="schedule",
    description="Set, list, pause, resume and remove the group's schedules.",
    subcommands=[
        _organizer(
            "add",
            _add,
            "<nudge|checkin|poll|report|pairs|quiz> <days> <HH:MM> [zone]",
            "a weekly learning nudge, check-in, progress poll, organizer report or pairs "
            "round; days like `mon,thu`, `mon-fri`, `weekdays`, `daily`",
        ),
        _organizer("list", _list, "", "every schedule of the group, with its id"),
        _organizer("pause", _pause, "<id>", "pause one (members' streaks are kept meanwhile)"),
        _organizer("resume", _resume, "<id>", "resume a paused one"),
        _organizer("remove", _remove, "<id>", "remove one"),
        _organizer("timezone", _timezone, "<Area/City>", "the group's default time zone"),
        _organizer("status", _status, "", "the last deliveries of each schedule and how they went"),
    ],
    details_option=OptionSpec(
        name="details",
        description="what the action needs",
        rest=True,
        suggest=lambda _services, typed: suggest_zone_completion(typed),
    ),
    # Every subcommand changes or reveals the group's plan: the whole command is for organizers.
    organizer_only=True,
    details=f"`{ADD_USAGE}` schedules a post, e.g. `/schedule add nudge mon,thu 18:30 "
    "Europe/Berlin`. Without a zone, the group's zone is used (`/schedule timezone <zone>` sets "
    "it). `/schedule list` shows every schedule with its id; `pause`, `resume` and `remove` take "
    "that id. `/schedule status` shows the last deliveries and their outcome.",
    examples=(
        "/schedule add nudge mon,thu 18:30 Europe/Berlin",
        "/schedule add nudge weekdays 08:00",
        "/schedule list",
        "/schedule pause 3",
        "/schedule timezone America/New_York",
        "/schedule status",
    ),
)
