"""CSV export of a group's check-ins, polls and votes (anonymous votes without identities)."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, TextIO

from bot.features.services import Services

CHECKIN_COLUMNS = (
    "checkin_id",
    "week",
    "member_id",
    "member_name",
    "answered_at",
    "confidence",
    "question",
    "answer",
)
POLL_COLUMNS = (
    "poll_id",
    "question",
    "anonymous",
    "created_by",
    "closes_at",
    "closed_at",
    "option",
    "votes",
)
VOTE_COLUMNS = ("poll_id", "question", "option", "member_id", "voted_at")

Row = list[Any]


async def _checkin_rows(services: Services, group_id: str) -> AsyncIterator[Row]:
    """One row per answered question."""
    for row in await services.checkins.export(group_id):
        questions = json.loads(row["questions"])
        answers = json.loads(row["answers"])
        confidence = row["confidence"] if row["confidence"] is not None else ""
        for question, answer in zip(questions, answers, strict=False):
            yield [
                row["checkin_id"],
                row["week"],
                row["member_id"],
                row["member_name"],
                row["answered_at"].isoformat(),
                confidence,
                question,
                answer,
            ]


async def _poll_rows(services: Services, group_id: str) -> AsyncIterator[Row]:
    """One row per poll option, with its vote count."""
    for poll, tally in await services.polls.export_polls(group_id):
        closed = poll.closed_at.isoformat() if poll.closed_at else ""
        for option, votes in zip(poll.options, tally.counts, strict=True):
            yield [
                poll.id,
                poll.question,
                poll.anonymous,
                poll.created_by,
                poll.closes_at.isoformat(),
                closed,
                option,
                votes,
            ]


async def _vote_rows(services: Services, group_id: str) -> AsyncIterator[Row]:
    for row in await services.polls.export_votes(group_id):
        options = json.loads(row["options"])
        # An anonymous poll's voter column holds a keyed hash, not a member: leave it out.
        member = "" if row["anonymous"] else row["voter"]
        yield [
            row["id"],
            row["question"],
            options[row["option_index"]],
            member,
            row["voted_at"].isoformat(),
        ]


RowSource = Callable[[Services, str], AsyncIterator[Row]]
EXPORTS: dict[str, tuple[tuple[str, ...], RowSource]] = {
    "checkins": (CHECKIN_COLUMNS, _checkin_rows),
    "polls": (POLL_COLUMNS, _poll_rows),
    "votes": (VOTE_COLUMNS, _vote_rows),
}
WHAT = tuple(EXPORTS)


async def export_csv(services: Services, group_id: str, what: str, out: TextIO) -> int:
    """Write the rows; return how many (the header not counted)."""
    columns, rows = EXPORTS[what]
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    async for row in rows(services, group_id):
        writer.writerow(row)
        count += 1
    return count
