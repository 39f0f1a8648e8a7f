"""Posting scheduled messages to Discord over REST, exactly once by nonce."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import discord
from discord.http import HTTPClient, handle_message_parameters
from discord.utils import MISSING

from bot.adapters.common import transport_errors
from bot.adapters.discord import inbound
from bot.adapters.discord.gateway import view_for
from bot.adapters.discord.outbound import files_of, render
from bot.core.model import Reply
from bot.core.ports import DirectMessagesClosed, PostFailed

if TYPE_CHECKING:
    # discord.types only describes JSON shapes; it is not importable on its own at run time.
    from discord.types.message import MessageReference

NONCE_LENGTH = 25


def nonce_for(key: str) -> str:
    """Discord drops a second message with the same nonce (enforce_nonce) for a few minutes."""
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_LENGTH]


# "Cannot send messages to this user": DMs closed, the bot blocked, or no server in common.
CANNOT_MESSAGE_USER = 50007


async def post_message(http: HTTPClient, group_id: str, reply: Reply, *, key: str) -> str:
    """POST /channels/{id}/messages into the group's channel; returns the new message's id."""
    _, channel = inbound.split_group_id(group_id)
    return await send_to_channel(http, channel, reply, key=key)


async def post_private(http: HTTPClient, user_id: str, reply: Reply, *, key: str) -> str:
    """POST /users/@me/channels {recipient_id} (Discord returns the same DM channel each time),
    then the message into it."""
    try:
        with transport_errors("Discord"):
            channel = await http.start_private_message(int(user_id))
    except discord.HTTPException as error:
        raise PostFailed(f"Discord said {error.status} {error.text}") from None
    return await send_to_channel(http, str(channel["id"]), reply, key=key)


PRIVATE_THREAD: Literal[12] = 12
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the partners' round


async def post_in_private_thread(
    http: HTTPClient, group_id: str, user_ids: Sequence[str], name: str, reply: Reply, *, key: str
) -> str:
    """A private thread in the group's channel with these members added (bots cannot open
    group DMs): POST /channels/{id}/threads (type 12, not invitable), PUT
    /channels/{thread}/thread-members/{user} for each, then the message in the thread."""
    _, channel = inbound.split_group_id(group_id)
    try:
        with transport_errors("Discord"):
            thread = await http.start_thread_without_message(
                int(channel),
                name=name[:100],
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                type=PRIVATE_THREAD,
                invitable=False,
            )
            for user_id in user_ids:
                await http.add_user_to_thread(int(thread["id"]), int(user_id))
    except discord.Forbidden as error:
        raise PostFailed(f"Discord said {error.status} {error.text}", retryable=False) from None
    except discord.HTTPException as error:
        raise PostFailed(f"Discord said {error.status} {error.text}") from None
    return await send_to_channel(http, str(thread["id"]), reply, key=key)


async def send_to_channel(http: HTTPClient, channel: str, reply: Reply, *, key: str) -> str:
    message = render(reply)
    view = view_for(message)
    params = handle_message_parameters(
        content=message.content,
        embeds=message.embeds,
        view=view,
        files=files_of(reply),
        allowed_mentions=message.allowed_mentions(),
        nonce=nonce_for(key),
        # Answer the message that opened it (e.g. a check-in's digest); fine if it is gone.
        message_reference=(
            _reference(channel, reply.thread_of)
            if reply.thread_of and reply.thread_of.isdigit()
            else MISSING
        ),
    )
    view.stop()
    try:
        with transport_errors("Discord"):
            data = await http.send_message(int(channel), params=params)
    except discord.Forbidden as error:
        if error.code == CANNOT_MESSAGE_USER:
            raise DirectMessagesClosed(f"Discord said {error.status} {error.text}") from None
        raise PostFailed(f"Discord said {error.status} {error.text}", retryable=False) from None
    except discord.NotFound as error:
        raise PostFailed(f"Discord said {error.status} {error.text}", retryable=False) from None
    except discord.HTTPException as error:
        raise PostFailed(f"Discord said {error.status} {error.text}") from None
    return str(data.get("id"))


def _reference(channel: str, message_id: str) -> MessageReference:
    return {"message_id": message_id, "channel_id": channel, "fail_if_not_exists": False}
