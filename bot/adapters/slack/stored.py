"""What the Slack adapter stores in the inbox for an interaction, and reading it back.

Who and where are read off the payload as bolt's context reads them and kept next to the body,
so the work after the ack does not read them again field by field. A slash command arriving over
HTTP is kept as the form Slack sent: acknowledging it needs five of its fields, so only those are
read before the ack, and the rest is parsed when the work runs.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from slack_bolt.request.internals import extract_channel_id, extract_team_id, extract_user_id

# The fields of a slash command's form that acknowledging it needs.
COMMAND_ACK_FIELDS = frozenset({"command", "trigger_id", "team_id", "user_id", "channel_id"})


@dataclass(frozen=True, kw_only=True)
class StoredInteraction:
    kind: str  # command | action | submission
    team: str
    user: str
    channel: str
    trigger_id: str
    # One of the two: a parsed payload (buttons, forms, anything through Socket Mode), or a slash
    # command's form body exactly as Slack sent it over HTTP.
    parsed: dict[str, Any] | None = None
    form: str | None = None

    @classmethod
    def from_payload(cls, kind: str, body: dict[str, Any]) -> StoredInteraction:
        """Who and where, read off the payload with bolt's own functions (its context's)."""
        return cls(
            kind=kind,
            team=extract_team_id(body) or "",
            user=extract_user_id(body) or "",
            channel=extract_channel_id(body) or "",
            trigger_id=_trigger_of(body),
            parsed=body,
        )

    @classmethod
    def from_command_form(cls, form: str, fields: dict[str, str]) -> StoredInteraction:
        """A slash command from its form body and the COMMAND_ACK_FIELDS read off it."""
        return cls(
            kind="command",
            team=fields.get("team_id", ""),
            user=fields.get("user_id", ""),
            channel=fields.get("channel_id", ""),
            trigger_id=fields.get("trigger_id", ""),
            form=form,
        )

    @functools.cached_property
    def body(self) -> dict[str, Any]:
        """The payload as bolt's `parse_body` gives it to a listener."""
        if self.parsed is not None:
            return self.parsed
        return dict(parse_qsl(self.form or "", keep_blank_values=True))

    @property
    def response_url(self) -> str:
        return str(self.body.get("response_url", ""))

    def encode(self) -> str:
        where = {"kind": self.kind, "team": self.team, "user": self.user, "channel": self.channel}
        if self.form is not None:
            return json.dumps(where | {"trigger_id": self.trigger_id, "form": self.form})
        return json.dumps(where | {"body": self.parsed})

    @classmethod
    def decode(cls, payload: str) -> StoredInteraction:
        stored = json.loads(payload)
        if "form" in stored:
            return cls(
                kind=str(stored["kind"]),
                team=str(stored["team"]),
                user=str(stored["user"]),
                channel=str(stored["channel"]),
                trigger_id=str(stored["trigger_id"]),
                form=str(stored["form"]),
            )
        body: dict[str, Any] = stored["body"]
        if "team" not in stored:
            # Stored by a version that kept only the body: read it as bolt's context does.
            return cls.from_payload(str(stored["kind"]), body)
        return cls(
            kind=str(stored["kind"]),
            team=str(stored["team"] or ""),
            user=str(stored["user"] or ""),
            channel=str(stored["channel"] or ""),
            trigger_id=_trigger_of(body),
            parsed=body,
        )


def _trigger_of(body: dict[str, Any]) -> str:
    trigger = body.get("trigger_id")
    return trigger if isinstance(trigger, str) else ""


def form_fields(form: str, names: frozenset[str]) -> dict[str, str]:
    """The named fields of a form body, decoded as `parse_qsl` decodes them (the last of a
    repeated name wins, as in `dict(parse_qsl(...))`); the other fields are not decoded."""
    found: dict[str, str] = {}
    for pair in form.split("&"):
        name, _, value = pair.partition("=")
        if name in names:
            found[name] = unquote_plus(value)
    return found
