"""The Discord adapter's pure halves: interaction data → values, Reply → embeds, the payload."""

from __future__ import annotations

import pytest

from bot.adapters.discord.commands import commands_payload, payload_hash
from bot.adapters.discord.inbound import (
    MANAGE_GUILD,
    Caller,
    command_to_invocation,
    component_to_press,
    custom_id,
    options_to_text,
    parse_custom_id,
)
from bot.adapters.discord.outbound import MAX_FIELDS, MAX_TOTAL, render
from bot.app import Application
from bot.core.model import Button, Columns, Context, Field, Reply, Section, Visibility

CALLER = Caller(guild_id=11, channel_id=22, user_id=33, name="ada", permissions=MANAGE_GUILD)


def test_command_data_becomes_an_invocation() -> None:
    data = {
        "name": "schedule",
        "options": [
            {"name": "action", "value": "add"},
            {"name": "details", "value": "nudge mon,thu 18:30 Europe/Berlin"},
        ],
    }
    invocation = command_to_invocation(
        data, CALLER, option_order=["action", "details"], rest_option="details"
    )
    assert invocation.text == "add nudge mon,thu 18:30 Europe/Berlin"
    assert invocation.group_id == "discord:11:22"
    assert invocation.member.id == "discord:11:33"
    assert invocation.member.is_admin


def test_values_with_spaces_stay_one_argument() -> None:
    text = options_to_text([{"name": "command", "value": "two words"}], ["command"])
    assert text == "'two words'"


def test_custom_ids_carry_state_and_round_trip() -> None:
    value = custom_id("tip:another", "mlops")
    assert value == "sb|tip:another|mlops"
    assert parse_custom_id(value) == ("tip:another", "mlops")
    assert parse_custom_id("someone-elses-button") is None
    with pytest.raises(ValueError, match="too long"):
        custom_id("x", "y" * 120)
    press = component_to_press(value, CALLER, message_id=44)
    assert press is not None
    assert (press.action_id, press.value, press.message_ref) == ("tip:another", "mlops", "44")


def test_the_comparison_is_two_inline_fields() -> None:
    reply = Reply(
        title="Skills",
        parts=(
            Columns(
                fields=(
                    Field(label="Software engineer", value="a"),
                    Field(label="ML engineer", value="b"),
                )
            ),
        ),
    )
    [embed] = render(reply).embeds
    assert [(f.name, f.inline) for f in embed.fields] == [
        ("Software engineer", True),
        ("ML engineer", True),
    ]


def test_every_part_kind_and_limits() -> None:
    reply = Reply(
        title="t" * 300,
        parts=(Section(text="intro " * 1000), Section(heading="H", text="x" * 5000))
        + tuple(Section(heading=f"h{i}", text="y" * 900) for i in range(30))
        + (Context(text="footer"),),
        buttons=tuple(Button(label="b" * 100, action_id="a", value=str(i)) for i in range(30)),
        visibility=Visibility.PRIVATE,
    )
    message = render(reply)
    [embed] = message.embeds
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= MAX_FIELDS
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert len(embed) <= MAX_TOTAL
    assert "did not fit" in (embed.footer.text or "")
    assert len(message.buttons) == 25
    assert all(len(label) <= 80 for label, _ in message.buttons)
    assert message.ephemeral


async def test_payload_has_every_command_and_a_stable_hash(app: Application) -> None:
    payload = commands_payload(app.services)
    assert {c["name"] for c in payload} == {s.name for s in app.services.registry.commands}
    assert payload_hash(payload) == payload_hash(commands_payload(app.services))
    roadmap = next(c for c in payload if c["name"] == "roadmap")
    assert roadmap["options"][1] == {
        "type": 4,
        "name": "to",
        "description": "with `set`: the week the group moves to (organizers)",
        "required": False,
        "min_value": 1,
    }


def test_only_deliberate_mentions_are_allowed() -> None:
    plain = render(Reply(parts=(Section(text="@everyone"),)))
    assert plain.content is None
    assert plain.allowed_mentions().to_dict() == {"parse": []}
    pinging = render(Reply(title="Reminder", mentions=("discord:1:42",)))
    assert pinging.content == "<@42>"
    assert pinging.allowed_mentions().to_dict() == {"parse": [], "users": [42]}
