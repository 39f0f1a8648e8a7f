"""Check-ins, answers (editable until close) and the group roster."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.announcements import AnnouncementMarks
from bot.store.db import WRITE_INTENT, dialect_insert
from bot.store.repos import Store
from bot.store.tables import checkin_answers, checkins

DEFAULT_QUESTIONS = (
    "What did you learn this week?",
    "What is next for you?",
    "What is blocking you?",
)


class CheckinClosed(Exception):
    """The check-in no longer takes answers."""


@dataclass(frozen=True, kw_only=True)
class Checkin:
    id: int
    group_id: str
    platform: str
    week: int
    questions: tuple[str, ...]
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    message_ref: str | None = None

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and now < self.closes_at


@dataclass(frozen=True, kw_only=True)
class Answer:
    member_id: str
    member_name: str
    answers: tuple[str, ...]
    confidence: int | None


def checkin_of(row: Any) -> Checkin:
    return Checkin(
        id=row.id,
        group_id=row.group_id,
        platform=row.platform,
        week=row.week,
        questions=tuple(json.loads(row.questions)),
        opened_at=row.opened_at,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        message_ref=row.message_ref,
    )


def _mentions_key(group_id: str) -> str:
    return f"checkin-mentions:{group_id}"


def _questions_key(group_id: str) -> str:
    return f"checkin-questions:{group_id}"


class CheckinStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # The digest of a check-in the sweeper closed: see bot/store/announcements.py.
        self.digests = AnnouncementMarks(engine, checkins, prefix="digest")
        # The reminder before it closes, once `claim_reminder` has set reminded_at.
        self.reminders = AnnouncementMarks(engine, checkins, prefix="reminder", ready="reminded_at")
        # Per-group settings (questions, mentions) are plain key-values, kept by the Store.
        self._settings = Store(engine)

    async def questions(self, group_id: str) -> tuple[str, ...]:
        value = await self._settings.get_value(_questions_key(group_id))
        return tuple(json.loads(value)) if value else DEFAULT_QUESTIONS

    async def set_questions(
        self, group_id: str, questions: tuple[str, ...], *, now: datetime
    ) -> None:
        await self._settings.set_value(
            _questions_key(group_id), json.dumps(list(questions)), now=now
        )

    async def mentions(self, group_id: str) -> bool:
        return await self._settings.get_value(_mentions_key(group_id)) == "on"

    async def set_mentions(self, group_id: str, enabled: bool, *, now: datetime) -> None:
        await self._settings.set_value(_mentions_key(group_id), "on" if enabled else "off", now=now)

    async def open(
        self,
        *,
        group_id: str,
        platform: str,
        week: int,
        closes_at: datetime,
        now: datetime,
        slot_key: str | None = None,
    ) -> Checkin:
        """Open a check-in. With `slot_key`, the check-in of that schedule slot: opened once,
        and whoever comes second (another process, the channel card after the DMs) gets it."""
        questions = await self.questions(group_id)
        values = {
            "group_id": group_id,
            "platform": platform,
            "week": week,
            "questions": json.dumps(list(questions)),
            "opened_at": now,
            "closes_at": closes_at,
            "slot_key": slot_key,
        }
        async with self.engine.begin() as connection:
            if slot_key is None:
                result = await connection.execute(
                    insert(checkins).values(**values).returning(*checkins.c)
                )
                return checkin_of(result.one())
            await connection.execute(
                dialect_insert(connection, checkins)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["slot_key"])
            )
            row = (
                await connection.execute(select(checkins).where(checkins.c.slot_key == slot_key))
            ).one()
            return checkin_of(row)

    async def get(self, checkin_id: int) -> Checkin | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(checkins).where(checkins.c.id == checkin_id))
            ).first()
        return None if row is None else checkin_of(row)

    async def latest_open(self, group_id: str, *, now: datetime) -> Checkin | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(checkins)
                    .where(
                        checkins.c.group_id == group_id,
                        checkins.c.closed_at.is_(None),
                        checkins.c.closes_at > now,
                    )
                    .order_by(checkins.c.id.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else checkin_of(row)

    async def answer(
        self,
        checkin_id: int,
        *,
        member_id: str,
        member_name: str,
        answers: tuple[str, ...],
        confidence: int | None,
        now: datetime,
    ) -> bool:
        """Store or replace a member's answers; True when they had answered before."""
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                row = (
                    await connection.execute(select(checkins).where(checkins.c.id == checkin_id))
                ).first()
                if row is None or not checkin_of(row).is_open(now):
                    raise CheckinClosed("that check-in has closed")
                removed = await connection.execute(
                    delete(checkin_answers).where(
                        checkin_answers.c.checkin_id == checkin_id,
                        checkin_answers.c.member_id == member_id,
                    )
                )
                await connection.execute(
                    insert(checkin_answers).values(
                        checkin_id=checkin_id,
                        member_id=member_id,
                        member_name=member_name,
                        answers=json.dumps(list(answers)),
                        confidence=confidence,
                        answered_at=now,
                    )
                )
                return removed.rowcount > 0

    async def answers(self, checkin_id: int) -> list[Answer]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(checkin_answers)
                .where(checkin_answers.c.checkin_id == checkin_id)
                .order_by(checkin_answers.c.answered_at)
            )
            return [
                Answer(
                    member_id=row.member_id,
                    member_name=row.member_name,
                    answers=tuple(json.loads(row.answers)),
                    confidence=row.confidence,
                )
                for row in rows
            ]

    async def latest(self, group_id: str) -> Checkin | None:
        """The group's most recent check-in, open or closed."""
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(checkins)
                    .where(checkins.c.group_id == group_id)
                    .order_by(checkins.c.id.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else checkin_of(row)

    async def previous_closed(self, checkin: Checkin) -> Checkin | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(checkins)
                    .where(
                        checkins.c.group_id == checkin.group_id,
                        checkins.c.id < checkin.id,
                        checkins.c.closed_at.is_not(None),
                    )
                    .order_by(checkins.c.id.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else checkin_of(row)

    async def close(
        self, checkin_id: int, *, now: datetime, digest_in_reply: bool = True
    ) -> Checkin | None:
        """Close it; None if someone (another process, an admin) closed it first. A command
        answers with the digest (`digest_in_reply`); the sweeper's digest is claimed after."""
        async with self.engine.begin() as connection:
            row = (
                await connection.execute(
                    update(checkins)
                    .where(checkins.c.id == checkin_id, checkins.c.closed_at.is_(None))
                    .values(closed_at=now, digest_posted_at=now if digest_in_reply else None)
                    .returning(*checkins.c)
                )
            ).first()
        return None if row is None else checkin_of(row)

    async def set_message_ref(self, checkin_id: int, message_ref: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(checkins)
                .where(checkins.c.id == checkin_id, checkins.c.message_ref.is_(None))
                .values(message_ref=message_ref)
            )

    async def claim_reminder(self, checkin_id: int, *, now: datetime) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(checkins)
                .where(checkins.c.id == checkin_id, checkins.c.reminded_at.is_(None))
                .values(reminded_at=now)
            )
        return result.rowcount > 0

    async def due(self, *, now: datetime, platforms: Sequence[str]) -> list[Checkin]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(checkins).where(
                    checkins.c.closed_at.is_(None), checkins.c.platform.in_(list(platforms))
                )
            )
            return [checkin_of(row) for row in rows]

    async def export(self, group_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(
                    checkins.c.id.label("checkin_id"),
                    checkins.c.week,
                    checkins.c.questions,
                    checkin_answers.c.member_id,
                    checkin_answers.c.member_name,
                    checkin_answers.c.answers,
                    checkin_answers.c.confidence,
                    checkin_answers.c.answered_at,
                )
                .join(checkin_answers, checkin_answers.c.checkin_id == checkins.c.id)
                .where(checkins.c.group_id == group_id)
                .order_by(checkins.c.id, checkin_answers.c.answered_at)
            )
            return [dict(row._mapping) for row in rows]
