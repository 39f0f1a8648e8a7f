from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.app import Application
from bot.core.context import CommandContext
from bot.core.dispatcher import Dispatcher
from bot.core.model import Member, Reply, Section
from bot.core.registry import (
    CommandSpec,
    OptionSpec,
    Permission,
    Registry,
    RegistryError,
    SubcommandSpec,
    command_group,
)
from tests.chat import Chat, reply_text

calls: list[str] = []


async def _secret_handler(ctx: CommandContext[Any]) -> Reply:
    calls.append(ctx.invocation.member.id)
    return Reply(parts=(Section(text="done"),))


ADMIN_ONLY = CommandSpec(
    name="reset", description="admins only", handler=_secret_handler, organizer_only=True
)


async def test_organizer_only_commands_refuse_members(app: Application) -> None:
    registry = Registry([ADMIN_ONLY], [])
    dispatcher = Dispatcher(
        services=replace(app.services, registry=registry),
        registry=registry,
        notices=app.services.notices,
        roles=app.services.members,
        now=app.services.clock,
    )
    member = Chat(dispatcher=dispatcher)
    admin = member.as_member(Member(id="test:boss", name="boss", is_admin=True))
    calls.clear()

    refused = await member.send("/reset")
    assert refused.is_error
    assert "Only organizers can use /reset" in reply_text(refused)
    assert calls == []

    allowed = await admin.send("/reset")
    assert not allowed.is_error
    assert calls == ["test:boss"]


async def test_unknown_button_is_harmless(chat: Chat) -> None:
    await chat.send("/tip math")
    assert chat.last is not None
    chat.last = replace(
        chat.last,
        buttons=tuple(replace(b, action_id="gone:away") for b in chat.last.buttons),
    )
    reply = await chat.press("Another tip")
    assert reply.is_error
    assert "no longer does anything" in reply_text(reply)


async def _echo(ctx: CommandContext[Any], words: list[str]) -> Reply:
    calls.append(" ".join(words))
    return Reply(title="ok")


GROUP = command_group(
    name="club",
    description="a group of subcommands",
    subcommands=[
        SubcommandSpec(name="join", handler=_echo),
        SubcommandSpec(name="rename", handler=_echo, permission=Permission.ORGANIZER),
    ],
    details_option=OptionSpec(name="details", description="the rest", rest=True),
)


async def test_a_subcommand_checks_its_own_permission(app: Application) -> None:
    registry = Registry([GROUP], [])
    dispatcher = Dispatcher(
        services=replace(app.services, registry=registry),
        registry=registry,
        notices=app.services.notices,
        roles=app.services.members,
        now=app.services.clock,
    )
    member = Chat(dispatcher=dispatcher)
    admin = member.as_member(Member(id="test:boss", name="boss", is_admin=True))
    calls.clear()

    assert not (await member.send("/club join now")).is_error
    refused = await member.send("/club rename Tigers")
    assert "Only organizers can use /club rename" in reply_text(refused)
    assert not (await admin.send("/club rename Tigers")).is_error
    assert calls == ["now", "Tigers"]  # the refused call never reached its handler
    unknown = await member.send("/club leave")
    assert unknown.is_error
    assert calls == ["now", "Tigers"]


def test_a_command_has_a_handler_or_subcommands() -> None:
    with pytest.raises(RegistryError, match="not both or neither"):
        Registry([CommandSpec(name="empty", description="nothing to run")], [])
