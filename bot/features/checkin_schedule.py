"""The check-in's rhythm: the scheduled weekly check-in (kind `checkin`), one reminder before it
closes, and its digest once it has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from bot.core.instants import instant
from bot.core.model import Button, Context, Reply, Section
from bot.core.scheduled import (
    Announcement,
    DecidesNothingAtClaim,
    ScheduledOccurrence,
    ScheduledPost,
)
from bot.features.announcements import ANNOUNCEMENT_LEASE, claim_announcements
from bot.features.checkin_digest import digest, missing_members
from bot.features.checkin_dm import plan_private_reminders, slot_checkin, slot_key
from bot.features.checkins import ANSWER_ACTION, DEFAULT_WINDOW, checkin_card, open_new_checkin
from bot.features.services import Services
from bot.store.checkins import Checkin, checkin_of


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


async def sweep_checkins(
    services: Services, platforms: Sequence[str], *, lease: timedelta = ANNOUNCEMENT_LEASE
) -> list[Announcement]:
    """For the scheduler: one reminder before a check-in closes, and one digest when it has
    (each made ready first, then claimed and settled like a delivery: see
    bot/store/announcements.py)."""
    now = services.clock()
    for item in await services.checkins.due(now=now, platforms=platforms):
        if item.closes_at <= now:
            await services.checkins.close(item.id, now=now, digest_in_reply=False)
            continue
        remind_at = item.closes_at - min(REMIND_BEFORE, (item.closes_at - item.opened_at) / 4)
        if now >= remind_at:
            await services.checkins.claim_reminder(item.id, now=now)
    reminders = await claim_announcements(
        services,
        services.checkins.reminders,
        platforms,
        lease=lease,
        compose=partial(_reminder, services),
    )
    digests = await claim_announcements(
        services,
        services.checkins.digests,
        platforms,
        lease=lease,
        compose=partial(_digest, services),
    )
    return reminders + digests


async def _reminder(services: Services, row: Any) -> tuple[str, str, Reply] | None:
    """Who has not answered yet: members who take private messages are reminded privately
    (planned in the private ledger, once per member), the rest named in one channel post."""
    item = checkin_of(row)
    if item.closed_at is not None:
        return None  # it closed before anyone reminded: the digest says the rest
    missing = await missing_members(
        services, item, await services.checkins.answers(item.id), skip_snoozed=True
    )
    group = await services.store.get_group(item.group_id)
    if missing and group is not None and group.checkin_delivery == "dm":
        missing = await plan_private_reminders(services, item, missing)
    if not missing:
        return None
    ping = await services.checkins.mentions(item.group_id)
    return (
        item.group_id,
        f"studybot:checkin-reminder:{item.id}",
        reminder(item, missing, ping=ping),
    )


async def _digest(services: Services, row: Any) -> tuple[str, str, Reply]:
    closed = checkin_of(row)
    return closed.group_id, f"studybot:checkin-digest:{closed.id}", await digest(services, closed)


class CheckinKind(DecidesNothingAtClaim):
    """The scheduled weekly check-in (kind `checkin`)."""

    name = "checkin"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        services = self.services
        group = await services.store.ensure_group(
            occurrence.group_id, platform=occurrence.platform, now=services.clock()
        )
        if group.checkin_delivery == "dm":
            # The members were asked privately at this time in their zones (some already);
            # the card is for everyone else, and it is the same check-in.
            key = slot_key(occurrence.schedule_id, occurrence.slot)
            current = await slot_checkin(services, group, key)
            card = checkin_card(current)
            note = Context(
                text="Roster members get these questions privately, at this time in "
                "their own zone (`/me zone`)."
            )
            card = replace(card, parts=(*card.parts, note))
            return ScheduledPost(reply=card, on_sent=partial(self._sent, current.id))
        opened = await services.checkins.latest_open(occurrence.group_id, now=services.clock())
        if opened is None:
            opened = await open_new_checkin(
                services, occurrence.group_id, occurrence.platform, DEFAULT_WINDOW
            )
        return ScheduledPost(reply=checkin_card(opened), on_sent=partial(self._sent, opened.id))

    async def _sent(self, checkin_id: int, message_ref: str) -> None:
        """Remember where the check-in was posted, so the digest answers in its thread."""
        await self.services.checkins.set_message_ref(checkin_id, message_ref)
