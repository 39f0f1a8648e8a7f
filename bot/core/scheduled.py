"""The one port between the scheduler and a kind of scheduled delivery (nudge, poll, check-in).

The scheduler owns recurrence, claiming, pacing and retries; a kind owns what to say. A kind gets
an occurrence the ledger has claimed for this process and returns a value describing what to post
and what to remember once it is out. Things due that are not schedule occurrences (a poll whose
time is up, a check-in reminder) come from sweepers as `Announcement` values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Reply


@dataclass(frozen=True, kw_only=True)
class ScheduledOccurrence:
    """One occurrence of a schedule (one local slot) that this process owns and must post."""

    delivery_id: int
    schedule_id: int
    group_id: str
    platform: str
    kind: str
    slot: str  # local date and time in the schedule's zone, e.g. 2026-03-30T18:30
    due_at: datetime
    late: bool
    coalesced: int  # how many earlier missed occurrences this one stands in for
    # What the kind decided while claiming (e.g. the roadmap week a nudge posts).
    payload: str | None = None
    # When an earlier owner handed the post to the platform (None: it was never sent).
    attempted_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RoadmapPosition:
    week: int
    # The ISO week (`2026-W14`) in which the group last moved, so two nudges in one week repeat
    # that week instead of racing ahead.
    moved_in: str | None


class ClaimTransaction(Protocol):
    """What a kind may read and change inside the transaction that claims its occurrences, so
    its state and the claims commit together or not at all."""

    async def roadmap_positions(self, group_ids: Collection[str]) -> Mapping[str, RoadmapPosition]:
        """Groups without a stored position are left out."""
        ...

    async def move_roadmaps(self, positions: Mapping[str, RoadmapPosition]) -> None: ...


@dataclass(frozen=True, kw_only=True)
class ScheduledPost:
    """What a kind sends for one occurrence: a post to the group, and what to note once it is out.

    `on_sent` gets the platform's reference to the posted message (e.g. so a check-in's digest can
    answer in its thread). The post has gone out by then: a failure in it is logged, not retried.
    A kind that only plans private messages (e.g. the organizer report) posts no `reply`.
    """

    reply: Reply | None
    on_sent: Callable[[str], Awaitable[None]] | None = None


class ScheduledKind(Protocol):
    """A kind of scheduled delivery. A type checker proves each kind fits (see bot/app.py)."""

    @property
    def name(self) -> str: ...

    async def on_claim(
        self, transaction: ClaimTransaction, occurrences: Sequence[ScheduledOccurrence]
    ) -> Mapping[int, str]:
        """Runs inside the claim transaction; returns a payload per delivery id to store with it
        (an empty mapping for kinds that decide nothing at claim time)."""
        ...

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost: ...


class DecidesNothingAtClaim:
    """For kinds whose posts need nothing decided inside the claim transaction."""

    async def on_claim(
        self, transaction: ClaimTransaction, occurrences: Sequence[ScheduledOccurrence]
    ) -> Mapping[int, str]:
        return {}


@dataclass(frozen=True, kw_only=True)
class Announcement:
    """A post that is due but is no schedule occurrence, e.g. the results of a closed poll."""

    group_id: str
    reply: Reply
    # The platform drops a repeat of this key where it can, and the ledger records it.
    key: str
    # For an announcement that must survive a crash mid-send (a poll's results): called right
    # before the request goes out (False: another process has taken it over, so stop), and once
    # it is settled (sent, found already posted, or given up with a notice).
    mark_attempted: Callable[[], Awaitable[bool]] | None = None
    mark_done: Callable[[], Awaitable[None]] | None = None
    # Set when an earlier owner handed it to the platform without hearing back: the scheduler
    # looks for the key in the conversation before sending it again.
    attempted_at: datetime | None = None


class Sweeper(Protocol):
    """Called every tick with the platforms this process serves. It must hand out each item once
    across processes (e.g. with a conditional UPDATE), since every process sweeps."""

    async def __call__(self, platforms: Sequence[str]) -> Sequence[Announcement]: ...
