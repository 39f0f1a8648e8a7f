"""Posting scheduled messages to Slack (chat.postMessage), and finding each workspace's client."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.common import transport_errors
from bot.adapters.slack.client import make_client
from bot.adapters.slack.codec import MessageRef, parse_message_ref
from bot.adapters.slack.outbound import render
from bot.core.model import Reply
from bot.core.ports import PostFailed

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

    async def client_for(self, team_id: str) -> AsyncWebClient:
        if self.installations is None:
            return self.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise PostFailed(f"studybot is not installed in workspace {team_id}", retryable=False)
        return make_client(token=bot.bot_token, base_url=self.api_url)


async def post_message(client: AsyncWebClient, channel: str, reply: Reply) -> MessageRef:
    """chat.postMessage, in the thread of `reply.thread_of` when it names a message."""
    thread = parse_message_ref(reply.thread_of)
    try:
        with transport_errors("Slack"):
            response = await client.chat_postMessage(
                channel=channel, thread_ts=thread.ts if thread else None, **render(reply)
            )
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        raise PostFailed(
            f"Slack said {code} (HTTP {error.response.status_code})",
            retryable=code not in PERMANENT_ERRORS,
        ) from None
    return MessageRef(channel=str(response.get("channel", channel)), ts=str(response.get("ts", "")))
