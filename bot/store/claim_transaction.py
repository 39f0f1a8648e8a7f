"""What a scheduled kind may read and change inside the ledger's claim transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.scheduled import RoadmapPosition
from bot.store.tables import groups


class SqlClaimTransaction:
    """`bot.core.scheduled.ClaimTransaction` over the claim's open connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def roadmap_positions(self, group_ids: Collection[str]) -> Mapping[str, RoadmapPosition]:
        rows = await self._connection.execute(
            select(groups.c.id, groups.c.roadmap_week, groups.c.roadmap_week_of).where(
                groups.c.id.in_(sorted(group_ids))
            )
        )
        return {
            row.id: RoadmapPosition(week=row.roadmap_week, moved_in=row.roadmap_week_of)
            for row in rows
        }

    async def move_roadmaps(self, positions: Mapping[str, RoadmapPosition]) -> None:
        if not positions:
            return
        # One executemany rather than a statement per group: a fan-out claims hundreds.
        await self._connection.execute(
            update(groups)
            .where(groups.c.id == bindparam("group_id"))
            .values(roadmap_week=bindparam("week"), roadmap_week_of=bindparam("moved_in")),
            [
                {"group_id": group_id, "week": position.week, "moved_in": position.moved_in}
                for group_id, position in sorted(positions.items())
            ],
        )
