"""Platform-neutral features. Each module declares its commands with `bot.core.registry`."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

# The modules whose commands and buttons make up studybot, named once (tests/test_architecture.py
# fails when a module under bot/features declares a command or button and is missing here).
FEATURE_MODULES = (
    "checkins",
    "compare",
    "help",
    "me",
    "members",
    "pairs",
    "polls",
    "progress",
    "quiz",
    "report",
    "resources",
    "roadmap",
    "schedules",
    "session_reminders",
    "session_when",
    "sessions",
    "tip",
)


def feature_modules() -> list[ModuleType]:
    """Every module whose commands and actions make up studybot."""
    return [import_module(f"bot.features.{name}") for name in FEATURE_MODULES]
