"""Route an invocation or a button press to its handler and turn failures into friendly replies."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, Protocol

from bot.core.arguments import parse_arguments, split_words
from bot.core.context import ActionContext, CommandContext, ServicesT
from bot.core.errors import PermissionDenied, UserError
from bot.core.model import ActionPress, Context, Invocation, Member, Reply, error_reply
from bot.core.registry import ActionHandler, CommandSpec, Permission, Registry
from bot.core.text import COMMAND_CUTOFF, MAX_INPUT_CHARS, closest

log = logging.getLogger(__name__)

ASK_AN_ORGANIZER = "Ask one of the group's organizers (`/organizers` lists them)."
GENERIC_FAILURE = "Something went wrong on my side. Nothing was changed; please try again."


@dataclass(frozen=True, kw_only=True)
class CommandLine:
    name: str
    text: str


def parse_command_line(line: str) -> CommandLine | None:
    """`/tip  math` → CommandLine("tip", "math"). Returns None for text that is not a command."""
    stripped = line.strip()
    if not stripped.startswith("/") or len(stripped) == 1:
        return None
    name, _, rest = stripped[1:].partition(" ")
    return CommandLine(name=name.lower(), text=rest.strip())


def unknown_command_reply(name: str, registry: Registry) -> Reply:
    names = [spec.name for spec in registry.commands]
    suggestion = closest(name, names, cutoff=COMMAND_CUTOFF)
    guess = f" Did you mean `/{suggestion[0]}`?" if suggestion else ""
    return error_reply(
        f"I don't know the command `/{name}`.{guess}",
        hint="Type `/help` to see everything I can do.",
    )


class RoleBook(Protocol):
    async def standing(self, group_id: str, member_id: str) -> tuple[bool, bool]:
        """(made an organizer with `/organizers add`, should hear that their DMs are closed)."""
        ...

    async def take_closed_dm_notice(self, member_id: str, *, now: datetime) -> bool:
        """True once per closing: this member is told now."""
        ...


CLOSED_DMS_NOTICE = (
    "I couldn't reach you by private message, so your reminders are posted in the channel "
    "(your name, no ping). To get them privately again, allow direct messages from this app "
    "(Slack: its Messages tab; Discord: Privacy Settings → Direct Messages for this server), "
    "then `/me dm on`."
)


class NoticeBox(Protocol):
    async def take_notices(self, group_id: str) -> list[str]:
        """Failure notices kept for the group's organizers, removed as they are read."""
        ...


# Told about every command and press once it is done: (kind, name, outcome, seconds). Names are
# registered ones only ("unknown" otherwise), so what members type never becomes a label.
HandledObserver = Callable[[str, str, str, float], None]


def _ignore(kind: str, name: str, outcome: str, seconds: float) -> None:
    return None


class Dispatcher(Generic[ServicesT]):
    def __init__(
        self,
        *,
        services: ServicesT,
        registry: Registry,
        notices: NoticeBox,
        roles: RoleBook,
        now: Callable[[], datetime],
        observe: HandledObserver = _ignore,
    ) -> None:
        self.now = now
        self.services = services
        self.registry = registry
        self.notices = notices
        self.roles = roles
        self.observe = observe

    async def _with_role(self, member: Member, group_id: str) -> tuple[Member, bool]:
        """The member as an organizer or not, decided here on every command and press (what an
        adapter said about `is_organizer` is never trusted), and whether to tell them their DMs
        are closed."""
        added, dms_closed = await self.roles.standing(group_id, member.id)
        organizer = member.is_admin or member.manages_channel or added
        return replace(member, is_organizer=organizer), dms_closed

    async def handle_line(
        self, line: str, *, member: Member, group_id: str, platform: str
    ) -> Reply | None:
        """Console-style entry point: a whole typed line. Returns None for blank input."""
        if not line.strip():
            return None
        if len(line) > MAX_INPUT_CHARS:
            return _too_long_reply()
        parsed = parse_command_line(line)
        if parsed is None:
            return error_reply(
                "Commands start with `/`.", hint="Type `/help` to see everything I can do."
            )
        invocation = Invocation(
            command=parsed.name,
            text=parsed.text,
            member=member,
            group_id=group_id,
            platform=platform,
        )
        return await self.invoke(invocation)

    async def invoke(self, invocation: Invocation) -> Reply:
        started = time.perf_counter()
        spec = self.registry.command(invocation.command)
        if len(invocation.text) > MAX_INPUT_CHARS:
            reply, outcome = _too_long_reply(), "user_error"
        elif spec is None:
            reply, outcome = unknown_command_reply(invocation.command, self.registry), "unknown"
        else:
            reply, outcome = await self._invoke(spec, invocation)
        name = spec.name if spec else "unknown"
        self.observe("command", name, outcome, time.perf_counter() - started)
        return reply

    async def _invoke(self, spec: CommandSpec, invocation: Invocation) -> tuple[Reply, str]:
        outcome, dms_closed = "ok", False
        try:
            member, dms_closed = await self._with_role(invocation.member, invocation.group_id)
            invocation = replace(invocation, member=member)
            if spec.organizer_only and not member.is_organizer:
                raise PermissionDenied(
                    f"Only organizers can use /{spec.name}.", hint=ASK_AN_ORGANIZER
                )
            choices = {
                option.name: option.choices(self.services)
                for option in spec.options
                if option.choices is not None
            }
            args = parse_arguments(spec, invocation.text, choices)
            context = CommandContext(invocation=invocation, args=args, services=self.services)
            reply = await self._run(spec, context)
        except UserError as error:
            reply = error_reply(error.message, hint=error.hint)
            outcome = "refused" if isinstance(error, PermissionDenied) else "user_error"
        except Exception:
            log.exception("command /%s failed", spec.name)
            return error_reply(GENERIC_FAILURE), "failed"
        if invocation.member.is_organizer:
            reply = await self._with_pending_notices(reply, invocation.group_id)
        if dms_closed:
            reply = await self._with_closed_dm_notice(reply, invocation.member.id)
        return reply, outcome

    async def _with_closed_dm_notice(self, reply: Reply, member_id: str) -> Reply:
        try:
            told = await self.roles.take_closed_dm_notice(member_id, now=self.now())
        except Exception:
            log.exception("noting the closed-DM notice for %s failed", member_id)
            return reply
        if not told:
            return reply
        return replace(reply, parts=(*reply.parts, Context(text=f"✉ {CLOSED_DMS_NOTICE}")))

    async def _run(self, spec: CommandSpec, context: CommandContext[ServicesT]) -> Reply:
        if spec.handler is not None:
            return await spec.handler(context)
        # A command group: its first option names the subcommand (validated against the names).
        name = str(context.args.get("action") or "")
        sub = spec.subcommand(name)
        if sub is None:
            raise UserError(f"`/{spec.name}` has no `{name}`.", hint=f"Try `/help {spec.name}`.")
        if sub.permission is Permission.ORGANIZER and not context.invocation.member.is_organizer:
            raise PermissionDenied(
                f"Only organizers can use /{spec.name} {sub.name}.", hint=ASK_AN_ORGANIZER
            )
        return await sub.handler(context, split_words(context.text_arg("details") or ""))

    async def _with_pending_notices(self, reply: Reply, group_id: str) -> Reply:
        """Organizers hear about failed scheduled posts on their next command, whatever it is."""
        try:
            notices = await self.notices.take_notices(group_id)
        except Exception:
            log.exception("reading notices for %s failed", group_id)
            return reply
        if not notices:
            return reply
        extra = tuple(Context(text=f"⚠ {notice}") for notice in notices)
        return replace(reply, parts=reply.parts + extra)

    async def press(self, press: ActionPress) -> Reply:
        started = time.perf_counter()
        spec = self.registry.action(press.action_id)
        if spec is None:
            log.warning("button with unknown action %r pressed", press.action_id)
            reply, outcome = (
                error_reply("That button no longer does anything. Try `/help`."),
                "unknown",
            )
        else:
            reply, outcome = await self._press(spec.handler, press)
        name = spec.name if spec else "unknown"
        self.observe("action", name, outcome, time.perf_counter() - started)
        return reply

    async def _press(self, handler: ActionHandler, press: ActionPress) -> tuple[Reply, str]:
        try:
            member, _ = await self._with_role(press.member, press.group_id)
            press = replace(press, member=member)
            return await handler(ActionContext(press=press, services=self.services)), "ok"
        except UserError as error:
            outcome = "refused" if isinstance(error, PermissionDenied) else "user_error"
            return error_reply(error.message, hint=error.hint), outcome
        except Exception:
            log.exception("action %s failed", press.action_id)
            return error_reply(GENERIC_FAILURE), "failed"


def _too_long_reply() -> Reply:
    return error_reply(
        f"That message is longer than {MAX_INPUT_CHARS:,} characters, so I left it alone.",
        hint="Shorten it and try again.",
    )
