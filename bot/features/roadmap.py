"""/roadmap: the 12-week transition plan, and where this group stands in it."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.model import Button, Context, Reply, Section
from bot.core.registry import OptionKind, OptionSpec, command
from bot.features.services import CommandContext
from bot.features.tip import ANOTHER_TIP_ACTION
from content.catalog import Catalog
from content.models import Week

OVERVIEW_TITLE = "Your {weeks}-week move from software engineer to ML engineer"


@command(
    name="roadmap",
    description="The week-by-week plan for moving into ML engineering.",
    options=[
        OptionSpec(
            name="week",
            description="a week number to see in detail",
            kind=OptionKind.INTEGER,
            min_value=1,
        )
    ],
    details="Without a week: the whole plan, with the week your group is on marked. "
    "With a week number: its goal, concepts, a hands-on exercise and a check-in question.",
    examples=("/roadmap", "/roadmap 3"),
)
async def roadmap(ctx: CommandContext) -> Reply:
    services = ctx.services
    catalog = services.catalog
    week_number = ctx.int_arg("week")
    if week_number is not None:
        week = catalog.weeks.get(week_number)
        if week is None:
            raise UserError(
                f"The roadmap has weeks 1 to {catalog.week_count}; there is no week {week_number}.",
                hint="Try `/roadmap` for the overview.",
            )
        return week_detail(catalog, week)
    invocation = ctx.invocation
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    return overview(catalog, current_week=group.roadmap_week)


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
            Context(text=f"Focus topic: {topic.name} · /tip {topic.id}"),
        ),
        buttons=(
            Button(label=f"A {topic.name} tip", action_id=ANOTHER_TIP_ACTION, value=topic.id),
        ),
        summary=title,
    )
