"""Marking posts as attempted just before they are sent, many at a time.

Every scheduled post writes its `attempted_at` mark before the platform request, so a crash
leaves a clear record: no mark, never sent. Posts going out together share one transaction
(a group commit): a fan-out of thousands costs a few commits, not one per post.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from bot.store.deliveries import DeliveryLedger

# A batch's posts all wake up in one turn of the event loop when its commit lands, so the batch
# size bounds that turn: 250 woke 250 posts at once and held the loop for 125 ms (measured in
# benchmarks/fanout.py); 50 keeps it near 25 ms and a fan-out still commits 50 marks at a time.
MAX_BATCH = 50


class AttemptMarks:
    def __init__(self, ledger: DeliveryLedger, *, clock: Callable[[], datetime]) -> None:
        self._ledger = ledger
        self._clock = clock
        self._waiting: dict[int, asyncio.Future[bool]] = {}
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, delivery_id: int) -> bool:
        """True once the mark is committed; False if this process no longer owns the claim
        (another process took it over after a stall), in which case it must not be sent."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[delivery_id] = future
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write())
        return await future

    async def _write(self) -> None:
        while self._waiting:
            ids = list(self._waiting)[:MAX_BATCH]
            batch = {delivery_id: self._waiting.pop(delivery_id) for delivery_id in ids}
            try:
                marked = await self._ledger.mark_attempting(list(batch), now=self._clock())
            except Exception as error:
                for future in batch.values():
                    if not future.done():
                        future.set_exception(error)
                continue
            for delivery_id, future in batch.items():
                if not future.done():
                    future.set_result(delivery_id in marked)
