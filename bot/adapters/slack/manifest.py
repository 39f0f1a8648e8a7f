"""A Slack app manifest generated from the command registry, so the two never drift apart."""

from __future__ import annotations

from typing import Any

import yaml

from bot.adapters.slack.inbound import UMBRELLA
from bot.core.registry import Registry

# What the adapter actually calls: slash commands, posting (also into public channels the bot
# has not joined, for scheduled posts), users.info for the admin check, files for poll charts,
# conversations.info and conversations.open for organizers and private messages.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "files:write",
    # Settling a scheduled post whose answer was lost: read the channel for its delivery key.
    "channels:history",
    "groups:history",
    # The channel's creator is one of its organizers (conversations.info).
    "channels:read",
    "groups:read",
    # Private messages (conversations.open with one member) and settling them from the DM.
    "im:write",
    "im:history",
    # A pair's shared conversation (conversations.open with several members), and settling it.
    "mpim:write",
    "mpim:history",
)
EVENTS_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"


def build_manifest(
    registry: Registry, *, socket_mode: bool, url: str | None, name: str = "studybot"
) -> dict[str, Any]:
    base = url.rstrip("/") if url else None
    events_url = f"{base}{EVENTS_PATH}" if base else None
    commands = []
    for spec in registry.commands:
        usage = spec.usage.partition(" ")[2]
        entry: dict[str, Any] = {
            "command": f"/{spec.name}",
            "description": spec.description[:100],
            # Escaped, Slack sends a mention as `<@U123|ada>`: an id, not a display name.
            "should_escape": spec.takes_mentions,
        }
        if usage:
            entry["usage_hint"] = usage
        if events_url and not socket_mode:
            entry["url"] = events_url
        commands.append(entry)
    umbrella: dict[str, Any] = {
        "command": f"/{UMBRELLA}",
        "description": "Every studybot command, e.g. /studybot tip math",
        "usage_hint": "<command> [arguments]",
        "should_escape": False,
    }
    if events_url and not socket_mode:
        umbrella["url"] = events_url
    commands.append(umbrella)

    interactivity: dict[str, Any] = {"is_enabled": True}
    if events_url and not socket_mode:
        interactivity["request_url"] = events_url
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if base:
        oauth["redirect_urls"] = [f"{base}{REDIRECT_PATH}"]
    return {
        "display_information": {
            "name": name,
            "description": "Study-group companion for software engineers moving into ML",
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": oauth,
        "settings": {
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(registry: Registry, *, socket_mode: bool, url: str | None) -> str:
    manifest = build_manifest(registry, socket_mode=socket_mode, url=url)
    text: str = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
    return text
