"""Waiting for what a fake platform should see, without sleeping on the wall clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(predicate: Callable[[], object], *, within: float, what: str) -> None:
    """Poll `predicate` every 10 ms; fail the test after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not see what the test waited for")
        await asyncio.sleep(0.01)
