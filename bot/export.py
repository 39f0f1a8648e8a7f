"""CSV export of a group's check-ins, polls and votes (anonymous votes without identities)."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from bot.features.services import Services

WHAT = ("checkins", "polls", "votes")


async def export_csv(services: Services, group_id: str, what: str, out: TextIO) -> int:
    """Write the rows; return how many (the header not counted)."""
    writer = csv.writer(out)
    count = 0
    if what == "checkins":
        writer.writerow(
            [
                "checkin_id",
                "week",
                "member_id",
                "member_name",
                "answered_at",
                "confidence",
                "question",
                "answer",
            ]
        )
        for row in await services.checkins.export(group_id):
            questions = json.loads(row["questions"])
            answers = json.loads(row["answers"])
            for question, answer in zip(questions, answers, strict=False):
                writer.writerow(
                    [
                        row["checkin_id"],
                        row["week"],
                        row["member_id"],
                        row["member_name"],
                        row["answered_at"].isoformat(),
                        row["confidence"] if row["confidence"] is not None else "",
                        question,
                        answer,
                    ]
                )
                count += 1
    elif what == "polls":
        writer.writerow(
            [
                "poll_id",
                "question",
                "anonymous",
                "created_by",
                "closes_at",
                "closed_at",
                "option",
                "votes",
            ]
        )
        for poll, tally in await services.polls.export_polls(group_id):
            for option, votes in zip(poll.options, tally.counts, strict=True):
                writer.writerow(
                    [
                        poll.id,
                        poll.question,
                        poll.anonymous,
                        poll.created_by,
                        poll.closes_at.isoformat(),
                        poll.closed_at.isoformat() if poll.closed_at else "",
                        option,
                        votes,
                    ]
                )
                count += 1
    else:
        writer.writerow(["poll_id", "question", "option", "member_id", "voted_at"])
        for row in await services.polls.export_votes(group_id):
            options = json.loads(row["options"])
            # An anonymous poll's voter column holds a keyed hash, not a member: leave it out.
            member = "" if row["anonymous"] else row["voter"]
            writer.writerow(
                [
                    row["id"],
                    row["question"],
                    options[row["option_index"]],
                    member,
                    row["voted_at"].isoformat(),
                ]
            )
            count += 1
    return count
