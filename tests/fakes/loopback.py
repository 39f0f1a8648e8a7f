"""What every fake platform needs: a loopback server, and waiting without wall-clock sleeps."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from aiohttp import web


async def wait_until(predicate: Callable[[], object], *, within: float, what: str) -> None:
    """Poll `predicate` every 10 ms; fail the test after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not see what the test waited for")
        await asyncio.sleep(0.01)


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on 127.0.0.1 at a free port; return the runner and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


def free_port() -> int:
    """A loopback port nothing listens on now, for a studybot process under test to bind."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
