"""Answering Discord interactions within their 3 seconds: commands, buttons, modals, autocomplete.

A reply ready within DEFER_AFTER seconds is the interaction's response; anything slower is
deferred first and followed up. A burst of clicks on one message becomes one edit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import discord
from discord import app_commands

from bot.adapters.common import EditCoalescer
from bot.adapters.discord import inbound
from bot.adapters.discord.gateway import NO_MENTIONS, view_for
from bot.adapters.discord.outbound import files_of, render, render_modal, too_slow_for_a_form
from bot.core.dispatcher import Dispatcher
from bot.core.model import Reply
from bot.features.services import Services

log = logging.getLogger(__name__)

# Discord allows 3 s for the first answer; keep a margin for the callback's own round trip.
DEFER_AFTER = 2.0
MAX_SUGGESTIONS = 25


class DiscordInteractions:
    def __init__(self, dispatcher: Dispatcher[Services]) -> None:
        self.dispatcher = dispatcher
        self._edits: EditCoalescer[int, tuple[discord.Interaction[Any], Reply]] = EditCoalescer(
            self._apply_edit
        )

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
        if press is not None:
            await self._answer(interaction, self.dispatcher.press(press))

    async def handle_modal(self, interaction: discord.Interaction[Any]) -> None:
        """Form answers. Handled here, not by a stored Modal object, so a form opened before a
        restart can still be submitted after it."""
        press = inbound.modal_to_press(dict(interaction.data or {}), _caller(interaction))
        if press is not None:
            await self._answer(interaction, self.dispatcher.press(press))

    async def handle_autocomplete(self, interaction: discord.Interaction[Any]) -> None:
        focus = inbound.autocomplete_focus(dict(interaction.data or {}))
        suggestions = self._suggestions(focus) if focus else []
        await interaction.response.autocomplete(
            [
                app_commands.Choice(name=value[:100], value=value)
                for value in suggestions[:MAX_SUGGESTIONS]
            ]
        )

    def _suggestions(self, focus: inbound.Focus) -> list[str]:
        spec = self.dispatcher.registry.command(focus.command)
        option = next((o for o in spec.options if o.name == focus.option), None) if spec else None
        services = self.dispatcher.services
        if option is not None and option.suggest is not None:
            return option.suggest(services, focus.typed)
        if option is not None and option.choices is not None:
            typed = focus.typed.lower()
            return [value for value in option.choices(services) if typed in value.lower()]
        return []

    async def _answer(self, interaction: discord.Interaction[Any], work: Awaitable[Reply]) -> None:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        is_button = interaction.type is discord.InteractionType.component
        if not done:
            # A button's deferral keeps the message as it is (type 6); a command's shows
            # "thinking…" (type 5).
            await interaction.response.defer(thinking=not is_button)
        reply = await task
        if reply.form is not None and done:
            modal = render_modal(reply.form)
            await interaction.response.send_modal(modal)
            modal.stop()  # the submission is handled by handle_modal, not by this object
            return
        if reply.form is not None:
            reply = too_slow_for_a_form(reply)
        if is_button and reply.replace_original:
            if done:
                await interaction.response.defer()  # DEFERRED_UPDATE_MESSAGE: edit follows
            key = interaction.message.id if interaction.message else interaction.id
            self._edits.submit(key, (interaction, reply))
            return
        message = render(reply)
        view = view_for(message)
        send = interaction.response.send_message if done else interaction.followup.send
        await send(
            embeds=message.embeds,
            view=view,
            files=files_of(reply),
            ephemeral=message.ephemeral,
            allowed_mentions=NO_MENTIONS,
        )
        view.stop()  # buttons are handled by StudybotButton, not by this view object

    async def _apply_edit(self, edit: tuple[discord.Interaction[Any], Reply]) -> None:
        interaction, reply = edit
        message = render(reply)
        view = view_for(message)
        try:
            await interaction.edit_original_response(
                embeds=message.embeds,
                view=view,
                attachments=files_of(reply),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as error:
            log.warning("could not update a message after clicks: %s", error.status)
        finally:
            view.stop()

    async def close(self) -> None:
        await self._edits.drain()


def _caller(interaction: discord.Interaction[Any]) -> inbound.Caller:
    user = interaction.user
    return inbound.Caller(
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0,
        user_id=user.id,
        name=getattr(user, "display_name", None) or user.name,
        permissions=interaction.permissions.value,
    )
