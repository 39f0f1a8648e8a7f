"""Fan-out benchmark: N groups with a nudge due in the same minute.

(a) Unlimited sink: time from the due instant until every occurrence is claimed, posted and its
    outcome written to the ledger; deliveries per second, peak RSS, and the event loop's worst
    lateness measured by a probe task.
(b) Sink limited to R posts/s: completion time against the bound N/R.

(a') With --scale 100000: the same at ten times the size, its throughput against (a)'s.

Run: .venv/bin/python benchmarks/fanout.py [--groups 10000] [--rate 1000] [--paced-groups 5000]
     [--scale 100000] [--database-url URL]   (default: a fresh SQLite file in a temporary folder)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from bot.app import build_application, freeze_startup_objects  # noqa: E402
from bot.core.model import Reply  # noqa: E402
from bot.core.ports import Pace  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.deliveries import Status  # noqa: E402
from bot.store.tables import groups, schedules  # noqa: E402
from scheduler.service import SchedulerService  # noqa: E402
from tests.fakes.outbox import FakeOutbox  # noqa: E402


class LoopProbe:
    """Wakes every `interval` seconds and records how late each wake-up was."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lateness: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.lateness.append(max(0.0, loop.time() - expected))

    def __enter__(self) -> LoopProbe:
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


@dataclass
class CountingOutbox(FakeOutbox):
    """A sink that remembers only each post's key (to prove exactly once), not the post: a real
    adapter hands a post to the platform and forgets it, and 100,000 kept replies would measure
    the fake's memory and the garbage collector's work on it, not the bot's."""

    keys: set[str] = field(default_factory=set)

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        if idempotency_key in self.keys:
            raise AssertionError(f"{idempotency_key} posted twice")
        self.keys.add(idempotency_key)
        return f"msg-{len(self.keys)}"


SEED_CHUNK = 2000


async def seed(app, count: int, due: datetime) -> None:  # type: ignore[no-untyped-def]
    """Insert `count` groups with a nudge due at `due`, a chunk at a time (the rows are built
    per chunk, so the benchmark's own set-up does not inflate the peak RSS it reports)."""
    engine = app.services.store.engine
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM deliveries"))
        await connection.execute(text("DELETE FROM schedules"))
        await connection.execute(text("DELETE FROM groups"))
        for start in range(0, count, SEED_CHUNK):
            numbers = range(start, min(start + SEED_CHUNK, count))
            await connection.execute(insert(groups), _group_rows(numbers, due))
            await connection.execute(insert(schedules), _schedule_rows(numbers, due))


def _group_rows(numbers: range, due: datetime) -> list[dict[str, object]]:
    return [{"id": f"bench:g{i}", "platform": "bench", "created_at": due} for i in numbers]


def _schedule_rows(numbers: range, due: datetime) -> list[dict[str, object]]:
    slot = due.strftime("%Y-%m-%dT%H:%M")
    return [
        {
            "group_id": f"bench:g{i}",
            "platform": "bench",
            "kind": "nudge",
            "weekdays": "mon,tue,wed,thu,fri,sat,sun",
            "local_time": due.strftime("%H:%M"),
            "timezone": "UTC",
            "paused": False,
            "created_by": "bench",
            "created_at": due,
            "next_due_at": due,
            "next_slot": slot,
        }
        for i in numbers
    ]


async def run_once(database_url: str, count: int, pace: Pace) -> dict[str, float]:
    app = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url))
    try:
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        await seed(app, count, due)
        freeze_startup_objects()  # as `studybot run` does once it has started
        outbox = CountingOutbox(platform="bench", pace=pace)
        service = SchedulerService(
            ledger=app.services.deliveries,
            notices=app.services.notices,
            outboxes={"bench": outbox},
            kinds=app.kinds,
            clock=lambda: datetime.now(UTC),
            grace=timedelta(hours=12),
        )
        with LoopProbe() as probe:
            started = time.perf_counter()
            await service.tick()
            await service.drain()
            elapsed = time.perf_counter() - started
        counts = await app.services.deliveries.count_by_status()
        assert len(outbox.keys) == count, (len(outbox.keys), count)
        assert counts == {Status.SENT: count}, counts
        return {
            "elapsed": elapsed,
            "per_second": count / elapsed,
            "max_lag_ms": max(probe.lateness, default=0.0) * 1000,
            "p99_lag_ms": (
                statistics.quantiles(probe.lateness, n=100)[98] * 1000
                if len(probe.lateness) >= 2
                else 0.0
            ),
        }
    finally:
        await app.close()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="R, posts/s for part (b)")
    parser.add_argument("--paced-groups", type=int, default=5_000, help="N for part (b)")
    parser.add_argument("--database-url")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also fan out this many (e.g. 100000) and compare with --groups (issue 14 part 3)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = url.split(":", 1)[0]
        unlimited = await run_once(url, args.groups, Pace(concurrency=64))
        print(f"(a) {args.groups} deliveries on {backend}, unlimited sink:")
        print(f"    {unlimited['elapsed']:.2f} s → {unlimited['per_second']:.0f} deliveries/s")
        print(
            f"    event loop lateness: max {unlimited['max_lag_ms']:.1f} ms, "
            f"p99 {unlimited['p99_lag_ms']:.1f} ms"
        )
        print(f"    peak RSS {peak_rss_mb():.0f} MB")

        if args.scale:
            large = await run_once(url, args.scale, Pace(concurrency=64))
            change = large["per_second"] / unlimited["per_second"] - 1
            print(f"(a') {args.scale} deliveries on {backend}, unlimited sink:")
            print(
                f"    {large['elapsed']:.2f} s → {large['per_second']:.0f} deliveries/s, "
                f"{100 * change:+.1f}% against {args.groups} (goal: no worse than -20%: "
                f"{'met' if change >= -0.20 else 'NOT met'})"
            )
            lag_ok = "met" if large["max_lag_ms"] <= 100 else "NOT met"
            print(
                f"    event loop lateness: max {large['max_lag_ms']:.1f} ms "
                f"(goal <= 100 ms: {lag_ok}), p99 {large['p99_lag_ms']:.1f} ms"
            )
            rss = peak_rss_mb()
            print(f"    peak RSS {rss:.0f} MB (goal < 250 MB: {'met' if rss < 250 else 'NOT met'})")

        paced = await run_once(url, args.paced_groups, Pace(per_second=args.rate, concurrency=64))
        bound = args.paced_groups / args.rate
        print(f"(b) {args.paced_groups} deliveries at R = {args.rate:.0f}/s:")
        print(
            f"    {paced['elapsed']:.2f} s against the bound N/R = {bound:.2f} s "
            f"→ ratio {paced['elapsed'] / bound:.3f}"
        )
        print(f"    event loop lateness: max {paced['max_lag_ms']:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
