"""Reply → embeds and buttons, within Discord's limits (split or trim, never fail).

Limits: 256-character titles and field names, 4,096 for a description, 1,024 per field value,
25 fields per embed, 6,000 characters over all embeds of a message, 10 embeds, 2,048 for a
footer, 5 rows of 5 buttons, 80-character labels, 100-character custom ids.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import discord

from bot.adapters.discord.inbound import custom_id
from bot.core.ids import local_part
from bot.core.instants import Instant, InstantStyle, has_instants, plain_text, render_instants
from bot.core.model import Columns, Context, Form, Reply, Section, Visibility
from bot.core.text import truncate

MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FIELDS = 25
MAX_TOTAL = 6000  # over all embeds of one message
MAX_EMBEDS = 10
MAX_FOOTER = 2048
MAX_BUTTONS = 25
MAX_LABEL = 80
DID_NOT_FIT = "Some of this did not fit."
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


_TIMESTAMP_STYLES = {
    InstantStyle.DATE_TIME: "f",
    InstantStyle.DATE: "D",
    InstantStyle.TIME: "t",
    InstantStyle.RELATIVE: "R",
}


def discord_timestamp(moment: Instant) -> str:
    """`<t:…:f>`: each reader's client shows it in their own zone."""
    return f"<t:{moment.timestamp}:{_TIMESTAMP_STYLES[moment.style]}>"


def _markup(text: str) -> str:
    return render_instants(text, discord_timestamp)


@dataclass
class _Layout:
    description: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    # (name, value, inline)
    fields: list[tuple[str, str, bool]] = field(default_factory=list)


def _lay_out(parts: tuple[Section | Columns | Context, ...]) -> _Layout:
    """Where each part goes. Titles, field names and footers show timestamp markup raw: instants
    there are written out in UTC, and a context line holding one moves to the description."""
    layout = _Layout()
    closing: list[str] = []
    for part in parts:
        if isinstance(part, Section) and part.heading is None and not layout.fields:
            layout.description.append(_markup(part.text))
        elif isinstance(part, Section):
            name = truncate(plain_text(part.heading or BLANK), MAX_FIELD_NAME)
            for index, chunk in enumerate(_chunks(_markup(part.text), MAX_FIELD_VALUE)):
                layout.fields.append((name if index == 0 else BLANK, chunk, False))
        elif isinstance(part, Columns):
            if part.heading:
                layout.fields.append((truncate(part.heading, MAX_FIELD_NAME), BLANK, False))
            for column in part.fields:
                name = truncate(plain_text(column.label), MAX_FIELD_NAME)
                layout.fields.append((name, truncate(_markup(column.value), MAX_FIELD_VALUE), True))
        elif isinstance(part, Context) and has_instants(part.text):
            closing.append(f"*{_markup(part.text)}*")
        elif isinstance(part, Context):
            layout.footer.append(part.text)
        else:
            raise TypeError(f"Discord cannot render {type(part).__name__}")
    layout.description += closing
    return layout


def _embeds(title: str | None, colour: discord.Colour, layout: _Layout) -> list[discord.Embed]:
    """The layout over as many embeds as it needs (25 fields each), within one message's limits
    (10 embeds, 6,000 characters over all); if even that is not enough, the footer says so."""
    first = discord.Embed(title=title, colour=colour)
    if layout.description:
        first.description = truncate("\n\n".join(layout.description), MAX_DESCRIPTION)
    embeds = [first]
    footer_text = truncate(" · ".join(layout.footer), MAX_FOOTER) if layout.footer else ""
    budget = MAX_TOTAL - len(first) - len(footer_text) - len(DID_NOT_FIT) - 3
    for name, value, inline in layout.fields:
        if len(embeds[-1].fields) >= MAX_FIELDS:
            if len(embeds) >= MAX_EMBEDS:
                budget = -1
            else:
                embeds.append(discord.Embed(colour=colour))
        if len(name) + len(value) > budget:
            footer_text = truncate(
                (footer_text + " · " if footer_text else "") + DID_NOT_FIT, MAX_FOOTER
            )
            break
        embeds[-1].add_field(name=name, value=value, inline=inline)
        budget -= len(name) + len(value)
    if footer_text:
        embeds[-1].set_footer(text=footer_text)
    return embeds


def render(reply: Reply) -> RenderedMessage:
    embeds = _embeds(
        truncate(plain_text(reply.title), MAX_TITLE) if reply.title else None,
        ERROR_COLOUR if reply.is_error else COLOUR,
        _lay_out(reply.parts),
    )
    if reply.image is not None and reply.image.is_picture:
        embeds[-1].set_image(url=f"attachment://{reply.image.filename}")
    buttons = [
        (truncate(button.label, MAX_LABEL), custom_id(button.action_id, button.value))
        for button in reply.buttons[:MAX_BUTTONS]
    ]
    pings = [int(local_part(m)) for m in reply.mentions if local_part(m).isdigit()]
    return RenderedMessage(
        embeds=embeds,
        buttons=buttons,
        ephemeral=reply.visibility is Visibility.PRIVATE,
        pings=pings,
    )


MAX_MODAL_TITLE, MAX_INPUT_LABEL, MAX_PLACEHOLDER, MAX_INPUTS = 45, 45, 100, 5


def render_modal(form: Form) -> discord.ui.Modal:
    """A Form → a modal. Its custom_id carries the action, so the submission is handled by the
    adapter (not by this object) and still works after a restart."""
    modal = discord.ui.Modal(
        title=form.title[:MAX_MODAL_TITLE],
        custom_id=custom_id(form.submit_action, form.submit_value),
        timeout=None,
    )
    for form_field in form.fields[:MAX_INPUTS]:
        modal.add_item(
            discord.ui.TextInput(
                label=form_field.label[:MAX_INPUT_LABEL],
                custom_id=form_field.id,
                placeholder=("1 to 5" if form_field.rating else form_field.label)[:MAX_PLACEHOLDER],
                style=discord.TextStyle.short if form_field.rating else discord.TextStyle.paragraph,
                required=form_field.required,
                max_length=1 if form_field.rating else min(form_field.max_length, 4000),
            )
        )
    return modal


def too_slow_for_a_form(reply: Reply) -> Reply:
    """A modal must be the first answer to an interaction; after a deferral, say so instead."""
    return Reply(
        title=reply.title,
        parts=(Section(text="That took too long to open the form; please try again."),),
        visibility=Visibility.PRIVATE,
        is_error=True,
    )


def files_of(reply: Reply) -> list[discord.File]:
    if reply.image is None:
        return []
    image = reply.image
    return [discord.File(io.BytesIO(image.data), filename=image.filename, description=image.alt)]
