"""Points in time inside reply text, shown in each reader's own zone.

A feature writes `f"closes {instant(poll.closes_at)}"`; the text then carries a small neutral
token, and each adapter replaces it with its platform's markup: Slack `<!date^…>` and Discord
`<t:…>` render in the reader's zone on their own device, and the console shows the group's zone.
Where a platform cannot render markup (Slack headers, Discord embed titles and footers), the
adapter uses `plain`, which names its zone.

The token is framed by U+2063 (INVISIBLE SEPARATOR), which nobody types; a member who pastes one
can at worst make a date appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

_MARK = "\u2063"
_TOKEN = re.compile(f"{_MARK}(-?\\d+)([a-z]){_MARK}")


class InstantStyle(StrEnum):
    DATE_TIME = "f"  # Sun 29 Nov 18:00
    DATE = "d"  # Sun 29 Nov 2026
    TIME = "t"  # 18:00
    RELATIVE = "r"  # in 3 hours (the console, which cannot count down, shows the date and time)


@dataclass(frozen=True, kw_only=True)
class Instant:
    at: datetime  # aware
    style: InstantStyle = InstantStyle.DATE_TIME

    @property
    def timestamp(self) -> int:
        return int(self.at.timestamp())


def instant(at: datetime, style: InstantStyle = InstantStyle.DATE_TIME) -> str:
    """The token for `at` to put into reply text."""
    if at.tzinfo is None:
        raise ValueError("an instant must be aware")
    return f"{_MARK}{int(at.timestamp())}{style.value}{_MARK}"


def render_instants(text: str, render: Callable[[Instant], str]) -> str:
    """Replace every instant token in `text` with `render(instant)`."""
    if _MARK not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        at = datetime.fromtimestamp(int(match[1]), UTC)
        try:
            style = InstantStyle(match[2])
        except ValueError:
            style = InstantStyle.DATE_TIME
        return render(Instant(at=at, style=style))

    return _TOKEN.sub(replace, text)


def has_instants(text: str) -> bool:
    return _TOKEN.search(text) is not None


def plain(moment: Instant, zone: ZoneInfo | None = None) -> str:
    """`Sun 29 Nov 18:00 CET`: readable anywhere, with its zone named (UTC by default)."""
    local = moment.at.astimezone(zone or UTC)
    name = local.tzname() if zone is not None and zone.key != "UTC" else "UTC"
    if moment.style is InstantStyle.DATE:
        return f"{local:%a %d %b %Y}"
    if moment.style is InstantStyle.TIME:
        return f"{local:%H:%M} {name}"
    if moment.style is InstantStyle.RELATIVE:
        return relative(moment.at, datetime.now(UTC))
    return f"{local:%a %d %b %H:%M} {name}"


def relative(at: datetime, now: datetime) -> str:
    """`in 3 hours`, `2 days ago`: roughly, like the platforms' own relative times."""
    seconds = (at - now).total_seconds()
    span = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if span >= size:
            count = round(span / size)
            text = f"{count} {unit}" + ("" if count == 1 else "s")
            return f"in {text}" if seconds > 0 else f"{text} ago"
    return "now"


def plain_text(text: str, zone: ZoneInfo | None = None) -> str:
    """`text` with every instant written out in `zone`."""
    return render_instants(text, lambda moment: plain(moment, zone))
