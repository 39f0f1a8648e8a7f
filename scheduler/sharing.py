"""Sharing each platform's rate limit among the processes posting to it.

Each beat (every few seconds) a process records its heartbeat and how many posts it has
waiting per platform, and paces at its part of all the posts waiting (bot/store/capacity.py):
the process with the work gets the rate, an idle one holds none back. The shares in use never
add up to more than the limit: a newcomer waits a beat and a half before its first post (the
others lower theirs by then), a process counts a rise in its own demand only a beat after
reporting it, and a fall at once. A process that stops is no longer counted after a few missed
beats (the others only under-use the limit meanwhile). See docs/deployment.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.store.capacity import CapacityStore
from scheduler.pacing import Pacer

log = logging.getLogger(__name__)

BEAT = timedelta(seconds=1)
MISSED_BEATS = 3
# A newcomer waits this many beats: everyone else beats at least once meanwhile.
WARM_UP_BEATS = 1.5


class LimitSharing:
    def __init__(
        self,
        store: CapacityStore,
        *,
        process: str,
        pacers: Mapping[str, Pacer],
        clock: Callable[[], datetime],
        beat: timedelta = BEAT,
    ) -> None:
        self.store = store
        self.process = process
        self.pacers = pacers
        self.clock = clock
        self.beat_every = beat
        # A beat runs from the timer; leaving waits for one in progress, and none runs after.
        self._lock = asyncio.Lock()
        self._left = False
        # What we told the others at our last beat, per platform.
        self._reported: dict[str, int] = {}

    async def beat(self, waiting: Mapping[str, int]) -> bool:
        """Heartbeat and re-share; True when other processes post to one of the platforms."""
        async with self._lock:
            if self._left:
                return False
            return await self._beat(waiting)

    async def _beat(self, waiting: Mapping[str, int]) -> bool:
        try:
            others = await self.store.beat(
                self.process, waiting, now=self.clock(), expiry=self.beat_every * MISSED_BEATS
            )
        except Exception:  # keep the last shares; the next beat tries again
            log.exception("sharing the platforms' rate limits failed")
            return False
        for platform, (theirs, _) in others.items():
            now_waiting = max(1, waiting[platform])
            # A rise in our demand counts only once the others have seen it (a beat later):
            # until then they still pace as if we had the old one, and the sum must stay <= 1.
            mine = min(now_waiting, self._reported.get(platform, now_waiting))
            self._reported[platform] = now_waiting
            self.pacers[platform].share = mine / (mine + theirs)
        # Any other live process, busy or idle: an idle one may have worked out its share
        # before we existed and start posting at it any moment.
        return any(theirs > 0 for theirs, _ in others.values())

    async def leave(self) -> None:
        async with self._lock:
            self._left = True
            with contextlib.suppress(Exception):  # the heartbeat expires on its own anyway
                await self.store.leave(self.process)
