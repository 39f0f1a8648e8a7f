"""People: who is on a group's roster, their own settings, and the organizers a group added."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.ids import person_id
from bot.store.db import in_one_hop
from bot.store.tables import (
    breaks,
    checkin_answers,
    checkins,
    member_settings,
    members,
    organizers,
    pair_assignments,
    pair_optins,
    pair_rounds,
    poll_votes,
    polls,
    private_messages,
    quiz_cards,
    quiz_reviews,
    seen_tips,
    session_rsvps,
    study_sessions,
)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """A member's own settings; defaults for a member who never set any."""

    member_id: str
    timezone: str | None = None
    dm_enabled: bool = True
    hours_start: str | None = None
    hours_end: str | None = None
    dm_closed_at: datetime | None = None
    dm_closed_told_at: datetime | None = None

    @property
    def can_receive_dms(self) -> bool:
        return self.dm_enabled and self.dm_closed_at is None


@dataclass(frozen=True, kw_only=True)
class RosterEntry:
    member_id: str
    name: str
    joined_at: datetime
    last_seen: datetime
    settings: Settings


@dataclass(frozen=True, kw_only=True)
class Organizer:
    member_id: str
    name: str
    added_by: str
    added_at: datetime


class MemberStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # Roster ---------------------------------------------------------------------------------

    async def join(self, group_id: str, member_id: str, name: str, *, now: datetime) -> bool:
        """Put the member on the roster; False when they were on it already."""
        async with self.engine.begin() as connection:
            return await _join(connection, group_id, member_id, name, now=now, noted=True)

    async def join_by_taking_part(
        self, group_id: str, member_id: str, name: str, *, now: datetime
    ) -> bool:
        """Answering or voting puts a member on the roster. True when this put them there and
        they have not been told yet (they get one private note)."""
        async with self.engine.begin() as connection:
            added = await _join(connection, group_id, member_id, name, now=now, noted=False)
            if not added:
                return False
            result = await connection.execute(
                update(members)
                .where(
                    members.c.group_id == group_id,
                    members.c.member_id == member_id,
                    members.c.join_noted.is_(False),
                )
                .values(join_noted=True)
            )
            return result.rowcount > 0

    async def leave(self, group_id: str, member_id: str, *, now: datetime) -> bool:
        """Take the member off the roster (and out of partner rounds) and cancel what was
        waiting to be sent to them privately for this group. False when they were not on it."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(members)
                .where(
                    members.c.group_id == group_id,
                    members.c.member_id == member_id,
                    members.c.joined_at.is_not(None),
                )
                .values(joined_at=None, last_seen=now)
            )
            await connection.execute(
                delete(pair_optins).where(
                    pair_optins.c.group_id == group_id, pair_optins.c.member_id == member_id
                )
            )
            await connection.execute(
                update(private_messages)
                .where(
                    private_messages.c.group_id == group_id,
                    private_messages.c.member_id == member_id,
                    private_messages.c.status == "pending",
                )
                .values(status="cancelled", finished_at=now, detail="left the group")
            )
            return result.rowcount > 0

    async def is_on_roster(self, group_id: str, member_id: str) -> bool:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                select(members.c.member_id).where(
                    members.c.group_id == group_id,
                    members.c.member_id == member_id,
                    members.c.joined_at.is_not(None),
                )
            )
            return found.first() is not None

    async def roster(self, group_id: str) -> list[RosterEntry]:
        """Everyone on the roster, by name, with their settings."""
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(members)
                    .where(members.c.group_id == group_id, members.c.joined_at.is_not(None))
                    .order_by(members.c.name, members.c.member_id)
                )
            ).all()
            people = {row.member_id: person_id(row.member_id) for row in rows}
            found = await connection.execute(
                select(member_settings.c.member_id, *_SETTING_COLUMNS).where(
                    member_settings.c.member_id.in_(set(people.values()))
                )
            )
            settings = {row.member_id: row._mapping for row in found}
        return [
            RosterEntry(
                member_id=row.member_id,
                name=row.name,
                joined_at=row.joined_at,
                last_seen=row.last_seen,
                settings=_settings(row.member_id, settings.get(people[row.member_id])),
            )
            for row in rows
        ]

    async def forget(self, group_id: str, member_id: str) -> None:
        """Delete the member's answers, named votes, RSVPs, partner rounds and opt-in, roster
        entry, organizer role, snoozes and waiting private messages in this group. Their
        settings, practice history and seen tips go too unless another group still has them."""
        async with self.engine.begin() as connection:
            in_group_checkins = select(checkins.c.id).where(checkins.c.group_id == group_id)
            await connection.execute(
                delete(checkin_answers).where(
                    checkin_answers.c.member_id == member_id,
                    checkin_answers.c.checkin_id.in_(in_group_checkins),
                )
            )
            named_polls = select(polls.c.id).where(
                polls.c.group_id == group_id, polls.c.anonymous.is_(False)
            )
            await connection.execute(
                delete(poll_votes).where(
                    poll_votes.c.voter == member_id, poll_votes.c.poll_id.in_(named_polls)
                )
            )
            group_sessions = select(study_sessions.c.id).where(
                study_sessions.c.group_id == group_id
            )
            await connection.execute(
                delete(session_rsvps).where(
                    session_rsvps.c.member_id == member_id,
                    session_rsvps.c.session_id.in_(group_sessions),
                )
            )
            group_rounds = select(pair_rounds.c.id).where(pair_rounds.c.group_id == group_id)
            await connection.execute(
                delete(pair_assignments).where(
                    pair_assignments.c.member_id == member_id,
                    pair_assignments.c.round_id.in_(group_rounds),
                )
            )
            for table in (members, organizers, private_messages, breaks, pair_optins):
                await connection.execute(
                    delete(table).where(
                        and_(table.c.group_id == group_id, table.c.member_id == member_id)
                    )
                )
            # Settings are the person's in every group of the platform: kept while another
            # group still has them (a Discord user's id differs only by server).
            person = person_id(member_id)
            same_person = (
                members.c.member_id.like(f"discord:%:{member_id.rsplit(':', 1)[-1]}")
                if person != member_id
                else members.c.member_id == member_id
            )
            elsewhere = await connection.execute(
                select(members.c.group_id).where(same_person).limit(1)
            )
            if elsewhere.first() is None:
                await connection.execute(
                    delete(member_settings).where(member_settings.c.member_id == person)
                )
            # Practice history and seen tips follow the member across the workspace's (or the
            # server's) channels: they go once no other group there has the member.
            still_here = await connection.execute(
                select(members.c.group_id).where(members.c.member_id == member_id).limit(1)
            )
            if still_here.first() is None:
                for table in (quiz_reviews, quiz_cards, seen_tips):
                    await connection.execute(delete(table).where(table.c.member_id == member_id))

    # Settings -------------------------------------------------------------------------------

    async def settings(self, member_id: str) -> Settings:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(*_SETTING_COLUMNS).where(
                        member_settings.c.member_id == person_id(member_id)
                    )
                )
            ).first()
        return _settings(member_id, None if row is None else row._mapping)

    async def update_settings(self, member_id: str, *, now: datetime, **values: object) -> None:
        """Set some of a member's settings (column names as keywords), creating the row."""
        member_id = person_id(member_id)
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(member_settings)
                .where(member_settings.c.member_id == member_id)
                .values(updated_at=now, **values)
            )
            if result.rowcount:
                return
            try:
                async with connection.begin_nested():
                    await connection.execute(
                        insert(member_settings).values(
                            member_id=member_id, updated_at=now, **values
                        )
                    )
            except IntegrityError:  # created by a concurrent command: update that row
                await connection.execute(
                    update(member_settings)
                    .where(member_settings.c.member_id == member_id)
                    .values(updated_at=now, **values)
                )

    async def note_dms_closed(self, member_id: str, *, now: datetime) -> None:
        """The platform refused a private message; kept until the member turns DMs on again."""
        if (await self.settings(member_id)).dm_closed_at is None:
            await self.update_settings(member_id, now=now, dm_closed_at=now, dm_closed_told_at=None)

    async def take_closed_dm_notice(self, member_id: str, *, now: datetime) -> bool:
        """True once per closing: the member should be told how to reopen their DMs."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(member_settings)
                .where(
                    member_settings.c.member_id == person_id(member_id),
                    member_settings.c.dm_closed_at.is_not(None),
                    member_settings.c.dm_closed_told_at.is_(None),
                )
                .values(dm_closed_told_at=now)
            )
            return result.rowcount > 0

    # Organizers -----------------------------------------------------------------------------

    async def standing(self, group_id: str, member_id: str) -> tuple[bool, bool]:
        """(added as an organizer, should hear that their DMs are closed): one read per command."""
        added = (
            select(organizers.c.member_id)
            .where(organizers.c.group_id == group_id, organizers.c.member_id == member_id)
            .exists()
        )
        untold = (
            select(member_settings.c.member_id)
            .where(
                member_settings.c.member_id == person_id(member_id),
                member_settings.c.dm_closed_at.is_not(None),
                member_settings.c.dm_closed_told_at.is_(None),
            )
            .exists()
        )
        row = await in_one_hop(
            self.engine,
            lambda connection: connection.execute(
                select(added.label("a"), untold.label("u"))
            ).one(),
        )
        return bool(row.a), bool(row.u)

    async def is_added_organizer(self, group_id: str, member_id: str) -> bool:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                select(organizers.c.member_id).where(
                    organizers.c.group_id == group_id, organizers.c.member_id == member_id
                )
            )
            return found.first() is not None

    async def add_organizer(
        self, group_id: str, member_id: str, name: str, *, added_by: str, now: datetime
    ) -> bool:
        """False when the member was an organizer already."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    insert(organizers).values(
                        group_id=group_id,
                        member_id=member_id,
                        name=name,
                        added_by=added_by,
                        added_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def remove_organizer(self, group_id: str, member_id: str) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(organizers).where(
                    organizers.c.group_id == group_id, organizers.c.member_id == member_id
                )
            )
            return result.rowcount > 0

    async def organizers(self, group_id: str) -> list[Organizer]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(organizers)
                .where(organizers.c.group_id == group_id)
                .order_by(organizers.c.name)
            )
            return [
                Organizer(
                    member_id=row.member_id,
                    name=row.name,
                    added_by=row.added_by,
                    added_at=row.added_at,
                )
                for row in rows
            ]


async def _join(
    connection: AsyncConnection,
    group_id: str,
    member_id: str,
    name: str,
    *,
    now: datetime,
    noted: bool,
) -> bool:
    """Insert or revive the roster row; False when the member was on the roster already.
    Reads first, so the common case (already on it: every vote after the first) writes nothing."""
    where = and_(members.c.group_id == group_id, members.c.member_id == member_id)
    existing = (await connection.execute(select(members.c.joined_at).where(where))).first()
    if existing is not None and existing.joined_at is not None:
        return False
    if existing is not None:
        result = await connection.execute(
            update(members)
            .where(where, members.c.joined_at.is_(None))
            .values(joined_at=now, name=name, last_seen=now)
        )
        return result.rowcount > 0
    try:
        async with connection.begin_nested():
            await connection.execute(
                insert(members).values(
                    group_id=group_id,
                    member_id=member_id,
                    name=name,
                    last_seen=now,
                    joined_at=now,
                    join_noted=noted,
                )
            )
    except IntegrityError:  # a concurrent join of the same member won
        return False
    return True


_SETTING_COLUMNS = (
    member_settings.c.timezone,
    member_settings.c.dm_enabled,
    member_settings.c.hours_start,
    member_settings.c.hours_end,
    member_settings.c.dm_closed_at,
    member_settings.c.dm_closed_told_at,
)


def _settings(member_id: str, row: Mapping[Any, Any] | None) -> Settings:
    """A settings row (or its outer-joined columns, all NULL for a member who set nothing)."""
    if row is None or row["dm_enabled"] is None:
        return Settings(member_id=member_id)
    return Settings(
        member_id=member_id,
        timezone=row["timezone"],
        dm_enabled=bool(row["dm_enabled"]),
        hours_start=row["hours_start"],
        hours_end=row["hours_end"],
        dm_closed_at=row["dm_closed_at"],
        dm_closed_told_at=row["dm_closed_told_at"],
    )
