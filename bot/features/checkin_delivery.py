"""`/checkin delivery dm|channel`: how a group's scheduled check-ins reach its members."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.model import Context, Reply, Visibility
from bot.features.services import CommandContext

DELIVERIES = ("channel", "dm")


async def set_delivery(ctx: CommandContext, words: list[str]) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    if not words:
        return Reply(
            title=f"Check-ins are delivered by {_describe(group.checkin_delivery)}",
            parts=(Context(text="`/checkin delivery dm` or `/checkin delivery channel`."),),
            visibility=Visibility.PRIVATE,
        )
    choice = words[0].lower()
    if choice not in DELIVERIES or len(words) > 1:
        raise UserError(
            f"`{' '.join(words)}`: choose `dm` or `channel`.",
            hint="`dm` asks each roster member privately at the check-in's time in their zone.",
        )
    await services.store.set_checkin_delivery(group.id, choice)
    return Reply(
        title=f"Scheduled check-ins now go out by {_describe(choice)}",
        parts=(
            Context(
                text="Each roster member with private messages on gets the questions at the "
                "check-in's time in their own zone; the card and the digest stay in the channel."
                if choice == "dm"
                else "One card in the channel, as before."
            ),
        ),
    )


def _describe(delivery: str) -> str:
    return "private message" if delivery == "dm" else "a post in the channel"
