"""The queries features use. Each method is one short transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, union, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import dialect_insert, in_one_hop
from bot.store.tables import checkins, groups, key_values, polls, seen_tips


@dataclass(frozen=True, kw_only=True)
class TipChoice:
    tip_id: str
    topic: str
    # Earlier tips to forget, when a member starts a topic over.
    forget: tuple[str, ...] = ()
    # How many tips of the topic the member has now seen, this one included.
    seen_count: int = 1


@dataclass(frozen=True, kw_only=True)
class Group:
    id: str
    platform: str
    timezone: str
    roadmap_week: int
    # "channel" or "dm": how a scheduled check-in reaches members.
    checkin_delivery: str = "channel"


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def close(self) -> None:
        await self.engine.dispose()

    # Groups ---------------------------------------------------------------------------------

    async def ensure_group(self, group_id: str, *, platform: str, now: datetime) -> Group:
        existing = await self.get_group(group_id)
        if existing is not None:
            return existing
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    insert(groups).values(id=group_id, platform=platform, created_at=now)
                )
        except IntegrityError:
            pass  # Another process created it between our read and our insert.
        group = await self.get_group(group_id)
        assert group is not None
        return group

    async def known_group_ids(self) -> list[str]:
        """Every group studybot holds data for, sorted."""
        query = union(
            select(groups.c.id.label("id")),
            select(polls.c.group_id.label("id")),
            select(checkins.c.group_id.label("id")),
        )
        async with self.engine.connect() as connection:
            return sorted(str(row.id) for row in await connection.execute(query))

    async def get_group(self, group_id: str) -> Group | None:
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(groups).where(groups.c.id == group_id))).first()
        if row is None:
            return None
        return Group(
            id=row.id,
            platform=row.platform,
            timezone=row.timezone,
            roadmap_week=row.roadmap_week,
            checkin_delivery=row.checkin_delivery,
        )

    async def set_group_timezone(self, group_id: str, timezone: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(groups).where(groups.c.id == group_id).values(timezone=timezone)
            )

    async def set_checkin_delivery(self, group_id: str, delivery: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(groups).where(groups.c.id == group_id).values(checkin_delivery=delivery)
            )

    async def groups_delivering_checkins_by_dm(self, group_ids: Sequence[str]) -> set[str]:
        if not group_ids:
            return set()
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(groups.c.id).where(
                    groups.c.id.in_(list(group_ids)), groups.c.checkin_delivery == "dm"
                )
            )
            return {str(row.id) for row in rows}

    async def set_roadmap_week(self, group_id: str, week: int) -> None:
        """Move the group to `week`; the next nudge posts it (rather than moving on from it)."""
        async with self.engine.begin() as connection:
            await connection.execute(
                update(groups)
                .where(groups.c.id == group_id)
                .values(roadmap_week=week, roadmap_week_of=None)
            )

    # Tips -----------------------------------------------------------------------------------

    async def seen_tip_ids(self, member_id: str) -> set[str]:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(seen_tips.c.tip_id).where(seen_tips.c.member_id == member_id)
            )
            return set(result.scalars())

    async def pick_tip(
        self,
        member_id: str,
        choose: Callable[[set[str]], TipChoice],
        *,
        now: datetime,
    ) -> TipChoice:
        """Read what the member has seen, let `choose` pick, and remember the pick, in one
        transaction: one round of database work per /tip, and two concurrent /tip commands of
        the same member cannot both count as the first of a new cycle."""

        def pick(connection: Connection) -> TipChoice:
            result = connection.execute(
                select(seen_tips.c.tip_id).where(seen_tips.c.member_id == member_id)
            )
            choice = choose(set(result.scalars()))
            forget = [*choice.forget, choice.tip_id]
            connection.execute(
                delete(seen_tips).where(
                    seen_tips.c.member_id == member_id, seen_tips.c.tip_id.in_(forget)
                )
            )
            connection.execute(
                insert(seen_tips).values(
                    member_id=member_id, tip_id=choice.tip_id, topic=choice.topic, seen_at=now
                )
            )
            return choice

        return await in_one_hop(self.engine, pick, write_intent=True)

    # Key-values -----------------------------------------------------------------------------

    async def get_value(self, key: str) -> str | None:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(key_values.c.value).where(key_values.c.key == key)
            )
            return result.scalar_one_or_none()

    async def set_value_once(self, key: str, value: str, *, now: datetime) -> bool:
        """Store `key` unless it exists (also when another process races us); True if stored."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                dialect_insert(connection, key_values)
                .values(key=key, value=value, updated_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            return result.rowcount > 0

    async def delete_value(self, key: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(delete(key_values).where(key_values.c.key == key))

    async def set_value(self, key: str, value: str, *, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(delete(key_values).where(key_values.c.key == key))
            await connection.execute(
                insert(key_values).values(key=key, value=value, updated_at=now)
            )
