"""The polls' rhythm: the scheduled weekly progress poll (kind `poll`), and the results of every
poll whose time is up, posted once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from bot.core.model import Reply
from bot.core.scheduled import (
    Announcement,
    DecidesNothingAtClaim,
    ScheduledOccurrence,
    ScheduledPost,
)
from bot.features.announcements import ANNOUNCEMENT_LEASE, claim_announcements
from bot.features.polls import poll_card, results
from bot.features.services import Services
from bot.store.polls import Tally, poll_of

PROGRESS_OPTIONS = ("Not started", "Started", "Halfway", "Done", "Ahead")


async def close_due_polls(services: Services, platforms: Sequence[str]) -> None:
    """Close every poll whose time is up; each one is closed by exactly one caller, and its
    results wait to be claimed (`sweep_closed_polls`)."""
    now = services.clock()
    for poll_id in await services.polls.due(now=now, platforms=platforms):
        await services.polls.close(poll_id, now=now, results_in_reply=False)


PROGRESS_OPEN = timedelta(hours=48)


class ProgressPollKind(DecidesNothingAtClaim):
    """The scheduled weekly poll (kind `poll`): how far did everyone get with this week?"""

    name = "poll"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        services = self.services
        group = await services.store.get_group(occurrence.group_id)
        week = group.roadmap_week if group else 1
        now = services.clock()
        created = await services.polls.create(
            group_id=occurrence.group_id,
            platform=occurrence.platform,
            question=f"How far did you get with week {week}?",
            options=PROGRESS_OPTIONS,
            anonymous=False,
            created_by="studybot",
            closes_at=now + PROGRESS_OPEN,
            now=now,
            week=week,
        )
        return ScheduledPost(reply=poll_card(created, Tally(counts=(0,) * len(PROGRESS_OPTIONS))))


async def sweep_closed_polls(
    services: Services, platforms: Sequence[str], *, lease: timedelta = ANNOUNCEMENT_LEASE
) -> list[Announcement]:
    """For the scheduler: the results of every poll whose time is up, posted exactly once
    (closed first, then claimed and settled like a delivery: bot/store/announcements.py)."""
    await close_due_polls(services, platforms)
    return await claim_announcements(
        services,
        services.polls.results,
        platforms,
        lease=lease,
        compose=partial(_results, services),
    )


async def _results(services: Services, row: Any) -> tuple[str, str, Reply]:
    poll = poll_of(row)
    return poll.group_id, f"studybot:poll-results:{poll.id}", await results(services, poll)
