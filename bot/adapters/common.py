"""What every chat adapter needs alike: coalesced message edits and transport-error mapping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterator
from typing import Generic, TypeVar

import aiohttp

from bot.core.ports import PostFailed, PostOutcomeUnknown

log = logging.getLogger(__name__)

# Long enough to fold a burst of votes into one edit, short enough to feel live.
EDIT_COALESCE_SECONDS = 0.5

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class EditCoalescer(Generic[K, V]):
    """A burst of clicks on one message (votes) becomes one edit carrying the latest state.

    The first `submit` for a key starts a timer; later ones within `wait` only replace the value;
    when the timer fires, `apply` runs once with the newest value. Platforms rate-limit edits per
    message, so this keeps a 60-click burst to a handful of requests.
    """

    def __init__(
        self, apply: Callable[[V], Awaitable[None]], *, wait: float = EDIT_COALESCE_SECONDS
    ) -> None:
        self._apply = apply
        self._wait = wait
        self._latest: dict[K, V] = {}
        self._timers: dict[K, asyncio.Task[None]] = {}

    def submit(self, key: K, value: V) -> None:
        self._latest[key] = value
        if key not in self._timers:
            self._timers[key] = asyncio.ensure_future(self._flush(key))

    async def _flush(self, key: K) -> None:
        await asyncio.sleep(self._wait)
        self._timers.pop(key, None)
        value = self._latest.pop(key)
        try:
            await self._apply(value)
        except Exception:  # one failed edit must not take the others with it
            log.exception("a coalesced edit failed")

    async def drain(self) -> None:
        """Apply every pending edit now-ish (at its timer) before shutting down."""
        while self._timers:
            for pending in list(self._timers.values()):
                with contextlib.suppress(Exception):
                    await pending


@contextlib.contextmanager
def transport_errors(platform: str) -> Iterator[None]:
    """Map network failures while posting to what the scheduler can act on: a connection that
    never opened reached nobody (safe to retry); a timeout or a broken exchange may have posted."""
    try:
        yield
    except aiohttp.ClientConnectorError as error:
        raise PostFailed(f"cannot reach {platform}: {error.os_error}") from None
    except (TimeoutError, aiohttp.ClientError) as error:
        raise PostOutcomeUnknown(f"no answer from {platform} ({type(error).__name__})") from None
