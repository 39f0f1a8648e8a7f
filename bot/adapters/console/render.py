"""Reply → rich renderables for the terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.core.model import Button, Columns, Context, Reply, Section


def render(reply: Reply) -> RenderableType:
    body: list[RenderableType] = []
    for part in reply.parts:
        if isinstance(part, Section):
            if part.heading:
                body.append(Text(part.heading, style="bold"))
            body.append(_inline(part.text))
        elif isinstance(part, Columns):
            body.append(_columns(part))
        elif isinstance(part, Context):
            body.append(Text(part.text, style="dim"))
        else:  # pragma: no cover - guarded by test_every_part_renders
            raise TypeError(f"the console cannot render {type(part).__name__}")
        body.append(Text(""))
    if reply.buttons:
        body.append(Text(render_buttons(reply.buttons), style="cyan"))
    while body and isinstance(body[-1], Text) and not body[-1].plain:
        body.pop()
    style = "red" if reply.is_error else "blue"
    return Panel(Group(*body), title=reply.title, title_align="left", border_style=style)


def render_buttons(buttons: tuple[Button, ...]) -> str:
    labels = "  ".join(f"[{index}] {button.label}" for index, button in enumerate(buttons, 1))
    return f"{labels}   (type /press <number>)"


def _inline(text: str) -> Text:
    # Only `code` spans get a style. Text is never parsed as markup, so a member's [brackets]
    # or *stars* print exactly as typed.
    rendered = Text()
    for index, piece in enumerate(text.split("`")):
        rendered.append(piece, style="bold cyan" if index % 2 else "")
    return rendered


def _columns(part: Columns) -> Table:
    table = Table(title=part.heading, title_justify="left", expand=True, show_lines=False)
    for field in part.fields:
        table.add_column(field.label, ratio=1)
    table.add_row(*(field.value for field in part.fields))
    return table
