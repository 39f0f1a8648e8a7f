"""Sharing a platform's rate limit among the processes that post to it.

Every process beats a heartbeat row per platform it serves, with how many posts it has waiting,
and learns how many the others have: scheduler/sharing.py turns that into its share of the
platform's limit. No row is read per post (see docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import dialect_insert
from bot.store.tables import send_capacity

# Any fixed number, distinct from the migration lock's (bot/store/db.py).
BEAT_LOCK_KEY = 7_310_514_002


class CapacityStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def beat(
        self,
        process: str,
        waiting: Mapping[str, int],
        *,
        now: datetime,
        expiry: timedelta,
    ) -> dict[str, tuple[int, bool]]:
        """Record this process as live with `waiting` posts per platform; return, per platform,
        how many posts the *other* live processes have waiting (each counted as at least one,
        so a process that has nothing now can start when it has) and whether any of them has
        posts waiting at all."""
        if not waiting:
            return {}
        platforms = list(waiting)
        async with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Beats take turns: two processes starting together would otherwise each read
                # the table before the other's row is committed, both see themselves alone and
                # both post at the whole limit until their next beat (a 98-post second against
                # a 50/s limit in benchmarks/shared_pacing.py). SQLite's write transactions
                # already take turns.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": BEAT_LOCK_KEY}
                )
            insert = dialect_insert(connection, send_capacity)
            await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["platform", "process"],
                    set_={
                        "heartbeat_at": insert.excluded.heartbeat_at,
                        "waiting": insert.excluded.waiting,
                    },
                ),
                [
                    {"platform": p, "process": process, "heartbeat_at": now, "waiting": count}
                    for p, count in waiting.items()
                ],
            )
            await connection.execute(
                delete(send_capacity).where(send_capacity.c.heartbeat_at < now - expiry * 10)
            )
            rows = await connection.execute(
                select(send_capacity.c.platform, send_capacity.c.waiting).where(
                    send_capacity.c.platform.in_(platforms),
                    send_capacity.c.heartbeat_at >= now - expiry,
                    send_capacity.c.process != process,
                )
            )
            others = {platform: (0, False) for platform in platforms}
            for platform, count in rows:
                total, busy = others[str(platform)]
                others[str(platform)] = (total + max(1, int(count)), busy or int(count) > 0)
        return others

    async def leave(self, process: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(send_capacity).where(send_capacity.c.process == process)
            )
