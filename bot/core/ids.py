"""Opaque ids that carry their platform: `slack:T1:C2`, `discord:G1:C2`, `console:local`.

Groups are `platform:scope:channel` and members `platform:scope:user` (scope is the Slack
workspace or the Discord server); the console has no scope. This is the one place that builds and
takes them apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class ScopedId:
    platform: str
    scope: str
    local: str  # the channel or user id on the platform

    def __str__(self) -> str:
        return f"{self.platform}:{self.scope}:{self.local}"


def scoped_id(platform: str, scope: str | int | None, local: str | int) -> str:
    return str(ScopedId(platform=platform, scope=str(scope or ""), local=str(local)))


def parse_scoped_id(value: str, *, platform: str) -> ScopedId:
    """`slack:T1:C2` → ScopedId("slack", "T1", "C2"); ValueError if it is not one of `platform`."""
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] != platform:
        raise ValueError(f"not a {platform} id: {value!r}")
    return ScopedId(platform=parts[0], scope=parts[1], local=parts[2])


def platform_of(value: str) -> str:
    """The platform an id belongs to: `slack:T1:C2` → `slack`."""
    return value.split(":", 1)[0]


def local_part(value: str) -> str:
    """The platform's own id at the end: `discord:G1:42` → `42`."""
    return value.rsplit(":", 1)[-1]


def person_id(member_id: str) -> str:
    """Whose settings these are. A Discord user is one person in every server (`discord:42`); a
    Slack user belongs to one workspace, whose id is part of theirs (`slack:T1:U2`); ids without
    a scope (the console) stay as they are."""
    parts = member_id.split(":", 2)
    if len(parts) == 3 and parts[0] == "discord":
        return f"discord:{parts[2]}"
    return member_id
