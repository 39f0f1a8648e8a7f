"""The scheduler: a timer that asks the ledger what is due and fans the posts out, paced.

APScheduler 3.11 is only the timer here: one interval job per process runs `tick`, which claims
due occurrences from the database (see bot/store/deliveries.py). Nothing about a schedule lives in
APScheduler's memory, so there is nothing to rebuild at start and nothing to lose at a crash, and
any number of processes can tick against one PostgreSQL database without a leader.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.ids import platform_of
from bot.core.model import Reply, Section
from bot.core.ports import (
    DirectMessagesClosed,
    HistoryUnavailable,
    Outbox,
    PostFailed,
    PostOutcomeUnknown,
)
from bot.core.scheduled import (
    Announcement,
    ClaimTransaction,
    ScheduledKind,
    ScheduledOccurrence,
    ScheduledPost,
    Sweeper,
)
from bot.metrics import PLATFORM_RETRIES, SCHEDULED_POSTS
from bot.store.capacity import CapacityStore
from bot.store.deliveries import DeliveryLedger, Outcome, Status
from bot.store.notices import NoticeStore
from scheduler.attempts import AttemptMarks
from scheduler.claiming import plan_claims
from scheduler.pacing import Pacer
from scheduler.private import PrivateSender
from scheduler.sharing import BEAT, WARM_UP_BEATS, LimitSharing

log = logging.getLogger(__name__)

# A claim whose sender has not reported within this long is treated as orphaned by a crash.
# A claim whose owner has not renewed it for this long is taken over: the owner stopped. Owners
# renew every third of it (renew_job), however long their posts wait for their turn.
CLAIM_LEASE = timedelta(minutes=1)
RETRY_DELAYS = (2.0, 8.0, 30.0)
TICK_SECONDS = 5.0
# Small enough that one claim transaction's Python work stays well under 100 ms of loop time.
CLAIM_BATCH = 200
OUTCOME_FLUSH = 256
# Stop claiming while this many posts wait for their turn, so memory stays bounded and the
# cyclic GC's full collections stay short: with 5,000 posts waiting on their attempt marks they
# paused the loop for 110-120 ms (measured in benchmarks/fanout.py); 1,000 keeps it under 80.
MAX_IN_FLIGHT = 1000

FAILURE_NOTICE = (
    "I couldn't deliver the scheduled {kind} due {due} ({reason}). "
    "Organizers: `/schedule status` shows the details."
)


@dataclass(frozen=True)
class PostResult:
    status: Status
    attempts: int
    detail: str | None
    message_ref: str | None = None
    # Another process took the claim over before this one sent it: nothing to record here.
    taken_over: bool = False
    # A private message the member's platform refused: their DMs are closed.
    dms_closed: bool = False


@dataclass(frozen=True, kw_only=True)
class TickReport:
    claimed: int
    recovered: int


_RUNNING: dict[str, SchedulerService] = {}


async def tick_job(service_id: str) -> None:
    """The APScheduler job: a top-level function taking only an id (no closures in jobs)."""
    service = _RUNNING.get(service_id)
    if service is not None:
        await service.tick()


async def capacity_job(service_id: str) -> None:
    service = _RUNNING.get(service_id)
    if service is not None and service.sharing is not None:
        await service.sharing.beat(service.waiting())


async def renew_job(service_id: str) -> None:
    """Separate from the tick, which may wait for posts in flight for longer than a lease."""
    service = _RUNNING.get(service_id)
    if service is not None:
        await service.renew()


class SchedulerService:
    def __init__(
        self,
        *,
        ledger: DeliveryLedger,
        notices: NoticeStore,
        outboxes: Mapping[str, Outbox],
        kinds: Sequence[ScheduledKind],
        clock: Callable[[], datetime],
        grace: timedelta,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        tick_seconds: float = TICK_SECONDS,
        claim_batch: int = CLAIM_BATCH,
        sweepers: Sequence[Sweeper] = (),
        claim_lease: timedelta = CLAIM_LEASE,
        private: PrivateSender | None = None,
        capacity: CapacityStore | None = None,
        capacity_beat: timedelta = BEAT,
    ) -> None:
        self.claim_lease = claim_lease
        self.private = private
        self.sweepers = list(sweepers)
        self.ledger = ledger
        self.notices = notices
        self.outboxes = dict(outboxes)
        self.kinds = {kind.name: kind for kind in kinds}
        self.clock = clock
        self.grace = grace
        self._sleep = sleep
        self.retry_delays = retry_delays
        self.tick_seconds = tick_seconds
        self.claim_batch = claim_batch
        self.pacers = {name: Pacer(box.pace, sleep=sleep) for name, box in self.outboxes.items()}
        self.id = uuid.uuid4().hex
        self._timer: AsyncIOScheduler | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._in_flight_platforms: dict[asyncio.Task[None], str] = {}
        self._outcomes: list[Outcome] = []
        self._attempts = AttemptMarks(ledger, clock=clock)
        self.sharing = (
            LimitSharing(
                capacity,
                process=ledger.claimer,
                pacers=self.pacers,
                clock=clock,
                beat=capacity_beat,
            )
            if capacity is not None
            else None
        )
        self._tick_lock = asyncio.Lock()
        # Monotonic time of the last completed tick, for /healthz.
        self.last_tick_at: float | None = None

    @property
    def platforms(self) -> list[str]:
        return list(self.outboxes)

    def waiting(self) -> dict[str, int]:
        """Posts in flight per platform (this process's demand on each platform's limit)."""
        counts = dict.fromkeys(self.outboxes, 0)
        for platform in self._in_flight_platforms.values():
            counts[platform] += 1
        return counts

    async def start(self) -> None:
        """Catch up at once (occurrences missed while down), then tick every few seconds.

        Renewing claims and sharing the rate limits run from the timer before the catch-up: a
        catch-up of thousands of posts takes minutes, and meanwhile its claims must stay
        renewed and its share must follow the other processes."""
        _RUNNING[self.id] = self
        if self.sharing is not None and await self.sharing.beat(self.waiting()):
            # Others are posting at their old share: wait until they have seen us.
            await self._sleep(self.sharing.beat_every.total_seconds() * WARM_UP_BEATS)
            await self.sharing.beat(self.waiting())
        self._timer = AsyncIOScheduler()
        self._every(self.claim_lease.total_seconds() / 3, renew_job, "renew")
        if self.sharing is not None:
            self._every(self.sharing.beat_every.total_seconds(), capacity_job, "capacity")
        self._timer.start()
        await self.tick()
        self._every(self.tick_seconds, tick_job, "tick")

    def _every(self, seconds: float, job: Callable[[str], Awaitable[None]], name: str) -> None:
        """A job run every `seconds`, never two at once, late runs folded into one."""
        assert self._timer is not None
        self._timer.add_job(
            job,
            IntervalTrigger(seconds=seconds),
            args=[self.id],
            id=f"studybot-{name}-{self.id}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.shutdown(wait=False)
            self._timer = None
        _RUNNING.pop(self.id, None)
        await self.drain()
        if self.sharing is not None:
            await self.sharing.leave()

    async def drain(self) -> None:
        """Wait for every post in flight and record its outcome."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)
        await self._flush()

    async def tick(self) -> TickReport:
        async with self._tick_lock:
            recovered = await self._recover()
            claimed = 0
            while True:
                while len(self._in_flight) >= MAX_IN_FLIGHT:
                    await asyncio.wait(list(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
                now = self.clock()
                claims = await self.ledger.claim_due(
                    now=now,
                    platforms=self.platforms,
                    limit=self.claim_batch,
                    plan=partial(plan_claims, now=now, grace=self.grace),
                    prepare=self._prepare,
                )
                for claim in claims:
                    self._spawn(self._deliver(claim, attempts_so_far=0), claim.platform)
                claimed += len(claims)
                if not claims:
                    break
            await self._flush()
            for sweeper in self.sweepers:
                for announcement in await sweeper(self.platforms):
                    self._spawn(self._announce(announcement), platform_of(announcement.group_id))
            if self.private is not None:
                for message in await self.private.claim_due(self.platforms):
                    self._spawn(self.private.deliver(self, message), message.platform)
            self.last_tick_at = time.monotonic()
            return TickReport(claimed=claimed, recovered=recovered)

    async def _prepare(
        self, transaction: ClaimTransaction, claims: Sequence[ScheduledOccurrence]
    ) -> Mapping[int, str]:
        """Let each kind decide, inside the claim transaction, what its occurrences will post."""
        payloads: dict[int, str] = {}
        for name, kind in self.kinds.items():
            of_kind = [claim for claim in claims if claim.kind == name]
            if of_kind:
                payloads.update(await kind.on_claim(transaction, of_kind))
        return payloads

    def _spawn(self, work: Awaitable[None], platform: str) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._in_flight.add(task)
        self._in_flight_platforms[task] = platform
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._in_flight_platforms.pop(task, None)

    async def renew(self) -> None:
        try:
            await self.ledger.renew_claims(now=self.clock())
            if self.private is not None:
                await self.private.renew()
        except Exception:  # the next renewal tries again well within the lease
            log.exception("renewing this process's claims failed")

    async def _recover(self) -> int:
        stale = await self.ledger.take_stale_claims(
            now=self.clock(), lease=self.claim_lease, platforms=self.platforms
        )
        for claim in stale:
            if claim.attempted_at is None:
                # Claimed but never handed to the platform: simply deliver it.
                self._spawn(self._deliver(claim, attempts_so_far=0), claim.platform)
            elif self.outboxes[claim.platform].idempotent:
                # The platform drops a repeat of the same key, so finishing the job is safe.
                self._spawn(self._deliver(claim, attempts_so_far=1), claim.platform)
            else:
                self._spawn(self._settle(claim), claim.platform)
        if self.private is None:
            return len(stale)
        messages = await self.private.take_stale(self.platforms, lease=self.claim_lease)
        for message in messages:
            self._spawn(self.private.recover(self, message), message.platform)
        return len(stale) + len(messages)

    async def _settle(self, claim: ScheduledOccurrence) -> None:
        """An attempt whose owner stopped before hearing back: look in the conversation for the
        post's key. There: it arrived. Not there: send it. Unreadable: say it may not have."""
        assert claim.attempted_at is not None
        outbox = self.outboxes[claim.platform]
        key = _delivery_key(claim)
        try:
            # A minute of margin: the platform's clock and ours need not agree to the second.
            found = await outbox.find_posted(
                claim.group_id, key, since=claim.attempted_at - timedelta(minutes=1)
            )
        except HistoryUnavailable as error:
            log.warning("could not settle %s: %s", key, error)
            reason = "the bot stopped while posting, so it may not have arrived"
            await self._record(claim, Status.UNKNOWN, attempts=1, detail=reason)
            await self._notify(claim, reason)
            return
        if found is None:
            await self._deliver(claim, attempts_so_far=1)
            return
        await self._record(claim, Status.SENT, attempts=1, message_ref=found)
        SCHEDULED_POSTS.labels(kind=claim.kind, outcome=Status.SENT.value).inc()

    async def post_paced(
        self,
        platform: str,
        conversation: str,
        send: Callable[[], Awaitable[str | None]],
        key: str,
        *,
        attempts_so_far: int = 0,
        before_sending: Callable[[], Awaitable[bool]] | None = None,
    ) -> PostResult:
        """Send (a post into `conversation`, a group or a member's DM), paced, retrying with
        backoff what may be retried: a refusal the platform says is temporary, and an unknown
        outcome only where the platform drops repeats of `key`."""
        outbox = self.outboxes[platform]
        attempts = attempts_so_far
        delays = list(self.retry_delays)
        while True:
            attempts += 1
            try:
                pacer = self.pacers[platform]
                async with pacer.turn(conversation):
                    if before_sending is not None and not await before_sending():
                        return PostResult(Status.CLAIMED, attempts, None, taken_over=True)
                    await pacer.gate(conversation)
                    async with pacer.request():
                        ref = await send()
            except PostFailed as error:
                if isinstance(error, DirectMessagesClosed):
                    return PostResult(Status.FAILED, attempts, error.reason, dms_closed=True)
                if error.retryable and delays:
                    PLATFORM_RETRIES.labels(platform=platform, reason="refused").inc()
                    await self._sleep(delays.pop(0))
                    continue
                return PostResult(Status.FAILED, attempts, error.reason)
            except PostOutcomeUnknown as error:
                if outbox.idempotent and delays:
                    PLATFORM_RETRIES.labels(platform=platform, reason="no_answer").inc()
                    await self._sleep(delays.pop(0))
                    continue
                return PostResult(
                    Status.UNKNOWN, attempts, f"{error.reason}; not re-sent to avoid a duplicate"
                )
            except Exception:
                # Details go to the log only: the ledger and the channel get a plain reason.
                log.exception("posting %s to %s failed unexpectedly", key, conversation)
                return PostResult(Status.UNKNOWN, attempts, "an unexpected error")
            return PostResult(Status.SENT, attempts, None, ref)

    async def _deliver(self, claim: ScheduledOccurrence, *, attempts_so_far: int) -> None:
        try:
            post = await self.kinds[claim.kind].compose(claim)
        except Exception as error:  # a bug in a composer must not lose the outcome
            log.exception("composing %s for schedule %s failed", claim.kind, claim.schedule_id)
            await self._record(claim, Status.FAILED, attempts=0, detail=f"compose: {error}")
            return
        if post.reply is None:  # it planned private messages instead; nothing for the channel
            await self._record(claim, Status.SENT, attempts=0, detail="private messages only")
            SCHEDULED_POSTS.labels(kind=claim.kind, outcome=Status.SENT.value).inc()
            return
        key = _delivery_key(claim)
        outbox = self.outboxes[claim.platform]
        result = await self.post_paced(
            claim.platform,
            claim.group_id,
            partial(outbox.post, claim.group_id, post.reply, idempotency_key=key),
            key,
            attempts_so_far=attempts_so_far,
            before_sending=partial(self._attempts.mark, claim.delivery_id),
        )
        if result.taken_over:
            log.info("%s was taken over by another process before it was sent", key)
            return
        await self._record(
            claim,
            result.status,
            attempts=result.attempts,
            detail=result.detail,
            message_ref=result.message_ref,
        )
        SCHEDULED_POSTS.labels(kind=claim.kind, outcome=result.status.value).inc()
        if result.status is not Status.SENT:
            await self._notify(claim, result.detail or "unknown reason")
            return
        await self._after_sent(claim, post, result.message_ref)

    async def _after_sent(
        self, claim: ScheduledOccurrence, post: ScheduledPost, message_ref: str | None
    ) -> None:
        if post.on_sent is None or message_ref is None:
            return
        try:
            await post.on_sent(message_ref)
        except Exception:  # the post went out; a bookkeeping failure must not undo that
            log.exception("noting the sent %s of schedule %s failed", claim.kind, claim.schedule_id)

    async def _announce(self, announcement: Announcement) -> None:
        """Post a sweeper's message, paced and retried like scheduled posts; one whose earlier
        owner stopped mid-send is first looked for in the conversation, like a settled claim."""
        group_id, reply = announcement.group_id, announcement.reply
        platform = platform_of(group_id)
        outbox = self.outboxes[platform]
        if announcement.attempted_at is not None and not outbox.idempotent:
            # (Where the platform drops a repeat of the key, as Discord's nonce does, simply
            # sending again is the safe way to finish the job.)
            try:
                found = await outbox.find_posted(
                    group_id,
                    announcement.key,
                    since=announcement.attempted_at - timedelta(minutes=1),
                )
            except HistoryUnavailable as error:
                log.warning("could not settle %s: %s", announcement.key, error)
                await self._announcement_done(announcement)
                await self.notices.add_notice(
                    group_id,
                    f"I stopped while posting {reply.summary or reply.title}, so it may not have "
                    "arrived.",
                    now=self.clock(),
                )
                return
            if found is not None:
                await self._announcement_done(announcement)
                return
        send = partial(outbox.post, group_id, reply, idempotency_key=announcement.key)
        result = await self.post_paced(
            platform, group_id, send, announcement.key, before_sending=announcement.mark_attempted
        )
        if result.taken_over:
            return
        await self._announcement_done(announcement)
        if result.status is Status.SENT:
            return
        log.warning("could not post %s to %s: %s", announcement.key, group_id, result.detail)
        await self.notices.add_notice(
            group_id,
            f"I couldn't post {reply.summary or reply.title} ({result.detail}).",
            now=self.clock(),
        )

    async def _announcement_done(self, announcement: Announcement) -> None:
        if announcement.mark_done is None:
            return
        try:
            await announcement.mark_done()
        except Exception:  # the post went out; a bookkeeping failure must not undo that
            log.exception("noting %s as done failed", announcement.key)

    async def _record(
        self,
        claim: ScheduledOccurrence,
        status: Status,
        *,
        attempts: int,
        detail: str | None = None,
        message_ref: str | None = None,
    ) -> None:
        self._outcomes.append(
            Outcome(
                delivery_id=claim.delivery_id,
                status=status,
                attempts=attempts,
                detail=detail,
                message_ref=message_ref,
            )
        )
        if len(self._outcomes) >= OUTCOME_FLUSH or not self._in_flight_others():
            await self._flush()

    def _in_flight_others(self) -> bool:
        current = asyncio.current_task()
        return any(task is not current for task in self._in_flight)

    async def _flush(self) -> None:
        if not self._outcomes:
            return
        batch, self._outcomes = self._outcomes, []
        await self.ledger.finish(batch, now=self.clock())

    async def _notify(self, claim: ScheduledOccurrence, reason: str) -> None:
        """Tell the group's admins: in the channel if possible, else on their next command."""
        local_due = claim.slot.replace("T", " ")
        text = FAILURE_NOTICE.format(kind=claim.kind, due=local_due, reason=reason)
        outbox = self.outboxes[claim.platform]
        try:
            await outbox.post(
                claim.group_id,
                Reply(
                    title="A scheduled post did not go out",
                    parts=(Section(text=text),),
                    summary=text,
                ),
                idempotency_key=f"studybot:notice:{claim.delivery_id}",
            )
        except Exception:
            log.warning("could not post a failure notice to %s; keeping it", claim.group_id)
            await self.notices.add_notice(claim.group_id, text, now=self.clock())


def _delivery_key(claim: ScheduledOccurrence) -> str:
    """The post's identity on the platform (Discord's nonce, Slack's message metadata)."""
    return f"studybot:{claim.schedule_id}:{claim.slot}"
