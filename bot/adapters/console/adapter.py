"""The terminal adapter: one line in, one rendered reply out.

Interactive terminals get a prompt; piped input is read line by line and the process exits at
end of input, so scripts can drive every flow.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from platformdirs import user_data_dir
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console

from bot.adapters.console.lines import PipedLines, PromptLines
from bot.adapters.console.render import render
from bot.core.dispatcher import Dispatcher, parse_command_line
from bot.core.ids import local_part
from bot.core.model import (
    ActionPress,
    Button,
    Form,
    FormField,
    Member,
    Reply,
    Section,
    Visibility,
    error_reply,
)
from bot.core.ports import HistoryUnavailable, Pace
from bot.features.services import Services

PLATFORM = "console"
PROMPT = "studybot> "
CANCEL_HINT = "Answer each question; type /cancel to leave without saving."
CANCELLED = Reply(
    title="Form cancelled",
    parts=(Section(text="Nothing was saved."),),
    visibility=Visibility.PRIVATE,
)
DEFAULT_USER = "you"
WELCOME = "studybot in your terminal. Type /help to start, /quit or Ctrl-D to leave."


class ConsoleAdapter:
    """Also the console's Outbox: scheduled posts print between the replies."""

    platform = PLATFORM
    pace = Pace(concurrency=1)
    idempotent = False

    def __init__(
        self,
        dispatcher: Dispatcher[Services],
        *,
        user: str = DEFAULT_USER,
        group: str = "local",
        stdin: TextIO | None = None,
        console: Console | None = None,
        charts_dir: Path | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        # The person at the keyboard (no --user) owns the console group, so they organize it;
        # anyone named with --user is a plain member until added, so every role can be tried.
        self.member = Member(
            id=f"{PLATFORM}:{user}", name=user, manages_channel=user == DEFAULT_USER
        )
        self.group_id = f"{PLATFORM}:{group}"
        self.stdin = stdin or sys.stdin
        self.interactive = self.stdin.isatty()
        data_dir = Path(user_data_dir("studybot", appauthor=False))
        self.lines: PromptLines | PipedLines = (
            PromptLines(PROMPT, data_dir / "console-history")
            if self.interactive
            else PipedLines(self.stdin)
        )
        self.console = console or Console(highlight=False, soft_wrap=False)
        self._last_buttons: tuple[Button, ...] = ()
        self.charts_dir = charts_dir or Path(user_data_dir("studybot", appauthor=False)) / "charts"

    async def serve(self) -> None:
        if not self.interactive:
            await self._conversation()
            return
        self.console.print(WELCOME, style="dim")
        # Whatever is printed while the prompt waits (a scheduled post) goes above it, and the
        # prompt with what was typed so far is drawn again below.
        with patch_stdout(raw=True):
            await self._conversation()

    async def _conversation(self) -> None:
        while True:
            line = await self._read_line()
            if line is None:
                return
            if line.strip() in {"/quit", "/exit"}:
                return
            reply = await self.handle(line)
            while reply is not None:
                await self.show(reply)
                # A form is asked question by question; its answers come back as a press.
                reply = await self._fill_in(reply.form) if reply.form else None

    async def handle(self, line: str) -> Reply | None:
        parsed = parse_command_line(line)
        if parsed is not None and parsed.name == "press":
            return await self._press(parsed.text)
        return await self.dispatcher.handle_line(
            line, member=self.member, group_id=self.group_id, platform=PLATFORM
        )

    async def show(self, reply: Reply, *, unprompted: bool = False) -> None:
        # /press acts on the reply just shown, never on buttons of an older one. A message that
        # arrives on its own (a scheduled post, a private note) between a command and the next
        # line takes them over only if it has buttons itself: otherwise a note delivered by the
        # scheduler just then would leave `/press 1` after a poll with nothing to press.
        if not unprompted or reply.buttons:
            self._last_buttons = reply.buttons
        self.console.print(render(reply, await self._zone()))
        if reply.image is not None:
            # One folder per group: files of different groups never overwrite each other.
            path = self.charts_dir / self.group_id.replace(":", "-") / reply.image.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(reply.image.data)
            self.console.print(
                f"{reply.image.alt}: {path}", markup=False, highlight=False, soft_wrap=True
            )

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        label = "" if group_id == self.group_id else f" for {group_id}"
        self.console.print(f"[scheduled{label}]", style="magenta", markup=False)
        await self.show(reply, unprompted=True)
        return idempotency_key

    async def post_private(
        self, member_id: str, reply: Reply, *, idempotency_key: str
    ) -> str | None:
        self.console.print(
            f"(private message to {local_part(member_id)})", style="magenta", markup=False
        )
        await self.show(reply, unprompted=True)
        return idempotency_key

    async def find_posted_private(
        self, member_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        raise HistoryUnavailable("the terminal keeps no history")

    async def post_shared(
        self, group_id: str, member_ids: Sequence[str], reply: Reply, *, idempotency_key: str
    ) -> str | None:
        names = ", ".join(local_part(member) for member in member_ids)
        self.console.print(f"(private message to {names})", style="magenta", markup=False)
        await self.show(reply, unprompted=True)
        return idempotency_key

    async def find_posted_shared(
        self, group_id: str, member_ids: Sequence[str], idempotency_key: str, *, since: datetime
    ) -> str | None:
        raise HistoryUnavailable("the terminal keeps no history")

    async def _zone(self) -> ZoneInfo:
        """The group's zone, read each time: `/schedule zone` may have just changed it."""
        group = await self.dispatcher.services.store.get_group(self.group_id)
        return ZoneInfo(group.timezone if group else "UTC")

    async def find_posted(
        self, group_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        raise HistoryUnavailable("the terminal keeps no history")

    async def _fill_in(self, form: Form) -> Reply | None:
        """Ask each question in turn; a bad answer asks that question again, `/cancel` leaves
        the form and nothing is saved."""
        answers: list[tuple[str, str]] = []
        self.console.print(CANCEL_HINT, style="dim", markup=False)
        for field in form.fields:
            answer = await self._ask(field)
            if answer is None:
                return CANCELLED
            answers.append((field.id, answer))
        press = ActionPress(
            action_id=form.submit_action,
            value=form.submit_value,
            member=self.member,
            group_id=self.group_id,
            platform=PLATFORM,
            fields=tuple(answers),
        )
        return await self.dispatcher.press(press)

    async def _ask(self, field: FormField) -> str | None:
        hint = " (1-5, or blank)" if field.rating else ""
        while True:
            self.console.print(f"{field.label}{hint}", style="bold", markup=False)
            line = await self._read_line()
            if line is None or line.strip().lower() == "/cancel":
                return None
            answer = line.rstrip("\n").strip()
            problem = _problem_with(field, answer)
            if problem is None:
                return answer
            self.console.print(problem, style="yellow", markup=False)

    async def _press(self, text: str) -> Reply:
        if not self._last_buttons:
            return error_reply(
                "The last reply has no buttons to press.",
                hint="`/press <number>` presses a button of the reply just above.",
            )
        try:
            index = int(text.strip())
            if index < 1:
                raise IndexError(index)
            button = self._last_buttons[index - 1]
        except (ValueError, IndexError):
            count = len(self._last_buttons)
            return error_reply(f"Press a button by its number, 1 to {count}: `/press 1`.")
        press = ActionPress(
            action_id=button.action_id,
            value=button.value,
            member=self.member,
            group_id=self.group_id,
            platform=PLATFORM,
        )
        return await self.dispatcher.press(press)

    async def _read_line(self) -> str | None:
        """Read without blocking the event loop, so scheduled posts keep printing meanwhile."""
        return await self.lines.read()


def _problem_with(field: FormField, answer: str) -> str | None:
    if field.rating and answer and answer not in {"1", "2", "3", "4", "5"}:
        return "Please answer with a number from 1 to 5, or leave it blank."
    if field.required and not answer:
        return "This one needs an answer (or type /cancel to leave the form)."
    if len(answer) > field.max_length:
        return f"Please keep it under {field.max_length:,} characters."
    return None
