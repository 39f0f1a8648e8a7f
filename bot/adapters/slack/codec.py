"""How studybot's values are written into Slack's fields and read back: button ids and values,
and message references. Both directions live here so they cannot drift apart."""

from __future__ import annotations

import json
from dataclasses import dataclass

# The callback id of every modal studybot opens; a submission with another is not ours.
FORM_CALLBACK = "studybot_form"
# Slack rejects an empty button value; this stands for "no value".
EMPTY_VALUE = "-"


def encode_action_id(action_id: str, index: int) -> str:
    """Slack wants action ids unique within a block; ours repeat (one per poll option), so the
    button's position rides along after `#`."""
    return f"{action_id}#{index}"


def decode_action_id(slack_action_id: str) -> str:
    return slack_action_id.rsplit("#", 1)[0]


def encode_value(value: str) -> str:
    return value or EMPTY_VALUE


def decode_value(slack_value: str) -> str:
    return "" if slack_value == EMPTY_VALUE else slack_value


@dataclass(frozen=True, kw_only=True)
class MessageRef:
    """A posted message: its channel and Slack timestamp (`C2:1700000000.000100`)."""

    channel: str
    ts: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.ts}"


def parse_message_ref(value: str | None) -> MessageRef | None:
    if not value or ":" not in value:
        return None
    channel, _, ts = value.partition(":")
    return MessageRef(channel=channel, ts=ts) if channel and ts else None


@dataclass(frozen=True, kw_only=True)
class FormOrigin:
    """What a modal carries in private_metadata so its submission knows what it answers."""

    action: str
    value: str
    channel: str


def encode_form_origin(origin: FormOrigin) -> str:
    return json.dumps({"action": origin.action, "value": origin.value, "channel": origin.channel})


def decode_form_origin(private_metadata: str | None) -> FormOrigin:
    try:
        data = json.loads(private_metadata or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return FormOrigin(
        action=str(data.get("action", "")),
        value=str(data.get("value", "")),
        channel=str(data.get("channel", "")),
    )
