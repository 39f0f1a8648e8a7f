"""Pace posts so a burst of due schedules never exceeds what a platform allows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.core.ports import Pace


class Pacer:
    """Spaces posts evenly: at most `per_second` overall and per conversation, and at most
    `concurrency` in flight. Spacing (rather than a bursty token bucket) keeps a platform's
    sliding-window limiter from ever seeing a spike."""

    def __init__(
        self,
        pace: Pace,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.pace = pace
        self._monotonic = monotonic
        self._sleep = sleep
        self._in_flight = asyncio.Semaphore(pace.concurrency)
        self._next_any = 0.0
        self._next_in: dict[str, float] = {}

    def _reserve(self, conversation: str) -> float:
        """Book the earliest start time allowed for a post into `conversation`."""
        now = self._monotonic()
        start = now
        if self.pace.per_second:
            start = max(start, self._next_any)
        if self.pace.per_conversation_per_second:
            start = max(start, self._next_in.get(conversation, 0.0))
            self._next_in[conversation] = start + 1 / self.pace.per_conversation_per_second
        if self.pace.per_second:
            self._next_any = start + 1 / self.pace.per_second
        return start - now

    @asynccontextmanager
    async def turn(self, conversation: str) -> AsyncIterator[None]:
        wait = self._reserve(conversation)
        if wait > 0:
            await self._sleep(wait)
        async with self._in_flight:
            yield
