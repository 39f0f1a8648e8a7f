"""Platform-neutral features. Each module declares its commands with `bot.core.registry`."""

from __future__ import annotations

from types import ModuleType


def feature_modules() -> list[ModuleType]:
    """Every module whose commands and actions make up studybot."""
    from bot.features import (
        checkins,
        compare,
        help,
        me,
        members,
        pairs,
        polls,
        progress,
        report,
        roadmap,
        schedules,
        session_reminders,
        session_when,
        sessions,
        tip,
    )

    return [
        checkins,
        compare,
        help,
        me,
        members,
        pairs,
        polls,
        progress,
        report,
        roadmap,
        schedules,
        session_reminders,
        session_when,
        sessions,
        tip,
    ]
