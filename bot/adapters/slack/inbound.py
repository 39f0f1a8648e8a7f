"""Slack payloads → neutral values. Pure: no I/O, unit-tested on its own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.codec import (
    FORM_CALLBACK,
    MessageRef,
    decode_action_id,
    decode_form_origin,
    decode_value,
)
from bot.adapters.slack.stored import COMMAND_ACK_FIELDS, StoredInteraction, form_fields
from bot.core.ids import parse_scoped_id, scoped_id
from bot.core.model import ActionPress, Invocation, Member

PLATFORM = "slack"
UMBRELLA = "studybot"


def group_id(team_id: str, channel_id: str) -> str:
    return scoped_id(PLATFORM, team_id, channel_id)


def member_id(team_id: str, user_id: str) -> str:
    return scoped_id(PLATFORM, team_id, user_id)


def split_group_id(value: str) -> tuple[str, str]:
    """`slack:T1:C2` → ("T1", "C2")."""
    parsed = parse_scoped_id(value, platform=PLATFORM)
    return parsed.scope, parsed.local


def split_member_id(value: str) -> tuple[str, str]:
    """`slack:T1:U2` → ("T1", "U2")."""
    parsed = parse_scoped_id(value, platform=PLATFORM)
    return parsed.scope, parsed.local


def command_to_invocation(
    body: Mapping[str, Any], *, is_admin: bool, manages_channel: bool = False
) -> Invocation:
    """A slash-command body (form fields) → Invocation. `/studybot tip math` is `/tip math`."""
    name = str(body.get("command", "")).lstrip("/").lower()
    text = str(body.get("text", "")).strip()
    if name == UMBRELLA:
        first, _, rest = text.partition(" ")
        name, text = (first.lstrip("/").lower() or "help"), rest.strip()
    team = str(body.get("team_id", ""))
    return Invocation(
        command=name,
        text=text,
        member=Member(
            id=member_id(team, str(body.get("user_id", ""))),
            name=str(body.get("user_name", "")),
            is_admin=is_admin,
            manages_channel=manages_channel,
        ),
        group_id=group_id(team, str(body.get("channel_id", ""))),
        platform=PLATFORM,
    )


def action_to_press(
    body: Mapping[str, Any], *, is_admin: bool, manages_channel: bool = False
) -> ActionPress:
    """A block_actions payload → ActionPress for its first action."""
    action = body["actions"][0]
    action_id = decode_action_id(str(action.get("action_id", "")))
    value = decode_value(str(action.get("value", "")))
    user = body.get("user", {})
    team = str((body.get("team") or {}).get("id") or user.get("team_id", ""))
    channel = str((body.get("channel") or {}).get("id", ""))
    container = body.get("container") or {}
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return ActionPress(
        action_id=action_id,
        value=value,
        member=Member(
            id=member_id(team, str(user.get("id", ""))),
            name=str(user.get("username") or user.get("name") or ""),
            is_admin=is_admin,
            manages_channel=manages_channel,
        ),
        group_id=group_id(team, channel),
        platform=PLATFORM,
        message_ref=str(MessageRef(channel=channel, ts=str(message_ts))) if message_ts else None,
    )


def submission_to_press(
    body: Mapping[str, Any], *, team: str, is_admin: bool, manages_channel: bool = False
) -> tuple[ActionPress, str]:
    """A view_submission payload → the ActionPress it answers, and the channel it came from."""
    view = body.get("view") or {}
    origin = decode_form_origin(view.get("private_metadata"))
    user = body.get("user") or {}
    press = ActionPress(
        action_id=origin.action,
        value=origin.value,
        member=Member(
            id=member_id(team, str(user.get("id", ""))),
            name=str(user.get("username") or user.get("name") or ""),
            is_admin=is_admin,
            manages_channel=manages_channel,
        ),
        group_id=group_id(team, origin.channel),
        platform=PLATFORM,
        fields=submission_fields(view),
    )
    return press, origin.channel


def submission_fields(view: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """A view_submission's state → (field id, answer) pairs."""
    fields = []
    for block_id, actions in (view.get("state", {}).get("values") or {}).items():
        state = actions.get("value") or {}
        if state.get("type") == "static_select":
            answer = (state.get("selected_option") or {}).get("value") or ""
        else:
            answer = state.get("value") or ""
        fields.append((str(block_id), str(answer)))
    return tuple(fields)


HANDLED_PAYLOADS = ("block_actions", "view_submission")


@dataclass(frozen=True, kw_only=True)
class Refused:
    """A signed request studybot cannot act on, and why (logged in one line, answered 400)."""

    problem: str


def read_request(content_type: str, body: str) -> StoredInteraction | Refused | None:
    """Read a signed request body: an interaction to store, a refusal, or None for what bolt
    answers itself (Slack's SSL check, JSON bodies such as url_verification, other modals).

    Checked before bolt sees the request, so a malformed payload is refused with one line
    instead of an exception inside bolt's middleware (which answers 500). A payload is parsed
    as bolt's `parse_body` does, so a stored interaction is the dict bolt would hand a listener;
    a slash command's form is read only as far as the acknowledgement needs.
    """
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return Refused(problem="a JSON body that is not JSON")
        return (
            None if isinstance(data, dict) else Refused(problem="a JSON body that is not an object")
        )
    fields = form_fields(body, _FORM_FIELDS)
    if "ssl_check" in fields:
        return None
    if "payload" in fields:
        return _read_interaction(fields["payload"])
    if fields.get("command", "").startswith("/"):
        return StoredInteraction.from_command_form(body, fields)
    return Refused(problem="a form without a slash command")


_FORM_FIELDS = COMMAND_ACK_FIELDS | {"ssl_check", "payload"}


def _read_interaction(raw: str) -> StoredInteraction | Refused | None:
    try:
        payload = json.loads(raw)
    except ValueError:
        return Refused(problem="an interaction payload that is not JSON")
    if not isinstance(payload, dict):
        return Refused(problem="an interaction payload that is not an object")
    kind = payload.get("type")
    if kind not in HANDLED_PAYLOADS:
        return Refused(
            problem=f"an interaction of a type studybot does not handle ({str(kind)[:40]})"
        )
    if kind == "block_actions":
        actions = payload.get("actions")
        if not (
            isinstance(actions, list)
            and actions
            and all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
        ):
            return Refused(problem="block_actions without a valid action")
        # bolt's listeners match the first action's id; an empty one matches no listener.
        if not actions[0]["action_id"]:
            return None
        return StoredInteraction.from_payload("action", payload)
    view = payload.get("view")
    if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
        return Refused(problem="view_submission without a valid view")
    if view["callback_id"] != FORM_CALLBACK:
        return None
    return StoredInteraction.from_payload("submission", payload)
