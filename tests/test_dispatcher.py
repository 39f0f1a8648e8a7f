from __future__ import annotations

from dataclasses import replace

from bot.app import Application
from bot.core.context import CommandContext
from bot.core.dispatcher import Dispatcher
from bot.core.model import Member, Reply, Section
from bot.core.registry import CommandSpec, Registry
from tests.chat import Chat, reply_text

calls: list[str] = []


async def _secret_handler(ctx: CommandContext) -> Reply:
    calls.append(ctx.invocation.member.id)
    return Reply(parts=(Section(text="done"),))


ADMIN_ONLY = CommandSpec(
    name="reset", description="admins only", handler=_secret_handler, admin_only=True
)


async def test_admin_only_commands_refuse_members(app: Application) -> None:
    registry = Registry([ADMIN_ONLY], [])
    dispatcher = Dispatcher(
        services=replace(app.services, registry=registry),
        registry=registry,
        notices=app.services.notices,
    )
    member = Chat(dispatcher=dispatcher)
    admin = member.as_member(Member(id="test:boss", name="boss", is_admin=True))
    calls.clear()

    refused = await member.send("/reset")
    assert refused.is_error
    assert "Only group admins can use /reset" in reply_text(refused)
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
