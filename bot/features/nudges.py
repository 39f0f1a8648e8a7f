"""Weekly learning nudges that walk a group through the roadmap.

Which week a nudge posts is decided when the occurrence is claimed, in the same transaction, so a
nudge and the group's progress can never disagree. The roadmap moves one week per calendar week
(in the group's zone): the first nudge of a new local week advances the group, further nudges in
the same week (e.g. `mon,thu`) repeat that week's material instead of racing ahead.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.model import Button, Context, Reply, Section
from bot.features.tip import ANOTHER_TIP_ACTION
from bot.store.tables import groups
from content.catalog import Catalog
from scheduler.ledger import Claim

FINISHED = "That was the last week of the roadmap: the next nudge starts it again from week 1."


def iso_week_of(slot: str) -> str:
    year, week, _ = date.fromisoformat(slot[:10]).isocalendar()
    return f"{year}-W{week:02d}"


class NudgeKind:
    name = "nudge"

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    async def on_claim(
        self, connection: AsyncConnection, claims: Sequence[Claim]
    ) -> Mapping[int, str]:
        group_ids = sorted({claim.group_id for claim in claims})
        rows = (
            await connection.execute(
                select(groups.c.id, groups.c.roadmap_week, groups.c.roadmap_week_of).where(
                    groups.c.id.in_(group_ids)
                )
            )
        ).all()
        state = {row.id: (row.roadmap_week, row.roadmap_week_of) for row in rows}
        payloads: dict[int, str] = {}
        changed: set[str] = set()
        for claim in sorted(claims, key=lambda c: c.due_at):
            week, marked = state.get(claim.group_id, (1, None))
            this_week = iso_week_of(claim.slot)
            if marked is not None and marked != this_week:
                week = week % self.catalog.week_count + 1
            if marked != this_week:
                state[claim.group_id] = (week, this_week)
                changed.add(claim.group_id)
            payloads[claim.delivery_id] = str(week)
        if changed:
            # One executemany rather than a statement per group: a fan-out claims hundreds.
            await connection.execute(
                update(groups)
                .where(groups.c.id == bindparam("group_id"))
                .values(roadmap_week=bindparam("week"), roadmap_week_of=bindparam("marked")),
                [
                    {"group_id": g, "week": state[g][0], "marked": state[g][1]}
                    for g in sorted(changed)
                ],
            )
        return payloads

    async def compose(self, claim: Claim) -> Reply:
        week_number = int(claim.payload or "1")
        week = self.catalog.weeks.get(week_number) or self.catalog.weeks[1]
        topic = self.catalog.topics[week.topic]
        tip = random.choice(self.catalog.tips_in(topic.id))
        parts: list[Section | Context] = [
            Section(heading="This week's goal", text=week.goal),
            Section(heading="Hands-on exercise", text=week.exercise),
            Section(heading=f"Tip: {tip.title}", text=f"{tip.action} (about {tip.minutes} min)"),
            Section(heading="Think about", text=week.checkin_question),
        ]
        late = " · sent late: I was offline at the scheduled time" if claim.late else ""
        parts.append(
            Context(
                text=f"Week {week.number} of {self.catalog.week_count} · /roadmap {week.number}"
                f" for details{late}"
            )
        )
        if week.number == self.catalog.week_count:
            parts.append(Context(text=FINISHED))
        title = f"Week {week.number}: {week.title}"
        return Reply(
            title=title,
            parts=tuple(parts),
            buttons=(
                Button(label=f"A {topic.name} tip", action_id=ANOTHER_TIP_ACTION, value=topic.id),
            ),
            summary=f"This week's study nudge — {title}",
        )
