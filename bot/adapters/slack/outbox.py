"""Posting scheduled messages to Slack (chat.postMessage), and finding each workspace's client."""

from __future__ import annotations

import time
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.common import transport_errors
from bot.adapters.slack.client import make_client
from bot.adapters.slack.codec import MessageRef, parse_message_ref
from bot.adapters.slack.outbound import render
from bot.core.model import Reply
from bot.core.ports import (
    DirectMessagesClosed,
    HistoryUnavailable,
    PostFailed,
    PostOutcomeUnknown,
)

# Errors after which re-sending cannot help.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "restricted_action",
    }
)


# How long a found installation is taken as still there without asking the database again.
REMEMBER_INSTALLATION_SECONDS = 300.0


class Workspaces:
    """The Web API client for a workspace: the one bot token, or with OAuth each workspace's."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        installations: AsyncSQLAlchemyInstallationStore | None,
        api_url: str,
    ) -> None:
        self.client = client
        self.installations = installations
        self.api_url = api_url
        self._installed_until: dict[str, float] = {}

    async def installed(self, team_id: str) -> bool:
        """Whether studybot has a bot token for this workspace (always, with the one token).

        The ack path asks for every interaction, so an installation found is remembered for a
        while; clicks from a workspace that uninstalled within that while are stored, and their
        work fails with "not installed" as a scheduled post to it would.
        """
        if self.installations is None:
            return True
        now = time.monotonic()
        if self._installed_until.get(team_id, 0.0) > now:
            return True
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            return False
        self._installed_until[team_id] = now + REMEMBER_INSTALLATION_SECONDS
        return True

    async def client_for(self, team_id: str) -> AsyncWebClient:
        if self.installations is None:
            return self.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise PostFailed(f"studybot is not installed in workspace {team_id}", retryable=False)
        return make_client(token=bot.bot_token, base_url=self.api_url)


# The member cannot get a DM from the bot (as the Slack docs name these errors for
# conversations.open and chat.postMessage).
CLOSED_DM_ERRORS = frozenset(
    {"cannot_dm_bot", "user_disabled", "user_not_found", "not_in_channel", "user_not_visible"}
)


async def open_direct(client: AsyncWebClient, users: str) -> str:
    """conversations.open(users=U…[,U…]) → the id of the DM (D…) or group DM with the bot."""
    try:
        with transport_errors("Slack"):
            response = await client.conversations_open(users=users)
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        if code in CLOSED_DM_ERRORS:
            raise DirectMessagesClosed(f"Slack said {code}") from None
        raise PostFailed(
            f"Slack said {code} (HTTP {error.response.status_code})",
            retryable=code not in PERMANENT_ERRORS,
        ) from None
    return str((response.get("channel") or {}).get("id", ""))


# Every post carries its delivery key in Slack's message metadata, so an attempt whose answer
# was lost can be settled from the channel's history instead of being guessed.
DELIVERY_EVENT = "studybot_delivery"
HISTORY_PAGES = 5  # 200 messages a page: far more than a channel gets between attempt and check


async def post_message(
    client: AsyncWebClient, channel: str, reply: Reply, *, key: str | None = None
) -> MessageRef:
    """chat.postMessage, in the thread of `reply.thread_of` when it names a message."""
    thread = parse_message_ref(reply.thread_of)
    metadata = {"event_type": DELIVERY_EVENT, "event_payload": {"key": key}} if key else None
    try:
        with transport_errors("Slack"):
            response = await client.chat_postMessage(
                channel=channel,
                thread_ts=thread.ts if thread else None,
                metadata=metadata,
                **render(reply),
            )
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        if channel.startswith("D") and code in CLOSED_DM_ERRORS:
            raise DirectMessagesClosed(f"Slack said {code}") from None
        raise PostFailed(
            f"Slack said {code} (HTTP {error.response.status_code})",
            retryable=code not in PERMANENT_ERRORS,
        ) from None
    return MessageRef(channel=str(response.get("channel", channel)), ts=str(response.get("ts", "")))


async def find_posted(
    client: AsyncWebClient, channel: str, key: str, *, since: datetime
) -> MessageRef | None:
    """The message posted with delivery `key` since `since` (conversations.history with
    metadata), or None. HistoryUnavailable when the history cannot be read."""
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        try:
            with transport_errors("Slack"):
                page = await client.conversations_history(
                    channel=channel,
                    oldest=f"{since.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
        except (SlackApiError, PostFailed, PostOutcomeUnknown) as error:
            raise HistoryUnavailable(f"cannot read the channel's history ({error})") from None
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == DELIVERY_EVENT and payload.get("key") == key:
                return MessageRef(channel=channel, ts=str(message.get("ts", "")))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return None
    raise HistoryUnavailable("too many messages since the attempt to be sure")
