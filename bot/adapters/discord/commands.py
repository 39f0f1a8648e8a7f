"""The application-command payload, generated from the registry, and its hash.

discord.py's CommandTree derives options from Python signatures; our commands are declared as
data in the registry, so we generate the JSON that Discord's bulk-overwrite endpoint takes and
route INTERACTION_CREATE ourselves (adapter.py). Same wire protocol, no synthetic functions.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.core.registry import CommandSpec, OptionKind, OptionSpec
from bot.features.services import Services

# Discord's option types.
STRING, INTEGER = 3, 4
# Above this many values Discord wants autocomplete rather than a fixed choice list.
MAX_CHOICES = 25


def option_payload(option: OptionSpec, services: Services) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": INTEGER if option.kind is OptionKind.INTEGER else STRING,
        "name": option.name,
        "description": option.description[:100],
        "required": option.required,
    }
    if option.kind is OptionKind.INTEGER:
        if option.min_value is not None:
            payload["min_value"] = option.min_value
        if option.max_value is not None:
            payload["max_value"] = option.max_value
    if option.suggest is not None:
        payload["autocomplete"] = True
    elif option.choices is not None:
        values = list(option.choices(services))
        if len(values) <= MAX_CHOICES:
            payload["choices"] = [{"name": value, "value": value} for value in values]
        else:
            payload["autocomplete"] = True
    if option.rest:
        payload["max_length"] = 4000
    return payload


def command_payload(spec: CommandSpec, services: Services) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": spec.name,
        "type": 1,
        "description": spec.description[:100],
        "options": [option_payload(option, services) for option in spec.options],
        "contexts": [0],  # guild channels: study groups live in servers
        "integration_types": [0],
    }
    # Organizer-only commands are not hidden with default_member_permissions: an organizer added
    # with /organizers need not hold any Discord permission. The dispatcher checks every run.
    return payload


def commands_payload(services: Services) -> list[dict[str, Any]]:
    return [command_payload(spec, services) for spec in services.registry.commands]


def payload_hash(payload: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
