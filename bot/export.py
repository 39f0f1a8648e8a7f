"""CSV export of a group's check-ins, polls and votes, revealing no more than the chat does.

Anonymous polls: votes carry no voter, per-option counts and votes are left out while fewer than
ANONYMITY_THRESHOLD members have voted (as the poll card hides them), and their times are
rounded to the day so a vote cannot be matched to who was online. Every text cell that a
spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return) is prefixed with
`'`, since check-in answers are members' free text.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, TextIO

from bot.features.polls import ANONYMITY_THRESHOLD
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
MEMBER_COLUMNS = (
    "member_id",
    "name",
    "joined_at",
    "timezone",
    "private_messages",
    "dms_closed",
    "hours",
    "added_organizer",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = list[Any]


class UnknownGroup(Exception):
    def __init__(self, group_id: str, known: list[str]) -> None:
        listed = ", ".join(known) if known else "none yet"
        super().__init__(f"studybot has no data for group {group_id}; known groups: {listed}")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _when(moment: datetime | None, *, anonymous: bool) -> str:
    if moment is None:
        return ""
    return moment.date().isoformat() if anonymous else moment.isoformat()


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
    """One row per poll option, with its vote count (hidden where the chat hides it)."""
    for poll, tally in await services.polls.export_polls(group_id):
        hidden = poll.anonymous and tally.voters < ANONYMITY_THRESHOLD
        for option, votes in zip(poll.options, tally.counts, strict=True):
            yield [
                poll.id,
                poll.question,
                poll.anonymous,
                poll.created_by,
                _when(poll.closes_at, anonymous=poll.anonymous),
                _when(poll.closed_at, anonymous=poll.anonymous),
                option,
                "" if hidden else votes,
            ]


async def _vote_rows(services: Services, group_id: str) -> AsyncIterator[Row]:
    rows = await services.polls.export_votes(group_id)
    voters = Counter(row["id"] for row in rows)
    for row in rows:
        anonymous = bool(row["anonymous"])
        if anonymous and voters[row["id"]] < ANONYMITY_THRESHOLD:
            continue  # a handful of anonymous votes would give away who chose what
        options = json.loads(row["options"])
        # An anonymous poll's voter column holds a keyed hash, not a member: leave it out.
        yield [
            row["id"],
            row["question"],
            options[row["option_index"]],
            "" if anonymous else row["voter"],
            _when(row["voted_at"], anonymous=anonymous),
        ]


async def _member_rows(services: Services, group_id: str) -> AsyncIterator[Row]:
    """The roster with each member's settings: what organizers see in /members, and hours."""
    for entry in await services.members.roster(group_id):
        settings = entry.settings
        hours = f"{settings.hours_start}-{settings.hours_end}" if settings.hours_start else ""
        yield [
            entry.member_id,
            entry.name,
            entry.joined_at.isoformat(),
            settings.timezone or "",
            "on" if settings.dm_enabled else "off",
            "closed" if settings.dm_closed_at is not None else "",
            hours,
            await services.members.is_added_organizer(group_id, entry.member_id),
        ]


RowSource = Callable[[Services, str], AsyncIterator[Row]]
EXPORTS: dict[str, tuple[tuple[str, ...], RowSource]] = {
    "checkins": (CHECKIN_COLUMNS, _checkin_rows),
    "polls": (POLL_COLUMNS, _poll_rows),
    "votes": (VOTE_COLUMNS, _vote_rows),
    "members": (MEMBER_COLUMNS, _member_rows),
}
WHAT = tuple(EXPORTS)


async def export_csv(services: Services, group_id: str, what: str, out: TextIO) -> int:
    """Write the rows; return how many (the header not counted). UnknownGroup if studybot holds
    nothing for `group_id`."""
    known = await services.store.known_group_ids()
    if group_id not in known:
        raise UnknownGroup(group_id, known)
    columns, rows = EXPORTS[what]
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    async for row in rows(services, group_id):
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    return count
