"""Sending the private ledger's messages: claimed when due, held for the member's hours, sent
once through the platform's DM, and said in the channel instead when the member's DMs are closed.

The rules are the channel posts' (scheduler/service.py): the attempt is marked just before the
platform request; a claim whose owner stopped is taken over, sent again only where the platform
drops repeats (Discord's nonce) or the DM's history shows it never arrived (Slack).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.hours import next_allowed, stored_hours
from bot.core.ports import HistoryUnavailable
from bot.core.private import PrivateDelivery, PrivateKind, PrivatePost
from bot.metrics import SCHEDULED_POSTS
from bot.store.deliveries import Status
from bot.store.members import MemberStore
from bot.store.private_messages import PrivateLedger, PrivateOutcome, PrivateStatus
from bot.store.repos import Store

if TYPE_CHECKING:
    from scheduler.service import PostResult, SchedulerService

log = logging.getLogger(__name__)

PRIVATE_BATCH = 200
_FINAL = {
    Status.SENT: PrivateStatus.SENT,
    Status.FAILED: PrivateStatus.FAILED,
    Status.UNKNOWN: PrivateStatus.UNKNOWN,
}


class PrivateSender:
    def __init__(
        self,
        *,
        ledger: PrivateLedger,
        members: MemberStore,
        store: Store,
        kinds: Sequence[PrivateKind],
        clock: Callable[[], datetime],
    ) -> None:
        self.ledger = ledger
        self.members = members
        self.store = store
        self.kinds = {kind.name: kind for kind in kinds}
        self.clock = clock

    async def claim_due(self, platforms: Sequence[str]) -> list[PrivateDelivery]:
        return await self.ledger.claim_due(
            now=self.clock(), platforms=platforms, limit=PRIVATE_BATCH
        )

    async def take_stale(
        self, platforms: Sequence[str], *, lease: timedelta
    ) -> list[PrivateDelivery]:
        return await self.ledger.take_stale_claims(
            now=self.clock(), lease=lease, platforms=platforms
        )

    async def renew(self) -> None:
        await self.ledger.renew_claims(now=self.clock())

    async def recover(self, service: SchedulerService, message: PrivateDelivery) -> None:
        """A message whose owner stopped: send it if it never went out, else settle it."""
        if message.attempted_at is None:
            await self.deliver(service, message)
            return
        post = await self._compose(message)
        if post is None:
            return
        outbox = service.outboxes[message.platform]
        if outbox.idempotent and not post.shared_with:
            await self._send(service, message, post, attempts_so_far=1)
            return
        since = message.attempted_at - timedelta(minutes=1)
        try:
            if post.shared_with:
                found = await outbox.find_posted_shared(
                    message.group_id, post.shared_with, message.key, since=since
                )
            else:
                found = await outbox.find_posted_private(
                    message.member_id, message.key, since=since
                )
        except HistoryUnavailable as error:
            log.warning("could not settle %s: %s", message.key, error)
            await self._finish(message, PrivateStatus.UNKNOWN, 1, "the bot stopped while sending")
            return
        if found is not None:
            await self._finish(message, PrivateStatus.SENT, 1, None, found)
            return
        await self._send(service, message, post, attempts_so_far=1)

    async def deliver(self, service: SchedulerService, message: PrivateDelivery) -> None:
        post = await self._compose(message)
        if post is None:
            return
        if not post.shared_with:
            settings = await self.members.settings(message.member_id)
            if not settings.dm_enabled:
                # Their choice (`/me dm off`): they read the channel, which names nobody for it.
                await self._finish(message, PrivateStatus.CANCELLED, 0, "private messages off")
                return
            if settings.dm_closed_at is not None:
                await self._fall_back(service, message, post, attempts=0)
                return
            now = self.clock()
            group = await self.store.get_group(message.group_id)
            zone = ZoneInfo(settings.timezone or (group.timezone if group else "UTC"))
            allowed = next_allowed(
                now, zone, stored_hours(settings.hours_start, settings.hours_end)
            )
            if allowed > now:
                await self.ledger.postpone(message.message_id, until=allowed)
                return
        await self._send(service, message, post, attempts_so_far=0)

    async def _compose(self, message: PrivateDelivery) -> PrivatePost | None:
        """What its kind says now; None (recorded) when there is nothing to send."""
        kind = self.kinds.get(message.kind)
        if kind is None:
            await self._finish(message, PrivateStatus.FAILED, 0, f"unknown kind {message.kind}")
            return None
        try:
            post = await kind.compose(message)
        except Exception as error:  # a bug in a composer must not lose the outcome
            log.exception("composing private %s %s failed", message.kind, message.key)
            await self._finish(message, PrivateStatus.FAILED, 0, f"compose: {error}")
            return None
        if post is None:
            await self._finish(message, PrivateStatus.SKIPPED, 0, "nothing to say any more")
        return post

    async def _send(
        self,
        service: SchedulerService,
        message: PrivateDelivery,
        post: PrivatePost,
        *,
        attempts_so_far: int,
    ) -> None:
        outbox = service.outboxes[message.platform]
        if post.shared_with:
            send = partial(
                outbox.post_shared,
                message.group_id,
                post.shared_with,
                post.reply,
                idempotency_key=message.key,
            )
        else:
            send = partial(
                outbox.post_private, message.member_id, post.reply, idempotency_key=message.key
            )
        result = await service.post_paced(
            message.platform,
            message.member_id,
            send,
            message.key,
            attempts_so_far=attempts_so_far,
            before_sending=partial(self._mark, message),
        )
        await self._after(service, message, post, result)

    async def _mark(self, message: PrivateDelivery) -> bool:
        return await self.ledger.mark_attempting(message.message_id, now=self.clock())

    async def _after(
        self,
        service: SchedulerService,
        message: PrivateDelivery,
        post: PrivatePost,
        result: PostResult,
    ) -> None:
        if result.taken_over:
            log.info("%s was taken over by another process before it was sent", message.key)
            return
        if result.dms_closed:
            await self.members.note_dms_closed(message.member_id, now=self.clock())
            await self._fall_back(service, message, post, attempts=result.attempts)
            return
        status = _FINAL.get(result.status, PrivateStatus.UNKNOWN)
        await self._finish(message, status, result.attempts, result.detail, result.message_ref)

    async def _fall_back(
        self,
        service: SchedulerService,
        message: PrivateDelivery,
        post: PrivatePost,
        *,
        attempts: int,
    ) -> None:
        """The member takes no private messages: say it in the channel (names, no ping)."""
        if post.fallback is None:
            await self._finish(message, PrivateStatus.CANCELLED, attempts, "DMs closed or off")
            return
        outbox = service.outboxes[message.platform]
        key = f"{message.key}:channel"
        send = partial(outbox.post, message.group_id, post.fallback, idempotency_key=key)
        result = await service.post_paced(message.platform, message.group_id, send, key)
        status = PrivateStatus.FELL_BACK if result.status is Status.SENT else PrivateStatus.FAILED
        await self._finish(
            message, status, attempts + result.attempts, result.detail or "DMs closed or off"
        )

    async def _finish(
        self,
        message: PrivateDelivery,
        status: PrivateStatus,
        attempts: int,
        detail: str | None,
        message_ref: str | None = None,
    ) -> None:
        SCHEDULED_POSTS.labels(kind=f"private:{message.kind}", outcome=status.value).inc()
        outcome = PrivateOutcome(
            message_id=message.message_id,
            status=status,
            attempts=attempts,
            detail=detail,
            message_ref=message_ref,
        )
        await self.ledger.finish([outcome], now=self.clock())
