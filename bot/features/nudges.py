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

from bot.core.model import Button, Context, Reply, Section
from bot.core.scheduled import (
    ClaimTransaction,
    RoadmapPosition,
    ScheduledOccurrence,
    ScheduledPost,
)
from bot.features.tip import ANOTHER_TIP_ACTION
from content.catalog import Catalog

FINISHED = "That was the last week of the roadmap: the next nudge starts it again from week 1."


def iso_week_of(slot: str) -> str:
    year, week, _ = date.fromisoformat(slot[:10]).isocalendar()
    return f"{year}-W{week:02d}"


class NudgeKind:
    name = "nudge"

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    async def on_claim(
        self, transaction: ClaimTransaction, occurrences: Sequence[ScheduledOccurrence]
    ) -> Mapping[int, str]:
        positions = dict(
            await transaction.roadmap_positions({item.group_id for item in occurrences})
        )
        payloads: dict[int, str] = {}
        moved: dict[str, RoadmapPosition] = {}
        for occurrence in sorted(occurrences, key=lambda item: item.due_at):
            position = positions.get(occurrence.group_id, RoadmapPosition(week=1, moved_in=None))
            this_week = iso_week_of(occurrence.slot)
            if position.moved_in != this_week:
                week = position.week
                if position.moved_in is not None:
                    week = week % self.catalog.week_count + 1
                position = RoadmapPosition(week=week, moved_in=this_week)
                positions[occurrence.group_id] = moved[occurrence.group_id] = position
            payloads[occurrence.delivery_id] = str(position.week)
        await transaction.move_roadmaps(moved)
        return payloads

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        week_number = int(occurrence.payload or "1")
        week = self.catalog.weeks.get(week_number) or self.catalog.weeks[1]
        topic = self.catalog.topics[week.topic]
        tip = random.choice(self.catalog.tips_in(topic.id))
        parts: list[Section | Context] = [
            Section(heading="This week's goal", text=week.goal),
            Section(heading="Hands-on exercise", text=week.exercise),
            Section(heading=f"Tip: {tip.title}", text=f"{tip.action} (about {tip.minutes} min)"),
            Section(heading="Think about", text=week.checkin_question),
        ]
        late = " · sent late: I was offline at the scheduled time" if occurrence.late else ""
        parts.append(
            Context(
                text=f"Week {week.number} of {self.catalog.week_count} · /roadmap {week.number}"
                f" for details{late}"
            )
        )
        if week.number == self.catalog.week_count:
            parts.append(Context(text=FINISHED))
        title = f"Week {week.number}: {week.title}"
        reply = Reply(
            title=title,
            parts=tuple(parts),
            buttons=(
                Button(
                    label=f"A tip on {topic.name}", action_id=ANOTHER_TIP_ACTION, value=topic.id
                ),
            ),
            summary=f"This week's study nudge — {title}",
        )
        return ScheduledPost(reply=reply)
