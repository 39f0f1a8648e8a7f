"""The Discord adapter: application commands over the gateway, answered within 3 seconds.

The gateway client (gateway.py) routes each INTERACTION_CREATE to interactions.py, which answers
within Discord's 3 seconds. Buttons carry their state in their custom_id (`sb|<action>|<value>`)
and are handled by a discord.py DynamicItem registered at start, so a button on a message sent
before a restart still works. Every message goes out with AllowedMentions.none(): nothing a
member typed can ping. Scheduled posts go out over REST (outbox.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime

import aiohttp
import discord

from bot.adapters.discord import inbound
from bot.adapters.discord.commands import commands_payload, payload_hash
from bot.adapters.discord.endpoints import configure_endpoints
from bot.adapters.discord.gateway import StudybotClient
from bot.adapters.discord.interactions import DiscordInteractions
from bot.adapters.discord.outbox import post_in_private_thread, post_message, post_private
from bot.adapters.discord.resilience import count_rate_limits, guard_frames, guard_parsers
from bot.adapters.health import PlatformHealth
from bot.core.dispatcher import Dispatcher
from bot.core.ids import local_part
from bot.core.model import Reply
from bot.core.ports import HistoryUnavailable, Pace
from bot.features.services import Services
from bot.settings import ConfigurationError, Settings
from bot.store.repos import Store

log = logging.getLogger(__name__)

INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)
# studybot never joins voice; without this discord.py warns at every start about missing codecs.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class DiscordConfigurationError(ConfigurationError):
    """Settings that cannot work (e.g. shard ids without a shard count)."""


def parse_shard_ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise DiscordConfigurationError(
            f"DISCORD_SHARD_IDS must be comma-separated numbers, like 0,1 (not {value!r})"
        ) from None


class DiscordAdapter:
    platform = inbound.PLATFORM
    # About 50 requests/s per bot overall; 5 messages per 5 s into one channel.
    pace = Pace(per_second=40, per_conversation_per_second=1, concurrency=16)
    # Messages carry a deterministic nonce with enforce_nonce: a repeat is dropped by Discord.
    idempotent = True

    def __init__(
        self, *, settings: Settings, dispatcher: Dispatcher[Services], store: Store
    ) -> None:
        assert settings.discord_token is not None
        self.settings = settings
        self.dispatcher = dispatcher
        self.store = store
        self.ready = asyncio.Event()
        self.shard_ids = parse_shard_ids(settings.discord_shard_ids)
        if self.shard_ids is not None and settings.discord_shard_count is None:
            raise DiscordConfigurationError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT as well")
        configure_endpoints(
            api_url=settings.discord_api_url, gateway_url=settings.discord_gateway_url
        )
        self.interactions = DiscordInteractions(dispatcher)
        self.client = StudybotClient(self.interactions, self)
        guard_frames()
        count_rate_limits()
        guard_parsers(self.client._connection.parsers)
        self._runner: asyncio.Task[None] | None = None
        # Set when the connection ends for good: the process must not stay up and deaf.
        self.failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    # Lifecycle ------------------------------------------------------------------------------

    async def login(self) -> None:
        """Log in over REST; a rejected token or an unreachable Discord is one clear line."""
        assert self.settings.discord_token is not None
        try:
            await self.client.login(self.settings.discord_token.get_secret_value())
        except discord.LoginFailure:
            await self.client.close()
            raise DiscordConfigurationError(
                "Discord rejected DISCORD_TOKEN; reset the bot token in the developer portal."
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            await self.client.close()
            raise DiscordConfigurationError(
                f"cannot reach Discord at DISCORD_API_URL ({type(error).__name__})"
            ) from None

    async def start(self) -> None:
        await self.login()
        shard_count = self.settings.discord_shard_count
        if shard_count is None:
            # Ask how many shards Discord recommends, and connect them all to the configured
            # gateway URL (discord.py would otherwise use the URL from /gateway/bot).
            shard_count, _, _ = await self.client.http.get_bot_gateway()
        self.client.shard_count = shard_count
        self.client.shard_ids = self.shard_ids
        self._runner = asyncio.ensure_future(self.client.connect(reconnect=True))
        self._runner.add_done_callback(self._connection_ended)

    async def stop(self) -> None:
        await self.interactions.close()
        await self.client.close()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._runner, 10)

    def invite_url(self) -> str:
        return discord.utils.oauth_url(
            self.client.application_id or 0,
            permissions=INVITE_PERMISSIONS,
            scopes=("bot", "applications.commands"),
        )

    # Commands -------------------------------------------------------------------------------

    async def sync_commands(self, *, guild_id: int | None = None) -> int:
        payload = commands_payload(self.dispatcher.services)
        application_id = self.client.application_id
        assert application_id is not None
        if guild_id is None:
            await self.client.http.bulk_upsert_global_commands(application_id, payload)
            await self.store.set_value(
                self._hash_key(), payload_hash(payload), now=self.dispatcher.services.clock()
            )
        else:
            await self.client.http.bulk_upsert_guild_commands(application_id, guild_id, payload)
        return len(payload)

    async def sync_commands_if_changed(self) -> bool:
        """Sync at start only when the command set changed since the last sync (rate limits)."""
        payload = commands_payload(self.dispatcher.services)
        if await self.store.get_value(self._hash_key()) == payload_hash(payload):
            return False
        await self.sync_commands()
        log.info("Discord: synced %d application commands", len(payload))
        return True

    def _hash_key(self) -> str:
        return f"discord:commands-hash:{self.client.application_id}"

    # Discord needs no inbound HTTP: /healthz gets a server of its own (bot/adapters/health.py).
    serves_http = False

    async def health(self) -> PlatformHealth:
        if self.failed.done():
            return PlatformHealth(state="down", healthy=False)
        shards = {
            str(shard_id): _shard_state(info) for shard_id, info in self.client.shards.items()
        }
        if not self.ready.is_set():
            return PlatformHealth(state="connecting", healthy=False, shards=shards)
        connected = all(state == "connected" for state in shards.values())
        return PlatformHealth(
            state="connected" if connected else "reconnecting", healthy=connected, shards=shards
        )

    # Outbox ---------------------------------------------------------------------------------

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        return await post_message(self.client.http, group_id, reply, key=idempotency_key)

    async def find_posted(
        self, group_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        # Not needed: the enforced nonce makes re-sending safe (idempotent = True).
        raise HistoryUnavailable("Discord posts are settled by re-sending with the same nonce")

    async def post_private(
        self, member_id: str, reply: Reply, *, idempotency_key: str
    ) -> str | None:
        return await post_private(
            self.client.http, local_part(member_id), reply, key=idempotency_key
        )

    async def find_posted_private(
        self, member_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        raise HistoryUnavailable("Discord DMs are settled by re-sending with the same nonce")

    async def post_shared(
        self, group_id: str, member_ids: Sequence[str], reply: Reply, *, idempotency_key: str
    ) -> str | None:
        return await post_in_private_thread(
            self.client.http,
            group_id,
            [local_part(member) for member in member_ids],
            reply.title or "Study partners",
            reply,
            key=idempotency_key,
        )

    async def find_posted_shared(
        self, group_id: str, member_ids: Sequence[str], idempotency_key: str, *, since: datetime
    ) -> str | None:
        # A second attempt would open a second thread, which the nonce cannot prevent.
        raise HistoryUnavailable("a private thread's first post cannot be looked up safely")

    def _connection_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self.client.is_closed() and task.exception() is None:
            return  # we stopped it
        error = task.exception()
        reason = type(error).__name__ if error is not None else "it closed"
        log.error("the Discord connection stopped for good: %s", reason)
        if not self.failed.done():
            self.failed.set_result(f"the Discord connection stopped for good ({reason})")


def _shard_state(info: discord.ShardInfo) -> str:
    return "reconnecting" if info.is_closed() else "connected"
