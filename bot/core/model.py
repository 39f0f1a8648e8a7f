"""Neutral values that travel between adapters and features.

Adapters translate platform payloads into `Invocation` / `ActionPress` on the way in and render a
`Reply` on the way out. IDs are opaque strings that carry their platform (`slack:T1:C2`,
`discord:G1:C2`, `console:local`), so a value never needs to say where it came from twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias


class Visibility(Enum):
    """Who sees a reply: the whole conversation, or only the member who asked."""

    CHANNEL = "channel"
    PRIVATE = "private"


@dataclass(frozen=True, kw_only=True)
class Member:
    id: str
    name: str
    # What the platform says, read by the adapter: a workspace admin or owner (Slack), Manage
    # Server (Discord).
    is_admin: bool = False
    # Owns the conversation: the channel's creator (Slack), Manage Channels in it (Discord).
    manages_channel: bool = False
    # Decided by the dispatcher on every command (never trusted from an adapter): platform admin,
    # the channel's manager, or added with `/organizers add`.
    is_organizer: bool = False


@dataclass(frozen=True, kw_only=True)
class Invocation:
    """A member ran a command. `text` is everything after the command name, unparsed."""

    command: str
    text: str
    member: Member
    group_id: str
    platform: str


@dataclass(frozen=True, kw_only=True)
class ActionPress:
    """A member pressed a button. `action_id` names the action, `value` carries its state."""

    action_id: str
    value: str
    member: Member
    group_id: str
    platform: str
    message_ref: str | None = None
    # Answers from a submitted form, as (field id, text) pairs.
    fields: tuple[tuple[str, str], ...] = ()

    def field(self, field_id: str) -> str:
        return dict(self.fields).get(field_id, "")


@dataclass(frozen=True, kw_only=True)
class FormField:
    id: str
    label: str
    required: bool = False
    max_length: int = 1000
    # A 1-5 rating rather than free text.
    rating: bool = False


@dataclass(frozen=True, kw_only=True)
class Form:
    """Questions to ask a member; the answers come back as an ActionPress with `fields`."""

    title: str
    fields: tuple[FormField, ...]
    submit_action: str
    submit_value: str


@dataclass(frozen=True, kw_only=True)
class Section:
    """A block of prose, optionally under a heading."""

    text: str
    heading: str | None = None


@dataclass(frozen=True, kw_only=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, kw_only=True)
class Columns:
    """Two or more labelled columns meant to be read side by side (e.g. SWE vs MLE)."""

    heading: str | None = None
    fields: tuple[Field, ...]


@dataclass(frozen=True, kw_only=True)
class Context:
    """A small, secondary line: hints, sources, what to try next."""

    text: str


@dataclass(frozen=True, kw_only=True)
class Button:
    """A button. `action_id` picks the handler; `value` carries state so it survives restarts."""

    label: str
    action_id: str
    value: str = ""


Part: TypeAlias = Section | Columns | Context


@dataclass(frozen=True, kw_only=True)
class Image:
    """A file that goes with a reply: a poll's bar chart (PNG), a session's calendar file."""

    data: bytes
    filename: str
    alt: str
    media_type: str = "image/png"

    @property
    def is_picture(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(frozen=True, kw_only=True)
class Reply:
    title: str | None = None
    parts: tuple[Part, ...] = ()
    buttons: tuple[Button, ...] = ()
    visibility: Visibility = Visibility.CHANNEL
    is_error: bool = False
    image: Image | None = None
    # Ask the member to fill in a form (a modal on Slack and Discord, prompts in the console).
    form: Form | None = None
    # A button's answer that should replace the message the button was on (a live tally).
    replace_original: bool = False
    # Post as an answer to this message (a platform message reference), e.g. in its thread.
    thread_of: str | None = None
    # Members this reply deliberately pings (a group that opted in to reminder mentions).
    # Everything else a reply says can never ping anyone.
    mentions: tuple[str, ...] = ()
    # Plain-text summary for notifications and platforms' fallback text.
    summary: str | None = field(default=None)

    def fallback_text(self) -> str:
        """A plain-text rendering for notifications and clients without rich layouts."""
        if self.summary:
            return self.summary
        if self.title:
            return self.title
        for part in self.parts:
            if isinstance(part, Section):
                return part.text
        return ""


def error_reply(message: str, *, hint: str | None = None) -> Reply:
    parts: tuple[Part, ...] = (Section(text=message),)
    if hint:
        parts += (Context(text=hint),)
    return Reply(parts=parts, visibility=Visibility.PRIVATE, is_error=True, summary=message)
