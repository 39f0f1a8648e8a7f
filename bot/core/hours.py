"""A member's hours: the local window in which private messages may reach them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.time import parse_time_of_day

HOURS_HELP = "Give your hours like `08:00-22:00` (24-hour clock, your own time zone)."


@dataclass(frozen=True, kw_only=True)
class Hours:
    start: time
    end: time  # may be earlier than start: the window runs past midnight (22:00-06:00)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_hours(text: str) -> Hours:
    first, dash, second = text.strip().partition("-")
    if not dash:
        raise UserError(f"`{text}` isn't a range of hours.", hint=HOURS_HELP)
    hours = Hours(start=parse_time_of_day(first.strip()), end=parse_time_of_day(second.strip()))
    if hours.start == hours.end:
        raise UserError("Your hours need to start and end at different times.", hint=HOURS_HELP)
    return hours


def stored_hours(start: str | None, end: str | None) -> Hours | None:
    if not start or not end:
        return None
    return Hours(start=time.fromisoformat(start), end=time.fromisoformat(end))


def next_allowed(moment: datetime, zone: ZoneInfo, hours: Hours | None) -> datetime:
    """`moment` if it falls within the member's hours (or they set none), else the next start
    of their window, as an aware UTC-comparable instant. A start that a DST change skips is
    taken at the same offset as the moment before it (zoneinfo's fold=0), i.e. an hour later."""
    if hours is None:
        return moment
    local = moment.astimezone(zone)
    if hours.contains(local.time()):
        return moment
    day = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, hours.start, tzinfo=zone)
        # Round-trip through UTC so a start inside a DST gap lands on a real instant.
        candidate = candidate.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if candidate > local:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("a daily window always starts within two days")
