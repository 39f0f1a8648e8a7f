"""What progress is made of: when members took part, and the breaks that do not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.tables import (
    breaks,
    checkin_answers,
    checkins,
    pair_assignments,
    pair_rounds,
    poll_votes,
    polls,
    session_rsvps,
    study_sessions,
)

COMPLETED_OPTIONS = (3, 4)  # "Done", "Ahead" on a weekly progress poll


@dataclass(frozen=True, kw_only=True)
class Break:
    member_id: str | None
    starts_at: datetime
    ends_at: datetime | None


class ProgressStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def activity(
        self, group_id: str, member_id: str | None = None
    ) -> list[tuple[str, datetime]]:
        """(member id, moment) of every check-in answer, named poll vote and confirmed partner
        meeting in the group."""
        answered = (
            select(checkin_answers.c.member_id, checkin_answers.c.answered_at)
            .join(checkins, checkins.c.id == checkin_answers.c.checkin_id)
            .where(checkins.c.group_id == group_id)
        )
        voted = (
            select(poll_votes.c.voter, poll_votes.c.voted_at)
            .join(polls, polls.c.id == poll_votes.c.poll_id)
            .where(polls.c.group_id == group_id, polls.c.anonymous.is_(False))
        )
        # A partner meeting a member confirmed ("Did you meet?" → Yes) counts as taking part.
        met = (
            select(pair_assignments.c.member_id, pair_assignments.c.answered_at)
            .join(pair_rounds, pair_rounds.c.id == pair_assignments.c.round_id)
            .where(pair_rounds.c.group_id == group_id, pair_assignments.c.met == "yes")
        )
        # So does a study session a member said they attended.
        attended = (
            select(session_rsvps.c.member_id, session_rsvps.c.attended_at)
            .join(study_sessions, study_sessions.c.id == session_rsvps.c.session_id)
            .where(study_sessions.c.group_id == group_id, session_rsvps.c.attended.is_(True))
        )
        if member_id is not None:
            attended = attended.where(session_rsvps.c.member_id == member_id)
            answered = answered.where(checkin_answers.c.member_id == member_id)
            voted = voted.where(poll_votes.c.voter == member_id)
            met = met.where(pair_assignments.c.member_id == member_id)
        async with self.engine.connect() as connection:
            rows = [
                *(await connection.execute(answered)).all(),
                *(await connection.execute(voted)).all(),
                *(await connection.execute(met)).all(),
                *(await connection.execute(attended)).all(),
            ]
        return [(str(row[0]), row[1]) for row in rows]

    async def completed_weeks(self, group_id: str, member_id: str) -> set[int]:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(polls.c.week)
                .join(poll_votes, poll_votes.c.poll_id == polls.c.id)
                .where(
                    polls.c.group_id == group_id,
                    polls.c.week.is_not(None),
                    poll_votes.c.voter == member_id,
                    poll_votes.c.option_index.in_(COMPLETED_OPTIONS),
                )
            )
            return {int(week) for week in result.scalars()}

    async def start_break(
        self, group_id: str, member_id: str | None, *, starts_at: datetime, ends_at: datetime | None
    ) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                insert(breaks).values(
                    group_id=group_id, member_id=member_id, starts_at=starts_at, ends_at=ends_at
                )
            )

    async def end_group_break(self, group_id: str, *, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(breaks)
                .where(
                    breaks.c.group_id == group_id,
                    breaks.c.member_id.is_(None),
                    breaks.c.ends_at.is_(None),
                )
                .values(ends_at=now)
            )

    async def end_member_break(self, group_id: str, member_id: str, *, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(breaks)
                .where(
                    breaks.c.group_id == group_id,
                    breaks.c.member_id == member_id,
                    or_(breaks.c.ends_at.is_(None), breaks.c.ends_at > now),
                )
                .values(ends_at=now)
            )

    async def breaks_of(self, group_id: str, member_id: str) -> list[Break]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(breaks).where(
                    breaks.c.group_id == group_id,
                    or_(breaks.c.member_id.is_(None), breaks.c.member_id == member_id),
                )
            )
            return [
                Break(member_id=row.member_id, starts_at=row.starts_at, ends_at=row.ends_at)
                for row in rows
            ]

    async def snoozed_until(
        self, group_id: str, member_id: str, *, now: datetime
    ) -> datetime | None:
        for item in await self.breaks_of(group_id, member_id):
            if (
                item.member_id == member_id
                and item.starts_at <= now
                and (item.ends_at is None or item.ends_at > now)
            ):
                return item.ends_at
        return None
