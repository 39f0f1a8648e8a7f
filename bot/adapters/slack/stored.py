"""What the Slack listener stores in the inbox for an interaction, and reading it back.

The listener keeps who and where, as bolt's context read them off the payload, next to the body,
so the work after the ack does not read them again field by field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.internals import extract_channel_id, extract_team_id, extract_user_id


@dataclass(frozen=True, kw_only=True)
class StoredInteraction:
    kind: str  # command | action | submission
    team: str
    user: str
    channel: str
    body: dict[str, Any]

    @classmethod
    def from_bolt(
        cls, kind: str, body: dict[str, Any], context: AsyncBoltContext
    ) -> StoredInteraction:
        return cls(
            kind=kind,
            team=context.team_id or "",
            user=context.user_id or "",
            channel=context.channel_id or "",
            body=body,
        )

    @property
    def response_url(self) -> str:
        return str(self.body.get("response_url", ""))

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id", ""))

    def encode(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "team": self.team,
                "user": self.user,
                "channel": self.channel,
                "body": self.body,
            }
        )

    @classmethod
    def decode(cls, payload: str) -> StoredInteraction:
        stored = json.loads(payload)
        body: dict[str, Any] = stored["body"]
        if "team" not in stored:
            # Stored by a version that kept only the body: read it as bolt's context does.
            stored |= {
                "team": extract_team_id(body),
                "user": extract_user_id(body),
                "channel": extract_channel_id(body),
            }
        return cls(
            kind=str(stored["kind"]),
            team=str(stored["team"] or ""),
            user=str(stored["user"] or ""),
            channel=str(stored["channel"] or ""),
            body=body,
        )
