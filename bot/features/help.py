"""/help: every command with its usage, or one command in detail."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.model import Context, Reply, Section, Visibility
from bot.core.registry import CommandSpec, OptionSpec, Permission, Registry, command
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
    if name is None:
        return overview(registry)
    spec = registry.command(name.removeprefix("/").lower())
    if spec is None:
        names = [spec.name for spec in registry.commands]
        suggestion = closest(name.removeprefix("/"), names, cutoff=COMMAND_CUTOFF)
        guess = f" Did you mean `/{suggestion[0]}`?" if suggestion else ""
        raise UserError(
            f"There is no command `/{name.removeprefix('/')}`.{guess}",
            hint="`/help` lists every command.",
        )
    return detail(ctx, spec)


def overview(registry: Registry) -> Reply:
    lines = []
    for spec in registry.commands:
        role = " (organizers)" if spec.organizer_only else ""
        lines.append(f"`{spec.usage}`{role} — {spec.description}")
    return Reply(
        title="studybot commands",
        parts=(
            Section(text=INTRO),
            Section(text="\n".join(lines)),
            Context(text="`/help <command>` explains one command in detail."),
        ),
        visibility=Visibility.PRIVATE,
        summary="studybot commands",
    )


def detail(ctx: CommandContext, spec: CommandSpec) -> Reply:
    parts: list[Section | Context] = [Section(heading="Usage", text=f"`{spec.usage}`")]
    parts.append(Section(text=spec.details or spec.description))
    option_lines = [_describe_option(ctx, option) for option in spec.options]
    if option_lines:
        parts.append(Section(heading="Options", text="\n".join(option_lines)))
    if spec.subcommands and not spec.organizer_only:
        only = [sub.name for sub in spec.subcommands if sub.permission is Permission.ORGANIZER]
        if only:
            parts.append(Context(text="Organizers only: " + ", ".join(f"`{n}`" for n in only)))
    if spec.examples:
        parts.append(Section(heading="Examples", text="\n".join(f"`{e}`" for e in spec.examples)))
    if spec.organizer_only:
        parts.append(Context(text="Only the group's organizers can use this command."))
    return Reply(
        title=f"/{spec.name}: {spec.description}",
        parts=tuple(parts),
        visibility=Visibility.PRIVATE,
        summary=f"/{spec.name}",
    )


def _describe_option(ctx: CommandContext, option: OptionSpec) -> str:
    needed = "required" if option.required else "optional"
    line = f"• {option.name} ({needed}): {option.description}"
    if option.choices is not None:
        line += " — one of: " + ", ".join(option.choices(ctx.services))
    return line
