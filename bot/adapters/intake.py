"""Acknowledge, then work: stored before the platform hears "received", done by a fixed pool.

An adapter hands each interaction to `Intake.receive` before it acknowledges it; the interaction
is then in the durable inbox (bot/store/inbox.py) and queued for one of a few workers. Workers
give acknowledgements priority: a feature's work takes its turn (`AckGate.turn`) only when no
acknowledgement is in flight or has just finished, and waits for nothing else. At a steady
stream of requests the gaps between them are long (an ack takes well under a millisecond), so
replies follow at once; only a saturating burst, where acks are the deadline that matters (Slack
retries after 3 s), holds replies back until it passes.

A background upkeep renews this process's leases, takes over work a stopped process left behind
(and, at start, work this process's previous life left), and forgets old finished rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta

from bot.store.inbox import MAX_ATTEMPTS, Carried, Inbox, InboxItem

log = logging.getLogger(__name__)

WORKERS = 4
STOP_GRACE_SECONDS = 10.0
# A feature's own work (deciding, reading and writing the store) and sending its reply hold the
# loop for about 1.4 ms per interaction (a /tip, measured); the work starts once the
# acknowledgements have been quiet for 2 ms. At any steady rate the server keeps up with, that
# is at once (at 150 commands/s acks are 6.7 ms apart); only a saturating burst, where every ack
# is followed by another within microseconds, defers the work until the burst has passed. The
# wait never grows beyond those 2 ms after the last ack. Measured: 1 ms let a dozen replies into
# a 4,000-request burst (ack p99 1.4-1.7x bare bolt's), 3 ms held replies at 150 commands/s to a
# p99 of 14x bare bolt's; 2 ms met both goals (benchmarks/slack_ack.py, slack_replies.py).
ACK_SETTLE_SECONDS = 0.002
# Finished rows are kept this long, so a platform's late retry of a request is still recognised.
KEEP_FINISHED = timedelta(days=1)
PURGE_EVERY = 360  # upkeep rounds (every third of a lease): about every two hours by default

Handler = Callable[[InboxItem, Carried], Awaitable[None]]


class AckGate:
    """Counts acknowledgements in flight; reply work waits until there are none."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._turn = asyncio.Lock()
        self._last_done = 0.0

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._last_done = time.monotonic()
                self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def settled(self) -> None:
        """Wait until no acknowledgement is in flight and none finished within
        ACK_SETTLE_SECONDS: before any stretch of reply work on the loop."""
        while True:
            await self._idle.wait()
            settling = self._last_done + ACK_SETTLE_SECONDS - time.monotonic()
            if settling <= 0 and self._in_flight == 0:
                return
            await asyncio.sleep(max(settling, 0))

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """The feature's own work, one interaction at a time, each started once the acks have
        settled.

        On one event loop that work runs one piece at a time anyway; several workers let in by
        the same quiet moment would run theirs back to back and hold up every acknowledgement
        arriving meanwhile (measured: four at once cost a burst of acks a fifth or more of its
        throughput). Waiting on the platform (the reply's round trip, asking who is an admin)
        stays concurrent, outside the turn; sending the reply waits for `settled` again.
        """
        async with self._turn:
            await self.settled()
            yield


class Intake:
    def __init__(self, inbox: Inbox, handle: Handler, *, workers: int = WORKERS) -> None:
        self.inbox = inbox
        self.handle = handle
        self.gate = AckGate()
        self.worker_count = workers
        self._queue: asyncio.Queue[InboxItem] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def receive(self, *, platform: str, request_id: str, payload: str) -> bool:
        """Store and queue one interaction; False when this request was received before."""
        item = await self.inbox.accept(platform=platform, request_id=request_id, payload=payload)
        if item is None:
            return False
        self._queue.put_nowait(item)
        return True

    async def start(self) -> None:
        await self.inbox.renew()
        for item in await self.inbox.take_abandoned():
            self._queue.put_nowait(item)
        self._tasks = [asyncio.ensure_future(self._work()) for _ in range(self.worker_count)]
        self._tasks.append(asyncio.ensure_future(self._upkeep()))

    async def stop(self) -> None:
        # Let acknowledged work finish, within reason; what does not is resumed from the inbox
        # by the next process once this one's lease runs out.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), STOP_GRACE_SECONDS)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def drain(self) -> None:
        """Wait until every queued interaction is worked off."""
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self.gate.wait_idle()
                await self._do(item)
            except Exception:
                log.exception("an acknowledged %s interaction failed", item.platform)
            finally:
                self._queue.task_done()

    async def _do(self, item: InboxItem) -> None:
        if item.attempts >= MAX_ATTEMPTS:
            log.error(
                "gave up on %s interaction %s after %d attempts",
                item.platform,
                item.request_id,
                item.attempts,
            )
            await self.inbox.give_up(item)
            return
        with self.inbox.carrying(item) as carried:
            try:
                await self.handle(item, carried)
            finally:
                # A failure is not retried by this process (the member already got an error or
                # nothing); only work cut short by a stopped process is resumed.
                if not await self.inbox.finish(carried):
                    log.info("interaction %s was finished by another process", item.request_id)

    async def _upkeep(self) -> None:
        rounds = 0
        while True:
            await asyncio.sleep(self.inbox.lease.total_seconds() / 3)
            rounds += 1
            try:
                await self.inbox.renew()
                for item in await self.inbox.take_abandoned():
                    self._queue.put_nowait(item)
                if rounds % PURGE_EVERY == 0:
                    await self.inbox.purge(older_than=KEEP_FINISHED)
            except Exception:
                log.exception("inbox upkeep failed; trying again in a moment")
