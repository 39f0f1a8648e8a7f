"""Forms both ways, as pure tables: a Form → a Slack modal / a Discord modal, and a submission →
the ActionPress it answers; plus the Slack codecs that carry state through Slack's fields."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord import inbound as discord_inbound
from bot.adapters.discord.outbound import render_modal
from bot.adapters.slack import inbound as slack_inbound
from bot.adapters.slack.codec import (
    FormOrigin,
    MessageRef,
    decode_action_id,
    decode_form_origin,
    decode_value,
    encode_action_id,
    encode_form_origin,
    encode_value,
    parse_message_ref,
)
from bot.adapters.slack.outbound import render_form
from bot.core.model import Form, FormField

FORM = Form(
    title="Week 3 check-in",
    fields=(
        FormField(id="q0", label="What went well?", required=True),
        FormField(id="confidence", label="Confidence", rating=True),
    ),
    submit_action="checkin:submit",
    submit_value="7",
)


@pytest.mark.parametrize(
    ("action_id", "index", "value"),
    [("poll:vote", 0, "3:1"), ("tip:another", 12, ""), ("a#b", 1, "x#y")],
)
def test_slack_button_ids_and_values_round_trip(action_id: str, index: int, value: str) -> None:
    assert decode_action_id(encode_action_id(action_id, index)) == action_id
    assert encode_value(value)  # Slack refuses an empty value
    assert decode_value(encode_value(value)) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C1:1700000000.000100", MessageRef(channel="C1", ts="1700000000.000100")),
        ("C1:", None),
        (":123", None),
        ("1450000000000000009", None),  # a Discord message id is not a Slack reference
        (None, None),
    ],
)
def test_slack_message_references(text: str | None, expected: MessageRef | None) -> None:
    assert parse_message_ref(text) == expected
    if expected is not None:
        assert str(expected) == text


@pytest.mark.parametrize("metadata", [None, "", "not json", "[1, 2]", '{"action": 5}'])
def test_slack_form_metadata_that_is_not_ours_reads_as_empty(metadata: str | None) -> None:
    origin = decode_form_origin(metadata)
    assert origin.channel == ""
    assert origin.value == ""


def test_a_form_goes_to_slack_and_its_submission_comes_back_as_a_press() -> None:
    origin = FormOrigin(action=FORM.submit_action, value=FORM.submit_value, channel="C9")
    view = render_form(FORM, metadata=encode_form_origin(origin))
    assert view["type"] == "modal"
    assert [block["block_id"] for block in view["blocks"]] == ["q0", "confidence"]
    submitted: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U7", "username": "ada"},
        "view": {
            **view,
            "state": {
                "values": {
                    "q0": {"value": {"type": "plain_text_input", "value": "Finished the course"}},
                    "confidence": {
                        "value": {"type": "static_select", "selected_option": {"value": "4"}}
                    },
                }
            },
        },
    }
    press, channel = slack_inbound.submission_to_press(submitted, team="T1", is_admin=False)
    assert channel == "C9"
    assert press.action_id == "checkin:submit"
    assert press.value == "7"
    assert press.group_id == "slack:T1:C9"
    assert press.member.id == "slack:T1:U7"
    assert press.fields == (("q0", "Finished the course"), ("confidence", "4"))


def test_a_form_goes_to_discord_and_its_submission_comes_back_as_a_press() -> None:
    modal = render_modal(FORM)
    payload = modal.to_dict()
    assert payload["custom_id"] == "sb|checkin:submit|7"
    caller = discord_inbound.Caller(guild_id=1, channel_id=2, user_id=3, name="ada", permissions=0)
    data = {
        "custom_id": payload["custom_id"],
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "q0", "value": "Done"}]},
            {"type": 18, "component": {"type": 4, "custom_id": "confidence", "value": "5"}},
        ],
    }
    press = discord_inbound.modal_to_press(data, caller)
    assert press is not None
    assert (press.action_id, press.value) == ("checkin:submit", "7")
    assert press.group_id == "discord:1:2"
    assert press.fields == (("q0", "Done"), ("confidence", "5"))
    assert discord_inbound.modal_to_press({"custom_id": "someone-else"}, caller) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"name": "tip", "options": [{"name": "topic", "value": "ma", "focused": True}]},
            discord_inbound.Focus(command="tip", option="topic", typed="ma"),
        ),
        ({"name": "tip", "options": [{"name": "topic", "value": "ma"}]}, None),
        ({"name": "tip"}, None),
        ({"name": "tip", "options": ["junk"]}, None),
    ],
)
def test_discord_autocomplete_focus(
    data: dict[str, Any], expected: discord_inbound.Focus | None
) -> None:
    assert discord_inbound.autocomplete_focus(data) == expected
