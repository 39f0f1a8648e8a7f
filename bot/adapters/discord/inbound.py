"""Interaction payloads → neutral values. Pure: no I/O, unit-tested on its own."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.ids import parse_scoped_id, scoped_id
from bot.core.model import ActionPress, Invocation, Member

PLATFORM = "discord"
CUSTOM_ID_PREFIX = "sb"
MAX_CUSTOM_ID = 100
# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR, MANAGE_CHANNELS, MANAGE_GUILD = 1 << 3, 1 << 4, 1 << 5


# A direct message has no server: its scope is `dm`.
DIRECT = "dm"


def group_id(guild_id: str | int | None, channel_id: str | int) -> str:
    return scoped_id(PLATFORM, guild_id or DIRECT, channel_id)


def split_group_id(value: str) -> tuple[str, str]:
    """`discord:G1:C2` → ("G1", "C2")."""
    parsed = parse_scoped_id(value, platform=PLATFORM)
    return parsed.scope, parsed.local


def is_admin(permissions: int) -> bool:
    return bool(permissions & (ADMINISTRATOR | MANAGE_GUILD))


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who pressed or typed, and where: read off discord.py's Interaction by the adapter."""

    guild_id: int | None
    channel_id: int
    user_id: int
    name: str
    permissions: int

    @property
    def member(self) -> Member:
        return Member(
            id=scoped_id(PLATFORM, self.guild_id or DIRECT, self.user_id),
            name=self.name,
            is_admin=is_admin(self.permissions),
            # An interaction's member.permissions are resolved for its channel (overwrites
            # included), so this is Manage Channels in this channel.
            manages_channel=bool(self.permissions & MANAGE_CHANNELS),
        )

    @property
    def group_id(self) -> str:
        return group_id(self.guild_id, self.channel_id)


def options_to_text(
    options: list[Mapping[str, Any]] | None, order: list[str], *, rest: str | None = None
) -> str:
    """Slash-command options → the same text a console user would type, in declared order.

    Each value is quoted so that spaces stay inside it, except the `rest` option's, whose words
    are meant to be read one by one (e.g. /schedule's details).
    """
    values = {str(o["name"]): str(o["value"]) for o in options or []}
    words = []
    for name in order:
        if name not in values:
            break
        words.append(values[name] if name == rest else shlex.quote(values[name]))
    return " ".join(words)


def command_to_invocation(
    data: Mapping[str, Any],
    caller: Caller,
    *,
    option_order: list[str],
    rest_option: str | None = None,
) -> Invocation:
    """An APPLICATION_COMMAND interaction's `data` → Invocation."""
    return Invocation(
        command=str(data["name"]),
        text=options_to_text(data.get("options"), option_order, rest=rest_option),
        member=caller.member,
        group_id=caller.group_id,
        platform=PLATFORM,
    )


def custom_id(action_id: str, value: str) -> str:
    """Buttons carry their state: `sb|<action>|<value>`, under Discord's 100 characters."""
    encoded = f"{CUSTOM_ID_PREFIX}|{action_id}|{value}"
    if len(encoded) > MAX_CUSTOM_ID:
        raise ValueError(f"button state too long for Discord: {encoded!r}")
    return encoded


def parse_custom_id(value: str) -> tuple[str, str] | None:
    prefix, _, rest = value.partition("|")
    if prefix != CUSTOM_ID_PREFIX or "|" not in rest:
        return None
    action_id, _, state = rest.partition("|")
    return action_id, state


def _press(custom_id_value: str, caller: Caller, **extra: Any) -> ActionPress | None:
    """The press a studybot custom id stands for; None for anyone else's custom id."""
    parsed = parse_custom_id(custom_id_value)
    if parsed is None:
        return None
    action_id, value = parsed
    return ActionPress(
        action_id=action_id,
        value=value,
        member=caller.member,
        group_id=caller.group_id,
        platform=PLATFORM,
        **extra,
    )


def component_to_press(
    custom_id_value: str, caller: Caller, *, message_id: int | None
) -> ActionPress | None:
    return _press(custom_id_value, caller, message_ref=str(message_id) if message_id else None)


def modal_to_press(data: Mapping[str, Any], caller: Caller) -> ActionPress | None:
    """A MODAL_SUBMIT's data → the ActionPress it answers (its custom_id carries the action)."""
    fields = modal_fields(data.get("components"))
    return _press(str(data.get("custom_id", "")), caller, fields=fields)


@dataclass(frozen=True, kw_only=True)
class Focus:
    """The option a member is typing into, for autocomplete."""

    command: str
    option: str
    typed: str


def autocomplete_focus(data: Mapping[str, Any]) -> Focus | None:
    options = data.get("options") or []
    focused = next((o for o in options if isinstance(o, Mapping) and o.get("focused")), None)
    if focused is None:
        return None
    return Focus(
        command=str(data.get("name", "")),
        option=str(focused.get("name", "")),
        typed=str(focused.get("value", "")),
    )


def modal_fields(components: list[Mapping[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    """A MODAL_SUBMIT's components (action rows or labels around text inputs) → answers."""
    found: list[tuple[str, str]] = []

    def walk(items: list[Mapping[str, Any]] | None) -> None:
        for item in items or []:
            if "value" in item and "custom_id" in item:
                found.append((str(item["custom_id"]), str(item["value"] or "")))
            walk(item.get("components"))
            if isinstance(item.get("component"), Mapping):
                walk([item["component"]])

    walk(components)
    return tuple(found)
