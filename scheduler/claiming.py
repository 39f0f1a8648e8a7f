"""Claiming policy: which due occurrences are posted, folded together or missed.

After downtime, a schedule may have several occurrences in the past. Those older than the grace
window are recorded as missed; of those within it, only the newest is posted (marked late, standing
in for the others, which are recorded as coalesced), so a group never gets a burst of stale posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.time import Occurrence
from bot.store.deliveries import ClaimPlan, PlannedDelivery, Status
from bot.store.schedules import ScheduleRecord
from scheduler.recurrence import next_occurrence, occurrences_between

# Occurrences older than this when finally sent are marked late in the ledger.
LATE_AFTER = timedelta(minutes=1)
# After a long outage, only this many of the newest missed occurrences get their own row.
MAX_BACKLOG = 100


def plan_claims(records: Sequence[ScheduleRecord], *, now: datetime, grace: timedelta) -> ClaimPlan:
    planned: list[PlannedDelivery] = []
    next_due: dict[int, tuple[datetime, str]] = {}
    for record in records:
        rule = record.rule
        upcoming = next_occurrence(rule, record.next_due_at)
        if upcoming.due_at > now:
            # The usual case: only the stored occurrence is due.
            backlog = [record.next_occurrence]
        else:
            backlog = occurrences_between(rule, record.next_due_at, now, limit=MAX_BACKLOG)
            upcoming = next_occurrence(rule, now)
        planned.extend(_backlog_rows(record.id, backlog, now=now, grace=grace))
        next_due[record.id] = (upcoming.due_at, upcoming.slot)
    return ClaimPlan(deliveries=planned, next_due=next_due)


def _backlog_rows(
    schedule_id: int, backlog: Sequence[Occurrence], *, now: datetime, grace: timedelta
) -> list[PlannedDelivery]:
    in_grace = [o for o in backlog if now - o.due_at <= grace]
    rows = []
    for occurrence in backlog:
        if now - occurrence.due_at > grace:
            rows.append(_row(schedule_id, occurrence, Status.MISSED))
        elif occurrence is in_grace[-1]:
            late = now - occurrence.due_at > LATE_AFTER or len(in_grace) > 1
            rows.append(
                _row(schedule_id, occurrence, Status.CLAIMED, late, coalesced=len(in_grace) - 1)
            )
        else:
            rows.append(_row(schedule_id, occurrence, Status.COALESCED))
    return rows


def _row(
    schedule_id: int,
    occurrence: Occurrence,
    status: Status,
    late: bool = False,
    *,
    coalesced: int = 0,
) -> PlannedDelivery:
    return PlannedDelivery(
        schedule_id=schedule_id,
        slot=occurrence.slot,
        due_at=occurrence.due_at,
        status=status,
        late=late,
        coalesced=coalesced,
    )
