"""The polls' rhythm: the scheduled weekly progress poll (kind `poll`), and the results of every
poll whose time is up, posted once."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from bot.core.scheduled import (
    Announcement,
    DecidesNothingAtClaim,
    ScheduledOccurrence,
    ScheduledPost,
)
from bot.features.polls import poll_card, results
from bot.features.services import Services
from bot.store.polls import Tally

PROGRESS_OPTIONS = ("Not started", "Started", "Halfway", "Done", "Ahead")


async def close_due_polls(services: Services, platforms: Sequence[str]) -> None:
    """Close every poll whose time is up; each one is closed by exactly one caller, and its
    results wait to be claimed (`sweep_closed_polls`)."""
    now = services.clock()
    for poll_id in await services.polls.due(now=now, platforms=platforms):
        await services.polls.close(poll_id, now=now, results_in_reply=False)


PROGRESS_OPEN = timedelta(hours=48)
# How long a process holds a poll's results post before another may take it over.
RESULTS_LEASE = timedelta(minutes=1)


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
    services: Services, platforms: Sequence[str], *, lease: timedelta = RESULTS_LEASE
) -> list[Announcement]:
    """For the scheduler: the results of every poll whose time is up, posted exactly once.

    Closing and posting are two steps, like a claimed delivery: the results are claimed by one
    process, marked attempted right before the request and posted once settled; a process that
    dies in between leaves them to be taken over after `lease`, which first looks for them in
    the conversation (by key) before posting again."""
    await close_due_polls(services, platforms)
    # A token per claim, not per process: if a slow post outlives its lease and is claimed again
    # (even by this process), the first holder's attempt mark fails and it steps aside.
    claimer = f"{services.deliveries.claimer}/{secrets.token_hex(4)}"
    now = services.clock()
    claimed = await services.polls.claim_results(
        platforms=platforms, claimer=claimer, now=now, lease=lease
    )
    announcements = []
    for poll, attempted_at in claimed:

        async def attempted(poll_id: int = poll.id) -> bool:
            return await services.polls.mark_results_attempted(
                poll_id, claimer=claimer, now=services.clock()
            )

        async def done(poll_id: int = poll.id) -> None:
            await services.polls.mark_results_posted(poll_id, now=services.clock())

        announcements.append(
            Announcement(
                group_id=poll.group_id,
                reply=await results(services, poll),
                key=f"studybot:poll-results:{poll.id}",
                mark_attempted=attempted,
                mark_done=done,
                attempted_at=attempted_at,
            )
        )
    return announcements
