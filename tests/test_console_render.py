from __future__ import annotations

from rich.console import Console

from bot.adapters.console.render import render
from bot.core.model import Button, Columns, Context, Field, Reply, Section


def _text(reply: Reply) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(render(reply))
    return console.export_text()


def test_every_part_kind_renders() -> None:
    reply = Reply(
        title="Title",
        parts=(
            Section(heading="Heading", text="Body with `code`"),
            Columns(
                heading="Side",
                fields=(Field(label="Left", value="L"), Field(label="Right", value="R")),
            ),
            Context(text="small print"),
        ),
        buttons=(Button(label="Go", action_id="x"),),
    )
    text = _text(reply)
    for expected in (
        "Title",
        "Heading",
        "Body with code",
        "Left",
        "Right",
        "small print",
        "[1] Go",
        "/press",
    ):
        assert expected in text


def test_member_text_is_not_parsed_as_markup() -> None:
    text = _text(Reply(parts=(Section(text="[bold]not bold[/bold] *stars*"),)))
    assert "[bold]not bold[/bold] *stars*" in text
