from __future__ import annotations

import pytest

from bot.core.arguments import parse_arguments
from bot.core.dispatcher import CommandLine, parse_command_line
from bot.core.errors import UserError
from bot.core.model import Reply
from bot.core.registry import CommandSpec, OptionKind, OptionSpec, Registry, RegistryError


async def _noop(_ctx: object) -> Reply:
    return Reply()


SPEC = CommandSpec(
    name="demo",
    description="demo",
    handler=_noop,
    options=(
        OptionSpec(name="topic", description="a topic"),
        OptionSpec(
            name="week", description="a week", kind=OptionKind.INTEGER, min_value=1, max_value=12
        ),
    ),
)
REST = CommandSpec(
    name="say",
    description="say",
    handler=_noop,
    options=(
        OptionSpec(name="kind", description="a kind", required=True),
        OptionSpec(name="words", description="free text", rest=True),
    ),
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/tip math", CommandLine(name="tip", text="math")),
        ("  /TIP   math  ", CommandLine(name="tip", text="math")),
        ("/help", CommandLine(name="help", text="")),
        ("hello", None),
        ("/", None),
    ],
)
def test_parse_command_line(line: str, expected: CommandLine | None) -> None:
    assert parse_command_line(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"topic": None, "week": None}),
        ("math", {"topic": "math", "week": None}),
        ("math 3", {"topic": "math", "week": 3}),
        ('"deep learning" 12', {"topic": "deep learning", "week": 12}),
    ],
)
def test_positional_options(text: str, expected: dict[str, object]) -> None:
    assert parse_arguments(SPEC, text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("math three", "should be a whole number"),
        ("math 13", "from 1 to 12"),
        ("math 0", "from 1 to 12"),
        ("math 3 extra", "doesn't take `extra`"),
        ('"unclosed', "quote is left open"),
    ],
)
def test_bad_arguments_are_user_errors(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_arguments(SPEC, text)


def test_choices_are_case_insensitive_and_suggest() -> None:
    choices = {"topic": ["math", "mlops"]}
    assert parse_arguments(SPEC, "MATH", choices)["topic"] == "math"
    with pytest.raises(UserError, match="Did you mean `mlops`") as caught:
        parse_arguments(SPEC, "mlop", choices)
    assert caught.value.hint == "Choose `math` or `mlops`."


def test_rest_option_takes_the_remaining_words() -> None:
    # The rest is kept exactly as typed (quotes too), for the command to parse itself.
    assert parse_arguments(REST, 'note hello  "big world"') == {
        "kind": "note",
        "words": 'hello  "big world"',
    }
    with pytest.raises(UserError, match="needs kind"):
        parse_arguments(REST, "")


def test_registry_rejects_duplicates_and_bad_option_order() -> None:
    with pytest.raises(RegistryError, match="declared twice"):
        Registry([SPEC, SPEC], [])
    bad = CommandSpec(
        name="bad",
        description="bad",
        handler=_noop,
        options=(
            OptionSpec(name="a", description="a"),
            OptionSpec(name="b", description="b", required=True),
        ),
    )
    with pytest.raises(RegistryError, match="required option"):
        Registry([bad], [])


def test_usage_is_generated_from_options() -> None:
    assert SPEC.usage == "/demo [topic] [week]"
    assert REST.usage == "/say <kind> [words…]"
