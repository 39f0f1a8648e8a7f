"""The deliveries ledger: one row per occurrence a process claimed, and what became of it.

Exactly once: `claim_due` moves every due schedule forward and inserts one deliveries row per
occurrence (local slot) in the same transaction, insert-or-nothing on (schedule_id, slot). Only a
process whose insert went through posts. Rows of schedules are locked with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so several processes share the work without waiting on each
other; SQLite serialises writers with BEGIN IMMEDIATE.

Which occurrences are claimed, missed or folded together is the scheduler's policy
(scheduler/claiming.py), handed in as `plan`; this module only runs the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.scheduled import ScheduledOccurrence
from bot.store.claim_transaction import SqlClaimTransaction
from bot.store.db import WRITE_INTENT, dialect_insert
from bot.store.delivery_values import (
    ClaimPlan,
    DeliveryRecord,
    Outcome,
    PlannedDelivery,
    Planner,
    Preparer,
    Status,
)
from bot.store.schedules import ScheduleRecord, schedule_record
from bot.store.tables import deliveries, schedules


def _occurrence(
    row: Row[Any],
    schedule: ScheduleRecord | Row[Any],
    *,
    payload: str | None = None,
    attempted_at: datetime | None = None,
) -> ScheduledOccurrence:
    return ScheduledOccurrence(
        delivery_id=row.id,
        schedule_id=row.schedule_id,
        group_id=schedule.group_id,
        platform=schedule.platform,
        kind=schedule.kind,
        slot=row.slot,
        due_at=row.due_at,
        late=row.late,
        coalesced=row.coalesced,
        payload=payload,
        attempted_at=attempted_at,
    )


class DeliveryLedger:
    def __init__(self, engine: AsyncEngine, *, claimer: str) -> None:
        self.engine = engine
        self.claimer = claimer

    # Claiming -------------------------------------------------------------------------------

    async def claim_due(
        self,
        *,
        now: datetime,
        platforms: Sequence[str],
        limit: int,
        plan: Planner,
        prepare: Preparer | None = None,
    ) -> list[ScheduledOccurrence]:
        """Claim up to `limit` due schedules; return the occurrences this process must post."""
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                due = (
                    await connection.execute(
                        select(schedules)
                        .where(
                            schedules.c.paused.is_(False),
                            schedules.c.next_due_at <= now,
                            schedules.c.platform.in_(list(platforms)),
                        )
                        .order_by(schedules.c.next_due_at)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                if not due:
                    return []
                records = {record.id: record for record in map(schedule_record, due)}
                claim_plan = plan(list(records.values()))
                await connection.execute(
                    update(schedules)
                    .where(schedules.c.id == bindparam("schedule_id"))
                    .values(next_due_at=bindparam("due_at"), next_slot=bindparam("slot")),
                    [
                        {"schedule_id": schedule_id, "due_at": due_at, "slot": slot}
                        for schedule_id, (due_at, slot) in claim_plan.next_due.items()
                    ],
                )
                inserted = await self._insert(connection, claim_plan.deliveries, now=now)
                claimed = [
                    _occurrence(row, records[row.schedule_id])
                    for row in inserted
                    if row.status == Status.CLAIMED.value
                ]
                if prepare is None or not claimed:
                    return claimed
                payloads = await prepare(SqlClaimTransaction(connection), claimed)
                await self._store_payloads(connection, payloads)
                return [replace(o, payload=payloads.get(o.delivery_id)) for o in claimed]

    async def _insert(
        self, connection: AsyncConnection, planned: Sequence[PlannedDelivery], *, now: datetime
    ) -> list[Row[Any]]:
        if not planned:
            return []
        statement = (
            dialect_insert(connection, deliveries)
            .on_conflict_do_nothing(index_elements=["schedule_id", "slot"])
            .returning(
                deliveries.c.id,
                deliveries.c.schedule_id,
                deliveries.c.slot,
                deliveries.c.due_at,
                deliveries.c.status,
                deliveries.c.late,
                deliveries.c.coalesced,
            )
        )
        rows = [
            {
                "schedule_id": item.schedule_id,
                "slot": item.slot,
                "due_at": item.due_at,
                "status": item.status.value,
                "claimed_by": self.claimer,
                "claimed_at": now,
                "finished_at": None if item.status is Status.CLAIMED else now,
                "late": item.late,
                "coalesced": item.coalesced,
            }
            for item in planned
        ]
        return list((await connection.execute(statement, rows)).all())

    async def _store_payloads(
        self, connection: AsyncConnection, payloads: Mapping[int, str]
    ) -> None:
        if payloads:
            await connection.execute(
                update(deliveries)
                .where(deliveries.c.id == bindparam("delivery_id"))
                .values(payload=bindparam("payload")),
                [{"delivery_id": key, "payload": value} for key, value in payloads.items()],
            )

    # Outcomes -------------------------------------------------------------------------------

    async def finish(self, outcomes: Sequence[Outcome], *, now: datetime) -> None:
        if not outcomes:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                update(deliveries)
                .where(deliveries.c.id == bindparam("delivery_id"))
                .values(
                    status=bindparam("status"),
                    attempts=bindparam("attempts"),
                    detail=bindparam("detail"),
                    message_ref=bindparam("message_ref"),
                    finished_at=bindparam("finished_at"),
                ),
                [
                    {
                        "delivery_id": outcome.delivery_id,
                        "status": outcome.status.value,
                        "attempts": outcome.attempts,
                        "detail": outcome.detail,
                        "message_ref": outcome.message_ref,
                        "finished_at": now,
                    }
                    for outcome in outcomes
                ],
            )

    async def take_stale_claims(
        self, *, now: datetime, lease: timedelta, platforms: Sequence[str]
    ) -> list[ScheduledOccurrence]:
        """Claims whose sender vanished (a crash mid-delivery), re-owned by this process.

        Re-owning is a conditional update, so two recovering processes never both get one.
        """
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                rows = (
                    await connection.execute(
                        select(
                            deliveries, schedules.c.group_id, schedules.c.platform, schedules.c.kind
                        )
                        .join(schedules, schedules.c.id == deliveries.c.schedule_id)
                        .where(
                            deliveries.c.status == Status.CLAIMED.value,
                            deliveries.c.claimed_at < now - lease,
                            schedules.c.platform.in_(list(platforms)),
                        )
                        .with_for_update(skip_locked=True, of=deliveries)
                    )
                ).all()
                taken: list[ScheduledOccurrence] = []
                for row in rows:
                    result = await connection.execute(
                        update(deliveries)
                        .where(
                            and_(
                                deliveries.c.id == row.id,
                                deliveries.c.status == Status.CLAIMED.value,
                                deliveries.c.claimed_by == row.claimed_by,
                            )
                        )
                        .values(claimed_by=self.claimer, claimed_at=now)
                    )
                    if result.rowcount:
                        taken.append(
                            _occurrence(
                                row, row, payload=row.payload, attempted_at=row.attempted_at
                            )
                        )
                return taken

    async def mark_attempting(self, delivery_ids: Sequence[int], *, now: datetime) -> set[int]:
        """Record that these posts are about to be handed to the platform, just before it happens.

        Only claims this process still owns are marked (the rest were taken over by another
        process after a stall): the caller must not send those.
        """
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(list(delivery_ids)),
                    deliveries.c.status == Status.CLAIMED.value,
                    deliveries.c.claimed_by == self.claimer,
                )
                .values(attempted_at=now)
                .returning(deliveries.c.id)
            )
            return set(result.scalars())

    async def renew_claims(self, *, now: datetime) -> int:
        """Keep this process's open claims from looking abandoned while it works on them."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.status == Status.CLAIMED.value,
                    deliveries.c.claimed_by == self.claimer,
                )
                .values(claimed_at=now)
            )
            return result.rowcount

    # Reading --------------------------------------------------------------------------------

    async def recent_deliveries(
        self, group_id: str, *, per_schedule: int = 3
    ) -> dict[int, list[DeliveryRecord]]:
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(deliveries)
                    .join(schedules, schedules.c.id == deliveries.c.schedule_id)
                    .where(schedules.c.group_id == group_id)
                    .order_by(deliveries.c.schedule_id, deliveries.c.due_at.desc())
                )
            ).all()
        recent: dict[int, list[DeliveryRecord]] = {}
        for row in rows:
            bucket = recent.setdefault(row.schedule_id, [])
            if len(bucket) < per_schedule:
                bucket.append(
                    DeliveryRecord(
                        schedule_id=row.schedule_id,
                        slot=row.slot,
                        due_at=row.due_at,
                        status=Status(row.status),
                        attempts=row.attempts,
                        late=row.late,
                        coalesced=row.coalesced,
                        detail=row.detail,
                        finished_at=row.finished_at,
                    )
                )
        return recent

    async def count_by_status(self) -> dict[Status, int]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
            )
            return {Status(status): count for status, count in rows}


__all__ = [
    "ClaimPlan",
    "DeliveryLedger",
    "DeliveryRecord",
    "Outcome",
    "PlannedDelivery",
    "Planner",
    "Preparer",
    "Status",
]
