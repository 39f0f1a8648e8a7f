"""The values the deliveries ledger takes and gives: statuses, planned rows, outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.scheduled import ClaimTransaction, ScheduledOccurrence
from bot.store.schedules import ScheduleRecord


class Status(StrEnum):
    CLAIMED = "claimed"  # owned by a sender; outcome not known yet
    SENT = "sent"
    FAILED = "failed"  # the platform refused every attempt
    UNKNOWN = "unknown"  # may or may not have been posted; never blindly re-sent
    MISSED = "missed"  # fell outside the grace window while the bot was down
    COALESCED = "coalesced"  # folded into a later occurrence delivered late


@dataclass(frozen=True, kw_only=True)
class PlannedDelivery:
    """A ledger row the claim will insert: CLAIMED (to post now) or already final."""

    schedule_id: int
    slot: str
    due_at: datetime
    status: Status
    late: bool = False
    coalesced: int = 0


@dataclass(frozen=True, kw_only=True)
class ClaimPlan:
    deliveries: Sequence[PlannedDelivery]
    # Each claimed schedule's next occurrence after this claim.
    next_due: Mapping[int, tuple[datetime, str]]


# Given the due schedules (locked), decide what to insert and where each schedule moves next.
Planner = Callable[[Sequence[ScheduleRecord]], ClaimPlan]
# Runs inside the claim transaction; returns a payload per delivery id to store with it.
Preparer = Callable[[ClaimTransaction, Sequence[ScheduledOccurrence]], Awaitable[Mapping[int, str]]]


@dataclass(frozen=True, kw_only=True)
class DeliveryRecord:
    schedule_id: int
    slot: str
    due_at: datetime
    status: Status
    attempts: int
    late: bool
    coalesced: int
    detail: str | None
    finished_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Outcome:
    delivery_id: int
    status: Status
    attempts: int
    detail: str | None = None
    message_ref: str | None = None
