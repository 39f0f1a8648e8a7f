"""Several schedulers on one database share a platform's rate limit (issue 14, part 2).

Three schedulers, each with its own claims and its own process identity as `studybot run`
processes have (run in one Python process here, each with its own engine and connections), fan
out N due posts into one recording outbox whose platform allows 50 posts a second for the whole
bot. Goals: no one-second window above 50, total time at most 1.05x of N / 50, every post once.
With --private the N posts are private messages (one per member, through the private half of
the ledger) instead of channel posts.

    python benchmarks/shared_pacing.py [--posts 3000] [--processes 3] [--database URL] [--private]

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
from bot.core.model import Reply  # noqa: E402
from bot.core.ports import Pace  # noqa: E402
from bot.core.private import PrivateDelivery, PrivatePost  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.capacity import CapacityStore  # noqa: E402
from bot.store.db import process_identity  # noqa: E402
from bot.store.deliveries import DeliveryLedger  # noqa: E402
from bot.store.private_messages import PlannedMessage, PrivateLedger  # noqa: E402
from scheduler.private import PrivateSender  # noqa: E402
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

    async def post_private(
        self, member_id: str, reply: Reply, *, idempotency_key: str
    ) -> str | None:
        self.arrivals.append(time.perf_counter())
        return await super().post_private(member_id, reply, idempotency_key=idempotency_key)


class Note:
    """A private kind with nothing to look up: the benchmark measures the sending."""

    name = "bench"

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        return PrivatePost(reply=Reply(title=f"Week 3 starts today ({message.key})"))


async def seed_private(app: object, posts: int, due: datetime) -> None:
    ledger: PrivateLedger = app.services.private  # type: ignore[attr-defined]
    for start in range(0, posts, 500):
        await ledger.plan(
            [
                PlannedMessage(
                    key=f"bench:{index}",
                    platform="bench",
                    group_id=f"bench:g{index % 100}",
                    member_id=f"bench:m{index}",
                    kind=Note.name,
                    due_at=due,
                )
                for index in range(start, min(posts, start + 500))
            ]
        )


async def sent(app: object, private: bool) -> int:
    table = "private_messages" if private else "deliveries"
    engine = app.services.store.engine  # type: ignore[attr-defined]
    async with engine.connect() as connection:
        result = await connection.execute(
            text(f"SELECT count(*) FROM {table} WHERE status = 'sent'")
        )
        return int(result.scalar_one())


def busiest_second(arrivals: list[float]) -> int:
    ordered = sorted(arrivals)
    return max(
        (bisect_right(ordered, start + 1.0 - 1e-9) - index for index, start in enumerate(ordered)),
        default=0,
    )


async def run(database_url: str, posts: int, processes: int, private: bool) -> None:
    apps = [
        await build_application(Settings(STUDYBOT_DATABASE_URL=database_url))
        for _ in range(processes)
    ]
    try:
        async with apps[0].services.store.engine.begin() as connection:
            await connection.execute(text("DELETE FROM send_capacity"))
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        if private:
            await seed_private(apps[0], posts, due)
        else:
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
                private=PrivateSender(
                    ledger=PrivateLedger(app.services.store.engine, claimer=process_identity()),
                    members=app.services.members,
                    store=app.services.store,
                    kinds=[Note()],
                    clock=lambda: datetime.now(UTC),
                ),
            )
            for app, outbox in zip(apps, outboxes, strict=True)
        ]
        started = time.perf_counter()
        await asyncio.gather(*(service.start() for service in services[:-1]))
        await asyncio.sleep(2.0)  # the last one joins while the others are posting
        await services[-1].start()
        while True:  # polls the database, as an operator would
            if await sent(apps[0], private) >= posts or time.perf_counter() - started > posts:
                break
            await asyncio.sleep(0.5)
        for service in services:
            await service.stop()
        elapsed = max(arrivals) - started
        keys = [post.key for outbox in outboxes for post in (*outbox.posts, *outbox.private)]
        ideal = posts / LIMIT
        worst = busiest_second(arrivals)
        what = "private messages" if private else "posts"
        print(f"{processes} schedulers, {posts} {what}, limit {LIMIT:.0f}/s for the bot")
        ratio = elapsed / ideal
        once = len(keys) == len(set(keys)) == posts
        print(f"busiest one-second window: {worst} (goal <= {LIMIT:.0f}: {met(worst <= LIMIT)})")
        print(
            f"total {elapsed:.1f} s = {ratio:.3f}x of N/limit (goal <= 1.05x: {met(ratio <= 1.05)})"
        )
        print(f"sent {len(keys)}, distinct {len(set(keys))} (goal: {posts} each: {met(once)})")
        print("per scheduler:", [len(outbox.posts) + len(outbox.private) for outbox in outboxes])
    finally:
        for app in apps:
            await app.close()


def met(condition: bool) -> str:
    return "met" if condition else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--database", default=None)
    parser.add_argument("--private", action="store_true", help="private messages, not posts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        asyncio.run(run(url, args.posts, args.processes, args.private))


if __name__ == "__main__":
    main()
