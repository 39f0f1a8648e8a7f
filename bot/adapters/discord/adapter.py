"""The Discord adapter: application commands over the gateway, answered within 3 seconds.

INTERACTION_CREATE for a command is translated and dispatched; a reply ready within
DEFER_AFTER seconds is sent as the interaction response, anything slower is deferred first and
followed up. Buttons carry their state in their custom_id (`sb|<action>|<value>`) and are handled
by a discord.py DynamicItem registered at start, so a button on a message sent before a restart
still works. Every message goes out with AllowedMentions.none(): nothing a member typed can ping.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import re
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.http import handle_message_parameters
from discord.utils import MISSING

from bot.adapters.discord import inbound
from bot.adapters.discord.commands import commands_payload, payload_hash
from bot.adapters.discord.endpoints import configure_endpoints
from bot.adapters.discord.outbound import RenderedMessage, render
from bot.core.dispatcher import Dispatcher
from bot.core.model import ActionPress, Form, Reply, Section, Visibility
from bot.core.ports import Pace, PostFailed, PostOutcomeUnknown
from bot.features.services import Services
from bot.settings import Settings
from bot.store.repos import Store

if TYPE_CHECKING:
    # discord.types only describes JSON shapes; it is not importable on its own at run time.
    from discord.types.message import MessageReference

log = logging.getLogger(__name__)

# Discord allows 3 s for the first answer; keep a margin for the callback's own round trip.
DEFER_AFTER = 2.0
NONCE_LENGTH = 25
EDIT_COALESCE_SECONDS = 0.5
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)
NO_MENTIONS = discord.AllowedMentions.none()
# studybot never joins voice; without this discord.py warns at every start about missing codecs.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class DiscordConfigurationError(Exception):
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


def nonce_for(key: str) -> str:
    """Discord drops a second message with the same nonce (enforce_nonce) for a few minutes."""
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_LENGTH]


class StudybotButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"sb\|(?P<action>[^|]+)\|(?P<value>.*)",
):
    """Any studybot button, from any message, before or after a restart."""

    def __init__(self, label: str, custom_id: str) -> None:
        super().__init__(
            discord.ui.Button(label=label, custom_id=custom_id, style=discord.ButtonStyle.primary)
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> StudybotButton:
        # Registered for buttons only (see `template`), so the item is always a button.
        if not isinstance(item, discord.ui.Button):
            raise TypeError(f"a studybot custom id on a {type(item).__name__}")
        return cls(item.label or "", item.custom_id or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        assert isinstance(client, StudybotClient)
        await client.adapter.handle_press(interaction, self.item.custom_id or "")


class StudybotClient(discord.AutoShardedClient):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(
            intents=discord.Intents(guilds=True),  # no privileged intents
            allowed_mentions=NO_MENTIONS,
            **options,
        )
        self.adapter = adapter

    async def setup_hook(self) -> None:
        self.add_dynamic_items(StudybotButton)
        await self.adapter.sync_commands_if_changed()

    async def on_ready(self) -> None:
        self.adapter.ready.set()
        if not self.guilds:
            print(f"studybot is in no Discord server yet. Invite it: {self.adapter.invite_url()}")

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.application_command:
            await self.adapter.handle_command(interaction)
        elif interaction.type is discord.InteractionType.modal_submit:
            await self.adapter.handle_modal(interaction)
        elif interaction.type is discord.InteractionType.autocomplete:
            await self.adapter.handle_autocomplete(interaction)


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
        self.client = StudybotClient(self)
        self._runner: asyncio.Task[None] | None = None
        self._edits: dict[int, tuple[discord.Interaction[Any], Reply]] = {}
        self._edit_tasks: dict[int, asyncio.Task[None]] = {}

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        assert self.settings.discord_token is not None
        try:
            await self.client.login(self.settings.discord_token.get_secret_value())
        except discord.LoginFailure:
            await self.client.close()
            raise DiscordConfigurationError(
                "Discord rejected DISCORD_TOKEN; reset the bot token in the developer portal."
            ) from None
        except aiohttp.ClientError as error:
            await self.client.close()
            raise DiscordConfigurationError(
                f"cannot reach Discord at DISCORD_API_URL ({type(error).__name__})"
            ) from None
        shard_count = self.settings.discord_shard_count
        if shard_count is None:
            # Ask how many shards Discord recommends, and connect them all to the configured
            # gateway URL (discord.py would otherwise use the URL from /gateway/bot).
            shard_count, _, _ = await self.client.http.get_bot_gateway()
        self.client.shard_count = shard_count
        self.client.shard_ids = self.shard_ids
        self._runner = asyncio.ensure_future(self.client.connect(reconnect=True))
        self._runner.add_done_callback(_log_failure)

    async def stop(self) -> None:
        for pending in list(self._edit_tasks.values()):
            with contextlib.suppress(Exception):
                await pending
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

    async def handle_command(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        spec = self.dispatcher.registry.command(str(data.get("name", "")))
        options = spec.options if spec else ()
        invocation = inbound.command_to_invocation(
            data,
            _caller(interaction),
            option_order=[option.name for option in options],
            rest_option=next((option.name for option in options if option.rest), None),
        )
        await self._answer(interaction, self.dispatcher.invoke(invocation))

    async def handle_press(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        message_id = interaction.message.id if interaction.message else None
        press = inbound.component_to_press(custom_id, _caller(interaction), message_id=message_id)
        if press is None:
            return
        await self._answer(interaction, self.dispatcher.press(press))

    async def handle_modal(self, interaction: discord.Interaction[Any]) -> None:
        """Form answers. Handled here, not by a stored Modal object, so a form opened before a
        restart can still be submitted after it."""
        data: dict[str, Any] = dict(interaction.data or {})
        parsed = inbound.parse_custom_id(str(data.get("custom_id", "")))
        if parsed is None:
            return
        caller = _caller(interaction)
        press = ActionPress(
            action_id=parsed[0],
            value=parsed[1],
            member=caller.member,
            group_id=caller.group_id,
            platform=self.platform,
            fields=inbound.modal_fields(data.get("components")),
        )
        await self._answer(interaction, self.dispatcher.press(press))

    async def handle_autocomplete(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        spec = self.dispatcher.registry.command(str(data.get("name", "")))
        focused = next((o for o in data.get("options", []) if o.get("focused")), None)
        suggestions: list[str] = []
        if spec is not None and focused is not None:
            option = next((o for o in spec.options if o.name == focused["name"]), None)
            if option is not None and option.suggest is not None:
                suggestions = option.suggest(self.dispatcher.services, str(focused["value"]))
            elif option is not None and option.choices is not None:
                typed = str(focused["value"]).lower()
                values = option.choices(self.dispatcher.services)
                suggestions = [value for value in values if typed in value.lower()]
        await interaction.response.autocomplete(
            [app_commands.Choice(name=value[:100], value=value) for value in suggestions[:25]]
        )

    async def _answer(self, interaction: discord.Interaction[Any], work: Any) -> None:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        is_button = interaction.type is discord.InteractionType.component
        if not done:
            # A button's deferral keeps the message as it is (type 6); a command's shows
            # "thinking…" (type 5).
            await interaction.response.defer(thinking=not is_button)
        reply = await task
        if reply.form is not None and done:
            modal = _modal(reply.form)
            await interaction.response.send_modal(modal)
            modal.stop()  # the submission is handled by handle_modal, not by this object
            return
        if reply.form is not None:
            reply = _too_slow_for_a_form(reply)
        message = render(reply)
        view = self._view(message)
        files = _files(reply)
        if is_button and reply.replace_original:
            if done:
                await interaction.response.defer()  # DEFERRED_UPDATE_MESSAGE: edit follows
            self._coalesce_edit(interaction, reply)
        else:
            send = interaction.response.send_message if done else interaction.followup.send
            await send(
                embeds=message.embeds,
                view=view,
                files=files,
                ephemeral=message.ephemeral,
                allowed_mentions=NO_MENTIONS,
            )
        view.stop()  # buttons are handled by StudybotButton, not by this view object

    def _coalesce_edit(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        """A burst of clicks on one message (votes) becomes one edit with the latest state."""
        key = interaction.message.id if interaction.message else interaction.id
        self._edits[key] = (interaction, reply)
        if key not in self._edit_tasks:
            self._edit_tasks[key] = asyncio.ensure_future(self._flush_edit(key))

    async def _flush_edit(self, key: int) -> None:
        await asyncio.sleep(EDIT_COALESCE_SECONDS)
        self._edit_tasks.pop(key, None)
        interaction, reply = self._edits.pop(key)
        message = render(reply)
        view = self._view(message)
        try:
            await interaction.edit_original_response(
                embeds=message.embeds,
                view=view,
                attachments=_files(reply),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as error:
            log.warning("could not update a message after clicks: %s", error.status)
        finally:
            view.stop()

    @staticmethod
    def _view(message: RenderedMessage) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        for label, custom_id in message.buttons:
            view.add_item(StudybotButton(label, custom_id))
        return view

    # Outbox ---------------------------------------------------------------------------------

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        _, channel = inbound.split_group_id(group_id)
        message = render(reply)
        view = self._view(message)
        params = handle_message_parameters(
            content=message.content,
            embeds=message.embeds,
            view=view,
            files=_files(reply),
            allowed_mentions=message.allowed_mentions(),
            nonce=nonce_for(idempotency_key),
            # Answer the message that opened it (e.g. a check-in's digest); fine if it is gone.
            message_reference=(
                _reference(channel, reply.thread_of)
                if reply.thread_of and reply.thread_of.isdigit()
                else MISSING
            ),
        )
        view.stop()
        try:
            data = await self.client.http.send_message(int(channel), params=params)
        except (discord.Forbidden, discord.NotFound) as error:
            raise PostFailed(f"Discord said {error.status} {error.text}", retryable=False) from None
        except discord.HTTPException as error:
            raise PostFailed(f"Discord said {error.status} {error.text}") from None
        except aiohttp.ClientConnectorError:
            raise PostFailed("cannot reach Discord") from None
        except (TimeoutError, aiohttp.ClientError) as error:
            raise PostOutcomeUnknown(f"no answer from Discord ({type(error).__name__})") from None
        return str(data.get("id"))


MAX_MODAL_TITLE, MAX_INPUT_LABEL, MAX_PLACEHOLDER = 45, 45, 100


def _modal(form: Form) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title=form.title[:MAX_MODAL_TITLE],
        custom_id=inbound.custom_id(form.submit_action, form.submit_value),
        timeout=None,
    )
    for field in form.fields[:5]:  # Discord allows five inputs per modal
        modal.add_item(
            discord.ui.TextInput(
                label=field.label[:MAX_INPUT_LABEL],
                custom_id=field.id,
                placeholder=("1 to 5" if field.rating else field.label)[:MAX_PLACEHOLDER],
                style=discord.TextStyle.short if field.rating else discord.TextStyle.paragraph,
                required=field.required,
                max_length=1 if field.rating else min(field.max_length, 4000),
            )
        )
    return modal


def _too_slow_for_a_form(reply: Reply) -> Reply:
    """A modal must be the first answer to an interaction; after a deferral, say so instead."""
    return Reply(
        title=reply.title,
        parts=(Section(text="That took too long to open the form; please try again."),),
        visibility=Visibility.PRIVATE,
        is_error=True,
    )


def _files(reply: Reply) -> list[discord.File]:
    if reply.image is None:
        return []
    return [
        discord.File(
            io.BytesIO(reply.image.data), filename=reply.image.filename, description=reply.image.alt
        )
    ]


def _caller(interaction: discord.Interaction[Any]) -> inbound.Caller:
    user = interaction.user
    return inbound.Caller(
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0,
        user_id=user.id,
        name=getattr(user, "display_name", None) or user.name,
        permissions=interaction.permissions.value,
    )


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord connection stopped: %s", type(task.exception()).__name__)


def _reference(channel: str, message_id: str) -> MessageReference:
    return {"message_id": message_id, "channel_id": channel, "fail_if_not_exists": False}
