"""Notices for a group's organizers that could not be posted (e.g. a scheduled post that failed):
kept until an organizer's next command, whatever it is, and removed as they are read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.tables import notices


class NoticeStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_notice(self, group_id: str, text: str, *, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                insert(notices).values(group_id=group_id, text=text, created_at=now)
            )

    async def take_notices(self, group_id: str) -> list[str]:
        async with self.engine.begin() as connection:
            rows = (
                await connection.execute(
                    select(notices.c.id, notices.c.text)
                    .where(notices.c.group_id == group_id)
                    .order_by(notices.c.id)
                )
            ).all()
            if rows:
                await connection.execute(
                    delete(notices).where(notices.c.id.in_([row.id for row in rows]))
                )
        return [row.text for row in rows]
