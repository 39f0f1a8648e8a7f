"""Declare each command once; every adapter, `/help` and the Slack manifest read it from here.

Decorators only attach a spec to the handler function; `Registry.collect` gathers them from the
feature modules. Adding a command therefore never touches an adapter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import Any

from bot.core.context import ActionContext, CommandContext
from bot.core.model import Reply

# The registry does not know the services' type (bot/features/services.py does): handlers and
# providers are checked where they are written, against their own annotations.
CommandHandler = Callable[[CommandContext[Any]], Awaitable[Reply]]
# A subcommand gets the words after its name (`/schedule pause 3` → ["3"]).
SubcommandHandler = Callable[[CommandContext[Any], list[str]], Awaitable[Reply]]
ActionHandler = Callable[[ActionContext[Any]], Awaitable[Reply]]
ChoicesProvider = Callable[[Any], Sequence[str]]
# Completions for what a member has typed so far (platforms with autocomplete use it).
SuggestionProvider = Callable[[Any, str], list[str]]

_COMMAND_ATTR = "__studybot_command__"
_ACTION_ATTR = "__studybot_action__"


class Permission(Enum):
    """Who may run a command or subcommand; the dispatcher checks it on every invocation."""

    MEMBER = "member"
    ORGANIZER = "organizer"


class OptionKind(Enum):
    TEXT = "text"
    INTEGER = "integer"


@dataclass(frozen=True, kw_only=True)
class OptionSpec:
    name: str
    description: str
    kind: OptionKind = OptionKind.TEXT
    required: bool = False
    # Valid values, computed from the loaded content (topics, aspects, …) when needed.
    choices: ChoicesProvider | None = None
    # The last option may swallow the rest of the line (free text, quoted lists).
    rest: bool = False
    suggest: SuggestionProvider | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True, kw_only=True)
class SubcommandSpec:
    name: str
    handler: SubcommandHandler
    permission: Permission = Permission.MEMBER
    # What follows the subcommand's name (`<days> <HH:MM> [zone]`) and what it does: `/help`
    # and the README's command table are written from these.
    usage: str = ""
    summary: str = ""


@dataclass(frozen=True, kw_only=True)
class UsageForm:
    """One way to use a command, as `/help` and the README show it."""

    usage: str  # the whole line, e.g. `/pairs join`
    summary: str
    organizers_only: bool = False


@dataclass(frozen=True, kw_only=True)
class CommandSpec:
    name: str
    description: str
    # Exactly one of: a handler for the whole command, or subcommands chosen by its first
    # option (see `command_group`).
    handler: CommandHandler | None = None
    subcommands: tuple[SubcommandSpec, ...] = ()
    options: tuple[OptionSpec, ...] = ()
    organizer_only: bool = False
    # Longer explanation and examples for `/help <command>`.
    details: str = ""
    examples: tuple[str, ...] = ()
    # Members are named in its text: Slack should send mentions as ids (`<@U1|ada>`).
    takes_mentions: bool = False
    # For a command whose first word picks what it does without being a command group
    # (`/pairs join`, `/me zone …`): each way to use it. Others derive theirs.
    forms: tuple[UsageForm, ...] = ()

    def subcommand(self, name: str) -> SubcommandSpec | None:
        return next((sub for sub in self.subcommands if sub.name == name), None)

    @property
    def usage(self) -> str:
        """The short form for an overview: `/tip [topic]`, `/schedule add|list|…`."""
        if self.subcommands:
            return f"/{self.name} " + "|".join(sub.name for sub in self.subcommands)
        if self.forms:
            return self.forms[0].usage
        words = [f"/{self.name}"]
        for option in self.options:
            label = f"{option.name}…" if option.rest else option.name
            words.append(f"<{label}>" if option.required else f"[{label}]")
        return " ".join(words)

    @property
    def usage_forms(self) -> tuple[UsageForm, ...]:
        """Every way to use the command, each with what it does and who may."""
        if self.subcommands:
            return tuple(
                UsageForm(
                    usage=f"/{self.name} {sub.name} {sub.usage}".strip(),
                    summary=sub.summary or self.description,
                    organizers_only=self.organizer_only or sub.permission is Permission.ORGANIZER,
                )
                for sub in self.subcommands
            )
        if self.forms:
            return self.forms
        return (
            UsageForm(
                usage=self.usage, summary=self.description, organizers_only=self.organizer_only
            ),
        )


@dataclass(frozen=True, kw_only=True)
class ActionSpec:
    """A button handler. Buttons whose `action_id` equals `name` are routed here."""

    name: str
    handler: ActionHandler


def command(
    *,
    name: str,
    description: str,
    options: Iterable[OptionSpec] = (),
    organizer_only: bool = False,
    details: str = "",
    examples: Iterable[str] = (),
    takes_mentions: bool = False,
    forms: Iterable[UsageForm] = (),
) -> Callable[[CommandHandler], CommandHandler]:
    def attach(handler: CommandHandler) -> CommandHandler:
        spec = CommandSpec(
            name=name,
            description=description,
            handler=handler,
            options=tuple(options),
            organizer_only=organizer_only,
            details=details,
            examples=tuple(examples),
            takes_mentions=takes_mentions,
            forms=tuple(forms),
        )
        setattr(handler, _COMMAND_ATTR, spec)
        return handler

    return attach


def command_group(
    *,
    name: str,
    description: str,
    subcommands: Iterable[SubcommandSpec],
    details_option: OptionSpec,
    organizer_only: bool = False,
    details: str = "",
    examples: Iterable[str] = (),
) -> CommandSpec:
    """A command whose first word picks a subcommand (`/schedule add …`), each with its own
    permission. Assign the result to a module-level name: `Registry.collect` finds it there."""
    subs = tuple(subcommands)
    names = tuple(sub.name for sub in subs)
    return CommandSpec(
        name=name,
        description=description,
        subcommands=subs,
        options=(
            OptionSpec(
                name="action",
                description="what to do",
                required=True,
                choices=lambda _services: names,
            ),
            details_option,
        ),
        organizer_only=organizer_only,
        details=details,
        examples=tuple(examples),
    )


def action(name: str) -> Callable[[ActionHandler], ActionHandler]:
    def attach(handler: ActionHandler) -> ActionHandler:
        setattr(handler, _ACTION_ATTR, ActionSpec(name=name, handler=handler))
        return handler

    return attach


class RegistryError(Exception):
    """Two commands or actions share a name, or a spec is malformed: a programming error."""


class Registry:
    def __init__(self, commands: Iterable[CommandSpec], actions: Iterable[ActionSpec]) -> None:
        self._commands: dict[str, CommandSpec] = {}
        self._actions: dict[str, ActionSpec] = {}
        for spec in commands:
            _check_spec(spec)
            if spec.name in self._commands:
                raise RegistryError(f"command /{spec.name} is declared twice")
            self._commands[spec.name] = spec
        for action_spec in actions:
            if action_spec.name in self._actions:
                raise RegistryError(f"action {action_spec.name!r} is declared twice")
            self._actions[action_spec.name] = action_spec

    @classmethod
    def collect(cls, modules: Iterable[ModuleType]) -> Registry:
        commands: list[CommandSpec] = []
        actions: list[ActionSpec] = []
        for module in modules:
            for value in vars(module).values():
                spec: Any = value if isinstance(value, CommandSpec) else None
                spec = spec or getattr(value, _COMMAND_ATTR, None)
                if isinstance(spec, CommandSpec):
                    commands.append(spec)
                action_spec: Any = getattr(value, _ACTION_ATTR, None)
                if isinstance(action_spec, ActionSpec):
                    actions.append(action_spec)
        return cls(commands, actions)

    @property
    def commands(self) -> tuple[CommandSpec, ...]:
        return tuple(sorted(self._commands.values(), key=lambda spec: spec.name))

    @property
    def action_names(self) -> frozenset[str]:
        return frozenset(self._actions)

    def command(self, name: str) -> CommandSpec | None:
        return self._commands.get(name)

    def action(self, name: str) -> ActionSpec | None:
        return self._actions.get(name)


def _check_spec(spec: CommandSpec) -> None:
    if (spec.handler is None) == (not spec.subcommands):
        raise RegistryError(f"/{spec.name}: give a handler or subcommands, not both or neither")
    seen_optional = False
    for index, option in enumerate(spec.options):
        if option.rest and index != len(spec.options) - 1:
            raise RegistryError(f"/{spec.name}: only the last option may take the rest of the line")
        if option.required and seen_optional:
            raise RegistryError(f"/{spec.name}: required option {option.name!r} after an optional")
        seen_optional = seen_optional or not option.required
