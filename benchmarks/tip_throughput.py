"""/tip replies per second per process on SQLite: the store as it was against the store as it is.

Issue 14 measured about 100-130 `/tip` replies per second per process when it was filed, bound
by aiosqlite's thread hand-off per statement. This runs N `/tip` commands through the dispatcher
(the feature's whole work: the member's standing, choosing the tip, remembering it, rendering
the reply) at concurrency C on one event loop, twice in the same run: once with today's code on
SQLAlchemy's stock aiosqlite driver (`sqlite+aiosqlite`, what the store used then) and once on
the store's own (`sqlite+inline`, bot/store/sqlite_inline.py). The same-run ratio is the
driver's part alone: the code of the day the issue was filed also made more round trips per
/tip (no longer there to run), so the goal (at least 5x) is checked against the filed figure.

    python benchmarks/tip_throughput.py [--commands 3000] [--concurrency 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.slack import inbound  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import db  # noqa: E402


def stock_aiosqlite(url: str) -> str:
    """The URL as the store opened it before: SQLAlchemy's aiosqlite driver."""
    return url.replace("sqlite:///", "sqlite+aiosqlite:///", 1)


async def replies_per_second(url: str, *, stock: bool, commands: int, concurrency: int) -> float:
    if stock:
        with mock.patch.object(db, "normalise_url", stock_aiosqlite):
            app = await build_application(Settings(STUDYBOT_DATABASE_URL=url))
    else:
        app = await build_application(Settings(STUDYBOT_DATABASE_URL=url))
    driver = app.services.store.engine.dialect.driver
    assert driver == ("aiosqlite" if stock else "inline"), driver
    try:
        invocations = [
            inbound.command_to_invocation(
                {
                    "command": "/tip",
                    "text": "math",
                    "team_id": "T1",
                    "user_id": f"U{index % 200}",
                    "channel_id": f"C{index % 20}",
                    "user_name": "member",
                },
                is_admin=False,
            )
            for index in range(commands)
        ]
        for invocation in invocations[:100]:  # warm-up: groups, members, caches
            await app.dispatcher.invoke(invocation)
        queue = list(reversed(invocations))

        async def worker() -> None:
            while queue:
                reply = await app.dispatcher.invoke(queue.pop())
                assert reply.title, "every /tip is answered"

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return commands / (time.perf_counter() - started)
    finally:
        await app.close()


async def main(args: argparse.Namespace) -> None:
    before: list[float] = []
    after: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):  # alternating, so machine noise hits both alike
            for stock, figures in ((True, before), (False, after)):
                url = f"sqlite:///{folder}/{'stock' if stock else 'inline'}-{round_}.db"
                figures.append(
                    await replies_per_second(
                        url, stock=stock, commands=args.commands, concurrency=args.concurrency
                    )
                )
    driver = statistics.median(a / b for a, b in zip(after, before, strict=True))
    print(f"{args.commands} /tip commands at concurrency {args.concurrency}, {args.rounds} rounds:")
    print("  today's code on aiosqlite:  " + "  ".join(f"{x:6.0f}/s" for x in before))
    print("  today's code inline:        " + "  ".join(f"{x:6.0f}/s" for x in after))
    print(f"  the driver's part (same run): {driver:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
