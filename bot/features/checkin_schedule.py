"""The check-in's rhythm: the scheduled weekly check-in (kind `checkin`), one reminder before it
closes, and its digest once it has."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from bot.core.instants import instant
from bot.core.model import Button, Context, Reply, Section
from bot.core.scheduled import (
    Announcement,
    DecidesNothingAtClaim,
    ScheduledOccurrence,
    ScheduledPost,
)
from bot.features.checkin_digest import digest, missing_members
from bot.features.checkins import ANSWER_ACTION, DEFAULT_WINDOW, checkin_card, open_new_checkin
from bot.features.services import Services
from bot.store.checkins import Checkin


def reminder(item: Checkin, missing: dict[str, str], *, ping: bool) -> Reply:
    return Reply(
        title=f"⏰ The week {item.week} check-in closes soon",
        parts=(
            Section(
                text=f"It closes {instant(item.closes_at)}. Still to answer: "
                + ", ".join(sorted(missing.values()))
            ),
            Context(text="`/checkin answer` takes a minute."),
        ),
        buttons=(Button(label="Answer", action_id=ANSWER_ACTION, value=str(item.id)),),
        summary="Check-in reminder",
        mentions=tuple(sorted(missing)) if ping else (),
    )


REMIND_BEFORE = timedelta(hours=12)


async def sweep_checkins(services: Services, platforms: Sequence[str]) -> list[Announcement]:
    """For the scheduler: one reminder before a check-in closes, and one digest when it has."""
    now = services.clock()
    out: list[Announcement] = []
    for item in await services.checkins.due(now=now, platforms=platforms):
        if item.closes_at <= now:
            closed = await services.checkins.close(item.id, now=now)
            if closed is not None:
                out.append(
                    Announcement(
                        group_id=closed.group_id,
                        reply=await digest(services, closed),
                        key=f"studybot:checkin-digest:{closed.id}",
                    )
                )
            continue
        remind_at = item.closes_at - min(REMIND_BEFORE, (item.closes_at - item.opened_at) / 4)
        if now >= remind_at and await services.checkins.claim_reminder(item.id, now=now):
            missing = await missing_members(
                services, item, await services.checkins.answers(item.id), skip_snoozed=True
            )
            if missing:
                ping = await services.checkins.mentions(item.group_id)
                out.append(
                    Announcement(
                        group_id=item.group_id,
                        reply=reminder(item, missing, ping=ping),
                        key=f"studybot:checkin-reminder:{item.id}",
                    )
                )
    return out


class CheckinKind(DecidesNothingAtClaim):
    """The scheduled weekly check-in (kind `checkin`)."""

    name = "checkin"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        now = self.services.clock()
        current = await self.services.checkins.latest_open(occurrence.group_id, now=now)
        if current is None:
            current = await open_new_checkin(
                self.services, occurrence.group_id, occurrence.platform, DEFAULT_WINDOW
            )
        return ScheduledPost(reply=checkin_card(current), on_sent=partial(self._sent, current.id))

    async def _sent(self, checkin_id: int, message_ref: str) -> None:
        """Remember where the check-in was posted, so the digest answers in its thread."""
        await self.services.checkins.set_message_ref(checkin_id, message_ref)
