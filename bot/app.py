"""The composition root: the one place that wires content, store, registry and adapters."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from bot import metrics
from bot.adapters.calendar_feed import calendar_routes
from bot.adapters.health import HealthMonitor, HealthServer, PlatformHealth
from bot.core.context import Clock
from bot.core.dispatcher import Dispatcher
from bot.core.ports import Outbox
from bot.core.private import PrivateKind
from bot.core.registry import Registry
from bot.core.scheduled import ScheduledKind
from bot.features import feature_modules
from bot.features.checkin_dm import CheckinDmKind, CheckinReminderDmKind, plan_checkin_dms
from bot.features.checkin_schedule import CheckinKind, sweep_checkins
from bot.features.nudges import NudgeKind
from bot.features.pairs import PairFollowUpKind, PairIntroKind, PairsKind
from bot.features.poll_schedule import ProgressPollKind, sweep_closed_polls
from bot.features.private_notes import NoteKind
from bot.features.quiz_schedule import QuizKind
from bot.features.report import ReportDmKind, ReportKind
from bot.features.services import Services
from bot.features.session_reminders import (
    SessionAttendedKind,
    SessionReminderKind,
    plan_session_messages,
)
from bot.settings import Settings
from bot.store.capacity import CapacityStore
from bot.store.checkins import CheckinStore
from bot.store.db import default_database_url, normalise_url, open_database, process_identity
from bot.store.deliveries import DeliveryLedger
from bot.store.members import MemberStore
from bot.store.notices import NoticeStore
from bot.store.pairs import PairStore
from bot.store.polls import PollStore
from bot.store.private_messages import PrivateLedger
from bot.store.progress import ProgressStore
from bot.store.quiz import QuizStore
from bot.store.repos import Store
from bot.store.schedules import ScheduleStore
from bot.store.sessions import SessionStore, TimePollStore
from content.catalog import load_catalog
from scheduler.private import PrivateSender
from scheduler.service import SchedulerService


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Application:
    settings: Settings
    services: Services
    dispatcher: Dispatcher[Services]
    kinds: Sequence[ScheduledKind]
    private_kinds: Sequence[PrivateKind]

    def scheduler(self, outboxes: Mapping[str, Outbox]) -> SchedulerService:
        """A scheduler delivering through these adapters (only their platforms' schedules)."""
        return SchedulerService(
            ledger=self.services.deliveries,
            notices=self.services.notices,
            outboxes=outboxes,
            kinds=self.kinds,
            clock=self.services.clock,
            grace=self.settings.misfire_grace,
            claim_lease=self.settings.claim_lease,
            sweepers=[
                partial(sweep_closed_polls, self.services, lease=self.settings.claim_lease),
                partial(sweep_checkins, self.services, lease=self.settings.claim_lease),
                partial(plan_checkin_dms, self.services),
                partial(plan_session_messages, self.services),
            ],
            capacity=CapacityStore(self.services.store.engine),
            private=PrivateSender(
                ledger=self.services.private,
                members=self.services.members,
                store=self.services.store,
                kinds=self.private_kinds,
                clock=self.services.clock,
            ),
        )

    async def close(self) -> None:
        await self.services.store.close()


async def build_application(settings: Settings, *, clock: Clock = utc_now) -> Application:
    """Load and validate content first (cheap, and the likeliest to fail), then open the store."""
    catalog = load_catalog(settings.content_dir)
    registry = Registry.collect(feature_modules())
    engine = await open_database(settings.database_url or default_database_url())
    claimer = process_identity()
    services = Services(
        catalog=catalog,
        store=Store(engine),
        registry=registry,
        clock=clock,
        schedules=ScheduleStore(engine),
        deliveries=DeliveryLedger(engine, claimer=claimer),
        notices=NoticeStore(engine),
        polls=PollStore(engine),
        checkins=CheckinStore(engine),
        progress=ProgressStore(engine),
        members=MemberStore(engine),
        private=PrivateLedger(engine, claimer=claimer),
        pairs=PairStore(engine),
        sessions=SessionStore(engine),
        time_polls=TimePollStore(engine),
        quiz=QuizStore(engine),
        schedule_kinds=frozenset(["nudge", "poll", "checkin", "report", "pairs", "quiz"]),
        public_url=settings.public_url,
    )
    # A tuple of the port's type: the type checker proves every kind fits ScheduledKind.
    kinds: tuple[ScheduledKind, ...] = (
        NudgeKind(catalog),
        ProgressPollKind(services),
        CheckinKind(services),
        ReportKind(services),
        PairsKind(services),
        QuizKind(services),
    )
    private_kinds: tuple[PrivateKind, ...] = (
        NoteKind(),
        CheckinDmKind(services),
        CheckinReminderDmKind(services),
        ReportDmKind(services),
        PairIntroKind(services),
        PairFollowUpKind(services),
        SessionReminderKind(services),
        SessionAttendedKind(services),
    )
    return Application(
        settings=settings,
        services=services,
        dispatcher=Dispatcher(
            services=services,
            registry=registry,
            notices=services.notices,
            roles=services.members,
            now=clock,
            observe=metrics.handled,
        ),
        kinds=kinds,
        private_kinds=private_kinds,
    )


def freeze_startup_objects() -> None:
    """Move everything allocated during start-up out of the cyclic GC's reach.

    Modules, SDKs and the content catalog live for the whole process; without this, every full
    collection re-scans them, and during a 10,000-group fan-out those collections paused the event
    loop for 80-106 ms (measured), long enough to delay Slack acks and Discord heartbeats.
    """
    gc.collect()
    gc.freeze()


class PlatformFailed(Exception):
    """A platform connection ended for good: the process stops so a supervisor restarts it."""


async def serve_platforms(
    settings: Settings, *, stop: asyncio.Event, announce: Callable[[str], None] = print
) -> None:
    """Run every configured platform adapter plus the scheduler until `stop` is set, or until a
    platform's connection ends for good (then PlatformFailed: never stay up and deaf)."""
    app = await build_application(settings)
    adapters: list[PlatformAdapter] = []
    started: list[PlatformAdapter] = []
    scheduler: SchedulerService | None = None
    monitor = HealthMonitor()
    health_server: HealthServer | None = None
    try:
        if settings.has_slack:
            from bot.adapters.slack.adapter import SlackAdapter

            adapters.append(
                SlackAdapter(
                    settings=settings,
                    dispatcher=app.dispatcher,
                    engine=app.services.store.engine,
                    extra_routes=monitor.routes() + calendar_routes(app.services),
                )
            )
        if settings.has_discord:
            from bot.adapters.discord.adapter import DiscordAdapter

            adapters.append(
                DiscordAdapter(
                    settings=settings, dispatcher=app.dispatcher, store=app.services.store
                )
            )
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            monitor.add_platform(adapter.platform, adapter.health)
        freeze_startup_objects()
        scheduler = app.scheduler({adapter.platform: adapter for adapter in adapters})
        await scheduler.start()
        ticking = scheduler
        monitor.watch_scheduler(lambda: ticking.last_tick_at)
        if not any(adapter.serves_http for adapter in adapters):
            # No Slack HTTP server to share: /healthz and /metrics get a port of their own.
            health_server = HealthServer(monitor, extra_routes=calendar_routes(app.services))
            await health_server.start(settings.host, settings.port)
        announce(_up_line(settings, adapters))
        await _until_stopped_or_failed(stop, adapters)
    finally:
        if health_server is not None:
            await health_server.stop()
        if scheduler is not None:
            await scheduler.stop()
        # Only what started is stopped: stopping a client that never connected raises from
        # inside the SDK and would bury the one line that says why start-up failed.
        for adapter in reversed(started):
            await adapter.stop()
        await app.close()


def _up_line(settings: Settings, adapters: Sequence[PlatformAdapter]) -> str:
    """One line at start: what is served, on which database (no credentials), where to probe."""
    names = " and ".join(adapter.platform.capitalize() for adapter in adapters)
    url = make_url(normalise_url(settings.database_url or default_database_url()))
    where = url.database if url.get_backend_name() == "sqlite" else f"{url.host}/{url.database}"
    address = f"http://{settings.host}:{settings.port}"
    return (
        f"studybot is up: {names}; database {url.get_backend_name()} ({where}); "
        f"health {address}/healthz, metrics {address}/metrics"
    )


async def _until_stopped_or_failed(stop: asyncio.Event, adapters: list[PlatformAdapter]) -> None:
    stopping = asyncio.ensure_future(stop.wait())
    watched: list[asyncio.Future[Any]] = [stopping, *(adapter.failed for adapter in adapters)]
    try:
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    for adapter in adapters:
        if adapter.failed.done():
            raise PlatformFailed(adapter.failed.result())


class PlatformAdapter(Outbox, Protocol):
    """An adapter that serves a chat platform and posts scheduled messages to it."""

    # Resolved with a reason when the platform connection has ended for good.
    failed: asyncio.Future[str]

    @property
    def serves_http(self) -> bool:
        """Whether this adapter runs the process's HTTP server (and so /healthz, /metrics)."""
        ...

    async def health(self) -> PlatformHealth: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def sync_discord_commands(settings: Settings, *, guild_id: int | None) -> int:
    """Log in over REST only and overwrite the application commands; returns how many."""
    from bot.adapters.discord.adapter import DiscordAdapter

    app = await build_application(settings)
    adapter = DiscordAdapter(settings=settings, dispatcher=app.dispatcher, store=app.services.store)
    try:
        await adapter.login()
        return await adapter.sync_commands(guild_id=guild_id)
    finally:
        await adapter.client.close()
        await app.close()
