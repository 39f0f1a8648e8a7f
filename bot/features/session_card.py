"""A session's card: when (in each reader's zone), where, who is going, waiting, maybe, not."""

from __future__ import annotations

from datetime import date

from bot.core.instants import InstantStyle, instant
from bot.core.model import Button, Context, Reply, Section
from bot.features.services import Services
from bot.features.session_rsvps import attendance
from bot.features.session_times import starts_at
from bot.store.sessions import ALL_OCCURRENCES, Rsvp, StudySession

RSVP_ACTION = "session:rsvp"
LABELS = {"going": "Going", "maybe": "Maybe", "cant": "Can't"}
MAX_LISTED = 12


def _names(rsvps: list[Rsvp]) -> str:
    names = [r.name for r in rsvps[:MAX_LISTED]]
    extra = len(rsvps) - MAX_LISTED
    return ", ".join(names) + (f" and {extra} more" if extra > 0 else "") if names else "nobody yet"


async def session_card(services: Services, session: StudySession, occurrence: date) -> Reply:
    start = starts_at(session, occurrence)
    seen = attendance(session, await services.sessions.answers(session.id, occurrence.isoformat()))
    when = f"{instant(start)} ({instant(start, InstantStyle.RELATIVE)}) · {session.minutes} min"
    if session.weekly:
        when += f"\nEvery week at {session.local_time:%H:%M} {session.timezone}"
    lines = [when]
    if session.place:
        lines.append(f"Where: {session.place}")
    cap = f"/{session.cap}" if session.cap is not None else ""
    people = [f"Going ({len(seen.going)}{cap}): {_names(seen.going)}"]
    if seen.waitlist:
        people.append(f"Waitlist: {_names(seen.waitlist)}")
    people.append(f"Maybe: {_names(seen.maybe)}")
    people.append(f"Can't: {_names(seen.cant)}")
    buttons = [
        Button(label=label, action_id=RSVP_ACTION, value=f"{session.id}:{occurrence}:{answer}")
        for answer, label in LABELS.items()
    ]
    if session.weekly:
        buttons.append(
            Button(
                label="Going to all",
                action_id=RSVP_ACTION,
                value=f"{session.id}:{ALL_OCCURRENCES}:going",
            )
        )
    return Reply(
        title=f"📅 {session.title}",
        parts=(
            Section(text="\n".join(lines)),
            Section(text="\n".join(people)),
            Context(text=f"Session #{session.id} · `/session ics {session.id}` for your calendar"),
        ),
        buttons=tuple(buttons),
        summary=f"Study session: {session.title}",
    )
