"""Sweepers' announcements that must go out exactly once (a poll's results, a check-in's
digest): rows claimed with bot/store/announcements.py, turned into Announcements whose marks the
scheduler calls right before sending and once settled."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.core.model import Reply
from bot.core.scheduled import Announcement
from bot.features.services import Services
from bot.store.announcements import AnnouncementMarks

# How long a claim holds an announcement before another sweep may take it over (the settings'
# STUDYBOT_CLAIM_LEASE is passed in by the application).
ANNOUNCEMENT_LEASE = timedelta(minutes=1)

# A claimed row → (group id, idempotency key, the reply to post), or None when there turns out
# to be nothing to post (a reminder whose every member has answered or is reminded privately).
Compose = Callable[[Any], Awaitable[tuple[str, str, Reply] | None]]


async def claim_announcements(
    services: Services,
    marks: AnnouncementMarks,
    platforms: Sequence[str],
    *,
    lease: timedelta,
    compose: Compose,
) -> list[Announcement]:
    # A token per claim, not per process: if a slow post outlives its lease and is claimed
    # again (even by this process), the first holder's attempt mark fails and it steps aside.
    claimer = f"{services.deliveries.claimer}/{secrets.token_hex(4)}"
    claimed = await marks.claim(
        platforms=platforms, claimer=claimer, now=services.clock(), lease=lease
    )
    announcements = []
    for row, attempted_at in claimed:
        composed = await compose(row)
        if composed is None:
            await marks.mark_posted(row.id, now=services.clock())
            continue
        group_id, key, reply = composed

        async def attempted(row_id: int = row.id) -> bool:
            return await marks.mark_attempted(row_id, claimer=claimer, now=services.clock())

        async def done(row_id: int = row.id) -> None:
            await marks.mark_posted(row_id, now=services.clock())

        announcements.append(
            Announcement(
                group_id=group_id,
                reply=reply,
                key=key,
                mark_attempted=attempted,
                mark_done=done,
                attempted_at=attempted_at,
            )
        )
    return announcements
