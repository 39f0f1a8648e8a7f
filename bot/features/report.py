"""/report: how the group is doing, for its organizers; weekly by private message with
`/schedule add report <days> <HH:MM>` (kind `report`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.ids import platform_of
from bot.core.model import Context, Image, Reply, Section, Visibility
from bot.core.private import PrivateDelivery, PrivatePost
from bot.core.registry import command
from bot.core.scheduled import DecidesNothingAtClaim, ScheduledOccurrence, ScheduledPost
from bot.features.charts import column_chart_png
from bot.features.checkin_digest import NO_BLOCKERS, average_confidence, listed
from bot.features.progress import week_of
from bot.features.services import CommandContext, Services
from bot.store.private_messages import PlannedMessage

REPORT_KIND = "report"
WEEKS_COMPARED = 4
QUIET_AFTER = timedelta(days=14)


@command(
    name="report",
    description="The organizer report: who takes part, who went quiet, blockers, confidence.",
    organizer_only=True,
    details="This week against the last four (members taking part, with a chart), roster "
    "members quiet for two weeks or more, blockers from the latest check-in, average "
    "confidence and its trend, and the group's roadmap week. `/schedule add report mon 08:00` "
    "sends it to every organizer privately each week.",
    examples=("/report", "/schedule add report mon 08:00"),
)
async def report(ctx: CommandContext) -> Reply:
    invocation = ctx.invocation
    return await build_report(ctx.services, invocation.group_id)


async def build_report(services: Services, group_id: str) -> Reply:
    now = services.clock()
    group = await services.store.ensure_group(group_id, platform=platform_of(group_id), now=now)
    zone = ZoneInfo(group.timezone)
    this_week = week_of(now, zone)
    weeks = [this_week - timedelta(days=7 * n) for n in range(WEEKS_COMPARED, -1, -1)]
    taking_part: dict[date, set[str]] = {week: set() for week in weeks}
    last_seen: dict[str, datetime] = {}
    for member_id, moment in await services.progress.activity(group_id):
        week = week_of(moment, zone)
        if week in taking_part:
            taking_part[week].add(member_id)
        last_seen[member_id] = max(moment, last_seen.get(member_id, moment))
    counts = [len(taking_part[week]) for week in weeks]
    earlier = ", ".join(str(count) for count in counts[:-1])
    parts: list[Section | Context] = [
        Section(
            heading="Taking part",
            text=f"This week: {counts[-1]} member{'' if counts[-1] == 1 else 's'} "
            f"(the four weeks before: {earlier}).",
        )
    ]
    roster = await services.members.roster(group_id)
    quiet = [
        entry.name
        for entry in roster
        if last_seen.get(entry.member_id, entry.joined_at) < now - QUIET_AFTER
    ]
    parts.append(
        Section(
            heading="Quiet for two weeks or more",
            text=", ".join(quiet) if quiet else "Nobody on the roster.",
        )
    )
    parts += await _checkin_sections(services, group_id)
    rate = await services.pairs.latest_meeting_rate(group_id)
    if rate is not None:
        parts.append(
            Section(
                heading="Study partners",
                text=f"{rate[0]} of {rate[1]} pairs met in the latest round.",
            )
        )
    roadmap_week = services.catalog.weeks.get(group.roadmap_week)
    parts.append(
        Section(
            heading="Roadmap",
            text=f"Week {group.roadmap_week}"
            + (f": {roadmap_week.title}" if roadmap_week else "")
            + " (`/roadmap set <week>` moves it)",
        )
    )
    parts.append(Context(text=f"{len(roster)} on the roster · weeks counted in {zone.key}."))
    labels = [f"{monday:%d %b}" for monday in weeks]
    image = None
    if any(counts):
        image = Image(
            data=column_chart_png(
                "Members taking part, this week and the four before",
                labels,
                counts,
                unit="members",
            ),
            filename=f"report-{now.date().isoformat()}.png",
            alt="Bar chart of members taking part in each of the last five weeks",
        )
    return Reply(
        title="📋 Organizer report",
        parts=tuple(parts),
        image=image,
        visibility=Visibility.PRIVATE,
        summary="Organizer report",
    )


async def _checkin_sections(services: Services, group_id: str) -> list[Section | Context]:
    latest = await services.checkins.latest(group_id)
    if latest is None:
        return [Section(heading="Check-ins", text="No check-in yet.")]
    answers = await services.checkins.answers(latest.id)
    blockers = (
        listed(answers, 2, skip_empty=NO_BLOCKERS) if len(latest.questions) > 2 else ""
    ) or "None reported."
    sections: list[Section | Context] = [
        Section(heading=f"Blockers (week {latest.week} check-in)", text=blockers)
    ]
    average = average_confidence(answers)
    if average is None:
        sections.append(Section(heading="Confidence", text="No ratings in the latest check-in."))
        return sections
    line = f"{average} / 5 in the week {latest.week} check-in"
    previous = await services.checkins.previous_closed(latest)
    before = average_confidence(await services.checkins.answers(previous.id)) if previous else None
    if before is not None:
        change = round(average - before, 1)
        trend = "up" if change > 0 else "down" if change < 0 else "unchanged"
        line += f", {trend} ({'+' if change >= 0 else ''}{change}) from the one before"
    sections.append(Section(heading="Confidence", text=line))
    return sections


class ReportKind(DecidesNothingAtClaim):
    """The weekly report (kind `report`): nothing in the channel, a private message to each
    organizer the group added and to whoever scheduled it (an organizer when they did)."""

    name = REPORT_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        services = self.services
        schedule = await services.schedules.get_schedule(
            occurrence.group_id, occurrence.schedule_id
        )
        recipients = {
            item.member_id for item in await services.members.organizers(occurrence.group_id)
        }
        if schedule is not None:
            recipients.add(schedule.created_by)
        await services.private.plan(
            [
                PlannedMessage(
                    key=f"report:{occurrence.schedule_id}:{occurrence.slot}:{member_id}",
                    platform=occurrence.platform,
                    group_id=occurrence.group_id,
                    member_id=member_id,
                    kind=REPORT_KIND,
                    due_at=services.clock(),
                )
                for member_id in sorted(recipients)
            ]
        )
        return ScheduledPost(reply=None)


class ReportDmKind:
    name = REPORT_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        return PrivatePost(reply=await build_report(self.services, message.group_id))
