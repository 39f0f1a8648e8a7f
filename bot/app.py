"""The composition root: the one place that wires content, store, registry and adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.context import Clock, Services
from bot.core.dispatcher import Dispatcher
from bot.core.registry import Registry
from bot.features import feature_modules
from bot.settings import Settings
from bot.store.db import create_engine, default_database_url, upgrade_database
from bot.store.repos import Store
from content.catalog import load_catalog


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Application:
    settings: Settings
    services: Services
    dispatcher: Dispatcher

    async def close(self) -> None:
        await self.services.store.close()


async def build_application(settings: Settings, *, clock: Clock = utc_now) -> Application:
    """Load and validate content first (cheap, and the likeliest to fail), then open the store."""
    catalog = load_catalog(settings.content_dir)
    registry = Registry.collect(feature_modules())
    engine = create_engine(settings.database_url or default_database_url())
    try:
        await upgrade_database(engine)
    except BaseException:
        await engine.dispose()
        raise
    services = Services(catalog=catalog, store=Store(engine), registry=registry, clock=clock)
    return Application(settings=settings, services=services, dispatcher=Dispatcher(services))
