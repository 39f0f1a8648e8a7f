"""Practice questions: each member's Leitner boxes and the question cards they were asked.

The boxes follow the issue's rhythm: a missed question comes back after 1 day; each right
answer moves it up a box, due after 3 days, then 7, then (learned) 21 days for a refresher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.db import WRITE_INTENT, dialect_insert
from bot.store.polls import AlongsideVote, Poll
from bot.store.tables import quiz_cards, quiz_reviews

# Box → how long until the question is due again.
BOX_INTERVALS = {
    1: timedelta(days=1),
    2: timedelta(days=3),
    3: timedelta(days=7),
    4: timedelta(days=21),
}
LEARNED_BOX = max(BOX_INTERVALS)


def next_box(box: int | None, *, correct: bool) -> int:
    """A miss sends a question to box 1; a right answer moves it up one (a new question starts
    in box 1, so answering it right the first time puts it in box 2)."""
    if not correct:
        return 1
    return min((box or 1) + 1, LEARNED_BOX)


@dataclass(frozen=True, kw_only=True)
class Review:
    question_id: str
    topic: str
    box: int
    due_at: datetime
    answered: int
    correct: int


@dataclass(frozen=True, kw_only=True)
class Answered:
    """The outcome of answering a card: what was chosen and where the question went."""

    question_id: str
    option: int
    box: int
    due_at: datetime


class CardAnswered(Exception):
    """The card was answered before; its first answer stands."""

    def __init__(self, question_id: str, option: int) -> None:
        self.question_id = question_id
        self.option = option
        super().__init__(f"card already answered with option {option}")


class UnknownCard(Exception):
    """No such card for this member (another member's card, or a made-up button value)."""


class QuizStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def reviews(self, member_id: str) -> dict[str, Review]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(quiz_reviews).where(quiz_reviews.c.member_id == member_id)
            )
            return {row.question_id: _review(row) for row in rows}

    async def cards_asked(self, member_id: str) -> int:
        """How many questions the member has been asked (answered or not)."""
        async with self.engine.connect() as connection:
            result = await connection.execute(
                select(func.count())
                .select_from(quiz_cards)
                .where(quiz_cards.c.member_id == member_id)
            )
            return int(result.scalar_one())

    async def ask(self, member_id: str, question_id: str, *, now: datetime) -> int:
        """A new card for the member; its id goes into the answer buttons."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                insert(quiz_cards)
                .values(member_id=member_id, question_id=question_id, asked_at=now)
                .returning(quiz_cards.c.id)
            )
            return int(result.scalar_one())

    async def answer(
        self,
        card_id: int,
        member_id: str,
        option: int,
        *,
        topic_of: dict[str, str],
        right_option: dict[str, int],
        now: datetime,
    ) -> Answered:
        """Answer a card once: the card and the member's box move in one transaction."""
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                card = (
                    await connection.execute(
                        select(quiz_cards).where(
                            quiz_cards.c.id == card_id, quiz_cards.c.member_id == member_id
                        )
                    )
                ).first()
                if card is None or card.question_id not in topic_of:
                    raise UnknownCard(card_id)
                claimed = await connection.execute(
                    update(quiz_cards)
                    .where(quiz_cards.c.id == card_id, quiz_cards.c.answered_option.is_(None))
                    .values(answered_option=option, answered_at=now)
                )
                if claimed.rowcount != 1:
                    raise CardAnswered(card.question_id, int(card.answered_option))
                question_id = card.question_id
                return await record_review(
                    connection,
                    member_id=member_id,
                    question_id=question_id,
                    topic=topic_of[question_id],
                    option=option,
                    correct=option == right_option[question_id],
                    now=now,
                )


def practice_alongside_vote(
    *, member_id: str, question_id: str, topic: str, right_option: int, now: datetime
) -> AlongsideVote:
    """For PollStore.vote on a question of the week: the answer also moves the member's Leitner
    box for that question, in the vote's own transaction (`option` is the poll's 0-based index,
    and a question of the week lists the question's options in order)."""

    async def record(connection: AsyncConnection, poll: Poll, option: int) -> None:
        await record_review(
            connection,
            member_id=member_id,
            question_id=question_id,
            topic=topic,
            option=option + 1,
            correct=option + 1 == right_option,
            now=now,
        )

    return record


async def record_review(
    connection: AsyncConnection,
    *,
    member_id: str,
    question_id: str,
    topic: str,
    option: int,
    correct: bool,
    now: datetime,
) -> Answered:
    """Move the member's question to its next box, inside the caller's transaction."""
    current = (
        await connection.execute(
            select(quiz_reviews.c.box).where(
                quiz_reviews.c.member_id == member_id, quiz_reviews.c.question_id == question_id
            )
        )
    ).scalar()
    box = next_box(current, correct=correct)
    due_at = now + BOX_INTERVALS[box]
    statement = dialect_insert(connection, quiz_reviews).values(
        member_id=member_id,
        question_id=question_id,
        topic=topic,
        box=box,
        due_at=due_at,
        answered=1,
        correct=int(correct),
        last_answered_at=now,
    )
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[quiz_reviews.c.member_id, quiz_reviews.c.question_id],
            set_={
                "box": box,
                "due_at": due_at,
                "topic": topic,
                "answered": quiz_reviews.c.answered + 1,
                "correct": quiz_reviews.c.correct + int(correct),
                "last_answered_at": now,
            },
        )
    )
    return Answered(question_id=question_id, option=option, box=box, due_at=due_at)


def _review(row: Any) -> Review:
    return Review(
        question_id=row.question_id,
        topic=row.topic,
        box=row.box,
        due_at=row.due_at,
        answered=row.answered,
        correct=row.correct,
    )
