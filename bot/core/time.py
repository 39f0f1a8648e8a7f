"""One home for time as people type and read it: days (`mon,thu`), times of day (`18:30`), zones
(`Europe/Berlin`, with suggestions), durations (`48h`).

Everything here is a pure function of its arguments; parse errors are friendly `UserError`s.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.text import closest, one_of


@dataclass(frozen=True, kw_only=True)
class WeeklyRule:
    """`mon,thu` at 18:30 in Europe/Berlin: wall-clock time in a zone (scheduler/recurrence.py
    turns it into instants)."""

    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday, as date.weekday() counts
    at: time
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError(f"weekdays must be a non-empty subset of 0..6, not {self.weekdays}")
        if self.at.tzinfo is not None:
            raise ValueError("the time of day is wall-clock time in `zone`, without tzinfo")


@dataclass(frozen=True, kw_only=True, order=True)
class Occurrence:
    """One occurrence of a weekly rule."""

    due_at: datetime  # aware, UTC
    slot: str  # local "YYYY-MM-DDTHH:MM": the identity of the occurrence


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_ALIASES: dict[str, tuple[int, ...]] = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_LONG_NAMES = {
    name: index
    for index, names in enumerate(
        [
            ("monday",),
            ("tuesday", "tues"),
            ("wednesday",),
            ("thursday", "thur", "thurs"),
            ("friday",),
            ("saturday",),
            ("sunday",),
        ]
    )
    for name in names
}
DAYS_HELP = "Days look like `mon,thu`, `mon-fri`, `weekdays`, `weekends` or `daily`."


def _day_index(word: str) -> int:
    if word in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(word)
    if word in _LONG_NAMES:
        return _LONG_NAMES[word]
    suggestion = closest(word, WEEKDAY_NAMES)
    guess = f" Did you mean `{suggestion[0]}`?" if suggestion else ""
    raise UserError(f"`{word}` isn't a day I know.{guess}", hint=DAYS_HELP)


@cache
def parse_days(text: str) -> frozenset[int]:
    words = text.strip().lower()
    if not words:
        raise UserError("Which days? " + DAYS_HELP)
    if words in DAY_ALIASES:
        return frozenset(DAY_ALIASES[words])
    days: set[int] = set()
    for part in words.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day_index(first.strip()), _day_index(last.strip())
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            days.update(span)
        elif part:
            days.add(_day_index(part))
    if not days:
        raise UserError("Which days? " + DAYS_HELP)
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    return ",".join(WEEKDAY_NAMES[index] for index in sorted(days))


def describe_days(days: frozenset[int]) -> str:
    """For people: `daily`, `weekdays`, `weekends`, or the names (`mon,thu`)."""
    for alias in ("daily", "weekdays", "weekends"):
        if days == frozenset(DAY_ALIASES[alias]):
            return alias
    return format_days(days)


def parse_time_of_day(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        hour, minute = int(hours), int(minutes)
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return time(hour, minute)
    raise UserError(
        f"`{text}` isn't a time of day.", hint="Use 24-hour HH:MM, for example `18:30` or `07:05`."
    )


ZONE_HELP = "Use an IANA time zone name such as `Europe/Berlin` or `America/New_York`."
# Abbreviations and fixed offsets keep one offset all year: a New York group on `EST` would get
# its nudges an hour late all summer. Refused, with the zone people mean.
ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "est5edt": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "cst6cdt": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mst7mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pst8pdt": "America/Los_Angeles",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "wet": "Europe/Lisbon",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "met": "Europe/Berlin",
    "eet": "Europe/Athens",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "hst": "Pacific/Honolulu",
}


def _is_place(zone: str) -> bool:
    """A zone named after a place (Area/City), or UTC: the ones that follow local clock rules."""
    return zone == "UTC" or ("/" in zone and not zone.startswith("Etc/"))


@cache
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(zone for zone in zoneinfo.available_timezones() if _is_place(zone)))


@cache
def _cities() -> dict[str, str]:
    """`new_york` → America/New_York; ambiguous city names are left out."""
    seen: dict[str, list[str]] = {}
    for zone in zone_names():
        seen.setdefault(zone.rsplit("/", 1)[-1].lower(), []).append(zone)
    return {city: zones[0] for city, zones in seen.items() if len(zones) == 1}


def parse_zone(name: str) -> ZoneInfo:
    cleaned = name.strip()
    if not cleaned:
        raise UserError("Which time zone?", hint=ZONE_HELP)
    lowered = cleaned.lower()
    if lowered in ABBREVIATIONS or lowered.startswith(("etc/", "gmt+", "gmt-", "utc+", "utc-")):
        meant = ABBREVIATIONS.get(lowered)
        hint = f"Did you mean `{meant}`?" if meant else ZONE_HELP
        raise UserError(
            f"`{cleaned}` names an offset, not a place, so daylight saving would shift your times. "
            "Please name a place instead.",
            hint=hint,
        )
    by_lower = {zone.lower(): zone for zone in zone_names()}
    canonical = by_lower.get(lowered) or _cities().get(lowered.replace(" ", "_"))
    if canonical is not None:
        return ZoneInfo(canonical)
    suggestions = closest(cleaned, zone_names(), limit=3)
    if not suggestions:
        # Match the city part alone ("berln" → Europe/Berlin).
        cities = _cities()
        suggestions = [cities[c] for c in closest(lowered.replace(" ", "_"), cities, limit=3)]
    hint = f"Did you mean {one_of(suggestions)}?" if suggestions else ZONE_HELP
    raise UserError(f"I don't know the time zone `{cleaned}`.", hint=hint)


def suggest_zone_completion(typed: str, *, limit: int = 25) -> list[str]:
    """`add nudge mon 18:30 berl` → [`add nudge mon 18:30 Europe/Berlin`]: the typed text with its
    last word completed to matching time zones (for platforms with autocomplete)."""
    head, _, last = typed.rpartition(" ")
    if len(last) < 2 or not any(ch.isalpha() for ch in last):
        return []
    needle = last.lower()
    matches = [zone for zone in zone_names() if needle in zone.lower()]
    matches.sort(key=lambda zone: (not zone.lower().startswith(needle), len(zone), zone))
    return [f"{head} {zone}".strip() for zone in matches[:limit]]


_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^(\d+)\s*([a-z])$")


def read_duration(text: str, *, units: str = "smhd") -> timedelta | None:
    """`90m` → 90 minutes; a bare number is seconds where `s` is allowed; None if not a duration."""
    cleaned = text.strip().lower()
    if cleaned.isdigit() and "s" in units:
        return timedelta(seconds=int(cleaned))
    match = _DURATION.match(cleaned)
    if match is None or match[2] not in units:
        return None
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


def parse_duration(
    text: str,
    *,
    units: str = "mhd",
    noun: str = "duration",
    hint: str = "Use e.g. `30m`, `2h` or `3d`.",
) -> timedelta:
    span = read_duration(text, units=units)
    if span is None:
        raise UserError(f"`{text}` isn't a {noun}.", hint=hint)
    return span
