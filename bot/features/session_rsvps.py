"""Who is in and who waits: one occurrence's answers as going, waitlist, maybe and can't."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.sessions import Rsvp, StudySession


@dataclass(frozen=True, kw_only=True)
class Attendance:
    going: list[Rsvp]
    waitlist: list[Rsvp]
    maybe: list[Rsvp]
    cant: list[Rsvp]


def attendance(session: StudySession, answers: list[Rsvp]) -> Attendance:
    """Going in the order they said so: the first `cap` are in, the rest wait."""
    going = [a for a in answers if a.answer == "going"]
    cap = session.cap if session.cap is not None else len(going)
    return Attendance(
        going=going[:cap],
        waitlist=going[cap:],
        maybe=[a for a in answers if a.answer == "maybe"],
        cant=[a for a in answers if a.answer == "cant"],
    )
