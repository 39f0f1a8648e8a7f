"""/help: every command with its usage, or one command in detail."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.model import Context, Reply, Section, Visibility
from bot.core.registry import CommandSpec, OptionSpec, Registry, command
from bot.core.text import COMMAND_CUTOFF, closest
from bot.features.services import CommandContext

INTRO = (
    "I help study groups of software engineers move into machine-learning engineering: "
    "compare the roles, get tips, follow the roadmap."
)


@command(
    name="help",
    description="Every command, or one command in detail.",
    options=[OptionSpec(name="command", description="a command to explain")],
    examples=("/help", "/help tip"),
)
async def help(ctx: CommandContext) -> Reply:  # noqa: A001 - the command is called help
    registry = ctx.services.registry
    name = ctx.text_arg("command")
    console = ctx.invocation.platform == "console"
    if name is None:
        return overview(registry, console=console)
    spec = registry.command(name.removeprefix("/").lower())
    if spec is None:
        names = [spec.name for spec in registry.commands]
        suggestion = closest(name.removeprefix("/"), names, cutoff=COMMAND_CUTOFF)
        guess = f" Did you mean `/{suggestion[0]}`?" if suggestion else ""
        raise UserError(
            f"There is no command `/{name.removeprefix('/')}`.{guess}",
            hint="`/help` lists every command.",
        )
    return detail(spec, ctx)


CONSOLE_KEYS = (
    "In this terminal: `/press <n>` presses button n of the last reply, `/cancel` leaves a form "
    "without saving, `/quit` or Ctrl-D leaves."
)


def overview(registry: Registry, *, console: bool = False) -> Reply:
    lines = []
    for spec in registry.commands:
        role = " (organizers)" if spec.organizer_only else ""
        lines.append(f"`{spec.usage}` — {spec.description}{role}")
    parts: list[Section | Context] = [Section(text=INTRO), Section(text="\n".join(lines))]
    parts.append(Context(text="`/help <command>` shows every way to use one command."))
    if console:
        parts.append(Context(text=CONSOLE_KEYS))
    return Reply(
        title="studybot commands",
        parts=tuple(parts),
        visibility=Visibility.PRIVATE,
        summary="studybot commands",
    )


def usage_lines(spec: CommandSpec) -> list[str]:
    """`usage` — what it does (organizers): the same lines /help and the README show."""
    return [
        f"`{form.usage}` — {form.summary}" + (" (organizers)" if form.organizers_only else "")
        for form in spec.usage_forms
    ]


def detail(spec: CommandSpec, ctx: CommandContext) -> Reply:
    parts: list[Section | Context] = [
        Section(heading="Usage", text="\n".join(usage_lines(spec))),
        Section(text=spec.details or spec.description),
    ]
    choices = [
        f"• {option.name}: " + ", ".join(option.choices(ctx.services))
        for option in spec.options
        if option.choices is not None and not spec.subcommands and not spec.forms
    ]
    if choices:
        parts.append(Section(heading="Choices", text="\n".join(choices)))
    if spec.examples:
        parts.append(Section(heading="Examples", text="\n".join(f"`{e}`" for e in spec.examples)))
    return Reply(
        title=f"/{spec.name}: {spec.description}",
        parts=tuple(parts),
        visibility=Visibility.PRIVATE,
        summary=f"/{spec.name}",
    )
