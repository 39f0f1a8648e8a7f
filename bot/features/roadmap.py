"""/roadmap: the 12-week transition plan, and where this group stands in it."""

from __future__ import annotations

from bot.core.errors import PermissionDenied, UserError
from bot.core.model import Button, Context, Reply, Section
from bot.core.registry import OptionKind, OptionSpec, UsageForm, command
from bot.features.services import CommandContext
from bot.features.tip import ANOTHER_TIP_ACTION
from content.catalog import Catalog
from content.models import Week
from content.resources import resource_line

OVERVIEW_TITLE = "Your {weeks}-week move from software engineer to ML engineer"


@command(
    name="roadmap",
    description="The week-by-week plan for moving into ML engineering.",
    options=[
        OptionSpec(name="week", description="a week number to see in detail, or `set`"),
        OptionSpec(
            name="to",
            description="with `set`: the week the group moves to (organizers)",
            kind=OptionKind.INTEGER,
            min_value=1,
        ),
    ],
    details="Without a week: the whole plan, with the week your group is on marked. "
    "With a week number: its goal, concepts, a hands-on exercise, a check-in question, this "
    "week's step of the capstone project and what to read or watch. "
    "`/roadmap set 4` (organizers) moves the group to week 4: the next nudge and check-in "
    "are about it.",
    examples=("/roadmap", "/roadmap 3", "/roadmap set 4"),
    forms=(
        UsageForm(usage="/roadmap", summary="the whole plan, with the group's week marked"),
        UsageForm(
            usage="/roadmap <week>",
            summary="one week: goal, exercise, check-in question, capstone step and resources",
        ),
        UsageForm(
            usage="/roadmap set <week>",
            summary="move the group to that week; the next nudge is about it",
            organizers_only=True,
        ),
    ),
)
async def roadmap(ctx: CommandContext) -> Reply:
    services = ctx.services
    catalog = services.catalog
    raw = (ctx.text_arg("week") or "").strip().lower()
    if raw == "set":
        return await _set_week(ctx)
    if raw:
        week = catalog.weeks.get(_week_number(catalog, raw))
        assert week is not None
        return week_detail(catalog, week)
    invocation = ctx.invocation
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    return overview(catalog, current_week=group.roadmap_week)


def _week_number(catalog: Catalog, raw: str) -> int:
    if not raw.isdigit():
        raise UserError(
            f"`{raw}` isn't a week: give a whole number from 1 to {catalog.week_count}.",
            hint="`/roadmap 3` shows week 3; organizers move the group with `/roadmap set 3`.",
        )
    number = int(raw)
    if number not in catalog.weeks:
        raise UserError(
            f"The roadmap has weeks 1 to {catalog.week_count}; there is no week {number}.",
            hint="Try `/roadmap` for the overview.",
        )
    return number


async def _set_week(ctx: CommandContext) -> Reply:
    invocation, services = ctx.invocation, ctx.services
    if not invocation.member.is_organizer:
        raise PermissionDenied(
            "Only organizers can move the group's roadmap week.",
            hint="`/roadmap` shows where the group is.",
        )
    target = ctx.int_arg("to")
    if target is None:
        raise UserError("Which week?", hint="For example `/roadmap set 4`.")
    number = _week_number(services.catalog, str(target))
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    await services.store.set_roadmap_week(group.id, number)
    week = services.catalog.weeks[number]
    return Reply(
        title=f"The group is now on week {number}: {week.title}",
        parts=(
            Context(text=f"Was week {group.roadmap_week}. The next nudge is about week {number}."),
        ),
    )


def overview(catalog: Catalog, *, current_week: int) -> Reply:
    parts: list[Section | Context] = []
    for number in sorted(catalog.weeks):
        week = catalog.weeks[number]
        marker = "  ← your group is here" if number == current_week else ""
        parts.append(Section(heading=f"Week {number}: {week.title}{marker}", text=week.goal))
    parts.append(
        Context(
            text=f"Your group is on week {current_week}. /roadmap <week> shows a week in detail."
        )
    )
    title = OVERVIEW_TITLE.format(weeks=catalog.week_count)
    return Reply(title=title, parts=tuple(parts), summary=title)


def week_detail(catalog: Catalog, week: Week) -> Reply:
    topic = catalog.topics[week.topic]
    concepts = "\n".join(f"• {concept}" for concept in week.concepts)
    title = f"Week {week.number}: {week.title}"
    return Reply(
        title=title,
        parts=(
            Section(heading="Goal", text=week.goal),
            Section(heading="Concepts", text=concepts),
            Section(heading="Hands-on exercise", text=week.exercise),
            Section(heading="Check-in question", text=week.checkin_question),
            Section(
                heading=f"Capstone step (about {week.capstone_hours} hours)",
                text=f"{week.capstone}\nDone when: {week.done_when}",
            ),
            Section(
                heading="Read and watch",
                text="\n".join(resource_line(r) for r in catalog.resources_for_week(week)),
            ),
            Context(
                text=f"Focus topic: {topic.name} · /tip {topic.id} · /quiz {topic.id} · "
                f"/resources {topic.id}"
            ),
        ),
        buttons=(
            Button(label=f"A tip on {topic.name}", action_id=ANOTHER_TIP_ACTION, value=topic.id),
        ),
        summary=title,
    )
