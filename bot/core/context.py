"""What a handler gets: the invocation, its parsed arguments and the services it may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.model import ActionPress, Invocation

if TYPE_CHECKING:
    from bot.core.registry import Registry
    from bot.store.checkins import CheckinStore
    from bot.store.deliveries import DeliveryLedger
    from bot.store.polls import PollStore
    from bot.store.progress import ProgressStore
    from bot.store.repos import Store
    from bot.store.schedules import ScheduleStore
    from content.catalog import Catalog

Clock = Callable[[], datetime]


@dataclass(frozen=True, kw_only=True)
class Services:
    catalog: Catalog
    store: Store
    registry: Registry
    # Time is an argument: tests pass a controllable clock; production passes an aware UTC now.
    clock: Clock
    schedules: ScheduleStore
    deliveries: DeliveryLedger
    polls: PollStore
    checkins: CheckinStore
    progress: ProgressStore
    # The kinds this build can deliver on a schedule (e.g. {"nudge"}).
    schedule_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class CommandContext:
    invocation: Invocation
    args: dict[str, str | int | None]
    services: Services

    def text_arg(self, name: str) -> str | None:
        value = self.args.get(name)
        return None if value is None else str(value)

    def int_arg(self, name: str) -> int | None:
        value = self.args.get(name)
        return value if isinstance(value, int) else None


@dataclass(frozen=True, kw_only=True)
class ActionContext:
    press: ActionPress
    services: Services
