"""One-off private notes (kind `note`): a title and a few lines for one member, sent through the
private ledger like everything else the bot sends."""

from __future__ import annotations

import json

from bot.core.ids import platform_of
from bot.core.model import Context, Reply, Section
from bot.core.private import PrivateDelivery, PrivatePost
from bot.features.services import Services
from bot.store.private_messages import PlannedMessage

NOTE_KIND = "note"

JOINED_TEXT = (
    "You answered a check-in or voted in a named poll, so you're now on the study group's "
    "roster: check-ins and reminders count you in."
)
JOINED_HINT = "`/leave` in the group's channel takes you off; `/me` shows your settings."


async def plan_note(
    services: Services, *, key: str, group_id: str, member_id: str, title: str, text: str, hint: str
) -> bool:
    """Send `title`/`text` to the member privately, once per `key`, as soon as it may go."""
    planned = PlannedMessage(
        key=key,
        platform=platform_of(group_id),
        group_id=group_id,
        member_id=member_id,
        kind=NOTE_KIND,
        due_at=services.clock(),
        payload=json.dumps({"title": title, "text": text, "hint": hint}),
    )
    return await services.private.plan([planned]) > 0


async def joined_by_taking_part(
    services: Services, group_id: str, member_id: str, name: str
) -> None:
    """Answering or voting puts a member on the roster; the first time, they hear so privately."""
    if await services.members.join_by_taking_part(group_id, member_id, name, now=services.clock()):
        await plan_note(
            services,
            key=f"joined:{group_id}:{member_id}",
            group_id=group_id,
            member_id=member_id,
            title="You're on the study group's roster",
            text=JOINED_TEXT,
            hint=JOINED_HINT,
        )


class NoteKind:
    name = NOTE_KIND

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        note = json.loads(message.payload or "{}")
        return PrivatePost(
            reply=Reply(
                title=str(note.get("title") or ""),
                parts=(
                    Section(text=str(note.get("text") or "")),
                    Context(text=note.get("hint") or ""),
                ),
                summary=str(note.get("title") or ""),
            )
        )
