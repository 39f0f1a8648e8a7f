"""discord.py's side of the adapter: the gateway client that routes interactions, and the one
button class that answers any studybot button, from any message, before or after a restart."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

import discord

from bot.adapters.discord.outbound import RenderedMessage

NO_MENTIONS = discord.AllowedMentions.none()


class InteractionRoutes(Protocol):
    """Where the client sends each kind of interaction."""

    async def handle_command(self, interaction: discord.Interaction[Any]) -> None: ...

    async def handle_press(self, interaction: discord.Interaction[Any], custom_id: str) -> None: ...

    async def handle_modal(self, interaction: discord.Interaction[Any]) -> None: ...

    async def handle_autocomplete(self, interaction: discord.Interaction[Any]) -> None: ...


class Lifecycle(Protocol):
    """What the client tells the adapter about the connection."""

    ready: asyncio.Event

    async def sync_commands_if_changed(self) -> bool: ...

    def invite_url(self) -> str: ...


class StudybotButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"sb\|(?P<action>[^|]+)\|(?P<value>.*)",
):
    """Any studybot button: its state is in its custom_id (`sb|<action>|<value>`)."""

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
        await client.routes.handle_press(interaction, self.item.custom_id or "")


def view_for(message: RenderedMessage) -> discord.ui.View:
    """The message's buttons. Call `stop()` once sent: StudybotButton handles the clicks."""
    view = discord.ui.View(timeout=None)
    for label, custom_id in message.buttons:
        view.add_item(StudybotButton(label, custom_id))
    return view


class StudybotClient(discord.AutoShardedClient):
    def __init__(self, routes: InteractionRoutes, lifecycle: Lifecycle, **options: Any) -> None:
        super().__init__(
            intents=discord.Intents(guilds=True),  # no privileged intents
            allowed_mentions=NO_MENTIONS,
            **options,
        )
        self.routes = routes
        self.lifecycle = lifecycle

    async def setup_hook(self) -> None:
        self.add_dynamic_items(StudybotButton)
        await self.lifecycle.sync_commands_if_changed()

    async def on_ready(self) -> None:
        self.lifecycle.ready.set()
        if not self.guilds:
            invite = self.lifecycle.invite_url()
            print(f"studybot is in no Discord server yet. Invite it: {invite}")

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.application_command:
            await self.routes.handle_command(interaction)
        elif interaction.type is discord.InteractionType.modal_submit:
            await self.routes.handle_modal(interaction)
        elif interaction.type is discord.InteractionType.autocomplete:
            await self.routes.handle_autocomplete(interaction)
