"""/compare: software engineer vs ML engineer, all aspects side by side or one in depth."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.model import Columns, Context, Field, Reply, Section
from bot.core.registry import OptionSpec, command
from bot.features.services import CommandContext, Services
from content.catalog import Catalog
from content.models import Aspect

OVERVIEW_TITLE = "Software engineer vs ML engineer"
DEPTH_HINT = "For one aspect in depth: /compare <aspect> — {aspects}"
MOVE_HEADING = "What this means for your move"


def aspect_ids(services: Services) -> Sequence[str]:
    return [aspect.id for aspect in services.catalog.ordered_aspects()]


@command(
    name="compare",
    description="Software engineer vs ML engineer, aspect by aspect.",
    options=[
        OptionSpec(
            name="aspect",
            description="one aspect to see in depth",
            choices=aspect_ids,
        )
    ],
    details="Without an aspect: both roles side by side over every aspect. "
    "With one: that aspect in depth, plus what it means for your move.",
    examples=("/compare", "/compare success", "/compare skills"),
)
async def compare(ctx: CommandContext) -> Reply:
    catalog = ctx.services.catalog
    aspect_id = ctx.text_arg("aspect")
    if aspect_id is None:
        return overview(catalog)
    return in_depth(catalog, catalog.aspects[aspect_id])


def _side_by_side(catalog: Catalog, aspect: Aspect, heading: str | None) -> Columns:
    return Columns(
        heading=heading,
        fields=(
            Field(label=catalog.roles["software"].name, value=aspect.software),
            Field(label=catalog.roles["ml"].name, value=aspect.ml),
        ),
    )


def overview(catalog: Catalog) -> Reply:
    software, ml = catalog.roles["software"], catalog.roles["ml"]
    aspects = catalog.ordered_aspects()
    parts: list[Section | Columns | Context] = [
        Section(heading=software.name, text=software.summary),
        Section(heading=ml.name, text=ml.summary),
    ]
    parts += [_side_by_side(catalog, aspect, aspect.title) for aspect in aspects]
    parts.append(Context(text=DEPTH_HINT.format(aspects=", ".join(a.id for a in aspects))))
    return Reply(title=OVERVIEW_TITLE, parts=tuple(parts), summary=OVERVIEW_TITLE)


def in_depth(catalog: Catalog, aspect: Aspect) -> Reply:
    title = f"{aspect.title}: software engineer vs ML engineer"
    parts = (
        _side_by_side(catalog, aspect, None),
        Section(text=aspect.detail),
        Section(heading=MOVE_HEADING, text=aspect.for_your_move),
        Context(text="All aspects side by side: /compare"),
    )
    return Reply(title=title, parts=parts, summary=title)
