"""When a study session happens: reading `/session add`'s words, and a series' occurrences.

A session keeps its wall-clock time in its own zone; a weekly series stays at 18:30 Berlin time
across the DST change, so its UTC instant moves (scheduler/recurrence.local_to_utc, the same rule
as schedules: a time in the spring gap is taken at the gap's end, an ambiguous one at its first
instant).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.time import parse_duration, parse_time_of_day, parse_zone
from bot.store.sessions import StudySession
from scheduler.recurrence import local_to_utc

MAX_TITLE = 200
MAX_PLACE = 500
DEFAULT_MINUTES = 60
ADD_USAGE = (
    '/session add "<title>" <YYYY-MM-DD|weekday> <HH:MM> [zone] [weekly] [for 90m] [cap N] '
    '[where "<link or place>"]'
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead occurrences are looked for (a year of a weekly series).
HORIZON_WEEKS = 53


@dataclass(frozen=True, kw_only=True)
class SessionPlan:
    title: str
    local_date: date
    local_time: time
    zone: ZoneInfo
    weekly: bool
    minutes: int
    cap: int | None
    place: str | None

    @property
    def starts_at(self) -> datetime:
        return local_to_utc(self.local_date, self.local_time, self.zone)


def parse_session(words: list[str], *, default_zone: str, now: datetime) -> SessionPlan:
    """`"Paper club" 2026-12-03 18:30 Europe/Berlin weekly for 90m cap 8 where "Room 2"`."""
    if len(words) < 3:
        raise UserError("A session needs a title, a day and a time.", hint=f"`{ADD_USAGE}`")
    title = words[0].strip()
    if not title:
        raise UserError("The session needs a title.", hint=f"`{ADD_USAGE}`")
    if len(title) > MAX_TITLE:
        raise UserError(f"Titles are up to {MAX_TITLE} characters; that one has {len(title)}.")
    at = parse_time_of_day(words[2])
    rest = words[3:]
    zone = ZoneInfo(default_zone)
    if rest and rest[0].lower() not in {"weekly", "for", "cap", "where"}:
        zone = parse_zone(rest.pop(0))
    day = _day(words[1], at, zone, now)
    weekly, minutes, cap, place = False, DEFAULT_MINUTES, None, None
    while rest:
        word = rest.pop(0).lower()
        if word == "weekly":
            weekly = True
        elif word == "for" and rest:
            length = parse_duration(rest.pop(0), units="mh", noun="length", hint="e.g. `90m`")
            minutes = int(length.total_seconds() // 60)
            if not 15 <= minutes <= 12 * 60:
                raise UserError("A session lasts from 15 minutes to 12 hours.")
        elif word == "cap" and rest:
            raw = rest.pop(0)
            if not raw.isdigit() or int(raw) < 1:
                raise UserError(f"`cap {raw}`: the cap is a number of people, 1 or more.")
            cap = int(raw)
        elif word == "where" and rest:
            place = rest.pop(0).strip()[:MAX_PLACE] or None
        else:
            raise UserError(f"I don't understand `{word}` here.", hint=f"`{ADD_USAGE}`")
    plan = SessionPlan(
        title=title,
        local_date=day,
        local_time=at,
        zone=zone,
        weekly=weekly,
        minutes=minutes,
        cap=cap,
        place=place,
    )
    if plan.starts_at <= now:
        raise UserError("That time has passed.", hint="Give a day and time still to come.")
    return plan


def _day(word: str, at: time, zone: ZoneInfo, now: datetime) -> date:
    lowered = word.lower()[:3]
    if lowered in WEEKDAYS and not word[:1].isdigit():
        today = now.astimezone(zone).date()
        day = today + timedelta(days=(WEEKDAYS.index(lowered) - today.weekday()) % 7)
        if local_to_utc(day, at, zone) <= now:
            day += timedelta(days=7)
        return day
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise UserError(
            f"`{word}` isn't a day.", hint="Use YYYY-MM-DD (2026-12-03) or a weekday (thu)."
        ) from None


def starts_at(session: StudySession, occurrence: date) -> datetime:
    return local_to_utc(occurrence, session.local_time, ZoneInfo(session.timezone))


def occurrences(session: StudySession, *, after: datetime, limit: int = 1) -> list[date]:
    """The next `limit` occurrence dates whose end is after `after` (skipped ones left out)."""
    found: list[date] = []
    day = session.local_date
    for _ in range(HORIZON_WEEKS if session.weekly else 1):
        end = starts_at(session, day) + timedelta(minutes=session.minutes)
        if end > after and day.isoformat() not in session.skipped_dates:
            found.append(day)
            if len(found) >= limit:
                break
        day += timedelta(days=7)
    return found
