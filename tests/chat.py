"""Tests that read like a chat: `reply = await chat.send("/tip math")`."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.core.dispatcher import Dispatcher
from bot.core.instants import plain_text
from bot.core.model import ActionPress, Columns, Context, Member, Reply, Section
from bot.features.services import Services


def reply_text(reply: Reply, zone: ZoneInfo | None = None) -> str:
    """Everything a member would read in a reply, as one string; times as a reader in `zone`
    (UTC by default) would see them."""
    pieces = [reply.title or ""]
    for part in reply.parts:
        if isinstance(part, Section):
            pieces += [part.heading or "", part.text]
        elif isinstance(part, Columns):
            pieces.append(part.heading or "")
            pieces += [f"{f.label}: {f.value}" for f in part.fields]
        elif isinstance(part, Context):
            pieces.append(part.text)
    pieces += [button.label for button in reply.buttons]
    return plain_text("\n".join(piece for piece in pieces if piece), zone)


@dataclass
class Chat:
    dispatcher: Dispatcher[Services]
    member: Member = field(default_factory=lambda: Member(id="test:ada", name="ada"))
    group_id: str = "test:group"
    platform: str = "test"
    last: Reply | None = None

    async def send(self, line: str) -> Reply:
        reply = await self.dispatcher.handle_line(
            line, member=self.member, group_id=self.group_id, platform=self.platform
        )
        assert reply is not None
        self.last = reply
        return reply

    async def press(self, label: str) -> Reply:
        assert self.last is not None, "no reply to press a button on"
        button = next(b for b in self.last.buttons if b.label == label)
        reply = await self.dispatcher.press(
            ActionPress(
                action_id=button.action_id,
                value=button.value,
                member=self.member,
                group_id=self.group_id,
                platform=self.platform,
            )
        )
        self.last = reply
        return reply

    def as_member(self, member: Member) -> Chat:
        return Chat(
            dispatcher=self.dispatcher,
            member=member,
            group_id=self.group_id,
            platform=self.platform,
        )
