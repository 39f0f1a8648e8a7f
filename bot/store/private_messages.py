"""The private half of the deliveries ledger: messages to one member each, exactly once.

A row is inserted insert-or-nothing on its key, so planning the same message twice (two
processes, a restart) leaves one row. It waits as `pending` until `due_at`, is claimed by one
process (`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), marked attempted
just before it is handed to the platform, and finished with its outcome; a claim whose owner
stopped renewing it is taken over with the same rules as channel posts (scheduler/private.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.private import PrivateDelivery
from bot.store.db import WRITE_INTENT, dialect_insert
from bot.store.tables import private_messages


class PrivateStatus(StrEnum):
    PENDING = "pending"  # waiting for its time (or for the member's hours)
    CLAIMED = "claimed"
    SENT = "sent"
    FELL_BACK = "fell_back"  # the member's DMs are closed: said in the channel instead
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"  # nothing to say any more (e.g. the member answered already)
    CANCELLED = "cancelled"  # the member left, or turned private messages off


@dataclass(frozen=True, kw_only=True)
class PlannedMessage:
    key: str
    platform: str
    group_id: str
    member_id: str
    kind: str
    due_at: datetime
    payload: str | None = None


@dataclass(frozen=True, kw_only=True)
class PrivateOutcome:
    message_id: int
    status: PrivateStatus
    attempts: int
    detail: str | None = None
    message_ref: str | None = None


def _message(row: Row[Any]) -> PrivateDelivery:
    return PrivateDelivery(
        message_id=row.id,
        key=row.key,
        platform=row.platform,
        group_id=row.group_id,
        member_id=row.member_id,
        kind=row.kind,
        payload=row.payload,
        due_at=row.due_at,
        attempted_at=row.attempted_at,
    )


class PrivateLedger:
    def __init__(self, engine: AsyncEngine, *, claimer: str) -> None:
        self.engine = engine
        self.claimer = claimer

    async def plan(self, messages: Sequence[PlannedMessage]) -> int:
        """Insert each message unless its key exists; returns how many were new."""
        if not messages:
            return 0
        async with self.engine.begin() as connection:
            statement = (
                dialect_insert(connection, private_messages)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(private_messages.c.id)
            )
            rows = [
                {
                    "key": message.key,
                    "platform": message.platform,
                    "group_id": message.group_id,
                    "member_id": message.member_id,
                    "kind": message.kind,
                    "payload": message.payload,
                    "due_at": message.due_at,
                    "status": PrivateStatus.PENDING.value,
                }
                for message in messages
            ]
            return len((await connection.execute(statement, rows)).all())

    async def claim_due(
        self, *, now: datetime, platforms: Sequence[str], limit: int
    ) -> list[PrivateDelivery]:
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                rows = (
                    await connection.execute(
                        select(private_messages)
                        .where(
                            private_messages.c.status == PrivateStatus.PENDING.value,
                            private_messages.c.due_at <= now,
                            private_messages.c.platform.in_(list(platforms)),
                        )
                        .order_by(private_messages.c.due_at)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                if not rows:
                    return []
                await connection.execute(
                    update(private_messages)
                    .where(
                        private_messages.c.id.in_([row.id for row in rows]),
                        private_messages.c.status == PrivateStatus.PENDING.value,
                    )
                    .values(
                        status=PrivateStatus.CLAIMED.value, claimed_by=self.claimer, claimed_at=now
                    )
                )
                return [_message(row) for row in rows]

    async def postpone(self, message_id: int, *, until: datetime) -> None:
        """Hand a claimed message back to wait (the member's hours have not started)."""
        async with self.engine.begin() as connection:
            await connection.execute(
                update(private_messages)
                .where(
                    private_messages.c.id == message_id,
                    private_messages.c.claimed_by == self.claimer,
                    private_messages.c.status == PrivateStatus.CLAIMED.value,
                )
                .values(status=PrivateStatus.PENDING.value, due_at=until, claimed_by=None)
            )

    async def mark_attempting(self, message_id: int, *, now: datetime) -> bool:
        """Just before sending: False when another process took the claim over meanwhile."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(private_messages)
                .where(
                    private_messages.c.id == message_id,
                    private_messages.c.status == PrivateStatus.CLAIMED.value,
                    private_messages.c.claimed_by == self.claimer,
                )
                .values(attempted_at=now)
            )
            return result.rowcount > 0

    async def finish(self, outcomes: Sequence[PrivateOutcome], *, now: datetime) -> None:
        if not outcomes:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                update(private_messages)
                .where(
                    private_messages.c.id == bindparam("message_id"),
                    private_messages.c.claimed_by == self.claimer,
                )
                .values(
                    status=bindparam("status"),
                    attempts=bindparam("attempts"),
                    detail=bindparam("detail"),
                    message_ref=bindparam("message_ref"),
                    finished_at=now,
                ),
                [
                    {
                        "message_id": outcome.message_id,
                        "status": outcome.status.value,
                        "attempts": outcome.attempts,
                        "detail": outcome.detail,
                        "message_ref": outcome.message_ref,
                    }
                    for outcome in outcomes
                ],
            )

    async def renew_claims(self, *, now: datetime) -> int:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(private_messages)
                .where(
                    private_messages.c.status == PrivateStatus.CLAIMED.value,
                    private_messages.c.claimed_by == self.claimer,
                )
                .values(claimed_at=now)
            )
            return result.rowcount

    async def take_stale_claims(
        self, *, now: datetime, lease: timedelta, platforms: Sequence[str]
    ) -> list[PrivateDelivery]:
        """Claims whose owner stopped renewing them, re-owned by this process (conditionally,
        so two recovering processes never both get one)."""
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                rows = (
                    await connection.execute(
                        select(private_messages)
                        .where(
                            private_messages.c.status == PrivateStatus.CLAIMED.value,
                            private_messages.c.claimed_at < now - lease,
                            private_messages.c.platform.in_(list(platforms)),
                        )
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                taken: list[PrivateDelivery] = []
                for row in rows:
                    result = await connection.execute(
                        update(private_messages)
                        .where(
                            private_messages.c.id == row.id,
                            private_messages.c.status == PrivateStatus.CLAIMED.value,
                            private_messages.c.claimed_by == row.claimed_by,
                        )
                        .values(claimed_by=self.claimer, claimed_at=now)
                    )
                    if result.rowcount:
                        taken.append(_message(row))
                return taken

    async def statuses(self, *, member_id: str | None = None) -> list[tuple[str, PrivateStatus]]:
        """(key, status) of every message (to one member), oldest first: for tests and status."""
        query = select(private_messages.c.key, private_messages.c.status).order_by(
            private_messages.c.id
        )
        if member_id is not None:
            query = query.where(private_messages.c.member_id == member_id)
        async with self.engine.connect() as connection:
            rows = await connection.execute(query)
            return [(str(key), PrivateStatus(status)) for key, status in rows]
