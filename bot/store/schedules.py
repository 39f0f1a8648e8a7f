"""The `schedules` table: what each group asked to have posted, and when it is next due.

The next occurrence is computed by the caller (scheduler/recurrence.py): this module only stores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.time import Occurrence, WeeklyRule, describe_days, format_days, parse_days
from bot.store.tables import deliveries, schedules


@dataclass(frozen=True, kw_only=True)
class ScheduleRecord:
    id: int
    group_id: str
    platform: str
    kind: str
    weekdays: frozenset[int]
    local_time: time
    timezone: str
    paused: bool
    created_by: str
    next_due_at: datetime
    next_slot: str

    @property
    def rule(self) -> WeeklyRule:
        return WeeklyRule(weekdays=self.weekdays, at=self.local_time, zone=ZoneInfo(self.timezone))

    @property
    def next_occurrence(self) -> Occurrence:
        return Occurrence(due_at=self.next_due_at, slot=self.next_slot)

    @property
    def days_text(self) -> str:
        return describe_days(self.weekdays)


def schedule_record(row: Row[Any]) -> ScheduleRecord:
    hours, minutes = row.local_time.split(":")
    return ScheduleRecord(
        id=row.id,
        group_id=row.group_id,
        platform=row.platform,
        kind=row.kind,
        weekdays=parse_days(row.weekdays),
        local_time=time(int(hours), int(minutes)),
        timezone=row.timezone,
        paused=row.paused,
        created_by=row.created_by,
        next_due_at=row.next_due_at,
        next_slot=row.next_slot,
    )


class ScheduleStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_schedule(
        self,
        *,
        group_id: str,
        platform: str,
        kind: str,
        rule: WeeklyRule,
        first: Occurrence,
        created_by: str,
        now: datetime,
    ) -> ScheduleRecord:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                insert(schedules)
                .values(
                    group_id=group_id,
                    platform=platform,
                    kind=kind,
                    weekdays=format_days(rule.weekdays),
                    local_time=rule.at.strftime("%H:%M"),
                    timezone=rule.zone.key,
                    paused=False,
                    created_by=created_by,
                    created_at=now,
                    next_due_at=first.due_at,
                    next_slot=first.slot,
                )
                .returning(*schedules.c)
            )
            return schedule_record(result.one())

    async def due_before(
        self, *, kind: str, before: datetime, platforms: Sequence[str]
    ) -> list[ScheduleRecord]:
        """Running schedules of `kind` whose next occurrence comes before `before` (to plan
        what must go out ahead of it, e.g. a check-in's private questions in earlier zones)."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(schedules).where(
                    schedules.c.kind == kind,
                    schedules.c.paused.is_(False),
                    schedules.c.next_due_at <= before,
                    schedules.c.platform.in_(list(platforms)),
                )
            )
            return [schedule_record(row) for row in rows]

    async def list_schedules(self, group_id: str) -> list[ScheduleRecord]:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(schedules).where(schedules.c.group_id == group_id).order_by(schedules.c.id)
            )
            return [schedule_record(row) for row in result]

    async def get_schedule(self, group_id: str, schedule_id: int) -> ScheduleRecord | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(schedules).where(
                        schedules.c.id == schedule_id, schedules.c.group_id == group_id
                    )
                )
            ).first()
        return None if row is None else schedule_record(row)

    async def pause(self, group_id: str, schedule_id: int) -> ScheduleRecord | None:
        return await self._set(group_id, schedule_id, {"paused": True})

    async def resume(
        self, group_id: str, schedule_id: int, *, next_due: Occurrence
    ) -> ScheduleRecord | None:
        """Resume from `next_due` (the caller's next occurrence after now): a paused stretch is
        not caught up."""
        values = {"paused": False, "next_due_at": next_due.due_at, "next_slot": next_due.slot}
        return await self._set(group_id, schedule_id, values)

    async def _set(
        self, group_id: str, schedule_id: int, values: dict[str, Any]
    ) -> ScheduleRecord | None:
        async with self.engine.begin() as connection:
            row = (
                await connection.execute(
                    update(schedules)
                    .where(schedules.c.id == schedule_id, schedules.c.group_id == group_id)
                    .values(**values)
                    .returning(*schedules.c)
                )
            ).first()
        return None if row is None else schedule_record(row)

    async def remove(self, group_id: str, schedule_id: int) -> bool:
        async with self.engine.begin() as connection:
            owned = select(schedules.c.id).where(
                schedules.c.id == schedule_id, schedules.c.group_id == group_id
            )
            await connection.execute(
                delete(deliveries).where(deliveries.c.schedule_id.in_(owned.scalar_subquery()))
            )
            result = await connection.execute(
                delete(schedules).where(
                    schedules.c.id == schedule_id, schedules.c.group_id == group_id
                )
            )
        return result.rowcount > 0
