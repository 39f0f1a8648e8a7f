"""What a handler gets: the invocation, its parsed arguments and the services it may use.

The core does not know what the services are (bot/features/services.py says): contexts are
generic over them, so the core imports neither the store nor the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from bot.core.model import ActionPress, Invocation

Clock = Callable[[], datetime]
ServicesT = TypeVar("ServicesT")


@dataclass(frozen=True, kw_only=True)
class CommandContext(Generic[ServicesT]):
    invocation: Invocation
    args: dict[str, str | int | None]
    services: ServicesT

    def text_arg(self, name: str) -> str | None:
        value = self.args.get(name)
        return None if value is None else str(value)

    def int_arg(self, name: str) -> int | None:
        value = self.args.get(name)
        return value if isinstance(value, int) else None


@dataclass(frozen=True, kw_only=True)
class ActionContext(Generic[ServicesT]):
    press: ActionPress
    services: ServicesT
