"""Reply → rich renderables for the terminal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.core.instants import plain_text
from bot.core.model import Button, Columns, Context, Reply, Section


def render(reply: Reply, zone: ZoneInfo | None = None) -> RenderableType:
    """Instants are written out in `zone`: the group's, for everyone at this terminal."""
    body: list[RenderableType] = []
    for part in reply.parts:
        if isinstance(part, Section):
            if part.heading:
                body.append(Text(plain_text(part.heading, zone), style="bold"))
            body.append(_inline(plain_text(part.text, zone)))
        elif isinstance(part, Columns):
            body.append(_columns(part, zone))
        elif isinstance(part, Context):
            body.append(_inline(plain_text(part.text, zone), base="dim"))
        else:  # pragma: no cover - guarded by test_every_part_renders
            raise TypeError(f"the console cannot render {type(part).__name__}")
        body.append(Text(""))
    if reply.buttons:
        body.append(Text(render_buttons(reply.buttons), style="cyan"))
    while body and isinstance(body[-1], Text) and not body[-1].plain:
        body.pop()
    style = "red" if reply.is_error else "blue"
    title = plain_text(reply.title, zone) if reply.title else None
    return Panel(Group(*body), title=title, title_align="left", border_style=style)


def render_buttons(buttons: tuple[Button, ...]) -> str:
    labels = "  ".join(f"[{index}] {button.label}" for index, button in enumerate(buttons, 1))
    return f"{labels}   (type /press <number>)"


def _inline(text: str, *, base: str = "") -> Text:
    # Only `code` spans get a style (their backticks are dropped). Text is never parsed as
    # markup, so a member's [brackets] or *stars* print exactly as typed. An odd backtick (a
    # member typed one) is kept as it is.
    if text.count("`") % 2:
        return Text(text, style=base)
    rendered = Text()
    for index, piece in enumerate(text.split("`")):
        rendered.append(piece, style="bold cyan" if index % 2 else base)
    return rendered


def _columns(part: Columns, zone: ZoneInfo | None) -> Table:
    table = Table(title=part.heading, title_justify="left", expand=True, show_lines=False)
    for field in part.fields:
        table.add_column(field.label, ratio=1)
    table.add_row(*(plain_text(field.value, zone) for field in part.fields))
    return table
