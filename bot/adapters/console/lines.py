"""Where the console's lines come from: a prompt with editing and history in a terminal, or the
piped input line by line. Both leave at once on Ctrl-C (no thread left waiting on input)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory


class PromptLines:
    """prompt_toolkit: arrow keys edit and recall history (kept in the user's data directory)
    instead of printing escape codes, and output printed while waiting (a scheduled post)
    appears above the prompt, which is then drawn again (see ConsoleAdapter.serve)."""

    def __init__(self, prompt: str, history_file: Path) -> None:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        self._session: PromptSession[str] = PromptSession(history=FileHistory(str(history_file)))
        self._prompt = prompt

    async def read(self) -> str | None:
        """The next line; None at Ctrl-D. Ctrl-C raises KeyboardInterrupt: the user is leaving."""
        try:
            return await self._session.prompt_async(self._prompt)
        except EOFError:
            return None


class PipedLines:
    """Lines from a pipe or file, read on a daemon thread so Ctrl-C never waits for input."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str | None] | None = None

    def _start(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def pump() -> None:
            for line in iter(self._stream.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
            loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=pump, name="console-input", daemon=True).start()
        return queue

    async def read(self) -> str | None:
        if self._queue is None:
            self._queue = self._start()
        line = await self._queue.get()
        if line is None:
            self._queue.put_nowait(None)  # every later read sees the end too
        return line
