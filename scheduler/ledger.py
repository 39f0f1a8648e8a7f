"""Schedules and the deliveries ledger in the database: the source of truth for what is due.

Exactly once: `claim_due` moves every due schedule forward and inserts one deliveries row per
occurrence (local slot) in the same transaction, insert-or-nothing on (schedule_id, slot). Only a
process whose insert went through posts. Rows of schedules are locked with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so several processes share the work without waiting on each
other; SQLite serialises writers with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.time import describe_days, format_days, parse_days
from bot.store.db import WRITE_INTENT
from bot.store.tables import deliveries, notices, schedules
from scheduler.recurrence import Occurrence, WeeklyRule, next_occurrence, occurrences_between

# Occurrences older than this when finally sent are marked late in the ledger.
LATE_AFTER = timedelta(minutes=1)
# After a long outage, only this many of the newest missed occurrences get their own row.
MAX_BACKLOG = 100


class Status(StrEnum):
    CLAIMED = "claimed"  # owned by a sender; outcome not known yet
    SENT = "sent"
    FAILED = "failed"  # the platform refused every attempt
    UNKNOWN = "unknown"  # may or may not have been posted; never blindly re-sent
    MISSED = "missed"  # fell outside the grace window while the bot was down
    COALESCED = "coalesced"  # folded into a later occurrence delivered late


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
    def days_text(self) -> str:
        return describe_days(self.weekdays)


@dataclass(frozen=True, kw_only=True)
class Claim:
    """An occurrence this process owns and must post."""

    delivery_id: int
    schedule_id: int
    group_id: str
    platform: str
    kind: str
    slot: str
    due_at: datetime
    late: bool
    coalesced: int
    payload: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryRecord:
    schedule_id: int
    slot: str
    due_at: datetime
    status: Status
    attempts: int
    late: bool
    coalesced: int
    detail: str | None
    finished_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Outcome:
    delivery_id: int
    status: Status
    attempts: int
    detail: str | None = None
    message_ref: str | None = None


# Runs inside the claim transaction for the claims of one kind; returns a payload per delivery id
# (e.g. the roadmap week a nudge will post), so state changes and claims commit together.
ClaimHook = Callable[[AsyncConnection, Sequence[Claim]], Awaitable[Mapping[int, str]]]


def _record(row: Any) -> ScheduleRecord:
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


class Ledger:
    def __init__(self, engine: AsyncEngine, *, claimer: str) -> None:
        self.engine = engine
        self.claimer = claimer

    # Schedules ------------------------------------------------------------------------------

    async def add_schedule(
        self,
        *,
        group_id: str,
        platform: str,
        kind: str,
        rule: WeeklyRule,
        created_by: str,
        now: datetime,
    ) -> ScheduleRecord:
        first = next_occurrence(rule, now)
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
            return _record(result.one())

    async def list_schedules(self, group_id: str) -> list[ScheduleRecord]:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(schedules).where(schedules.c.group_id == group_id).order_by(schedules.c.id)
            )
            return [_record(row) for row in result]

    async def get_schedule(self, group_id: str, schedule_id: int) -> ScheduleRecord | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(schedules).where(
                        schedules.c.id == schedule_id, schedules.c.group_id == group_id
                    )
                )
            ).first()
        return None if row is None else _record(row)

    async def set_paused(
        self, group_id: str, schedule_id: int, *, paused: bool, now: datetime
    ) -> ScheduleRecord | None:
        """Pause or resume. Resuming starts from the next occurrence after now: the paused
        stretch is not caught up."""
        record = await self.get_schedule(group_id, schedule_id)
        if record is None:
            return None
        values: dict[str, Any] = {"paused": paused}
        if not paused:
            upcoming = next_occurrence(record.rule, now)
            values |= {"next_due_at": upcoming.due_at, "next_slot": upcoming.slot}
        async with self.engine.begin() as connection:
            await connection.execute(
                update(schedules).where(schedules.c.id == schedule_id).values(**values)
            )
        return await self.get_schedule(group_id, schedule_id)

    async def remove(self, group_id: str, schedule_id: int) -> bool:
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(deliveries).where(deliveries.c.schedule_id == schedule_id)
            )
            result = await connection.execute(
                delete(schedules).where(
                    schedules.c.id == schedule_id, schedules.c.group_id == group_id
                )
            )
        return result.rowcount > 0

    # Claiming -------------------------------------------------------------------------------

    async def claim_due(
        self,
        *,
        now: datetime,
        grace: timedelta,
        platforms: Sequence[str],
        limit: int,
        hooks: Mapping[str, ClaimHook] | None = None,
    ) -> list[Claim]:
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
                records = [_record(row) for row in due]
                ledger_rows, advances = self._plan(records, now=now, grace=grace)
                await connection.execute(
                    update(schedules)
                    .where(schedules.c.id == bindparam("schedule_id"))
                    .values(next_due_at=bindparam("due_at"), next_slot=bindparam("slot")),
                    advances,
                )
                inserted = await self._insert_ledger_rows(connection, ledger_rows)
                by_schedule = {record.id: record for record in records}
                claims = [
                    Claim(
                        delivery_id=row.id,
                        schedule_id=row.schedule_id,
                        group_id=by_schedule[row.schedule_id].group_id,
                        platform=by_schedule[row.schedule_id].platform,
                        kind=by_schedule[row.schedule_id].kind,
                        slot=row.slot,
                        due_at=row.due_at,
                        late=row.late,
                        coalesced=row.coalesced,
                    )
                    for row in inserted
                    if row.status == Status.CLAIMED.value
                ]
                return await self._attach_payloads(connection, claims, hooks or {})

    def _plan(
        self, records: Sequence[ScheduleRecord], *, now: datetime, grace: timedelta
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        ledger_rows: list[dict[str, Any]] = []
        advances: list[dict[str, Any]] = []
        for record in records:
            rule = record.rule
            upcoming = next_occurrence(rule, record.next_due_at)
            if upcoming.due_at > now:
                # The usual case: only the stored occurrence is due.
                backlog = [Occurrence(due_at=record.next_due_at, slot=record.next_slot)]
            else:
                backlog = occurrences_between(rule, record.next_due_at, now, limit=MAX_BACKLOG)
                upcoming = next_occurrence(rule, now)
            in_grace = [o for o in backlog if now - o.due_at <= grace]
            for occurrence in backlog:
                if now - occurrence.due_at > grace:
                    status = Status.MISSED
                elif occurrence is in_grace[-1]:
                    status = Status.CLAIMED
                else:
                    status = Status.COALESCED
                ledger_rows.append(
                    {
                        "schedule_id": record.id,
                        "slot": occurrence.slot,
                        "due_at": occurrence.due_at,
                        "status": status.value,
                        "claimed_by": self.claimer,
                        "claimed_at": now,
                        "finished_at": None if status is Status.CLAIMED else now,
                        "late": status is Status.CLAIMED
                        and (now - occurrence.due_at > LATE_AFTER or len(in_grace) > 1),
                        "coalesced": len(in_grace) - 1 if status is Status.CLAIMED else 0,
                    }
                )
            advances.append(
                {"schedule_id": record.id, "due_at": upcoming.due_at, "slot": upcoming.slot}
            )
        return ledger_rows, advances

    async def _insert_ledger_rows(
        self, connection: AsyncConnection, rows: list[dict[str, Any]]
    ) -> list[Any]:
        if not rows:
            return []
        dialect = connection.dialect.name
        module: Any = postgresql if dialect == "postgresql" else sqlite
        statement = (
            module.insert(deliveries)
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
        result = await connection.execute(statement, rows)
        return list(result.all())

    async def _attach_payloads(
        self, connection: AsyncConnection, claims: list[Claim], hooks: Mapping[str, ClaimHook]
    ) -> list[Claim]:
        payloads: dict[int, str] = {}
        for kind, hook in hooks.items():
            of_kind = [claim for claim in claims if claim.kind == kind]
            if of_kind:
                payloads.update(await hook(connection, of_kind))
        if not payloads:
            return claims
        await connection.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("delivery_id"))
            .values(payload=bindparam("payload")),
            [{"delivery_id": key, "payload": value} for key, value in payloads.items()],
        )
        return [replace(claim, payload=payloads.get(claim.delivery_id)) for claim in claims]

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
    ) -> list[Claim]:
        """Claims whose sender vanished (a crash mid-delivery), re-owned by this process.

        Re-owning is a conditional update, so two recovering processes never both get one.
        """
        cutoff = now - lease
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
                            deliveries.c.claimed_at < cutoff,
                            schedules.c.platform.in_(list(platforms)),
                        )
                        .with_for_update(skip_locked=True, of=deliveries)
                    )
                ).all()
                taken: list[Claim] = []
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
                            Claim(
                                delivery_id=row.id,
                                schedule_id=row.schedule_id,
                                group_id=row.group_id,
                                platform=row.platform,
                                kind=row.kind,
                                slot=row.slot,
                                due_at=row.due_at,
                                late=row.late,
                                coalesced=row.coalesced,
                                payload=row.payload,
                            )
                        )
                return taken

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

    # Notices --------------------------------------------------------------------------------

    async def add_notice(self, group_id: str, text: str, *, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                insert(notices).values(group_id=group_id, text=text, created_at=now)
            )
