"""Polls and votes. One row per voter: a second click replaces the first vote.

Anonymous polls store no member identity at all: a voter is an HMAC of the member id under a
per-poll key, which is erased when the poll closes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.announcements import AnnouncementMarks
from bot.store.db import WRITE_INTENT
from bot.store.tables import poll_votes, polls


class PollClosed(Exception):
    """The poll no longer takes votes."""


class AlreadyVoted(Exception):
    """The member's vote on a poll whose votes are final (a question of the week) stands."""

    def __init__(self, option_index: int) -> None:
        self.option_index = option_index
        super().__init__(f"already voted for option {option_index}")


# Runs inside the vote's transaction, so what a vote means elsewhere (a quiz answer moving a
# question between Leitner boxes) commits together with the vote or not at all.
AlongsideVote = Callable[[AsyncConnection, "Poll", int], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class Poll:
    id: int
    group_id: str
    platform: str
    question: str
    options: tuple[str, ...]
    anonymous: bool
    created_by: str
    closes_at: datetime
    closed_at: datetime | None
    quiz_question: str | None = None

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and now < self.closes_at


@dataclass(frozen=True, kw_only=True)
class Tally:
    counts: tuple[int, ...]

    @property
    def voters(self) -> int:
        return sum(self.counts)


def poll_of(row: Any) -> Poll:
    return Poll(
        id=row.id,
        group_id=row.group_id,
        platform=row.platform,
        question=row.question,
        options=tuple(json.loads(row.options)),
        anonymous=row.anonymous,
        created_by=row.created_by,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        quiz_question=row.quiz_question,
    )


def anonymous_voter(key: str, member_id: str) -> str:
    return hmac.new(bytes.fromhex(key), member_id.encode(), hashlib.sha256).hexdigest()


class PollStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # The results post of a poll the sweeper closed: see bot/store/announcements.py.
        self.results = AnnouncementMarks(engine, polls, prefix="results")

    async def create(
        self,
        *,
        group_id: str,
        platform: str,
        question: str,
        options: tuple[str, ...],
        anonymous: bool,
        created_by: str,
        closes_at: datetime,
        now: datetime,
        week: int | None = None,
        quiz_question: str | None = None,
    ) -> Poll:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                insert(polls)
                .values(
                    group_id=group_id,
                    platform=platform,
                    question=question,
                    options=json.dumps(list(options)),
                    anonymous=anonymous,
                    vote_key=secrets.token_hex(32) if anonymous else None,
                    created_by=created_by,
                    created_at=now,
                    closes_at=closes_at,
                    week=week,
                    quiz_question=quiz_question,
                )
                .returning(*polls.c)
            )
            return poll_of(result.one())

    async def get(self, poll_id: int) -> Poll | None:
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(polls).where(polls.c.id == poll_id))).first()
        return None if row is None else poll_of(row)

    async def vote(
        self,
        poll_id: int,
        member_id: str,
        option_index: int,
        *,
        now: datetime,
        alongside: AlongsideVote | None = None,
    ) -> tuple[Poll, Tally]:
        """Record (or change) a member's vote; the tally is read in the same transaction.

        On a question of the week the first answer is final: a second raises AlreadyVoted with
        the first's option, whichever button sent it.
        """
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                row = (await connection.execute(select(polls).where(polls.c.id == poll_id))).first()
                if row is None:
                    raise PollClosed("that poll does not exist")
                poll = poll_of(row)
                if not poll.is_open(now):
                    raise PollClosed("that poll has closed")
                if not 0 <= option_index < len(poll.options):
                    raise ValueError(f"option {option_index} is not on poll {poll_id}")
                voter = anonymous_voter(row.vote_key, member_id) if poll.anonymous else member_id
                if poll.quiz_question is not None:
                    earlier = (
                        await connection.execute(
                            select(poll_votes.c.option_index).where(
                                poll_votes.c.poll_id == poll_id, poll_votes.c.voter == voter
                            )
                        )
                    ).scalar()
                    if earlier is not None:
                        raise AlreadyVoted(int(earlier))
                await connection.execute(
                    delete(poll_votes).where(
                        poll_votes.c.poll_id == poll_id, poll_votes.c.voter == voter
                    )
                )
                await connection.execute(
                    insert(poll_votes).values(
                        poll_id=poll_id, voter=voter, option_index=option_index, voted_at=now
                    )
                )
                if alongside is not None:
                    await alongside(connection, poll, option_index)
                return poll, await self._tally(connection, poll)

    async def tally(self, poll: Poll) -> Tally:
        async with self.engine.connect() as connection:
            return await self._tally(connection, poll)

    @staticmethod
    async def _tally(connection: AsyncConnection, poll: Poll) -> Tally:
        rows = await connection.execute(
            select(poll_votes.c.option_index, func.count())
            .where(poll_votes.c.poll_id == poll.id)
            .group_by(poll_votes.c.option_index)
        )
        by_option: dict[int, int] = {index: count for index, count in rows.all()}
        return Tally(counts=tuple(by_option.get(i, 0) for i in range(len(poll.options))))

    async def close(
        self, poll_id: int, *, now: datetime, results_in_reply: bool = True
    ) -> Poll | None:
        """Close the poll and erase its vote key; None if it was already closed (by anyone).

        A command that closes a poll answers with its results (`results_in_reply`); the sweeper
        closes without, and the results post is then claimed with `claim_results`."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(polls)
                .where(polls.c.id == poll_id, polls.c.closed_at.is_(None))
                .values(
                    closed_at=now,
                    vote_key=None,
                    results_posted_at=now if results_in_reply else None,
                )
                .returning(*polls.c)
            )
            row = result.first()
        return None if row is None else poll_of(row)

    async def open_polls(self, group_id: str) -> list[tuple[Poll, Tally]]:
        """The group's polls not yet closed, newest first, with their tallies."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(polls)
                .where(polls.c.group_id == group_id, polls.c.closed_at.is_(None))
                .order_by(polls.c.id.desc())
            )
            found = [poll_of(row) for row in rows]
            return [(poll, await self._tally(connection, poll)) for poll in found]

    async def quiz_questions_asked(self, group_id: str) -> set[str]:
        """The practice questions this group has had as a question of the week."""
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(polls.c.quiz_question).where(
                    polls.c.group_id == group_id, polls.c.quiz_question.is_not(None)
                )
            )
            return {str(question) for question in result.scalars()}

    async def due(self, *, now: datetime, platforms: Sequence[str]) -> list[int]:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(polls.c.id).where(
                    polls.c.closed_at.is_(None),
                    polls.c.closes_at <= now,
                    polls.c.platform.in_(list(platforms)),
                )
            )
            return list(result.scalars())

    async def export_polls(self, group_id: str) -> list[tuple[Poll, Tally]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(polls).where(polls.c.group_id == group_id).order_by(polls.c.id)
            )
            found = [poll_of(row) for row in rows]
            return [(poll, await self._tally(connection, poll)) for poll in found]

    async def export_votes(self, group_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(polls, poll_votes.c.voter, poll_votes.c.option_index, poll_votes.c.voted_at)
                .join(poll_votes, poll_votes.c.poll_id == polls.c.id)
                .where(polls.c.group_id == group_id)
                .order_by(polls.c.id, poll_votes.c.voted_at)
            )
            return [dict(row._mapping) for row in rows]
