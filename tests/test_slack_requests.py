"""Reading a signed Slack request before the ack: what is stored, what is refused, what is bolt's.

The ack path reads a slash command's form only as far as it needs; what the work reads back
later must be exactly what bolt's own parser would have handed a listener.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.adapters.slack.codec import FORM_CALLBACK
from bot.adapters.slack.inbound import Refused, read_request
from bot.adapters.slack.stored import StoredInteraction, form_fields
from tests.fakes.slack.server import command_body, form

FORM = "application/x-www-form-urlencoded"


def payload_form(payload: dict[str, Any]) -> str:
    return form({"payload": json.dumps(payload)})


def test_a_command_is_stored_with_who_and_where_and_its_form_as_sent() -> None:
    fields = command_body("/tip", "math & stats 100%", response_url="https://x/r", user="U7")
    raw = form(fields)
    stored = read_request(FORM, raw)
    assert isinstance(stored, StoredInteraction)
    assert (stored.kind, stored.team, stored.user, stored.channel) == ("command", "T1", "U7", "C1")
    assert stored.trigger_id == fields["trigger_id"]
    assert stored.form == raw
    # The work later reads the whole form, as bolt's parse_body would have.
    assert stored.body == dict(parse_qsl(raw, keep_blank_values=True)) == fields
    again = StoredInteraction.decode(stored.encode())
    assert again == stored
    assert again.body == fields
    assert again.response_url == "https://x/r"


def test_buttons_and_studybot_forms_are_stored_parsed() -> None:
    press = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2", "team_id": "T1"},
        "channel": {"id": "C3"},
        "trigger_id": "t-1",
        "actions": [{"action_id": "poll.vote#0", "value": "a"}],
    }
    stored = read_request(FORM, payload_form(press))
    assert isinstance(stored, StoredInteraction)
    assert (stored.kind, stored.team, stored.user, stored.channel) == ("action", "T1", "U2", "C3")
    assert StoredInteraction.decode(stored.encode()).body == press
    submission = {
        "type": "view_submission",
        "user": {"id": "U2", "team_id": "T1"},
        "trigger_id": "t-2",
        "view": {"callback_id": FORM_CALLBACK, "team_id": "T1", "state": {"values": {}}},
    }
    stored = read_request(FORM, payload_form(submission))
    assert isinstance(stored, StoredInteraction)
    assert stored.kind == "submission"


@pytest.mark.parametrize(
    "body",
    [
        form({"ssl_check": "1", "token": "x"}),  # Slack's SSL check: bolt answers it
        json.dumps({"type": "url_verification", "challenge": "c"}),
        payload_form({"type": "view_submission", "view": {"callback_id": "someone_else"}}),
        payload_form({"type": "block_actions", "actions": [{"action_id": ""}]}),
    ],
)
def test_what_is_not_ours_to_store_is_left_to_bolt(body: str) -> None:
    content_type = "application/json" if body.startswith("{") else FORM
    assert read_request(content_type, body) is None


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        (FORM, form({"text": "hi"}), "a form without a slash command"),
        (FORM, form({"command": "tip"}), "a form without a slash command"),
        (FORM, form({"payload": "{not json"}), "not JSON"),
        (FORM, form({"payload": "[1]"}), "not an object"),
        (FORM, payload_form({"type": "shortcut"}), "does not handle (shortcut)"),
        (FORM, payload_form({"type": "block_actions", "actions": "x"}), "without a valid action"),
        (FORM, payload_form({"type": "view_submission"}), "without a valid view"),
        ("application/json", "[]", "not an object"),
    ],
)
def test_malformed_requests_are_refused_with_a_reason(
    content_type: str, body: str, problem: str
) -> None:
    refused = read_request(content_type, body)
    assert isinstance(refused, Refused)
    assert problem in refused.problem


def test_rows_stored_by_the_previous_version_still_read() -> None:
    body = {"command": "/tip", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}
    older = StoredInteraction.decode(json.dumps({"kind": "command", "body": body}))
    assert (older.team, older.user, older.channel, older.body) == ("T1", "U1", "C1", body)


@pytest.mark.parametrize(
    "raw",
    [
        form({"command": "/tip", "team_id": "T1", "text": "a&b=c+d 100% ü"}),
        form({"command": "/a b+c", "team_id": "", "trigger_id": "x=y&z"}),
        "command=%2Ftip&team_id=T1&team_id=T2&text=",  # a repeated name: the last wins
        "command=/tip&flag&team_id=T%C3%BC",  # a name without a value; percent-encoded UTF-8
        "",
    ],
)
def test_reading_some_fields_agrees_with_parse_qsl(raw: str) -> None:
    wanted = frozenset({"command", "team_id", "trigger_id"})
    parsed = dict(parse_qsl(raw, keep_blank_values=True))
    assert form_fields(raw, wanted) == {k: v for k, v in parsed.items() if k in wanted}
