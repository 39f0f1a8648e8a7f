"""Weekly wall-clock recurrence in an IANA zone, one occurrence per local slot.

A schedule says "Mondays and Thursdays at 18:30 in Europe/Berlin". Each (local date, local time)
pair is one *slot*, and one slot is one occurrence, whatever the clocks do that day:

* A time that does not exist that day (02:30 on a spring-forward day in Berlin, where the clock
  jumps from 02:00 to 03:00) fires once at the end of the gap: the first minute that exists,
  03:00 local.
* A time that exists twice (01:30 on a fall-back day in New York) fires once, at its first
  occurrence (still on summer time). APScheduler 3's CronTrigger would yield both instants an hour
  apart; keying occurrences by slot rather than by UTC instant is what makes it one.

Everything here is a pure function of its arguments: no clock is read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.time import Occurrence, WeeklyRule

# Bounds the search for the next occurrence: a rule with at least one weekday always has one
# within 8 days; the extra margin covers the DST shifts of a single day.
_SEARCH_DAYS = 9


def slot_key(day: date, at: time) -> str:
    return f"{day.isoformat()}T{at.hour:02d}:{at.minute:02d}"


# Pure and hot: a fan-out resolves the same few (day, time, zone) slots for thousands of groups,
# and this keeps a claim batch's CPU time on the event loop small.
@lru_cache(maxsize=8192)
def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the wall clock in `zone` shows `at` on `day` (see module doc)."""
    wall = datetime.combine(day, at)
    if _exists(wall, zone):
        # fold=0 picks the first of two instants when the time is ambiguous.
        return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # In a gap: walk forward minute by minute to the first wall time that exists.
    probe = wall
    for _ in range(24 * 60):
        probe += timedelta(minutes=1)
        if _exists(probe, zone):
            return probe.replace(tzinfo=zone).astimezone(UTC)
    raise ValueError(f"no valid local time after {wall} in {zone}")  # pragma: no cover


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    return instant.astimezone(zone).replace(tzinfo=None) == wall


def occurrence_on(rule: WeeklyRule, day: date) -> Occurrence:
    return Occurrence(due_at=local_to_utc(day, rule.at, rule.zone), slot=slot_key(day, rule.at))


def next_occurrence(rule: WeeklyRule, after: datetime) -> Occurrence:
    """The first occurrence strictly later than `after` (an aware instant)."""
    if after.tzinfo is None:
        raise ValueError("`after` must be aware")
    # Start a day early: a slot on the previous local date can still lie after `after` near
    # midnight in zones far from UTC.
    day = after.astimezone(rule.zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS + 1):
        candidate_day = day + timedelta(days=offset)
        if candidate_day.weekday() not in rule.weekdays:
            continue
        due_at = local_to_utc(candidate_day, rule.at, rule.zone)
        if due_at > after:
            return Occurrence(due_at=due_at, slot=slot_key(candidate_day, rule.at))
    raise AssertionError("a weekly rule always has an occurrence within nine days")


def occurrences_between(
    rule: WeeklyRule, start: datetime, end: datetime, *, limit: int
) -> list[Occurrence]:
    """Occurrences with start <= due_at <= end, oldest first, at most `limit` of the newest."""
    found: list[Occurrence] = []
    cursor = start - timedelta(microseconds=1)
    while True:
        occurrence = next_occurrence(rule, cursor)
        if occurrence.due_at > end:
            break
        found.append(occurrence)
        cursor = occurrence.due_at
        if len(found) > limit:
            found.pop(0)
    return found
