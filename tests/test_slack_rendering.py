"""The Slack adapter's pure halves: payload → Invocation, Reply → Block Kit, the manifest."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.adapters.slack.client import normalise_base_url
from bot.adapters.slack.inbound import action_to_press, command_to_invocation, split_group_id
from bot.adapters.slack.manifest import build_manifest, manifest_yaml
from bot.adapters.slack.outbound import MAX_BLOCKS, escape, render
from bot.core.model import Button, Columns, Context, Field, Reply, Section
from bot.core.registry import CommandSpec, Registry
from bot.features import feature_modules


def test_command_body_becomes_an_invocation() -> None:
    invocation = command_to_invocation(
        {
            "command": "/tip",
            "text": " math ",
            "team_id": "T1",
            "channel_id": "C2",
            "user_id": "U3",
            "user_name": "ada",
        },
        is_admin=True,
    )
    assert (invocation.command, invocation.text) == ("tip", "math")
    assert invocation.group_id == "slack:T1:C2"
    assert invocation.member.id == "slack:T1:U3"
    assert invocation.member.is_admin


@pytest.mark.parametrize(
    ("text", "command", "rest"),
    [("tip math", "tip", "math"), ("", "help", ""), ("/roadmap 3", "roadmap", "3")],
)
def test_umbrella_command(text: str, command: str, rest: str) -> None:
    invocation = command_to_invocation(
        {"command": "/studybot", "text": text, "team_id": "T", "channel_id": "C", "user_id": "U"},
        is_admin=False,
    )
    assert (invocation.command, invocation.text) == (command, rest)


def test_block_action_becomes_a_press() -> None:
    press = action_to_press(
        {
            "user": {"id": "U1", "username": "ada", "team_id": "T1"},
            "team": {"id": "T1"},
            "channel": {"id": "C1"},
            "container": {"message_ts": "17.1"},
            "actions": [{"action_id": "poll:vote#3", "value": "p1:2"}],
        },
        is_admin=False,
    )
    assert (press.action_id, press.value, press.message_ref) == ("poll:vote", "p1:2", "C1:17.1")
    assert split_group_id(press.group_id) == ("T1", "C1")


def test_escaping_neutralises_mentions() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_render_every_part_kind() -> None:
    reply = Reply(
        title="T",
        parts=(
            Section(heading="H", text="body"),
            Columns(
                heading="Side", fields=(Field(label="A", value="a"), Field(label="B", value="b"))
            ),
            Context(text="small"),
        ),
        buttons=(Button(label="Go", action_id="x", value="v"),),
    )
    blocks = render(reply)["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "section", "context", "actions"]
    assert blocks[1]["text"]["text"] == "*H*\nbody"
    assert len(blocks[2]["fields"]) == 2
    assert blocks[4]["elements"][0]["action_id"] == "x#0"


def test_limits_are_respected_by_splitting_and_trimming() -> None:
    long_text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))  # ~10,000 characters
    many_fields = tuple(Field(label=f"L{i}", value="v" * 2500) for i in range(12))
    reply = Reply(
        title="x" * 400,
        parts=(Section(text=long_text), Columns(fields=many_fields))
        + tuple(Section(text=f"s{i}") for i in range(60)),
        buttons=tuple(Button(label="b" * 100, action_id="a") for i in range(30)),
    )
    rendered = render(reply)
    blocks = rendered["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= 150
    for block in blocks:
        if "text" in block and block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        for field_ in block.get("fields", []):
            assert len(field_["text"]) <= 2000
        assert len(block.get("fields", [])) <= 10
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
    text_sections = [b for b in blocks[1:5] if b["type"] == "section" and "text" in b]
    assert len(text_sections) >= 4  # the long section was split, not cut
    assert "did not fit" in json.dumps(blocks[-1])
    assert len(rendered["text"]) <= 3000


def test_base_url_gets_its_trailing_slash() -> None:
    assert normalise_base_url("http://127.0.0.1:9/api") == "http://127.0.0.1:9/api/"
    assert normalise_base_url("https://slack.com/api/") == "https://slack.com/api/"


def _registry() -> Registry:
    return Registry.collect(feature_modules())


def test_manifest_lists_every_command_and_is_valid_yaml() -> None:
    registry = _registry()
    document = yaml.safe_load(
        manifest_yaml(registry, socket_mode=False, url="https://bot.example.org/")
    )
    commands = {c["command"] for c in document["features"]["slash_commands"]}
    assert commands == {f"/{spec.name}" for spec in registry.commands} | {"/studybot"}
    for entry in document["features"]["slash_commands"]:
        assert entry["url"] == "https://bot.example.org/slack/events"
    assert document["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert document["settings"]["socket_mode_enabled"] is False
    assert "commands" in document["oauth_config"]["scopes"]["bot"]
    assert document["oauth_config"]["redirect_urls"] == [
        "https://bot.example.org/slack/oauth_redirect"
    ]


def test_socket_mode_manifest_needs_no_urls() -> None:
    document = build_manifest(_registry(), socket_mode=True, url=None)
    assert document["settings"]["socket_mode_enabled"] is True
    assert all("url" not in c for c in document["features"]["slash_commands"])


def test_a_new_command_appears_in_the_manifest() -> None:
    async def handler(_ctx: object) -> Reply:
        return Reply()

    registry = _registry()
    extended = Registry(
        [
            *registry.commands,
            CommandSpec(name="flashcards", description="Flashcards", handler=handler),
        ],
        [],
    )
    commands = [
        c["command"]
        for c in build_manifest(extended, socket_mode=True, url=None)["features"]["slash_commands"]
    ]
    assert "/flashcards" in commands


def test_only_deliberate_mentions_ping() -> None:
    reply = Reply(parts=(Section(text="<@U9> wrote this"),), mentions=("slack:T1:U1",))
    blocks = render(reply)["blocks"]
    assert blocks[-1]["text"]["text"] == "<@U1>"
    assert "&lt;@U9&gt;" in blocks[0]["text"]["text"]
