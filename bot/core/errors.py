"""Errors a member can read. Anything else that escapes a handler is a bug and is logged."""

from __future__ import annotations


class UserError(Exception):
    """Bad input: the message is shown to the member as it is, and nothing was changed."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class PermissionDenied(UserError):
    """The member may not run this command (e.g. organizers only)."""
