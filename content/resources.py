"""How a resource reads in a reply: one line with what it is, how long it takes, and its link."""

from __future__ import annotations

from content.models import Cost, Resource


def resource_line(resource: Resource) -> str:
    """`• Title (course chapter, 70 min, free)` and the URL on the next line.

    A bare URL is linked by Slack, Discord and terminals alike, and never carries markup a
    platform could misread (Slack's `<url|text>` would need escaping of its own)."""
    cost = "free" if resource.cost is Cost.FREE else "paid"
    return (
        f"• {resource.title} ({resource.kind.label}, {_duration(resource.minutes)}, {cost})\n"
        f"  {resource.url}"
    )


def _duration(minutes: int) -> str:
    if minutes < 90:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
