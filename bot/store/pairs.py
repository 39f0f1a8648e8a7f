"""Accountability pairs: opt-ins, rounds and who was matched with whom (and whether they met)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import dialect_insert
from bot.store.tables import groups, pair_assignments, pair_optins, pair_rounds

MET_ANSWERS = ("yes", "not_yet", "couldnt")


@dataclass(frozen=True, kw_only=True)
class OptIn:
    member_id: str
    name: str
    skipping: bool


@dataclass(frozen=True, kw_only=True)
class Team:
    number: int
    members: tuple[tuple[str, str], ...]  # (member id, name), by id


@dataclass(frozen=True, kw_only=True)
class Round:
    id: int
    group_id: str
    key: str
    started_at: datetime
    teams: tuple[Team, ...]
    # False when the round existed already (a retried scheduled occurrence).
    created: bool = True


@dataclass(frozen=True, kw_only=True)
class MemberRound:
    round_id: int
    started_at: datetime
    partners: tuple[str, ...]  # names
    met: str | None


class PairStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def opt_in(self, group_id: str, member_id: str, name: str, *, now: datetime) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                dialect_insert(connection, pair_optins)
                .values(group_id=group_id, member_id=member_id, name=name, joined_at=now)
                .on_conflict_do_nothing(index_elements=["group_id", "member_id"])
            )
            return result.rowcount > 0

    async def opt_out(self, group_id: str, member_id: str) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(pair_optins).where(
                    pair_optins.c.group_id == group_id, pair_optins.c.member_id == member_id
                )
            )
            return result.rowcount > 0

    async def skip_next(self, group_id: str, member_id: str) -> bool:
        """False when the member has not opted in."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(pair_optins)
                .where(pair_optins.c.group_id == group_id, pair_optins.c.member_id == member_id)
                .values(skipping=True)
            )
            return result.rowcount > 0

    async def opted_in(self, group_id: str) -> list[OptIn]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(pair_optins)
                .where(pair_optins.c.group_id == group_id)
                .order_by(pair_optins.c.member_id)
            )
            return [OptIn(member_id=r.member_id, name=r.name, skipping=r.skipping) for r in rows]

    async def size(self, group_id: str) -> int:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                select(groups.c.pairs_size).where(groups.c.id == group_id)
            )
            return int(found.scalar_one_or_none() or 2)

    async def set_size(self, group_id: str, size: int) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(groups).where(groups.c.id == group_id).values(pairs_size=size)
            )

    async def recent_teams(self, group_id: str, *, rounds: int) -> list[tuple[str, ...]]:
        """The teams (member ids) of the group's last `rounds` rounds."""
        async with self.engine.connect() as connection:
            recent = (
                select(pair_rounds.c.id)
                .where(pair_rounds.c.group_id == group_id)
                .order_by(pair_rounds.c.id.desc())
                .limit(rounds)
            )
            rows = await connection.execute(
                select(
                    pair_assignments.c.round_id,
                    pair_assignments.c.team,
                    pair_assignments.c.member_id,
                ).where(pair_assignments.c.round_id.in_(recent.scalar_subquery()))
            )
            teams: dict[tuple[int, int], list[str]] = {}
            for row in rows:
                teams.setdefault((row.round_id, row.team), []).append(row.member_id)
        return [tuple(sorted(members)) for members in teams.values()]

    async def round_by_key(self, key: str) -> Round | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(pair_rounds).where(pair_rounds.c.key == key))
            ).first()
            if row is None:
                return None
            teams = await self._teams(connection, row.id)
        return Round(
            id=row.id,
            group_id=row.group_id,
            key=key,
            started_at=row.started_at,
            teams=teams,
            created=False,
        )

    async def store_round(
        self,
        group_id: str,
        *,
        key: str,
        now: datetime,
        teams: Sequence[Sequence[str]],
        names: dict[str, str],
    ) -> Round:
        """Store the round `key` with its teams and clear the skips, in one transaction; if
        another process stored that key first, theirs is returned (created=False)."""
        try:
            async with self.engine.begin() as connection:
                size = (
                    await connection.execute(
                        select(groups.c.pairs_size).where(groups.c.id == group_id)
                    )
                ).scalar_one_or_none() or 2
                made = await connection.execute(
                    insert(pair_rounds)
                    .values(group_id=group_id, key=key, size=size, started_at=now)
                    .returning(pair_rounds.c.id)
                )
                round_id = int(made.scalar_one())
                await connection.execute(
                    insert(pair_assignments),
                    [
                        {
                            "round_id": round_id,
                            "member_id": member_id,
                            "name": names[member_id],
                            "team": number,
                        }
                        for number, team in enumerate(teams, start=1)
                        for member_id in team
                    ],
                )
                await connection.execute(
                    update(pair_optins)
                    .where(pair_optins.c.group_id == group_id)
                    .values(skipping=False)
                )
                stored = await self._teams(connection, round_id)
        except IntegrityError:
            existing = await self.round_by_key(key)
            assert existing is not None
            return existing
        return Round(id=round_id, group_id=group_id, key=key, started_at=now, teams=stored)

    async def _teams(self, connection: Any, round_id: int) -> tuple[Team, ...]:
        rows = await connection.execute(
            select(pair_assignments)
            .where(pair_assignments.c.round_id == round_id)
            .order_by(pair_assignments.c.team, pair_assignments.c.member_id)
        )
        teams: dict[int, list[tuple[str, str]]] = {}
        for row in rows:
            teams.setdefault(row.team, []).append((row.member_id, row.name))
        return tuple(Team(number=n, members=tuple(m)) for n, m in sorted(teams.items()))

    async def get_round(self, round_id: int) -> Round | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(pair_rounds).where(pair_rounds.c.id == round_id))
            ).first()
            if row is None:
                return None
            teams = await self._teams(connection, round_id)
        return Round(
            id=row.id, group_id=row.group_id, key=row.key, started_at=row.started_at, teams=teams
        )

    async def record_met(
        self, round_id: int, member_id: str, answer: str, *, now: datetime
    ) -> bool:
        """False when the member was not in that round."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(pair_assignments)
                .where(
                    pair_assignments.c.round_id == round_id,
                    pair_assignments.c.member_id == member_id,
                )
                .values(met=answer, answered_at=now)
            )
            return result.rowcount > 0

    async def rounds_of(self, group_id: str, member_id: str, *, limit: int) -> list[MemberRound]:
        """The member's last rounds, newest first, with their partners' names."""
        async with self.engine.connect() as connection:
            mine = (
                await connection.execute(
                    select(pair_assignments, pair_rounds.c.started_at)
                    .join(pair_rounds, pair_rounds.c.id == pair_assignments.c.round_id)
                    .where(
                        pair_rounds.c.group_id == group_id,
                        pair_assignments.c.member_id == member_id,
                    )
                    .order_by(pair_rounds.c.id.desc())
                    .limit(limit)
                )
            ).all()
            out = []
            for row in mine:
                partners = await connection.execute(
                    select(pair_assignments.c.name)
                    .where(
                        pair_assignments.c.round_id == row.round_id,
                        pair_assignments.c.team == row.team,
                        pair_assignments.c.member_id != member_id,
                    )
                    .order_by(pair_assignments.c.name)
                )
                out.append(
                    MemberRound(
                        round_id=row.round_id,
                        started_at=row.started_at,
                        partners=tuple(partners.scalars()),
                        met=row.met,
                    )
                )
        return out

    async def meetings(self, group_id: str, member_id: str) -> int:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                select(func.count())
                .select_from(pair_assignments)
                .join(pair_rounds, pair_rounds.c.id == pair_assignments.c.round_id)
                .where(
                    pair_rounds.c.group_id == group_id,
                    pair_assignments.c.member_id == member_id,
                    pair_assignments.c.met == "yes",
                )
            )
            return int(found.scalar_one())

    async def latest_meeting_rate(self, group_id: str) -> tuple[int, int] | None:
        """(teams where someone said they met, teams) of the group's latest round."""
        async with self.engine.connect() as connection:
            latest = (
                await connection.execute(
                    select(pair_rounds.c.id)
                    .where(pair_rounds.c.group_id == group_id)
                    .order_by(pair_rounds.c.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            if latest is None:
                return None
            rows = await connection.execute(
                select(pair_assignments.c.team, pair_assignments.c.met).where(
                    pair_assignments.c.round_id == latest
                )
            )
            teams: dict[int, bool] = {}
            for row in rows:
                teams[row.team] = teams.get(row.team, False) or row.met == "yes"
        return sum(teams.values()), len(teams)
