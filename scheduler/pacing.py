"""Pace posts so a burst of due schedules never exceeds what a platform allows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.core.ports import Pace

# A post waiting for its turn looks at the rate again this often (it may have changed).
RECHECK_SECONDS = 0.25
# Pace a little under the limit: clocks and loop turns jitter, and a slot made up after a late
# one must not push a one-second window over.
HEADROOM = 0.98


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
        self._last_in_scope: dict[str, float] = {}
        self._next_in: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        # This process's part of `per_second` when several processes post to the platform
        # (1 / their number; see bot/store/capacity.py).
        self.share = 1.0

    def _scope(self, conversation: str) -> str:
        if self.pace.limit_scope == "workspace":
            return conversation.rsplit(":", 1)[0]  # slack:T1:C2 → slack:T1
        return ""

    def _conversation_wait(self, conversation: str) -> float:
        """Book the conversation's next slot (its own limit is not shared between processes)."""
        if not self.pace.per_conversation_per_second:
            return 0.0
        now = self._monotonic()
        start = max(now, self._next_in.get(conversation, 0.0))
        self._next_in[conversation] = start + 1 / self.pace.per_conversation_per_second
        return start - now

    @asynccontextmanager
    async def turn(self, conversation: str) -> AsyncIterator[None]:
        """A post's turn in its conversation and a place among those in flight. Call `gate`
        inside it, right before the request: the overall spacing is kept there."""
        wait = self._conversation_wait(conversation)
        if wait > 0:
            await self._sleep(wait)
        async with self._in_flight:
            yield

    async def gate(self, conversation: str) -> None:
        """Posts of a scope pass one at a time, each a spacing after the last, the spacing taken
        from the rate as it is now: nothing is booked ahead, so a share changed by another
        process's arrival or departure applies even to the post already waiting, and work done
        between the turn and the request (the attempted-mark's group commit, which releases
        fifty posts together) cannot bunch the requests."""
        if not self.pace.per_second:
            return
        scope = self._scope(conversation)
        lock = self._locks.setdefault(scope, asyncio.Lock())
        async with lock:
            while True:
                spacing = 1 / (self.pace.per_second * self.share * HEADROOM)
                due = self._last_in_scope.get(scope, -spacing) + spacing
                now = self._monotonic()
                if due <= now:
                    break
                await self._sleep(min(due - now, RECHECK_SECONDS))
            # The slot's own time, not the moment we got here: the time spent getting here
            # (a loop turn, a commit) must not add up into a slower rate. At most one slot is
            # made up this way, never a burst.
            self._last_in_scope[scope] = max(due, now - spacing)
