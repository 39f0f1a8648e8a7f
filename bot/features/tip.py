"""/tip: an actionable tip the member has not seen yet, remembered per member."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from bot.core.errors import UserError
from bot.core.model import Button, Context, Member, Reply, Section
from bot.core.registry import OptionSpec, action, command
from bot.features.services import ActionContext, CommandContext, Services
from bot.store.repos import TipChoice
from content.catalog import Catalog
from content.models import Tip
from content.resources import resource_line

ANOTHER_TIP = "Another tip"
ANOTHER_TIP_ACTION = "tip:another"


def topic_ids(services: Services) -> Sequence[str]:
    return list(services.catalog.topics)


@command(
    name="tip",
    description="An actionable skill tip you haven't seen yet.",
    options=[OptionSpec(name="topic", description="the topic of the tip", choices=topic_ids)],
    details="Each tip is one concrete thing to do in under an hour. I remember which tips you have "
    "seen and start over when you have seen every tip of a topic. Without a topic, you get one "
    "from the topic you have covered least.",
    examples=("/tip", "/tip math", "/tip mlops"),
)
async def tip(ctx: CommandContext) -> Reply:
    return await next_tip_reply(ctx.services, ctx.invocation.member, ctx.text_arg("topic"))


@action(ANOTHER_TIP_ACTION)
async def another_tip(ctx: ActionContext) -> Reply:
    topic = ctx.press.value or None
    if topic is not None and topic not in ctx.services.catalog.topics:
        raise UserError("That topic no longer exists. Try `/tip`.")
    return await next_tip_reply(ctx.services, ctx.press.member, topic)


async def next_tip_reply(services: Services, member: Member, topic_id: str | None) -> Reply:
    catalog = services.catalog
    starting_over: list[str] = []  # filled in when the member has seen every tip of the topic

    def choose(seen: set[str]) -> TipChoice:
        topic = topic_id or least_covered_topic(catalog, seen)
        in_topic = catalog.tips_in(topic)
        unseen = [tip for tip in in_topic if tip.id not in seen]
        forget: tuple[str, ...] = ()
        if not unseen:
            # Every tip of the topic was seen: start the cycle again, and say so.
            forget = tuple(tip.id for tip in in_topic)
            unseen = in_topic
            others = [t for t in catalog.topics if t != topic]
            if others:
                starting_over.append(least_covered_topic(catalog, seen, among=others))
        chosen = random.choice(unseen)
        return TipChoice(
            tip_id=chosen.id,
            topic=topic,
            forget=forget,
            seen_count=len(in_topic) - len(unseen) + 1,
        )

    choice = await services.store.pick_tip(member.id, choose, now=services.clock())
    tip = catalog.tips[choice.tip_id]
    reply = render_tip(
        catalog, tip, seen_count=choice.seen_count, total=len(catalog.tips_in(choice.topic))
    )
    if starting_over:
        topic, suggested = catalog.topics[choice.topic], catalog.topics[starting_over[0]]
        note = (
            f"You've seen all {len(catalog.tips_in(topic.id))} {topic.name} tips, so they start "
            f"over. Least covered so far: {suggested.name} (`/tip {suggested.id}`)."
        )
        reply = replace(reply, parts=(Context(text=note), *reply.parts))
    return reply


def least_covered_topic(
    catalog: Catalog, seen: set[str], *, among: Sequence[str] | None = None
) -> str:
    """The topic with the smallest share of seen tips; ties go to the earlier topic."""

    def coverage(topic_id: str) -> float:
        tips = catalog.tips_in(topic_id)
        return sum(tip.id in seen for tip in tips) / len(tips)

    return min(among if among is not None else list(catalog.topics), key=coverage)


def render_tip(catalog: Catalog, tip: Tip, *, seen_count: int, total: int) -> Reply:
    topic = catalog.topics[tip.topic]
    further = (
        (Section(heading="Go further", text=resource_line(catalog.resources[tip.resource])),)
        if tip.resource is not None
        else ()
    )
    return Reply(
        title=f"{topic.name} tip: {tip.title}",
        parts=(
            Section(heading=f"Do this (about {tip.minutes} minutes)", text=tip.action),
            Section(heading="Why it matters", text=tip.why),
            *further,
            Context(
                text=f"{tip.difficulty.value.capitalize()} · tip {seen_count} of {total} "
                f"in {topic.name} · /tip {topic.id} for more"
            ),
        ),
        buttons=(Button(label=ANOTHER_TIP, action_id=ANOTHER_TIP_ACTION, value=topic.id),),
        summary=f"Tip: {tip.title}",
    )
