"""Reply → embeds and buttons, within Discord's limits (split or trim, never fail).

Limits: 256-character titles and field names, 4,096 for a description, 1,024 per field value,
25 fields per embed, 6,000 characters over all embeds of a message, 10 embeds, 2,048 for a
footer, 5 rows of 5 buttons, 80-character labels, 100-character custom ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.adapters.discord.inbound import custom_id
from bot.core.ids import local_part
from bot.core.instants import Instant, InstantStyle, has_instants, plain_text, render_instants
from bot.core.model import Columns, Context, Reply, Section, Visibility
from bot.core.text import truncate

MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FIELDS = 25
MAX_TOTAL = 6000
MAX_FOOTER = 2048
MAX_BUTTONS = 25
MAX_LABEL = 80
BLANK = "\u200b"  # Discord needs a non-empty field name
ERROR_COLOUR = discord.Colour.red()
COLOUR = discord.Colour.blurple()


@dataclass
class RenderedMessage:
    embeds: list[discord.Embed]
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, custom_id)
    ephemeral: bool = False
    # Pings a reply deliberately makes: user ids, allowed (and only they) in allowed_mentions.
    pings: list[int] = field(default_factory=list)

    @property
    def content(self) -> str | None:
        return " ".join(f"<@{user}>" for user in self.pings) or None

    def allowed_mentions(self) -> discord.AllowedMentions:
        if not self.pings:
            return discord.AllowedMentions.none()
        return discord.AllowedMentions(
            everyone=False,
            roles=False,
            replied_user=False,
            users=[discord.Object(id=user) for user in self.pings],
        )


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


_TIMESTAMP_STYLES = {InstantStyle.DATE_TIME: "f", InstantStyle.DATE: "D", InstantStyle.TIME: "t"}


def discord_timestamp(moment: Instant) -> str:
    """`<t:…:f>`: each reader's client shows it in their own zone."""
    return f"<t:{moment.timestamp}:{_TIMESTAMP_STYLES[moment.style]}>"


def _markup(text: str) -> str:
    return render_instants(text, discord_timestamp)


def render(reply: Reply) -> RenderedMessage:
    # Titles, field names and footers show timestamp markup raw: instants there are written out
    # in UTC, and a context line holding one moves from the footer to the description.
    embed = discord.Embed(
        title=truncate(plain_text(reply.title), MAX_TITLE) if reply.title else None,
        colour=ERROR_COLOUR if reply.is_error else COLOUR,
    )
    description: list[str] = []
    footer: list[str] = []
    closing: list[str] = []
    fields: list[tuple[str, str, bool]] = []
    for part in reply.parts:
        if isinstance(part, Section):
            if part.heading is None and not fields:
                description.append(_markup(part.text))
                continue
            name = truncate(plain_text(part.heading or BLANK), MAX_FIELD_NAME)
            for index, chunk in enumerate(_chunks(_markup(part.text), MAX_FIELD_VALUE)):
                fields.append((name if index == 0 else BLANK, chunk, False))
        elif isinstance(part, Columns):
            if part.heading:
                fields.append((truncate(part.heading, MAX_FIELD_NAME), BLANK, False))
            for column in part.fields:
                fields.append(
                    (
                        truncate(plain_text(column.label), MAX_FIELD_NAME),
                        truncate(_markup(column.value), MAX_FIELD_VALUE),
                        True,
                    )
                )
        elif isinstance(part, Context) and has_instants(part.text):
            closing.append(f"*{_markup(part.text)}*")
        elif isinstance(part, Context):
            footer.append(part.text)
        else:
            raise TypeError(f"Discord cannot render {type(part).__name__}")
    description += closing
    if description:
        embed.description = truncate("\n\n".join(description), MAX_DESCRIPTION)
    budget = MAX_TOTAL - len(embed.title or "") - len(embed.description or "")
    footer_text = truncate(" · ".join(footer), MAX_FOOTER) if footer else ""
    budget -= len(footer_text)
    for name, value, inline in fields:
        if len(embed.fields) >= MAX_FIELDS or len(name) + len(value) > budget:
            footer_text = truncate(
                (footer_text + " · " if footer_text else "") + "Some of this did not fit.",
                MAX_FOOTER,
            )
            break
        embed.add_field(name=name, value=value, inline=inline)
        budget -= len(name) + len(value)
    if footer_text:
        embed.set_footer(text=footer_text)
    if reply.image is not None:
        embed.set_image(url=f"attachment://{reply.image.filename}")
    buttons = [
        (truncate(button.label, MAX_LABEL), custom_id(button.action_id, button.value))
        for button in reply.buttons[:MAX_BUTTONS]
    ]
    pings = [int(local_part(m)) for m in reply.mentions if local_part(m).isdigit()]
    return RenderedMessage(
        embeds=[embed],
        buttons=buttons,
        ephemeral=reply.visibility is Visibility.PRIVATE,
        pings=pings,
    )
