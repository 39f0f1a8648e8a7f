"""/resources: what to read and watch, by roadmap week or by topic."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.model import Context, Reply, Section
from bot.core.registry import OptionSpec, UsageForm, command
from bot.features.services import CommandContext, Services
from content.catalog import Catalog
from content.resources import resource_line


def topics_and_weeks(services: Services) -> Sequence[str]:
    catalog = services.catalog
    return [*catalog.topics, *(str(number) for number in sorted(catalog.weeks))]


@command(
    name="resources",
    description="Courses, docs, book chapters and papers to study from, by week or topic.",
    options=[
        OptionSpec(
            name="topic_or_week",
            description="a topic (e.g. llm-engineering) or a roadmap week number",
            choices=topics_and_weeks,
        )
    ],
    details="Without a topic or week: your group's current week with links, then every week's "
    "titles. Each resource says what it is (course chapter, documentation, book chapter, paper, "
    "video), about how long it takes and whether it is free.",
    examples=("/resources", "/resources 9", "/resources responsible-ml"),
    forms=(
        UsageForm(
            usage="/resources",
            summary="this week's reading with links, and every week's titles",
        ),
        UsageForm(usage="/resources <week>", summary="one week's reading list"),
        UsageForm(usage="/resources <topic>", summary="everything listed for a topic"),
    ),
)
async def resources(ctx: CommandContext) -> Reply:
    catalog = ctx.services.catalog
    wanted = ctx.text_arg("topic_or_week")
    if wanted is not None and wanted.isdigit():
        return one_week(catalog, int(wanted))
    if wanted is not None:
        return by_topic(catalog, wanted)
    invocation = ctx.invocation
    group = await ctx.services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=ctx.services.clock()
    )
    return overview(catalog, current_week=group.roadmap_week)


def _week_section(catalog: Catalog, number: int, *, marker: str = "") -> Section:
    week = catalog.weeks[number]
    return Section(
        heading=f"Week {number}: {week.title}{marker}",
        text="\n".join(resource_line(resource) for resource in catalog.resources_for_week(week)),
    )


def one_week(catalog: Catalog, number: int) -> Reply:
    title = f"Week {number} reading list"
    topics = ", ".join(catalog.topics)
    return Reply(
        title=title,
        parts=(
            _week_section(catalog, number),
            Context(
                text=f"Other weeks: /resources <week> · by topic: /resources <topic> ({topics})"
            ),
        ),
        summary=title,
    )


def overview(catalog: Catalog, *, current_week: int) -> Reply:
    """The group's week in full, then every week by title only: with links for all 12 weeks the
    list would pass Discord's 6,000 characters per message, and the links are one command away."""
    index = "\n".join(
        f"Week {number}: "
        + "; ".join(r.title for r in catalog.resources_for_week(catalog.weeks[number]))
        for number in sorted(catalog.weeks)
    )
    current = min(max(current_week, 1), catalog.week_count)
    title = "What to read and watch"
    return Reply(
        title=title,
        parts=(
            _week_section(catalog, current, marker="  ← your group is here"),
            Section(heading="Every week", text=index),
            Context(text="Links and times: /resources <week> · by topic: /resources <topic>"),
        ),
        summary=title,
    )


def by_topic(catalog: Catalog, topic_id: str) -> Reply:
    topic = catalog.topics[topic_id]
    listed = sorted(catalog.resources_in(topic_id), key=lambda resource: resource.minutes)
    title = f"{topic.name}: {len(listed)} resources"
    body = "\n".join(resource_line(resource) for resource in listed) or "None listed yet."
    return Reply(
        title=title,
        parts=(
            Section(text=body),
            Context(text=f"Shortest first · /tip {topic.id} · /quiz {topic.id}"),
        ),
        summary=title,
    )
