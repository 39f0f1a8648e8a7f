"""One odd gateway event must not silence the bot.

discord.py lets an exception from parsing a gateway event escape `Client.connect`, which ends the
connection for good while the process stays alive and deaf (a KeyError from an INTERACTION_CREATE
without `id` is enough). Two guards drop such input with one warning line, never the payload
(it may hold member text): one around each event parser (names the event), one around the frame
handling that comes before the parsers (a frame that is not a JSON object). Flow-control
exceptions (reconnect, closed connection, network errors) pass through untouched, so discord.py
still reconnects as it should.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, MutableMapping
from typing import Any

import aiohttp
from discord.errors import ConnectionClosed
from discord.gateway import DiscordWebSocket, ReconnectWebSocket

from bot.metrics import PLATFORM_RETRIES

log = logging.getLogger(__name__)

# Exceptions discord.py raises on purpose, or that mean the network is gone: its loop handles them.
PASS_THROUGH: tuple[type[BaseException], ...] = (
    ReconnectWebSocket,
    ConnectionClosed,
    OSError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
)
_GUARDED = "__studybot_guarded__"
# The start of discord.py's log line for a 429 it handles itself (discord/http.py).
RATE_LIMITED_LOG = "We are being rate limited."


def guard_parsers(parsers: MutableMapping[str, Callable[[Any], Any]]) -> None:
    """Wrap every event parser (in place, so gateways that already hold the mapping see it)."""
    for event, parse in list(parsers.items()):
        if not getattr(parse, _GUARDED, False):
            parsers[event] = _guarded_parser(event, parse)


def _guarded_parser(event: str, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(parse)
    def guarded(data: Any) -> Any:
        try:
            return parse(data)
        except PASS_THROUGH:
            raise
        except Exception as error:
            log.warning("Discord: dropped a %s event (%s)", event, type(error).__name__)
            return None

    setattr(guarded, _GUARDED, True)
    return guarded


def guard_frames() -> None:
    """Wrap the gateway's frame handler once per process."""
    original = DiscordWebSocket.received_message
    if getattr(original, _GUARDED, False):
        return

    @functools.wraps(original)
    async def received_message(self: DiscordWebSocket, msg: Any, /) -> None:
        try:
            await original(self, msg)
        except PASS_THROUGH:
            raise
        except Exception as error:
            log.warning("Discord: dropped a gateway frame (%s)", type(error).__name__)

    setattr(received_message, _GUARDED, True)
    DiscordWebSocket.received_message = received_message  # type: ignore[method-assign]


class CountRateLimits(logging.Filter):
    """discord.py waits out 429s inside its HTTP client and only logs them; this counts each
    wait-and-retry (studybot_platform_retries_total) and lets the log line through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(RATE_LIMITED_LOG) and "Retrying" in str(record.msg):
            PLATFORM_RETRIES.labels(platform="discord", reason="rate_limited").inc()
        return True


def count_rate_limits() -> None:
    http_log = logging.getLogger("discord.http")
    if not any(isinstance(f, CountRateLimits) for f in http_log.filters):
        http_log.addFilter(CountRateLimits())
