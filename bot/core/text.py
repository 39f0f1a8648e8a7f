"""Small text helpers shared by the core and the features."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Slack's and Discord's own message limits sit near here; longer input is almost always a paste
# by mistake, and refusing it early keeps the store and the logs small.
MAX_INPUT_CHARS = 4000


def closest(
    word: str, candidates: Iterable[str], *, limit: int = 1, cutoff: float = 0.6
) -> list[str]:
    """The candidates that look most like `word`, best first (may be empty)."""
    pool = list(candidates)
    lowered = {candidate.lower(): candidate for candidate in pool}
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=limit, cutoff=cutoff)
    if not matches and len(word) >= 2:
        # Prefix matches catch abbreviations that difflib scores too low ("mlop" → "mlops").
        matches = [key for key in lowered if key.startswith(word.lower())][:limit]
    return [lowered[match] for match in matches]


# Command names are short: at difflib's default 0.6, `/nope` "looks like" `/snooze`; `/tpi` → `/tip`
# (0.67) should still be suggested.
COMMAND_CUTOFF = 0.65


def one_of(values: Iterable[str]) -> str:
    """`a`, `b` or `c` — for error messages that list the valid values."""
    quoted = [f"`{value}`" for value in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def truncate(text: str, limit: int, *, marker: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))].rstrip() + marker
