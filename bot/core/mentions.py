"""Reading a member named in a command: `<@U123|ada>` (Slack, escaped), `<@123>` or `<@!123>`
(Discord), `@ada` or `ada` (console, where members are names)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.ids import parse_scoped_id, platform_of, scoped_id

_PLATFORM_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|([^>]*))?>$")
_CONSOLE_NAME = re.compile(r"^@?([A-Za-z0-9_.-]{1,80})$")


@dataclass(frozen=True, kw_only=True)
class NamedMember:
    id: str
    # The name the mention carried, when it carried one (Slack's escaped form does).
    name: str | None


def read_member(text: str, *, group_id: str) -> NamedMember | None:
    """The member `text` names, with an id in the group's workspace or server; None if `text`
    is not a mention this platform sends."""
    word = text.strip()
    platform = platform_of(group_id)
    if not _is_scoped(group_id):  # the console (and tests): members are plain names
        found = _CONSOLE_NAME.match(word)
        return NamedMember(id=f"{platform}:{found[1]}", name=found[1]) if found else None
    found = _PLATFORM_MENTION.match(word)
    if found is None:
        return None
    scope = parse_scoped_id(group_id, platform=platform).scope
    return NamedMember(id=scoped_id(platform, scope, found[1]), name=found[2] or None)


def member_in_group_scope(member_id: str, group_id: str) -> str:
    """The same person's id as the group knows them. A button pressed in a Discord DM carries
    no server, so its member id has none; the group's server is the one that counts."""
    platform = platform_of(group_id)
    if not _is_scoped(group_id) or platform_of(member_id) != platform:
        return member_id
    scope = parse_scoped_id(group_id, platform=platform).scope
    return scoped_id(platform, scope, member_id.rsplit(":", 1)[-1])


def _is_scoped(value: str) -> bool:
    """`slack:T1:C2` names a workspace or server; `console:local` does not."""
    return value.count(":") >= 2
