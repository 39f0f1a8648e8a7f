"""Several schedulers on one database share a platform's rate limit (issue 14, part 2).

Three schedulers, each with its own claims and its own process identity as `studybot run`
processes have (run in one Python process here, each with its own engine and connections), fan
out N due posts into one recording outbox whose platform allows 50 posts a second for the whole
bot. Goals: no one-second window above 50, total time at most 1.05x of N / 50, every post once.

    python benchmarks/shared_pacing.py [--posts 3000] [--processes 3] [--database URL]

The third scheduler starts while the first two are already posting, as in a rolling deploy.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from benchmarks.fanout import seed  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.core.ports import Pace  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.capacity import CapacityStore  # noqa: E402
from bot.store.db import process_identity  # noqa: E402
from bot.store.deliveries import DeliveryLedger, Status  # noqa: E402
from scheduler.service import SchedulerService  # noqa: E402
from tests.fakes.outbox import FakeOutbox  # noqa: E402

LIMIT = 50.0


class Recorder(FakeOutbox):
    """One platform for every scheduler: when each post arrived."""

    def __init__(self, arrivals: list[float], pace: Pace) -> None:
        super().__init__(platform="bench", pace=pace)
        self.arrivals = arrivals

    async def post(self, group_id: str, reply: object, *, idempotency_key: str) -> str | None:
        self.arrivals.append(time.perf_counter())
        return await super().post(group_id, reply, idempotency_key=idempotency_key)  # type: ignore[arg-type]


def busiest_second(arrivals: list[float]) -> int:
    ordered = sorted(arrivals)
    return max(
        (bisect_right(ordered, start + 1.0 - 1e-9) - index for index, start in enumerate(ordered)),
        default=0,
    )


async def run(database_url: str, posts: int, processes: int) -> None:
    apps = [
        await build_application(Settings(STUDYBOT_DATABASE_URL=database_url))
        for _ in range(processes)
    ]
    try:
        async with apps[0].services.store.engine.begin() as connection:
            await connection.execute(text("DELETE FROM send_capacity"))
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        await seed(apps[0], posts, due)
        arrivals: list[float] = []
        outboxes = [Recorder(arrivals, Pace(per_second=LIMIT, concurrency=16)) for _ in apps]
        services = [
            SchedulerService(
                ledger=DeliveryLedger(app.services.store.engine, claimer=process_identity()),
                notices=app.services.notices,
                outboxes={"bench": outbox},
                kinds=app.kinds,
                clock=lambda: datetime.now(UTC),
                grace=timedelta(hours=12),
                capacity=CapacityStore(app.services.store.engine),
                tick_seconds=1.0,
            )
            for app, outbox in zip(apps, outboxes, strict=True)
        ]
        started = time.perf_counter()
        await asyncio.gather(*(service.start() for service in services[:-1]))
        await asyncio.sleep(2.0)  # the last one joins while the others are posting
        await services[-1].start()
        while True:
            counts = await apps[0].services.deliveries.count_by_status()
            if counts.get(Status.SENT, 0) >= posts or time.perf_counter() - started > posts:
                break
            await asyncio.sleep(0.5)
        for service in services:
            await service.stop()
        elapsed = max(arrivals) - started
        keys = [post.key for outbox in outboxes for post in outbox.posts]
        ideal = posts / LIMIT
        worst = busiest_second(arrivals)
        print(f"{processes} schedulers, {posts} posts, limit {LIMIT:.0f}/s for the bot")
        print(f"busiest one-second window: {worst} posts (goal <= {LIMIT:.0f})")
        print(f"total {elapsed:.1f} s = {elapsed / ideal:.3f}x of N/limit (goal <= 1.05x)")
        print(f"posted {len(keys)}, distinct {len(set(keys))} (goal: {posts} and {posts})")
        print("per scheduler:", [len(outbox.posts) for outbox in outboxes])
    finally:
        for app in apps:
            await app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        asyncio.run(run(url, args.posts, args.processes))


if __name__ == "__main__":
    main()
