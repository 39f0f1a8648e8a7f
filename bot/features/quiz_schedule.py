"""The question of the week (schedule kind `quiz`): a practice question posted in the channel.

It is a poll that names its question (polls.quiz_question): answers are private and final, count
toward streaks like any named vote, and the poll sweeper reveals the tally and the right answer
once when it closes (bot/features/poll_schedule.py), across restarts and processes.
"""

from __future__ import annotations

import random
from datetime import timedelta

from bot.core.scheduled import DecidesNothingAtClaim, ScheduledOccurrence, ScheduledPost
from bot.features.quiz_cards import week_card
from bot.features.services import Services
from content.models import Question

QUIZ_OPEN = timedelta(hours=24)


class QuizKind(DecidesNothingAtClaim):
    name = "quiz"

    def __init__(self, services: Services, *, rng: random.Random | None = None) -> None:
        self.services = services
        self.rng = rng or random.Random()

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        services = self.services
        question = await self._choose(occurrence.group_id)
        now = services.clock()
        poll = await services.polls.create(
            group_id=occurrence.group_id,
            platform=occurrence.platform,
            question=question.prompt,
            options=question.options,
            anonymous=False,
            created_by="studybot",
            closes_at=now + QUIZ_OPEN,
            now=now,
            quiz_question=question.id,
        )
        return ScheduledPost(reply=week_card(services.catalog, poll, question))

    async def _choose(self, group_id: str) -> Question:
        """A question the group has not had yet, from the topic of its roadmap week when one is
        left there; once every question has been asked, they start over."""
        catalog = self.services.catalog
        asked = await self.services.polls.quiz_questions_asked(group_id)
        group = await self.services.store.get_group(group_id)
        week = catalog.weeks.get(group.roadmap_week if group else 1)
        fresh = [q for q in catalog.questions.values() if q.id not in asked]
        pool = fresh or list(catalog.questions.values())
        on_topic = [q for q in pool if week is not None and q.topic == week.topic]
        return self.rng.choice(on_topic or pool)
