"""Exact instants around daylight-saving changes, and agreement with APScheduler elsewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.core.time import WeeklyRule
from scheduler.recurrence import (
    local_to_utc,
    next_occurrence,
    occurrences_between,
)

EVERY_DAY = frozenset(range(7))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Europe/Berlin: spring forward 2026-03-29 02:00 → 03:00, fall back 2026-10-25 03:00 → 02:00
        ("Europe/Berlin", date(2026, 3, 28), time(9), utc(2026, 3, 28, 8)),
        ("Europe/Berlin", date(2026, 3, 29), time(9), utc(2026, 3, 29, 7)),
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0)),  # gap → 03:00
        ("Europe/Berlin", date(2026, 10, 24), time(9), utc(2026, 10, 24, 7)),
        ("Europe/Berlin", date(2026, 10, 25), time(9), utc(2026, 10, 25, 8)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # 1st of 2
        # America/New_York: spring 2026-03-08 02:00 → 03:00, fall 2026-11-01 02:00 → 01:00
        ("America/New_York", date(2026, 3, 7), time(9), utc(2026, 3, 7, 14)),
        ("America/New_York", date(2026, 3, 8), time(9), utc(2026, 3, 8, 13)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2026, 11, 1), time(9), utc(2026, 11, 1, 14)),
        # Australia/Sydney: fall back 2026-04-05 03:00 → 02:00, spring 2026-10-04 02:00 → 03:00
        ("Australia/Sydney", date(2026, 4, 4), time(9), utc(2026, 4, 3, 22)),
        ("Australia/Sydney", date(2026, 4, 5), time(9), utc(2026, 4, 4, 23)),
        ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30)),
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16, 0)),
        ("Australia/Sydney", date(2026, 10, 4), time(9), utc(2026, 10, 3, 22)),
        # Asia/Kolkata: no DST, half-hour offset
        ("Asia/Kolkata", date(2026, 3, 29), time(9), utc(2026, 3, 29, 3, 30)),
        ("Asia/Kolkata", date(2026, 10, 25), time(0, 15), utc(2026, 10, 24, 18, 45)),
    ],
)
def test_local_slot_to_exact_instant(zone: str, day: date, at: time, expected: datetime) -> None:
    assert local_to_utc(day, at, ZoneInfo(zone)) == expected


def test_ambiguous_slot_is_one_occurrence_where_apscheduler_fires_twice() -> None:
    zone = ZoneInfo("Europe/Berlin")
    start, end = utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)
    trigger = CronTrigger(hour=2, minute=30, timezone=zone)
    fired, previous, now = [], None, start
    while (fire := trigger.get_next_fire_time(previous, now)) and fire <= end:
        fired.append(fire.astimezone(UTC))
        previous = now = fire
    assert fired == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)]

    rule = WeeklyRule(weekdays=EVERY_DAY, at=time(2, 30), zone=zone)
    ours = occurrences_between(rule, start, end, limit=10)
    assert [(o.due_at, o.slot) for o in ours] == [(utc(2026, 10, 25, 0, 30), "2026-10-25T02:30")]


def test_nonexistent_slot_fires_once_at_the_end_of_the_gap() -> None:
    rule = WeeklyRule(weekdays=EVERY_DAY, at=time(2, 30), zone=ZoneInfo("Europe/Berlin"))
    found = occurrences_between(rule, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12), limit=10)
    assert [(o.slot, o.due_at) for o in found] == [
        ("2026-03-29T02:30", utc(2026, 3, 29, 1, 0)),  # 03:00 CEST
        ("2026-03-30T02:30", utc(2026, 3, 30, 0, 30)),
    ]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_agrees_with_apscheduler_cron_for_a_year_of_ordinary_times(zone: str) -> None:
    tz = ZoneInfo(zone)
    rule = WeeklyRule(weekdays=frozenset({0, 3}), at=time(18, 30), zone=tz)
    trigger = CronTrigger(day_of_week="mon,thu", hour=18, minute=30, timezone=tz)
    start, end = utc(2026, 1, 1), utc(2027, 1, 1)
    expected, previous, now = [], None, start
    while (fire := trigger.get_next_fire_time(previous, now)) and fire <= end:
        expected.append(fire.astimezone(UTC))
        previous = now = fire
    ours = [o.due_at for o in occurrences_between(rule, start, end, limit=1000)]
    assert len(ours) == 105  # 2026 starts on a Thursday: 52 Mondays + 53 Thursdays
    assert ours == expected


def test_next_occurrence_is_strictly_after() -> None:
    rule = WeeklyRule(weekdays=frozenset({0}), at=time(9), zone=ZoneInfo("Europe/Berlin"))
    monday_9 = utc(2026, 3, 2, 8)
    assert next_occurrence(rule, monday_9 - timedelta(seconds=1)).due_at == monday_9
    assert next_occurrence(rule, monday_9).due_at == utc(2026, 3, 9, 8)


def test_slot_near_midnight_in_a_far_zone() -> None:
    # 00:15 in Kolkata on a Sunday is Saturday 18:45 UTC: the search must look a day back.
    rule = WeeklyRule(weekdays=frozenset({6}), at=time(0, 15), zone=ZoneInfo("Asia/Kolkata"))
    found = next_occurrence(rule, utc(2026, 10, 24, 18, 0))
    assert (found.slot, found.due_at) == ("2026-10-25T00:15", utc(2026, 10, 24, 18, 45))


def test_backlog_keeps_only_the_newest() -> None:
    rule = WeeklyRule(weekdays=EVERY_DAY, at=time(9), zone=ZoneInfo("UTC"))
    found = occurrences_between(rule, utc(2026, 1, 1), utc(2026, 1, 31, 12), limit=5)
    assert [o.slot for o in found] == [f"2026-01-{d}T09:00" for d in range(27, 32)]
