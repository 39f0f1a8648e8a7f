"""Sessions as RFC 5545 calendars (icalendar): a file per session, and the group's feed behind a
secret URL that calendar apps subscribe to.

Why the icalendar library: VTIMEZONE blocks, RRULE/EXDATE, line folding and escaping are easy to
get subtly wrong by hand, and calendar apps are unforgiving about them. Each event keeps its
wall-clock time with its TZID (a weekly series stays at 18:30 Berlin time across DST), carries a
stable UID so a re-fetched feed updates events instead of duplicating them, and a cancelled
session stays in the feed as STATUS:CANCELLED so subscribed calendars drop it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.features.services import Services
from bot.store.sessions import StudySession

FEED_PATH = "/calendar/{token}.ics"


def calendar_file(sessions: Sequence[StudySession], *, name: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//studybot//study sessions//EN")
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(session: StudySession) -> Event:
    zone = ZoneInfo(session.timezone)
    start = datetime.combine(session.local_date, session.local_time, tzinfo=zone)
    event = Event()
    event.add("uid", f"session-{session.id}-{_group_hash(session.group_id)}@studybot")
    event.add("summary", session.title)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=session.minutes))
    event.add("dtstamp", datetime.now(UTC))
    if session.place:
        event.add("location", session.place)
    if session.weekly:
        event.add("rrule", {"freq": "weekly"})
        for skipped in session.skipped_dates:
            day = date.fromisoformat(skipped)
            event.add("exdate", datetime.combine(day, session.local_time, tzinfo=zone))
    if session.cancelled_at is not None:
        event.add("status", "CANCELLED")
    return event


def _group_hash(group_id: str) -> str:
    return hashlib.sha256(group_id.encode()).hexdigest()[:12]


def _token_key(token: str) -> str:
    return f"session-feed-token:{hashlib.sha256(token.encode()).hexdigest()}"


async def new_feed_token(services: Services, group_id: str, *, reset: bool) -> str:
    """The group's feed token, made on first use; `reset` retires the old one."""
    key = f"session-feed:{group_id}"
    now = services.clock()
    existing = await services.store.get_value(key)
    if existing is not None and not reset:
        return existing
    if existing is not None:
        await services.store.delete_value(_token_key(existing))
    token = secrets.token_urlsafe(24)
    await services.store.set_value(key, token, now=now)
    await services.store.set_value(_token_key(token), group_id, now=now)
    return token


def feed_url(services: Services, token: str) -> str:
    base = (services.public_url or "http://localhost:3000").rstrip("/")
    return base + FEED_PATH.format(token=token)


async def feed_for(services: Services, token: str) -> bytes | None:
    """The feed behind `token`, or None. The lookup is by the token's hash, and the stored token
    is compared in constant time, so response times tell nothing about a guessed token."""
    group_id = await services.store.get_value(_token_key(token))
    if group_id is None:
        return None
    current = await services.store.get_value(f"session-feed:{group_id}") or ""
    if not hmac.compare_digest(current.encode(), token.encode()):
        return None
    sessions = await services.sessions.of_group(group_id, with_cancelled=True)
    return calendar_file(sessions, name="Study sessions")
