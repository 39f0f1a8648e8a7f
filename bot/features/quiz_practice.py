"""Which practice question a member gets next, and how they are doing: pure functions over the
catalog and the member's Leitner boxes, so the rules are easy to test and to read."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.store.quiz import Review
from content.catalog import Catalog
from content.models import Question


class Why(Enum):
    DUE = "due"  # a question the member missed or is reviewing, whose time has come
    NEW = "new"  # never asked before, from the member's weakest topic
    EARLY = "early"  # everything seen and nothing due: the one due soonest, ahead of time


@dataclass(frozen=True, kw_only=True)
class Pick:
    question: Question
    why: Why


# Every this many questions, a new one comes even when reviews are due, so a member with a
# backlog of reviews still meets new material.
NEW_EVERY = 4


def pick_question(
    catalog: Catalog,
    reviews: Mapping[str, Review],
    *,
    now: datetime,
    topic: str | None = None,
    asked_before: int = 0,
    rng: random.Random | None = None,
) -> Pick:
    """Due questions first (lowest box, then longest overdue), except that every NEW_EVERY-th
    question (`asked_before` counts the member's earlier ones) is new when one is left; then a
    new question from the weakest topic; when every question has been seen and none is due,
    the one due soonest."""
    rng = rng or random.Random()
    pool = [
        question
        for question in catalog.questions.values()
        if topic is None or question.topic == topic
    ]
    due = [q for q in pool if q.id in reviews and reviews[q.id].due_at <= now]
    new = [q for q in pool if q.id not in reviews]
    mix_in_new = new and (asked_before + 1) % NEW_EVERY == 0
    if due and not mix_in_new:
        first = min(due, key=lambda q: (reviews[q.id].box, reviews[q.id].due_at, q.id))
        return Pick(question=first, why=Why.DUE)
    if new:
        strength = {topic: _strength(reviews, topic) for topic in sorted({q.topic for q in new})}
        weakest = min(strength.values())
        # Ties (every topic, for a newcomer) are broken at random, not alphabetically.
        topic_now = rng.choice([topic for topic, value in strength.items() if value == weakest])
        return Pick(question=rng.choice([q for q in new if q.topic == topic_now]), why=Why.NEW)
    soonest = min(pool, key=lambda q: (reviews[q.id].due_at, q.id))
    return Pick(question=soonest, why=Why.EARLY)


def _strength(reviews: Mapping[str, Review], topic: str) -> float:
    """Share of right answers in a topic, smoothed so an untouched topic counts as 50%: one
    lucky answer does not make a topic 'strong', nor one slip make it the weakest forever."""
    answered = sum(r.answered for r in reviews.values() if r.topic == topic)
    correct = sum(r.correct for r in reviews.values() if r.topic == topic)
    return (correct + 1) / (answered + 2)


@dataclass(frozen=True, kw_only=True)
class TopicStats:
    topic: str
    answered: int
    correct: int
    due: int
    learned: int  # questions in the top box
    total: int  # questions the topic has

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def topic_stats(
    catalog: Catalog, reviews: Mapping[str, Review], *, now: datetime, learned_box: int
) -> Sequence[TopicStats]:
    """Per topic the member has answered in, weakest first."""
    stats = []
    for topic in catalog.topics:
        mine = [r for r in reviews.values() if r.topic == topic]
        if not mine:
            continue
        stats.append(
            TopicStats(
                topic=topic,
                answered=sum(r.answered for r in mine),
                correct=sum(r.correct for r in mine),
                due=sum(r.due_at <= now for r in mine),
                learned=sum(r.box >= learned_box for r in mine),
                total=len(catalog.questions_in(topic)),
            )
        )
    return sorted(stats, key=lambda s: (s.accuracy, s.topic))
