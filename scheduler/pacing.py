"""Pace posts so a burst of due schedules never exceeds what a platform allows."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.core.ports import Pace

# A post waiting for its turn looks at the rate again this often (it may have changed).
RECHECK_SECONDS = 0.25
# Pace a little under the limit: clocks and loop turns jitter, and a slot made up after a late
# one must not push a one-second window over.
HEADROOM = 0.98
# Slot times are sums of floats: a slot this close to now has come (without it, a wait of
# 1e-17 s could be lost to rounding and the keeper would spin).
TOLERANCE = 1e-6
# How far back missed slots are made up after the loop was busy.
CATCH_UP_SECONDS = 0.05
# How much of the rate may be on its way (marked attempted, waiting at the gate) at once: a
# quarter of a second's posts, and never fewer than the requests allowed in flight. Sized by
# `concurrency` alone, 64 places at 1,000/s left the gate without posts while a batch of
# attempted-marks was being committed.
PIPELINE_SECONDS = 0.25


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
        self._requests = asyncio.Semaphore(pace.concurrency)
        ahead = math.ceil(pace.per_second * PIPELINE_SECONDS) if pace.per_second else 0
        self._on_the_way = asyncio.Semaphore(max(pace.concurrency, ahead))
        self._last_in_scope: dict[str, float] = {}
        # When each of the last second's posts of a scope passed the gate.
        self._sent: dict[str, deque[float]] = {}
        self._next_in: dict[str, float] = {}
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._keepers: dict[str, asyncio.Task[None]] = {}
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
        """A post's turn in its conversation and a place among those on their way. Inside it:
        the attempted-mark, then `gate` (the overall spacing), then `request` around the send."""
        wait = self._conversation_wait(conversation)
        if wait > 0:
            await self._sleep(wait)
        async with self._on_the_way:
            yield

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        """One of the `concurrency` requests allowed in flight to the platform."""
        async with self._requests:
            yield

    async def gate(self, conversation: str) -> None:
        """Wait for this post's slot in its scope, right before the request. Slots are spaced
        by the rate as it is when they come (nothing is booked ahead, so a share changed by
        another process's arrival or departure applies to posts already waiting), and work
        done between the turn and the request (the attempted-marks' group commit releases fifty
        posts together) cannot bunch the requests."""
        if not self.pace.per_second:
            return
        scope = self._scope(conversation)
        waiting = self._waiting.setdefault(scope, deque())
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting.append(slot)
        keeper = self._keepers.get(scope)
        if keeper is None or keeper.done():
            self._keepers[scope] = asyncio.ensure_future(self._keep(scope))
        await slot

    async def _keep(self, scope: str) -> None:
        """One task per scope hands out the slots: at each wake-up, every post whose slot has
        come goes, so a busy loop turn (an inline SQLite claim or commit) is made up in the
        next instead of capping the rate at one post per turn (which held 1,000/s to about
        700/s in benchmarks/fanout.py part b). Slots missed within CATCH_UP_SECONDS are made up;
        the count of the last second's posts caps it all, so no one-second window goes over."""
        waiting = self._waiting[scope]
        try:
            await self._hand_out(scope, waiting)
        except BaseException as error:  # never leave posts waiting for a keeper that is gone
            while waiting:
                slot = waiting.popleft()
                if not slot.done():
                    slot.set_exception(
                        error if isinstance(error, Exception) else asyncio.CancelledError()
                    )
            raise

    async def _hand_out(self, scope: str, waiting: deque[asyncio.Future[None]]) -> None:
        sent = self._sent.setdefault(scope, deque())
        while waiting:
            rate = (self.pace.per_second or 0.0) * self.share * HEADROOM
            spacing = 1 / rate
            now = self._monotonic()
            while sent and sent[0] <= now - 1.0 + TOLERANCE:
                sent.popleft()
            last = self._last_in_scope.get(scope, now - spacing)
            # Slots keep their own times, not the moment the keeper woke: time spent elsewhere
            # must not add up into a slower rate. At least one slot left unused is made up (a
            # post arriving late takes it), more at high rates.
            made_up = max(1, int(rate * CATCH_UP_SECONDS))
            last = max(last, now - (made_up + 1) * spacing)
            cap = max(1, math.floor(rate + 0.5))  # 24.5 → 25 (round() would give 24)
            while waiting and last + spacing <= now + TOLERANCE and len(sent) < cap:
                slot = waiting.popleft()
                if slot.done():  # its post was cancelled while waiting: the slot stays free
                    continue
                last += spacing
                sent.append(now)
                slot.set_result(None)
            self._last_in_scope[scope] = last
            while waiting and waiting[0].done():
                waiting.popleft()
            if not waiting:
                return
            wait = last + spacing - now
            if len(sent) >= cap:
                wait = max(wait, sent[0] + 1.0 - now)
            await self._sleep(min(max(wait, 0.0), RECHECK_SECONDS))
