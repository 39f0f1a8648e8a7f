"""Study sessions (one-off or weekly) and who answered Going / Maybe / Can't to each occurrence."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.store.tables import session_rsvps, study_sessions, time_poll_ticks, time_polls

ALL_OCCURRENCES = "*"
ANSWERS = ("going", "maybe", "cant")


@dataclass(frozen=True, kw_only=True)
class StudySession:
    id: int
    group_id: str
    platform: str
    title: str
    local_date: date
    local_time: time
    timezone: str
    starts_at: datetime
    weekly: bool
    minutes: int
    cap: int | None
    place: str | None
    created_by: str
    cancelled_at: datetime | None
    skipped_dates: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Rsvp:
    member_id: str
    name: str
    answer: str
    answered_at: datetime
    # "*" when it came from "going to all" of a weekly series.
    occurrence: str
    attended: bool | None = None


def _session(row: Row[Any]) -> StudySession:
    return StudySession(
        id=row.id,
        group_id=row.group_id,
        platform=row.platform,
        title=row.title,
        local_date=date.fromisoformat(row.local_date),
        local_time=time.fromisoformat(row.local_time),
        timezone=row.timezone,
        starts_at=row.starts_at,
        weekly=row.weekly,
        minutes=row.minutes,
        cap=row.cap,
        place=row.place,
        created_by=row.created_by,
        cancelled_at=row.cancelled_at,
        skipped_dates=tuple(json.loads(row.skipped_dates or "[]")),
    )


def _rsvp_of(session_id: int, occurrence: str, member_id: str) -> ColumnElement[bool]:
    """One member's answer for one occurrence."""
    return and_(
        session_rsvps.c.session_id == session_id,
        session_rsvps.c.occurrence == occurrence,
        session_rsvps.c.member_id == member_id,
    )


class SessionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self,
        *,
        group_id: str,
        platform: str,
        title: str,
        local_date: date,
        local_time: time,
        timezone: str,
        starts_at: datetime,
        weekly: bool,
        minutes: int,
        cap: int | None,
        place: str | None,
        created_by: str,
        now: datetime,
    ) -> StudySession:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                insert(study_sessions)
                .values(
                    group_id=group_id,
                    platform=platform,
                    title=title,
                    local_date=local_date.isoformat(),
                    local_time=f"{local_time:%H:%M}",
                    timezone=timezone,
                    starts_at=starts_at,
                    weekly=weekly,
                    minutes=minutes,
                    cap=cap,
                    place=place,
                    created_by=created_by,
                    created_at=now,
                )
                .returning(*study_sessions.c)
            )
            return _session(result.one())

    async def get(self, session_id: int) -> StudySession | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(study_sessions).where(study_sessions.c.id == session_id)
                )
            ).first()
        return None if row is None else _session(row)

    async def of_group(self, group_id: str, *, with_cancelled: bool = False) -> list[StudySession]:
        query = select(study_sessions).where(study_sessions.c.group_id == group_id)
        if not with_cancelled:
            query = query.where(study_sessions.c.cancelled_at.is_(None))
        async with self.engine.connect() as connection:
            rows = await connection.execute(query.order_by(study_sessions.c.starts_at))
            return [_session(row) for row in rows]

    async def running(self, platforms: list[str]) -> list[StudySession]:
        """Every session not cancelled, for the reminder sweep."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(study_sessions).where(
                    study_sessions.c.cancelled_at.is_(None),
                    study_sessions.c.platform.in_(platforms),
                )
            )
            return [_session(row) for row in rows]

    async def cancel(self, session_id: int, *, now: datetime) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(study_sessions)
                .where(study_sessions.c.id == session_id, study_sessions.c.cancelled_at.is_(None))
                .values(cancelled_at=now)
            )
            return result.rowcount > 0

    async def skip(self, session: StudySession, occurrence: str) -> None:
        skipped = sorted({*session.skipped_dates, occurrence})
        async with self.engine.begin() as connection:
            await connection.execute(
                update(study_sessions)
                .where(study_sessions.c.id == session.id)
                .values(skipped_dates=json.dumps(skipped))
            )

    async def update(self, session_id: int, **values: object) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(study_sessions).where(study_sessions.c.id == session_id).values(**values)
            )

    async def answer(
        self,
        session_id: int,
        occurrence: str,
        member_id: str,
        name: str,
        answer: str,
        *,
        now: datetime,
    ) -> None:
        """Record the answer; a member who says "going" again keeps their place in the queue."""
        where = _rsvp_of(session_id, occurrence, member_id)
        async with self.engine.begin() as connection:
            existing = (
                await connection.execute(select(session_rsvps.c.answer).where(where))
            ).first()
            if existing is not None and existing.answer == answer:
                return
            await connection.execute(delete(session_rsvps).where(where))
            await connection.execute(
                insert(session_rsvps).values(
                    session_id=session_id,
                    occurrence=occurrence,
                    member_id=member_id,
                    name=name,
                    answer=answer,
                    answered_at=now,
                )
            )

    async def answers(self, session_id: int, occurrence: str) -> list[Rsvp]:
        """Everyone's answer for one occurrence, oldest first: an answer for that date wins over
        "going to all" of the series."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(session_rsvps)
                .where(
                    session_rsvps.c.session_id == session_id,
                    or_(
                        session_rsvps.c.occurrence == occurrence,
                        session_rsvps.c.occurrence == ALL_OCCURRENCES,
                    ),
                )
                .order_by(session_rsvps.c.answered_at, session_rsvps.c.member_id)
            )
            found: dict[str, Rsvp] = {}
            for row in rows:
                item = Rsvp(
                    member_id=row.member_id,
                    name=row.name,
                    answer=row.answer,
                    answered_at=row.answered_at,
                    occurrence=row.occurrence,
                    attended=row.attended,
                )
                if row.occurrence == occurrence or row.member_id not in found:
                    found[row.member_id] = item
        return sorted(found.values(), key=lambda r: (r.answered_at, r.member_id))

    async def mark_attended(
        self,
        session_id: int,
        occurrence: str,
        member_id: str,
        name: str,
        attended: bool,
        *,
        now: datetime,
    ) -> None:
        """Store the answer on the occurrence's own row (made from "going to all" if need be)."""
        where = _rsvp_of(session_id, occurrence, member_id)
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(session_rsvps).where(where).values(attended=attended, attended_at=now)
            )
            if result.rowcount == 0:
                await connection.execute(
                    insert(session_rsvps).values(
                        session_id=session_id,
                        occurrence=occurrence,
                        member_id=member_id,
                        name=name,
                        answer="going",
                        answered_at=now,
                        attended=attended,
                        attended_at=now,
                    )
                )


@dataclass(frozen=True, kw_only=True)
class TimePoll:
    id: int
    group_id: str
    title: str
    timezone: str
    options: tuple[str, ...]  # local "YYYY-MM-DD HH:MM" in `timezone`
    created_by: str
    session_id: int | None
    # Per option, the (member id, name) of everyone it fits.
    ticks: tuple[tuple[tuple[str, str], ...], ...] = ()


class TimePollStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create(
        self,
        *,
        group_id: str,
        title: str,
        timezone: str,
        options: Sequence[str],
        created_by: str,
        now: datetime,
    ) -> TimePoll:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                insert(time_polls)
                .values(
                    group_id=group_id,
                    title=title,
                    timezone=timezone,
                    options=json.dumps(list(options)),
                    created_by=created_by,
                    created_at=now,
                )
                .returning(time_polls.c.id)
            )
            poll_id = int(result.scalar_one())
        found = await self.get(poll_id)
        assert found is not None
        return found

    async def get(self, poll_id: int) -> TimePoll | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(time_polls).where(time_polls.c.id == poll_id))
            ).first()
            if row is None:
                return None
            ticks = await connection.execute(
                select(time_poll_ticks)
                .where(time_poll_ticks.c.poll_id == poll_id)
                .order_by(time_poll_ticks.c.name, time_poll_ticks.c.member_id)
            )
            options: list[str] = json.loads(row.options)
            per_option: list[list[tuple[str, str]]] = [[] for _ in options]
            for tick in ticks:
                if 0 <= tick.option_index < len(options):
                    per_option[tick.option_index].append((tick.member_id, tick.name))
        return TimePoll(
            id=row.id,
            group_id=row.group_id,
            title=row.title,
            timezone=row.timezone,
            options=tuple(options),
            created_by=row.created_by,
            session_id=row.session_id,
            ticks=tuple(tuple(people) for people in per_option),
        )

    async def toggle(self, poll_id: int, option: int, member_id: str, name: str) -> bool:
        """Tick the option for the member, or untick it; True when it is ticked now."""
        where = and_(
            time_poll_ticks.c.poll_id == poll_id,
            time_poll_ticks.c.option_index == option,
            time_poll_ticks.c.member_id == member_id,
        )
        async with self.engine.begin() as connection:
            removed = await connection.execute(delete(time_poll_ticks).where(where))
            if removed.rowcount:
                return False
            await connection.execute(
                insert(time_poll_ticks).values(
                    poll_id=poll_id, option_index=option, member_id=member_id, name=name
                )
            )
            return True

    async def close(self, poll_id: int, session_id: int) -> bool:
        """Mark the poll decided; False when it already was (a second pick)."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(time_polls)
                .where(time_polls.c.id == poll_id, time_polls.c.session_id.is_(None))
                .values(session_id=session_id)
            )
            return result.rowcount > 0
